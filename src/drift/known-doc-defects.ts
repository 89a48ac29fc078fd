/**
 * The normative page's own contradictions (related-facts.md, "Known contradictions in the
 * normative page itself" #1–#12) as data: what the page says both ways, the reading the
 * contract took and the interpretation.md rule that settles it. The drift report lists each
 * as a doc-defect, checks it is still visible on the page, links schema-vs-page findings it
 * explains, and names it when a server's traffic follows the reading the contract did not take.
 */
import type { PageSample } from "../contract/page-samples.js";

/** Traffic that follows the other reading of a contradiction. */
export type DefectHint =
  | { kind: "field"; name: string }
  | { kind: "capability"; name: string }
  | { kind: "subtype"; name: string }
  | { kind: "envelope"; envelope: "empty"; operation: string }
  /** An undocumented field that differs from a documented sibling only in letter case. */
  | { kind: "case-variant" };

export interface KnownDocDefect {
  /** related-facts.md, "Known contradictions in the normative page itself" #N. */
  fact: number;
  title: string;
  contradiction: string;
  /** The reading the contract took. */
  reading: string;
  /** interpretation.md rules that settle it. */
  rules: string[];
  /** Whether the page (text and repaired samples) still shows the contradiction. */
  onPage(page: string, samples: readonly PageSample[]): boolean;
  /** Schema-vs-page differences that are this contradiction's reading, not a schema defect of their own. */
  explains?: Array<{ schema: string; path: string }>;
  hints?: DefectHint[];
}

const sample = (samples: readonly PageSample[], id: string): Record<string, unknown> | undefined =>
  samples.find((s) => s.id === id)?.json as Record<string, unknown> | undefined;

