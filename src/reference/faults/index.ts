/**
 * Switchable faults of the reference server: each one a realistic bug, named in faults.json with
 * the rule it violates and the requirements a correct suite must turn FAIL (MUST) or WARN
 * (SHOULD). The clean server calls these hooks at a few named points; with no fault every hook
 * is absent and the server reads as the contract.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Notification } from "../../contract/notification.js";
import type { Level } from "../../contract/registry.js";
import type { JsonAnswer } from "../http-io.js";
import type { OutboundEmail } from "../world.js";

export interface FaultEntry {
  name: string;
  rule: string;
  /** MUST / SHOULD: a conformance fault; DRIFT: allowed variation that only the drift report names. */
  level: Exclude<Level, "MAY"> | "DRIFT";
  expect: string[];
  description: string;
  /** "load": a fault only load shows (`gws-conformance load` catches it); the mutation run leaves it out. */
  mode?: "load";
}


/** What the server knows about a notification beyond its body. */
export interface NotifyContext {
  /** For ReplyCreated: the interaction it was created from. */
  sourceId?: string;
}

export interface FaultHooks {
  /** Transforms a notification; [] drops it, two entries duplicate it. */
  notification?(n: Notification, ctx: NotifyContext): Notification[];
  /** Extra delay before a notification is delivered (ms). */
  notificationDelayMs?(n: Notification, budgetMs: number): number;
  /** Transforms an HTTP answer of the API before it is written. */
  answer?(operation: string, a: JsonAnswer): JsonAnswer;
  /** HTTP status for malformed JSON (the clean server answers 400). */
  malformedJsonStatus?: number;
  /** REST calls are served whatever the credentials. */
  acceptAnyCredentials?: boolean;
  /** CometD handshakes are accepted whatever the credentials. */
  acceptAnyHandshake?: boolean;
  /** Notifications go to every connected agent. */
  broadcast?: boolean;
  /** Ownership (T8) is not checked. */
  skipOwnership?: boolean;
  /** NotReady agents are offered e-mails too. */
  offerNotReady?: boolean;
  /** Transfer to an agent does not invite the target. */
  transferWithoutInvite?: boolean;
  neverRevoke?: boolean;
  skipValidation?: boolean;
  unknownIdOk?: boolean;
  /** Changes the operations allowed in a state. */
  allowedOperations?(state: string, allowed: string[]): string[];
  /** Whether the agent still holds an interaction in a state the lifecycle says it has left. */
  stillHeld?(state: string): boolean;
  /** Changes a derived reply. */
  derive?(operation: string, reply: OutboundEmail, inbound: OutboundEmail & { replyTo?: string }): OutboundEmail;
  /** Overrides quoteOriginal's default for Reply / ReplyAll. */
  quoteDefault?(operation: string): boolean | undefined;
  /** Whether this notification also goes to another agent, given the e-mails offered within the last second. */
  leakUnderLoad?(n: Notification, offersInLastSecond: number): boolean;
  /** A Reply, ReplyAll or Forward refused to a foreign agent (T8) still creates its reply, late. */
  refusedForeignTakesEffect?: boolean;
  /** A refused request on an interaction the agent holds re-sends its state notification, late (R3). */
  refusalNotifiesLate?: boolean;
}

/** leak-under-load: the load above which the fault leaks (e-mails offered within one second). */
export const LEAK_UNDER_LOAD_OFFERS_PER_SECOND = 40;

const here = dirname(fileURLToPath(import.meta.url));
export const FAULTS: FaultEntry[] = JSON.parse(readFileSync(join(here, "faults.json"), "utf8")) as FaultEntry[];

const eo = (n: Notification): Record<string, unknown> => (n.email_object ?? {}) as Record<string, unknown>;
const onState = (state: string, f: (n: Notification, ctx: NotifyContext) => Notification) => (n: Notification, ctx: NotifyContext): Notification[] => [n.state === state ? f(structuredClone(n), ctx) : n];
const without = <T extends Record<string, unknown>>(o: T, key: string): T => {
  const c = { ...o };
  delete c[key];
  return c;
};

