/**
 * Extracts the JSON samples of the normative page (interactions-on-email.txt, in the spec folder)
 * and repairs them into valid JSON. `npm run samples` runs it and commits the result
 * (src/generated/page-samples.json, read through page-data.ts at run time). The page's samples are not valid JSON as printed
 * (related-facts.md #11); every repair below is named, documented, and recorded on each
 * sample it touched, so a reader can see exactly how the evidence was read.
 */

export interface PageSample {
  /** Stable id: `<section>.<label>`, e.g. `Reply.cometd-response`. */
  id: string;
  section: string;
  label: "http-request" | "success" | "failed" | "cometd-response";
  /** The schema (under schemas/) this sample is evidence for. */
  schema: string;
  /** The text as printed on the page. */
  raw: string;
  /** Names of the repairs applied, in order. */
  repairs: string[];
  json: unknown;
}

interface TextRepair {
  name: string;
  why: string;
  apply(text: string): string;
}
interface ValueRepair {
  name: string;
  why: string;
  apply(value: Record<string, unknown>): boolean;
}

/** Repairs of the printed text, applied in this order. */
export const TEXT_REPAIRS: TextRepair[] = [
  {
    name: "strip-line-comments",
    why: "Send's request annotates fields with `//optional`, which JSON does not allow.",
    apply: (t) => t.replace(/\s*\/\/.*$/gm, ""),
  },
  {
    name: "drop-ellipsis",
    why: "Attachment arrays end with a `...` line meaning 'more items'.",
    apply: (t) => t.replace(/^\s*\.\.\.\s*$/gm, ""),
  },
  {
    name: "colon-after-email-object",
    why: '`"email_object" {` lacks its colon in every notification sample.',
    apply: (t) => t.replace(/"email_object"\s*\{/g, '"email_object": {'),
  },
  {
    name: "close-received-at-key",
    why: "The second half of Reply's notification prints `\"receivedAt:value...` with the key's closing quote, the colon and the value's quotes missing.",
    apply: (t) => t.replace(/^(\s*)"receivedAt:([^"\n]*)$/m, '$1"receivedAt": "$2",'),
  },
  {
    name: "quote-bare-placeholders",
    why: "Placeholders such as `details` or `prefix-to-add... (optional)` stand unquoted where a value goes.",
    apply: (t) =>
      t.replace(
        /^(\s*"[^"]+"\s*:)\s*(?![\s"{[\d]|true\b|false\b|null\b)(\S[^\n]*?)(,?)\s*$/gm,
        (_m, head: string, value: string, comma: string) => `${head} ${JSON.stringify(value.trim())}${comma}`,
      ),
  },
  {
    name: "insert-missing-commas",
    why: "ReplyAll's request has no comma after the quoteOriginal line.",
    apply: (t) => t.replace(/("|\]|\})(\s*\n\s*")/g, "$1,$2"),
  },
  {
    name: "remove-trailing-commas",
    why: "Several samples end an object or array with a trailing comma.",
    apply: (t) => t.replace(/,(\s*[}\]])/g, "$1"),
  },
];

/** Repairs of placeholder values whose documented type differs from the printed placeholder. */
export const VALUE_REPAIRS: ValueRepair[] = [
  {
    name: "boolean-placeholder",
    why: "quoteOriginal is printed as a descriptive string; the contract types it boolean (O3).",
    apply: (v) => {
      if (typeof v.quoteOriginal !== "string") return false;
      v.quoteOriginal = true;
      return true;
    },
  },
  {
    name: "user-data-map",
    why: "userData is printed as a descriptive string; it is 'the complete map of user data' (N2, N3: object).",
    apply: (v) => {
      if (typeof v.userData !== "string") return false;
      v.userData = {};
      return true;
    },
  },
  {
    name: "numeric-size",
    why: "attachments[].size is printed as `attachment-size`; the contract wants an integer or a numeric string (N3).",
    apply: (v) => {
      const eo = v.email_object as { attachments?: Array<Record<string, unknown>> } | undefined;
      let changed = false;
      for (const a of eo?.attachments ?? []) {
        if (typeof a.size === "string" && !/^\d+$/.test(a.size)) {
          a.size = "2048";
          changed = true;
        }
      }
      return changed;
    },
  },
];

/** Named repair applied when a sample continues in the next code block (Reply's notification). */
export const JOIN_SPLIT_SAMPLE = {
  name: "join-split-sample",
  why: "Reply's notification is printed in two code blocks; the first closes its object early.",
};