export const KNOWN_DOC_DEFECTS: readonly KnownDocDefect[] = [
  {
    fact: 1,
    title: "Singular path for Accept and Forward",
    contradiction: "Accept and Forward are shown on /me/interaction/{id}; every other operation and the operations table use /me/interactions/{id}.",
    reading: "Operations go to POST {root}/me/interactions/{id}; the singular path is a typo a server MAY also accept and the suite never requires.",
    rules: ["T2"],
    onPage: (page) => /POST on \*\*\/me\/interaction\/\{id\}\*\*/.test(page),
  },
  {
    fact: 2,
    title: "CancelReply / CancelReplyEmail / Cancel",
    contradiction: "The operations table says CancelReply; the section and its operationName say CancelReplyEmail; the ReplyCreated capability list says Cancel.",
    reading: "The operationName is CancelReplyEmail; the capability Cancel advertises it (lifecycle.json capabilities).",
    rules: ["O7", "N4"],
    onPage: (page) => /^CancelReply\tPOST/m.test(page) && page.includes('"operationName": "CancelReplyEmail"') && page.includes('"Cancel"'),
    hints: [
      { kind: "capability", name: "CancelReply" },
      { kind: "capability", name: "CancelReplyEmail" },
    ],
  },
  {
    fact: 3,
    title: "replyInteractionId in Reply's answer",
    contradiction: "Reply's success answer has no replyInteractionId; ReplyAll's and Forward's have one.",
    reading: "ReplyAll and Forward MUST carry replyInteractionId; Reply MAY (answers/ok.schema.json documents it as optional).",
    rules: ["R1", "O4", "O5"],
    onPage: (_page, samples) => !("replyInteractionId" in (sample(samples, "Reply.success") ?? {})) && "replyInteractionId" in (sample(samples, "ReplyAll.success") ?? {}),
    explains: [{ schema: "answers/ok.schema.json", path: "$.replyInteractionId" }],
  },
  {
    fact: 4,
    title: "Accept answers empty or {\"status\":\"ok\"}",
    contradiction: "Accept's prose says a successful request results in an empty HTTP 200; its sample shows {\"status\":\"ok\"}.",
    reading: "Success is {\"status\":\"ok\"} for every operation, Accept included.",
    rules: ["R1", "O1"],
    onPage: (page, samples) => /empty http-200 response/i.test(page) && sample(samples, "Accept.success")?.status === "ok",
    hints: [{ kind: "envelope", envelope: "empty", operation: "Accept" }],
  },
  {
    fact: 5,
    title: "quoteOriginal's default",
    contradiction: "ReplyAll says quoteOriginal defaults to true; Reply and ReplyAll both say the body is empty unless quoteOriginal is true.",
    reading: "quoteOriginal defaults to false for Reply and to true for ReplyAll.",
    rules: ["O3", "O4"],
    onPage: (page) => /default is true/.test(page) && /body will be empty unless quoteOriginal is set to true/.test(page),
  },
  {
    fact: 6,
    title: "Forward without a destination address",
    contradiction: "Forward's prose says the agent provides the destination address; its request has no address field.",
    reading: "Forward is {\"operationName\":\"Forward\"} with an optional queueName; the new interaction's ToAddress MAY be empty and the agent sets it in Send.",
    rules: ["O5", "O6"],
    onPage: (page, samples) => /address that is provided by an Agent/.test(page) && Object.keys(sample(samples, "Forward.http-request") ?? {}).join() === "operationName",
    explains: [{ schema: "requests/forward.schema.json", path: "$.queueName" }],
  },
  {
    fact: 7,
    title: "CreateEmail's subtype",
    contradiction: "CreateEmail's example subtype is OutboundNew, yet the new interaction arrives as E-mail Reply Created, whose sample has OutboundReply.",
    reading: "ReplyCreated after CreateEmail carries the requested interactionSubType or OutboundReply.",
    rules: ["O8", "N4"],
    onPage: (page) => /e\.g\. OutboundNew/.test(page) && /"interactionSubType": "OutboundReply"/.test(page),
    hints: [{ kind: "subtype", name: "OutboundNew" }],
  },
  {
    fact: 8,
    title: "Letter case of e-mail fields",
    contradiction: "Notifications use PascalCase (ToAddress, CCAddresses), the Send request camelCase (toAddress, ccAddress, bccAddress), the invitation lower case (subject, interactionId), attachments mimetype.",
    reading: "Each message keeps the case the page prints for it: Invited lower case (N2), Accepted and ReplyCreated PascalCase (N3, N4), Send camelCase (O6), attachments[].mimetype.",
    rules: ["N2", "N3", "N4", "O6"],
    onPage: (page) => page.includes('"ToAddress"') && page.includes('"toAddress"') && page.includes('"mimetype"'),
    hints: [{ kind: "case-variant" }],
  },
  {
    fact: 9,
    title: "Capabilities the page lists and omits",
    contradiction: "The Accepted capability list lacks Forward though the table allows Forward after Accept; PlaceInWorkbin, UpdateProperties, LinkAttachment and Cancel name operations the page never documents.",
    reading: "Forward on Accepted is tolerated (not required); PlaceInWorkbin, UpdateProperties and LinkAttachment are advertised but untestable; Cancel is CancelReplyEmail.",
    rules: ["N6", "O5", "O12"],
    onPage: (page, samples) => /^Forward\tPOST/m.test(page) && !((sample(samples, "Accept.cometd-response")?.capabilities as unknown[] | undefined) ?? []).includes("Forward"),
  },
  {
    fact: 10,
    title: "Operations without a documented body",
    contradiction: "Reject, Transfer, StopProcessing and PlaceInQueue have no request body, answer or notification documented.",
    reading: "The contract gives their bodies ({operationName}, targetAgent or queueName, reason, queueName) at SHOULD level.",
    rules: ["O2", "O9", "O10", "O11"],
    onPage: (_page, samples) => !samples.some((s) => ["Reject", "Transfer", "StopProcessing", "PlaceInQueue"].includes(s.section)),
  },
  {
    fact: 11,
    title: "Samples that are not JSON",
    contradiction: "The JSON samples are not valid JSON as printed (missing colons after \"email_object\", trailing commas, unquoted placeholders, a Reply sample split in two).",
    reading: "The samples are read through named repairs (src/contract/page-samples.ts); placeholder values take the contract's types (userData object, quoteOriginal boolean, size numeric).",
    rules: ["N3", "O3"],
    onPage: (_page, samples) => samples.some((s) => s.repairs.length > 0),
  },
  {
    fact: 12,
    title: "FromnAddress",
    contradiction: "Reply's prose says \"FromnAddress\" (a typo for FromAddress).",
    reading: "FromAddress of the reply equals the inbound ToAddress.",
    rules: ["O3"],
    onPage: (page) => page.includes("FromnAddress"),
    hints: [{ kind: "field", name: "FromnAddress" }],
  },
];

/** The known contradiction, if any, whose other reading an observed field, capability, subtype or envelope follows. */
export function defectForHint(probe: { field?: string; documentedSiblings?: readonly string[]; capability?: string; subtype?: string; envelope?: string; operation?: string }): KnownDocDefect | undefined {
  return KNOWN_DOC_DEFECTS.find((d) =>
    (d.hints ?? []).some((h) => {
      switch (h.kind) {
        case "field":
          return probe.field === h.name;
        case "capability":
          return probe.capability === h.name;
        case "subtype":
          return probe.subtype === h.name;
        case "envelope":
          return probe.envelope === h.envelope && probe.operation === h.operation;
        case "case-variant":
          return probe.field !== undefined && (probe.documentedSiblings ?? []).some((s) => s !== probe.field && s.toLowerCase() === probe.field!.toLowerCase());
      }
    }),
  );
}

/** The known contradiction whose reading a schema-vs-page difference is. */
export function defectExplaining(schema: string, path: string): KnownDocDefect | undefined {
  return KNOWN_DOC_DEFECTS.find((d) => (d.explains ?? []).some((e) => e.schema === schema && e.path === path));
}

/**
 * Which contradictions the page (its text and repaired samples) still shows, by related-facts
 * number: computed by `npm run samples` from the spec folder and committed with the page data.
 */
export function docDefectEvidence(page: string, samples: readonly PageSample[]): Record<string, boolean> {
  return Object.fromEntries(KNOWN_DOC_DEFECTS.map((d) => [String(d.fact), d.onPage(page, samples)]));
}
