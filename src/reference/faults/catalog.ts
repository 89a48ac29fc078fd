/**
 * THE catalogue of the reference server's switchable faults: each one a realistic bug, declared
 * once, here, with everything that belongs to it — its name, the contract rule it violates
 * (interpretation.md), its level, the requirements a correct suite turns FAIL (MUST) or WARN
 * (SHOULD), a description, the probe of faults.test.ts that shows what it changes, and its hooks
 * (what the server does differently, at the named points of ./hooks.ts). With no fault every hook
 * is absent and the server reads as the contract.
 *
 * Readers: the server (--fault, EmbeddedOptions.fault), `npm run reference -- --list-faults`, the
 * mutation run (scripts/mutation.ts: every MUST and SHOULD fault must be caught), faults.test.ts
 * and the bite check (test/self-check/suite-bites.test.ts). Adding a fault: one defineFault entry
 * (docs/architecture.md, "Adding a requirement").
 */
import type { RequirementId } from "../../generated/requirement-ids.js";
import type { Level } from "../../contract/registry.js";
import type { FaultHooks, Notification, NotifyContext } from "./hooks.js";
import { REFERENCE_CAPACITY } from "../deployment.js";

/** A rule of the contract: the part of a requirement ID before the dot (N3 of N3.shape). */
export type Rule = RequirementId extends `${infer R}.${string}` ? R : never;

/**
 * The probes of faults.test.ts, each a small observation a client makes (over real HTTP and CometD);
 * every fault names the one whose observation it changes.
 */
export type FaultProbe =
  | "invited"
  | "accept"
  | "replies"
  | "finishing"
  | "refusals"
  | "auth"
  | "isolation"
  | "burst"
  | "routing"
  | "transfer"
  | "lateEffects"
  | "revocation"
  | "handover"
  | "fullHouse";

interface FaultBase {
  /** --fault NAME (npm run reference), --reference-fault NAME (gws-conformance), --only NAME (npm run mutation). */
  name: string;
  description: string;
  /** Suite paths (relative to suites/) that judge it; none: the files that judge `expect` in the clean run. */
  scope?: readonly string[];
  /** "load": a fault only load shows (`gws-conformance load` catches it); the mutation run leaves it out. */
  mode?: "load";
  probe: FaultProbe;
  hooks: FaultHooks;
}

/** A conformance fault: the suite must turn one of `expect` FAIL (MUST) or WARN or FAIL (SHOULD). */
export interface ConformanceFault extends FaultBase {
  rule: Rule;
  level: Exclude<Level, "MAY">;
  expect: readonly [RequirementId, ...RequirementId[]];
}

/** An allowed variation that only the drift report names: no rule broken, nothing expected. */
export interface DriftFault extends FaultBase {
  rule: "-";
  level: "DRIFT";
  expect: readonly [];
}

export type FaultDefinition = ConformanceFault | DriftFault;

/** One fault (typed: `expect` holds requirement IDs of the registry, at least one unless DRIFT). */
export function defineFault<const F extends FaultDefinition>(fault: F): F {
  return fault;
}

/** leak-under-load: the load above which the fault leaks (e-mails offered within one second). */
export const LEAK_UNDER_LOAD_OFFERS_PER_SECOND = 40;

const eo = (n: Notification): Record<string, unknown> => (n.email_object ?? {}) as Record<string, unknown>;
const capabilities = (n: Notification): string[] => n.capabilities as string[];
/** A notification transform applied to the notifications of one state only (on a copy). */
const onState =
  (state: string, f: (n: Notification, ctx: NotifyContext) => Notification) =>
  (n: Notification, ctx: NotifyContext): Notification[] => [n.state === state ? f(structuredClone(n), ctx) : n];
const without = <T extends Record<string, unknown>>(o: T, key: string): T => {
  const c = { ...o };
  delete c[key];
  return c;
};
const isReply = (op: string): boolean => op === "Reply" || op === "ReplyAll";

