/**
 * The one place e-mail Text and address lists are normalised before a comparison
 * (interpretation.md N3: mail transport MAY turn line ends into CRLF and add a final line end;
 * "Deployment data and routing": that applies wherever Text is compared, O3/O4 quoting included;
 * address lists are lists: separators `,` `;`, whitespace around them and order are free).
 */

/** Text with LF line ends and without one final line end. */
export function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(/\n$/, "");
}

/** Whether two e-mail texts are the same, ignoring CRLF versus LF and one final line end. */
export function sameText(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" && normalizeText(a) === normalizeText(b);
}

/** The lines of an e-mail Text (normalised first). */
export function textLines(text: string): string[] {
  return normalizeText(text).split("\n");
}

/**
 * Whether a quoted line is the wanted one: trailing whitespace does not count (a server may trim
 * what it quotes, e.g. "> " before an empty line becomes ">").
 */
export function sameLine(got: string, want: string): boolean {
  return got.trimEnd() === want.trimEnd();
}

/** The addresses of an address list (`CCAddresses`, `ccAddress`, a `ToAddress` naming several): split at `,` and `;`, trimmed, empties dropped. */
export function addressList(text: string): string[] {
  return text
    .split(/[,;]/)
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
}

/**
 * Whether two address lists name the same addresses, each as often (separators, whitespace around
 * them and order are free). Anything that is not a string is no list: false. Addresses themselves
 * are compared as written (the contract frees the list's form only).
 */
export function sameAddressList(a: unknown, b: unknown): boolean {
  if (typeof a !== "string" || typeof b !== "string") return false;
  const x = addressList(a).sort();
  const y = addressList(b).sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