const SECTIONS = ["Accept", "Reply", "ReplyAll", "Forward", "Send", "CancelReplyEmail", "CreateEmail"] as const;
const LABELS: Record<string, PageSample["label"]> = {
  "HTTP Request": "http-request",
  Success: "success",
  Failed: "failed",
  "Cometd Response": "cometd-response",
};

const SCHEMA_BY_SECTION: Record<string, Record<PageSample["label"], string>> = {
  Accept: {
    "http-request": "requests/accept.schema.json",
    success: "answers/ok.schema.json",
    failed: "answers/error.schema.json",
    "cometd-response": "notifications/accepted.schema.json",
  },
  Reply: {
    "http-request": "requests/reply.schema.json",
    success: "answers/ok.schema.json",
    failed: "answers/error.schema.json",
    "cometd-response": "notifications/reply-created.schema.json",
  },
  ReplyAll: {
    "http-request": "requests/reply-all.schema.json",
    success: "answers/ok-with-reply-id.schema.json",
    failed: "answers/error.schema.json",
    "cometd-response": "notifications/reply-created.schema.json",
  },
  Forward: {
    "http-request": "requests/forward.schema.json",
    success: "answers/ok-with-reply-id.schema.json",
    failed: "answers/error.schema.json",
    "cometd-response": "notifications/reply-created.schema.json",
  },
  Send: {
    "http-request": "requests/send.schema.json",
    success: "answers/ok.schema.json",
    failed: "answers/error.schema.json",
    "cometd-response": "notifications/reply-created.schema.json",
  },
  CancelReplyEmail: {
    "http-request": "requests/cancel-reply-email.schema.json",
    success: "answers/ok.schema.json",
    failed: "answers/error.schema.json",
    "cometd-response": "notifications/reply-created.schema.json",
  },
  CreateEmail: {
    "http-request": "requests/create-email.schema.json",
    success: "answers/ok.schema.json",
    failed: "answers/error.schema.json",
    "cometd-response": "notifications/reply-created.schema.json",
  },
};

export function extractPageSamples(pageText: string): PageSample[] {
  const lines = pageText.split("\n");
  const samples: PageSample[] = [];
  let section: string | undefined;
  let label: PageSample["label"] | undefined;
  let labelUsed = false;
  // Sections start after the "Operations" table; a heading is a line that is exactly a section name.
  let inBody = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (
      line === "Accept" &&
      lines.slice(i + 1, i + 4).some((l) => l.startsWith("This operation can be performed after a new Interaction"))
    )
      inBody = true;
    if (!inBody) continue;
    if ((SECTIONS as readonly string[]).includes(line)) {
      section = line;
      label = undefined;
      continue;
    }
    if (line in LABELS) {
      label = LABELS[line];
      labelUsed = false;
      continue;
    }
    if (line.startsWith("```") && section) {
      const block: string[] = [];
      for (i = i + 1; i < lines.length && !lines[i].trim().startsWith("```"); i++) block.push(lines[i]);
      const raw = block.join("\n");
      if (label && labelUsed) {
        // A second block under the same label continues the previous sample.
        const prev = samples[samples.length - 1];
        prev.raw = `${prev.raw}\n${raw}`;
        prev.repairs.push(JOIN_SPLIT_SAMPLE.name);
        continue;
      }
      if (!label) throw new Error(`page sample without a label in section ${section}`);
      labelUsed = true;
      samples.push({
        id: `${section}.${label}`,
        section,
        label,
        schema: SCHEMA_BY_SECTION[section][label],
        raw,
        repairs: [],
        json: undefined,
      });
    }
  }
  for (const s of samples) s.json = repair(s);
  return samples;
}

function repair(sample: PageSample): unknown {
  let text = sample.raw;
  if (sample.repairs.includes(JOIN_SPLIT_SAMPLE.name)) {
    // The first block ends with `}` closing the object early: drop that brace before the continuation.
    text = text.replace(/,?\s*\}\s*\n(\s*"receivedAt)/, ",\n$1");
  }
  for (const r of TEXT_REPAIRS) {
    const next = r.apply(text);
    if (next !== text) sample.repairs.push(r.name);
    text = next;
  }
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(
      `page sample ${sample.id} is still not JSON after repairs ${sample.repairs.join(", ")}: ${(e as Error).message}\n${text}`,
    );
  }
  for (const r of VALUE_REPAIRS) if (r.apply(value)) sample.repairs.push(r.name);
  return value;
}

/** Every repair, for documentation and reports. */
export function allRepairs(): Array<{ name: string; why: string }> {
  return [JOIN_SPLIT_SAMPLE, ...TEXT_REPAIRS, ...VALUE_REPAIRS].map(({ name, why }) => ({ name, why }));
}