export const FAULTS: readonly FaultDefinition[] = [
  defineFault({
    name: "invited-missing-currentQueue",
    rule: "N2",
    level: "MUST",
    expect: ["N2.shape"],
    description: "Invited notifications lack currentQueue.",
    probe: "invited",
    hooks: { notification: onState("Invited", (n) => without(n, "currentQueue")) },
  }),
  defineFault({
    name: "invited-interaction-id-mismatch",
    rule: "N2",
    level: "MUST",
    expect: ["N2.interaction-id"],
    description: "Invited's email_object.interactionId differs from its id.",
    probe: "invited",
    hooks: {
      notification: onState("Invited", (n) => ({
        ...n,
        email_object: { ...eo(n), interactionId: `${String(n.id)}-x` },
      })),
    },
  }),
  defineFault({
    name: "invited-missing-reject-capability",
    rule: "N6",
    level: "MUST",
    expect: ["N6.documented-present"],
    description: "Invited advertises only Accept.",
    probe: "invited",
    hooks: { notification: onState("Invited", (n) => ({ ...n, capabilities: ["Accept"] })) },
  }),
  defineFault({
    name: "accepted-missing-receivedAt",
    rule: "N3",
    level: "MUST",
    expect: ["N3.shape"],
    description: "Accepted notifications lack receivedAt.",
    probe: "accept",
    hooks: { notification: onState("Accepted", (n) => without(n, "receivedAt")) },
  }),
  defineFault({
    name: "accepted-camelcase-email-object",
    rule: "N3",
    level: "MUST",
    expect: ["N3.shape"],
    description: "Accepted's email_object uses camelCase keys (toAddress, fromAddress, ...), like the Send request.",
    probe: "accept",
    hooks: {
      notification: onState("Accepted", (n) => ({
        ...n,
        email_object: Object.fromEntries(
          Object.entries(eo(n)).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]),
        ),
      })),
    },
  }),
  defineFault({
    name: "notification-channel-capitalized",
    rule: "N1",
    level: "MUST",
    expect: ["N1.envelope"],
    description: 'Every notification says channel "Email" instead of "email".',
    probe: "invited",
    hooks: { notification: (n) => [{ ...n, channel: "Email" }] },
  }),
  defineFault({
    name: "notification-wrong-message-type",
    rule: "N1",
    level: "MUST",
    expect: ["N1.envelope"],
    description: 'Every notification says messageTypeName "InteractionMessage".',
    probe: "invited",
    hooks: { notification: (n) => [{ ...n, messageTypeName: "InteractionMessage" }] },
  }),
  defineFault({
    name: "accepted-wrong-subtype",
    rule: "N3",
    level: "MUST",
    expect: ["N3.shape"],
    description: 'Accepted says interactionSubType "Inbound".',
    probe: "accept",
    hooks: { notification: onState("Accepted", (n) => ({ ...n, interactionSubType: "Inbound" })) },
  }),
  defineFault({
    name: "accepted-duplicate-capability",
    rule: "N1",
    level: "MUST",
    expect: ["N1.envelope"],
    description: "Accepted lists Reply twice in capabilities.",
    probe: "accept",
    hooks: { notification: onState("Accepted", (n) => ({ ...n, capabilities: [...capabilities(n), "Reply"] })) },
  }),
  defineFault({
    name: "accepted-extra-capability",
    rule: "N6",
    level: "SHOULD",
    expect: ["N6.undocumented-extra"],
    description: "Accepted also advertises an undocumented Archive capability.",
    probe: "accept",
    hooks: { notification: onState("Accepted", (n) => ({ ...n, capabilities: [...capabilities(n), "Archive"] })) },
  }),
  defineFault({
    name: "accepted-missing-capability",
    rule: "N6",
    level: "MUST",
    expect: ["N6.documented-present"],
    description: "Accepted does not advertise ReplyAll.",
    probe: "accept",
    hooks: {
      notification: onState("Accepted", (n) => ({
        ...n,
        capabilities: capabilities(n).filter((c) => c !== "ReplyAll"),
      })),
    },
  }),
  defineFault({
    name: "accepted-wrong-content",
    rule: "N3",
    level: "SHOULD",
    expect: ["N3.content"],
    description: "Accepted's ToAddress is the sender's address instead of the e-mail's To.",
    probe: "accept",
    hooks: {
      notification: onState("Accepted", (n) => ({ ...n, email_object: { ...eo(n), ToAddress: eo(n).FromAddress } })),
    },
  }),
  defineFault({
    name: "accepted-attachment-size-boolean",
    rule: "N3",
    level: "MUST",
    expect: ["N3.shape", "N3.attachments"],
    description: "Attachment sizes are sent as booleans.",
    probe: "accept",
    hooks: {
      notification: onState("Accepted", (n) => {
        const list = eo(n).attachments as Array<Record<string, unknown>> | undefined;
        return list ? { ...n, email_object: { ...eo(n), attachments: list.map((a) => ({ ...a, size: true })) } } : n;
      }),
    },
  }),
  defineFault({
    name: "reply-created-missing-text",
    rule: "N4",
    level: "MUST",
    expect: ["N4.shape"],
    description: "ReplyCreated's email_object has no Text.",
    probe: "replies",
    hooks: { notification: onState("ReplyCreated", (n) => ({ ...n, email_object: without(eo(n), "Text") })) },
  }),
  defineFault({
    name: "reply-created-reuses-id",
    rule: "N4",
    level: "MUST",
    expect: ["N4.new-id", "O4.reply-id-matches"],
    description: "ReplyCreated carries the inbound interaction's id instead of the new one.",
    probe: "replies",
    hooks: { notification: onState("ReplyCreated", (n, ctx) => (ctx.sourceId ? { ...n, id: ctx.sourceId } : n)) },
  }),
  defineFault({
    name: "reply-created-wrong-subtype",
    rule: "O3",
    level: "MUST",
    expect: ["O3.reply-created", "O4.reply-created"],
    description: 'ReplyCreated after Reply/ReplyAll says interactionSubType "OutboundNew".',
    probe: "replies",
    hooks: {
      notification: onState("ReplyCreated", (n) =>
        n.interactionSubType === "OutboundReply" ? { ...n, interactionSubType: "OutboundNew" } : n,
      ),
    },
  }),
  defineFault({
    name: "revoked-with-capabilities",
    rule: "N5",
    level: "MUST",
    expect: ["N5.shape"],
    description: "Revoked still advertises Accept.",
    probe: "revocation",
    hooks: { notification: onState("Revoked", (n) => ({ ...n, capabilities: ["Accept"] })) },
  }),
  defineFault({
    name: "never-revoke",
    rule: "N5",
    level: "MUST",
    expect: ["N5.sent-on-timeout"],
    description: "Invitations are never revoked.",
    probe: "revocation",
    hooks: { neverRevoke: true },
  }),
  defineFault({
    name: "status-code-envelope",
    rule: "R1",
    level: "MUST",
    expect: ["R1.ok-envelope"],
    description: 'Answers use the later edition\'s {"statusCode":0} envelope.',
    probe: "accept",
    hooks: {
      answer: (_op, a) => {
        const b = a.body as { status?: string; errorDescription?: string };
        if (b?.status === "ok") return { ...a, body: { statusCode: 0 } };
        if (b?.status === "error") return { ...a, body: { statusCode: 2, statusMessage: b.errorDescription } };
        return a;
      },
    },
  }),
  defineFault({
    name: "error-without-description",
    rule: "R1",
    level: "MUST",
    expect: ["R1.error-envelope"],
    description: 'Failure answers are {"status":"error"} with no errorDescription.',
    probe: "refusals",
    hooks: {
      answer: (_op, a) =>
        (a.body as { status?: string })?.status === "error" ? { ...a, body: { status: "error" } } : a,
    },
  }),
  defineFault({
    name: "reply-all-without-reply-id",
    rule: "O4",
    level: "MUST",
    expect: ["O4.answer-reply-id"],
    description: 'ReplyAll answers {"status":"ok"} without replyInteractionId.',
    probe: "replies",
    hooks: {
      answer: (op, a) =>
        op === "ReplyAll" ? { ...a, body: without(a.body as Record<string, unknown>, "replyInteractionId") } : a,
    },
  }),
  defineFault({
    name: "malformed-json-500",
    rule: "R2",
    level: "MUST",
    expect: ["R2.no-5xx"],
    description: "Malformed JSON answers HTTP 500.",
    probe: "refusals",
    hooks: { malformedJsonStatus: 500 },
  }),
  defineFault({
    name: "no-accepted-notification",
    rule: "O1",
    level: "MUST",
    expect: ["O1.accepted-notification"],
    description: "Accept answers ok but no Accepted notification follows.",
    probe: "accept",
    hooks: { notification: (n) => (n.state === "Accepted" ? [] : [n]) },
  }),
  defineFault({
    name: "late-accepted-notification",
    rule: "N8",
    level: "MUST",
    expect: ["N8.within-budget", "O1.accepted-notification"],
    description: "Accepted arrives 500 ms after the notification budget.",
    probe: "accept",
    hooks: { notificationDelayMs: (n, budget) => (n.state === "Accepted" ? budget + 500 : 0) },
  }),
  defineFault({
    name: "duplicate-accepted",
    rule: "N7",
    level: "SHOULD",
    expect: ["N7.no-duplicates"],
    description: "Every Accepted notification is sent twice.",
    probe: "accept",
    hooks: { notification: (n) => (n.state === "Accepted" ? [n, n] : [n]) },
  }),
  defineFault({
    name: "reply-ignores-prefix",
    rule: "O3",
    level: "MUST",
    expect: ["O3.subject-prefix"],
    description: "Reply ignores subjectPrefix.",
    probe: "replies",
    hooks: { derive: (op, r, inbound) => (op === "Reply" ? { ...r, subject: inbound.subject } : r) },
  }),
  defineFault({
    name: "reply-to-from-not-reply-to",
    rule: "O3",
    level: "MUST",
    expect: ["O3.to-reply-to"],
    description: "Replies go to the inbound From even when it had a Reply-To.",
    probe: "replies",
    hooks: { derive: (op, r, inbound) => (isReply(op) ? { ...r, to: inbound.from } : r) },
  }),
  defineFault({
    name: "reply-from-wrong",
    rule: "O3",
    level: "MUST",
    expect: ["O3.from-inbound-to"],
    description: "The reply's FromAddress is the customer's address.",
    probe: "replies",
    hooks: { derive: (op, r, inbound) => (isReply(op) ? { ...r, from: inbound.from } : r) },
  }),
  defineFault({
    name: "reply-all-drops-cc",
    rule: "O4",
    level: "MUST",
    expect: ["O4.cc"],
    description: "ReplyAll does not copy CCAddresses.",
    probe: "replies",
    hooks: {
      derive: (op, r) => {
        if (op !== "ReplyAll") return r;
        const { cc: _dropped, ...withoutCc } = r;
        return withoutCc;
      },
    },
  }),
  defineFault({
    name: "reply-all-no-default-quote",
    rule: "O4",
    level: "MUST",
    expect: ["O4.quote-default"],
    description: "ReplyAll does not quote unless quoteOriginal is true.",
    probe: "replies",
    hooks: { quoteDefault: (op) => (op === "ReplyAll" ? false : undefined) },
  }),
  defineFault({
    name: "reply-quotes-by-default",
    rule: "O3",
    level: "MUST",
    expect: ["O3.text-empty"],
    description: "Reply quotes the original unless quoteOriginal is false.",
    probe: "replies",
    hooks: { quoteDefault: (op) => (op === "Reply" ? true : undefined) },
  }),
  defineFault({
    name: "send-allowed-twice",
    rule: "O6",
    level: "SHOULD",
    expect: ["O6.leaves-agent"],
    description: "A sent interaction still accepts operations.",
    probe: "finishing",
    hooks: {
      allowedOperations: (state, allowed) => (state === "Sent" ? ["Send", "CancelReplyEmail"] : allowed),
      stillHeld: (state) => state === "Sent",
    },
  }),
  defineFault({
    name: "stop-processing-keeps-interaction",
    rule: "O10",
    level: "SHOULD",
    expect: ["O10.finished"],
    description: "After StopProcessing the interaction still accepts operations.",
    probe: "finishing",
    hooks: {
      allowedOperations: (state, allowed) =>
        state === "Stopped" ? ["Reply", "ReplyAll", "Forward", "StopProcessing", "Transfer", "PlaceInQueue"] : allowed,
      stillHeld: (state) => state === "Stopped",
    },
  }),
  defineFault({
    name: "send-after-cancel",
    rule: "O7",
    level: "SHOULD",
    expect: ["O7.send-after-cancel"],
    description: "A cancelled reply can still be sent.",
    probe: "finishing",
    hooks: {
      allowedOperations: (state, allowed) => (state === "Cancelled" ? ["Send"] : allowed),
      stillHeld: (state) => state === "Cancelled",
    },
  }),
  defineFault({
    name: "reply-on-invited",
    rule: "R3",
    level: "SHOULD",
    expect: ["R3.not-capable"],
    description: "Reply, ReplyAll and Forward are accepted on an Invited interaction.",
    probe: "refusals",
    hooks: {
      allowedOperations: (state, allowed) =>
        state === "Invited" ? [...allowed, "Reply", "ReplyAll", "Forward"] : allowed,
    },
  }),
  defineFault({
    name: "unknown-id-ok",
    rule: "R3",
    level: "SHOULD",
    expect: ["R3.unknown-id"],
    description: "Operations on unknown ids answer ok.",
    probe: "refusals",
    hooks: { unknownIdOk: true },
  }),
  defineFault({
    name: "no-request-validation",
    rule: "R3",
    level: "SHOULD",
    expect: ["R3.wrong-type", "R3.missing-required-field"],
    description: "Request bodies are not validated: wrong types and missing fields are accepted.",
    probe: "refusals",
    hooks: { skipValidation: true },
  }),
  defineFault({
    name: "rest-without-auth",
    rule: "T4",
    level: "MUST",
    expect: ["T4.no-credentials", "T4.wrong-credentials"],
    description: "REST calls without or with wrong credentials are served as the agent named in the path or body.",
    probe: "auth",
    hooks: { acceptAnyCredentials: true },
  }),
  defineFault({
    name: "handshake-without-auth",
    rule: "T5",
    level: "MUST",
    expect: ["T5.handshake-auth"],
    description: "The CometD handshake accepts anyone.",
    probe: "auth",
    hooks: { acceptAnyHandshake: true },
  }),
  defineFault({
    name: "broadcast-notifications",
    rule: "T6",
    level: "MUST",
    expect: ["T6.no-leak"],
    description: "Notifications go to every connected agent.",
    probe: "isolation",
    hooks: { broadcast: true },
  }),
  defineFault({
    name: "foreign-operation-accepted",
    rule: "T8",
    level: "MUST",
    expect: ["T8.foreign-refused"],
    description: "Any agent may operate on any interaction.",
    probe: "isolation",
    hooks: { skipOwnership: true },
  }),
  defineFault({
    name: "not-ready-still-offered",
    rule: "T7",
    level: "MUST",
    expect: ["T7.not-ready-not-offered"],
    description: "E-mails are offered to agents whose channel is NotReady.",
    probe: "routing",
    hooks: { offerNotReady: true },
  }),
  defineFault({
    name: "transfer-does-not-invite",
    rule: "O9",
    level: "SHOULD",
    expect: ["O9.target-invited"],
    description: "Transfer to an agent answers ok but the target is never invited.",
    probe: "transfer",
    hooks: { transferWithoutInvite: true },
  }),
  defineFault({
    name: "forward-refused",
    rule: "O5",
    level: "MUST",
    expect: ["O5.answer-reply-id"],
    description: "Forward is refused on Accepted because the Accepted capabilities omit it.",
    probe: "replies",
    hooks: {
      allowedOperations: (state, allowed) => (state === "Accepted" ? allowed.filter((o) => o !== "Forward") : allowed),
    },
  }),
  defineFault({
    name: "forward-id-mismatch",
    rule: "O5",
    level: "SHOULD",
    expect: ["O5.reply-created"],
    description:
      "Forward answers a replyInteractionId that is not the id of the interaction it created (its ReplyCreated " +
      "carries the real one).",
    probe: "replies",
    hooks: {
      answer: (op, a) => {
        const b = a.body as Record<string, unknown> | undefined;
        if (op !== "Forward" || typeof b?.replyInteractionId !== "string") return a;
        return { ...a, body: { ...b, replyInteractionId: `${b.replyInteractionId.slice(0, -1)}Z` } };
      },
    },
  }),
  defineFault({
    name: "foreign-operation-late-effect",
    rule: "T8",
    level: "MUST",
    expect: ["T8.foreign-no-effect"],
    description:
      "A Reply, ReplyAll or Forward refused to another agent (403) still creates its reply 1.5 s later " +
      "(3/4 of the declared notification budget when that is shorter).",
    probe: "lateEffects",
    hooks: { refusedForeignTakesEffect: true },
  }),
  defineFault({
    name: "refused-request-late-notification",
    rule: "R3",
    level: "SHOULD",
    expect: ["R3.no-effect"],
    description:
      "A refused request on an interaction the agent holds (malformed, not allowed in its state) " +
      "re-sends the interaction's state notification 1.5 s later (3/4 of the declared budget when " +
      "shorter).",
    probe: "lateEffects",
    hooks: { refusalNotifiesLate: true },
  }),
  defineFault({
    name: "foreign-op-late-effect",
    rule: "T8",
    level: "MUST",
    expect: ["T8.foreign-no-effect"],
    description:
      "Any operation refused to another agent (403) is executed 1.5 s later (3/4 of the declared notification " +
      "budget when that is shorter), if the interaction's state then still allows it.",
    probe: "lateEffects",
    hooks: { refusedForeignRunsLate: true },
  }),
  defineFault({
    name: "refused-late-notification",
    rule: "R3",
    level: "SHOULD",
    expect: ["R3.no-effect"],
    description:
      "A refused request on an interaction the agent holds notifies the interaction's state 1.5 s later (3/4 of " +
      "the declared budget when shorter), if the agent still holds it then.",
    probe: "lateEffects",
    hooks: { refusalNotifiesLateIfHeld: true },
  }),
  defineFault({
    name: "leak-under-load",
    rule: "T6",
    level: "MUST",
    mode: "load",
    expect: ["T6.no-leak"],
    description:
      "Once more than 40 e-mails were offered within the last second, every Accepted notification is " +
      "also sent to another agent (a leak only load shows; not part of the conformance mutation run).",
    probe: "burst",
    hooks: {
      leakUnderLoad: (n, offers) => n.state === "Accepted" && offers > LEAK_UNDER_LOAD_OFFERS_PER_SECOND,
    },
  }),
  defineFault({
    name: "capacity-ignores-ready",
    rule: "T7",
    level: "MUST",
    expect: ["T7.not-ready-not-offered"],
    description:
      `Agents are offered at most ${REFERENCE_CAPACITY} interactions at once (declared); while every Ready agent ` +
      "is full, an inbound e-mail goes to a NotReady agent with room (a routing bug under load).",
    probe: "fullHouse",
    hooks: { capacity: REFERENCE_CAPACITY, capacityIgnoresReady: true },
  }),
  defineFault({
    name: "leak-after-release",
    rule: "T6",
    level: "MUST",
    expect: ["T6.no-leak"],
    description:
      "An agent that let an interaction go (Reject, Transfer, PlaceInQueue, Revoked) still gets the Accepted " +
      "of whoever holds it next (its subscription to that interaction is never dropped).",
    probe: "handover",
    hooks: { leakAfterRelease: true },
  }),
  defineFault({
    name: "accepted-extra-field",
    rule: "-",
    level: "DRIFT",
    expect: [],
    description: "Accepted carries an undocumented priority field (allowed: drift, not a violation).",
    probe: "accept",
    hooks: { notification: onState("Accepted", (n) => ({ ...n, priority: "high" })) },
  }),
];