/** The hooks of each fault named in faults.json. */
export const FAULT_HOOKS: Record<string, FaultHooks> = {
  "invited-missing-currentQueue": { notification: onState("Invited", (n) => without(n, "currentQueue")) },
  "invited-interaction-id-mismatch": { notification: onState("Invited", (n) => ({ ...n, email_object: { ...eo(n), interactionId: `${String(n.id)}-x` } })) },
  "invited-missing-reject-capability": { notification: onState("Invited", (n) => ({ ...n, capabilities: ["Accept"] })) },
  "accepted-missing-receivedAt": { notification: onState("Accepted", (n) => without(n, "receivedAt")) },
  "accepted-camelcase-email-object": {
    notification: onState("Accepted", (n) => ({
      ...n,
      email_object: Object.fromEntries(Object.entries(eo(n)).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v])),
    })),
  },
  "notification-channel-capitalized": { notification: (n) => [{ ...n, channel: "Email" }] },
  "notification-wrong-message-type": { notification: (n) => [{ ...n, messageTypeName: "InteractionMessage" }] },
  "accepted-wrong-subtype": { notification: onState("Accepted", (n) => ({ ...n, interactionSubType: "Inbound" })) },
  "accepted-duplicate-capability": { notification: onState("Accepted", (n) => ({ ...n, capabilities: [...(n.capabilities as string[]), "Reply"] })) },
  "accepted-extra-capability": { notification: onState("Accepted", (n) => ({ ...n, capabilities: [...(n.capabilities as string[]), "Archive"] })) },
  "accepted-missing-capability": { notification: onState("Accepted", (n) => ({ ...n, capabilities: (n.capabilities as string[]).filter((c) => c !== "ReplyAll") })) },
  "accepted-wrong-content": { notification: onState("Accepted", (n) => ({ ...n, email_object: { ...eo(n), ToAddress: eo(n).FromAddress } })) },
  "accepted-attachment-size-boolean": {
    notification: onState("Accepted", (n) => {
      const list = eo(n).attachments as Array<Record<string, unknown>> | undefined;
      return list ? { ...n, email_object: { ...eo(n), attachments: list.map((a) => ({ ...a, size: true })) } } : n;
    }),
  },
  "reply-created-missing-text": { notification: onState("ReplyCreated", (n) => ({ ...n, email_object: without(eo(n), "Text") })) },
  "reply-created-reuses-id": { notification: onState("ReplyCreated", (n, ctx) => (ctx.sourceId ? { ...n, id: ctx.sourceId } : n)) },
  "reply-created-wrong-subtype": { notification: onState("ReplyCreated", (n) => (n.interactionSubType === "OutboundReply" ? { ...n, interactionSubType: "OutboundNew" } : n)) },
  "revoked-with-capabilities": { notification: onState("Revoked", (n) => ({ ...n, capabilities: ["Accept"] })) },
  "never-revoke": { neverRevoke: true },
  "status-code-envelope": {
    answer: (_op, a) => {
      const b = a.body as { status?: string; errorDescription?: string };
      return { ...a, body: b?.status === "ok" ? { statusCode: 0 } : b?.status === "error" ? { statusCode: 2, statusMessage: b.errorDescription } : a.body };
    },
  },
  "error-without-description": { answer: (_op, a) => ((a.body as { status?: string })?.status === "error" ? { ...a, body: { status: "error" } } : a) },
  "reply-all-without-reply-id": { answer: (op, a) => (op === "ReplyAll" ? { ...a, body: without(a.body as Record<string, unknown>, "replyInteractionId") } : a) },
  "malformed-json-500": { malformedJsonStatus: 500 },
  "no-accepted-notification": { notification: (n) => (n.state === "Accepted" ? [] : [n]) },
  "late-accepted-notification": { notificationDelayMs: (n, budget) => (n.state === "Accepted" ? budget + 500 : 0) },
  "duplicate-accepted": { notification: (n) => (n.state === "Accepted" ? [n, n] : [n]) },
  "reply-ignores-prefix": { derive: (op, r, inbound) => (op === "Reply" ? { ...r, subject: inbound.subject } : r) },
  "reply-to-from-not-reply-to": { derive: (op, r, inbound) => (op === "Reply" || op === "ReplyAll" ? { ...r, to: inbound.from } : r) },
  "reply-from-wrong": { derive: (op, r, inbound) => (op === "Reply" || op === "ReplyAll" ? { ...r, from: inbound.from } : r) },
  "reply-all-drops-cc": { derive: (op, r) => (op === "ReplyAll" ? without(r as unknown as Record<string, unknown>, "cc") as unknown as OutboundEmail : r) },
  "reply-all-no-default-quote": { quoteDefault: (op) => (op === "ReplyAll" ? false : undefined) },
  "reply-quotes-by-default": { quoteDefault: (op) => (op === "Reply" ? true : undefined) },
  "send-allowed-twice": { allowedOperations: (state, allowed) => (state === "Sent" ? ["Send", "CancelReplyEmail"] : allowed), stillHeld: (state) => state === "Sent" },
  "stop-processing-keeps-interaction": {
    allowedOperations: (state, allowed) => (state === "Stopped" ? ["Reply", "ReplyAll", "Forward", "StopProcessing", "Transfer", "PlaceInQueue"] : allowed),
    stillHeld: (state) => state === "Stopped",
  },
  "send-after-cancel": { allowedOperations: (state, allowed) => (state === "Cancelled" ? ["Send"] : allowed), stillHeld: (state) => state === "Cancelled" },
  "reply-on-invited": { allowedOperations: (state, allowed) => (state === "Invited" ? [...allowed, "Reply", "ReplyAll", "Forward"] : allowed) },
  "unknown-id-ok": { unknownIdOk: true },
  "no-request-validation": { skipValidation: true },
  "rest-without-auth": { acceptAnyCredentials: true },
  "handshake-without-auth": { acceptAnyHandshake: true },
  "broadcast-notifications": { broadcast: true },
  "foreign-operation-accepted": { skipOwnership: true },
  "not-ready-still-offered": { offerNotReady: true },
  "transfer-does-not-invite": { transferWithoutInvite: true },
  "forward-refused": { allowedOperations: (state, allowed) => (state === "Accepted" ? allowed.filter((o) => o !== "Forward") : allowed) },
  "accepted-extra-field": { notification: onState("Accepted", (n) => ({ ...n, priority: "high" })) },
  "leak-under-load": {
    leakUnderLoad: (n, offers) => n.state === "Accepted" && offers > LEAK_UNDER_LOAD_OFFERS_PER_SECOND,
  },
  "foreign-operation-late-effect": { refusedForeignTakesEffect: true },
  "refused-request-late-notification": { refusalNotifiesLate: true },
};

/** The hooks of a fault by name (none: the clean server). Throws for an unknown name, listing the valid ones. */
export function faultHooks(name: string | undefined): FaultHooks {
  if (!name) return {};
  const hooks = FAULT_HOOKS[name];
  if (!hooks || !FAULTS.some((f) => f.name === name)) throw new Error(`unknown fault "${name}"; valid faults: ${FAULTS.map((f) => f.name).join(", ")}`);
  return hooks;
}
