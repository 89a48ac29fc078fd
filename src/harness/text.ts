/**
 * The one place e-mail Text is normalised before a comparison (interpretation.md N3: mail
 * transport MAY turn line ends into CRLF and add a final line end; "Deployment data": that applies
 * wherever Text is compared, O3/O4 quoting included).
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
