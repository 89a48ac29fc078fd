/**
 * Transcript entries as contract messages: each request by operationName, each answer by
 * operation and outcome, each notification by state — with the schema each is compared with,
 * as lifecycle.json names it (an operation's request and answer, a notified state's schema).
 * Requests are the suite's own (including deliberately malformed ones of R3 scenarios), so
 * they are reported but never count as server drift.
 */
import type { DriftEnvelopeKind } from "../generated/contract-types.js";
import { notificationSchemaFor, operationOf } from "../contract/lifecycle.js";
// HTTP statuses whose body R1 does not constrain (T4 auth refusals; 405, 413): the harness's own.
import { EXEMPT_STATUSES } from "../harness/judge-answer.js";
import type { HttpEntry, NotificationEntry, TranscriptEntry } from "../report/transcript-io.js";

export type Direction = "request" | "answer" | "notification";
export type Outcome = "ok" | "error" | "exempt";
export type EnvelopeKind = DriftEnvelopeKind;

export const CHANNEL_STATE_REQUEST = "requests/channel-state.schema.json";
export const NOTIFICATION_BASE = "notifications/base.schema.json";
export const OK_ANSWER = "answers/ok.schema.json";
export const ERROR_ANSWER = "answers/error.schema.json";
/** The channel every e-mail notification arrives on (T5, T6). */
export const INTERACTIONS_CHANNEL = "/me/interactions";

export type CallTarget =
  | { kind: "interaction"; id: string; singular: boolean }
  | { kind: "collection" }
  | { kind: "channel"; channel: string };

/** An HTTP entry that is a call of the contract (T2, T3, T7). */
export interface OperationCall {
  entry: HttpEntry;
  operation: string;
  target: CallTarget;
  /** The request body was sent raw (malformed JSON tests, R2). */
  malformedRequest: boolean;
  /** Undefined when no answer came (network error). */
  status?: number;
  envelope: EnvelopeKind;
  outcome: Outcome;
  replyInteractionId?: string;
}

export interface ObservedMessage {
  key: string;
  direction: Direction;
  producer: "suite" | "server";
  operation?: string;
  outcome?: Outcome;
  state?: string;
  schema: string | null;
  data: unknown;
  envelope: EnvelopeKind;
  entry: HttpEntry | NotificationEntry;
}

/** Where a contract call went, from its URL; undefined for other URLs (control, attachments). */
export function callTargetOf(url: string): CallTarget | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    pathname = url.split(/[?#]/)[0];
  }
  const channel = /\/me\/channels\/([^/]+)\/?$/.exec(pathname);
  if (channel) return { kind: "channel", channel: decodeURIComponent(channel[1]) };
  const m = /\/me\/(interactions?)(?:\/([^/]+))?\/?$/.exec(pathname);
  if (!m) return undefined;
  if (m[2] === undefined) return m[1] === "interactions" ? { kind: "collection" } : undefined;
  return { kind: "interaction", id: decodeURIComponent(m[2]), singular: m[1] === "interaction" };
}

/** R1's envelope is {"status":...}; later editions answer {"statusCode":N} (related-facts, "Later editions"). */
export function envelopeOf(body: unknown): EnvelopeKind {
  if (body === undefined || body === "") return "empty";
  if (typeof body === "string") return "non-json";
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const o = body as Record<string, unknown>;
    if ("status" in o) return "status";
    if ("statusCode" in o) return "statusCode";
  }
  return "other";
}

/**
 * ok / error as the answer itself says (R1 status, or the later edition's statusCode 0 = success),
 * else by HTTP status; errors R1 does not constrain are `exempt` (same exemptions as judgeAnswer).
 */
export function outcomeOf(status: number, body: unknown, malformedRequest: boolean): Outcome {
  const o = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  let ok: boolean;
  if (o && typeof o.status === "string") ok = o.status === "ok" && status < 400;
  else if (o && "statusCode" in o) ok = o.statusCode === 0 && status < 400;
  else ok = status >= 200 && status < 300;
  if (ok) return "ok";
  return malformedRequest || EXEMPT_STATUSES.has(status) ? "exempt" : "error";
}

export function operationNameOf(entry: HttpEntry): string {
  if (entry.operation) return entry.operation;
  const body = entry.requestBody;
  if (typeof body === "string") return "(malformed)";
  const name = (body as { operationName?: unknown } | undefined)?.operationName;
  return typeof name === "string" ? name : "(none)";
}

export function operationCallOf(entry: TranscriptEntry): OperationCall | undefined {
  if (entry.kind !== "http") return undefined;
  const target = callTargetOf(entry.url);
  if (!target) return undefined;
  const malformedRequest = typeof entry.requestBody === "string";
  const status = entry.status;
  const body = entry.responseBody;
  const replyId = (body as { replyInteractionId?: unknown } | undefined)?.replyInteractionId;
  return {
    entry,
    operation: operationNameOf(entry),
    target,
    malformedRequest,
    ...(status !== undefined ? { status } : {}),
    envelope: status === undefined ? "none" : envelopeOf(body),
    outcome: status === undefined ? "error" : outcomeOf(status, body, malformedRequest),
    ...(typeof replyId === "string" && replyId !== "" ? { replyInteractionId: replyId } : {}),
  };
}

export function isInteractionNotification(entry: TranscriptEntry): entry is NotificationEntry {
  return entry.kind === "notification" && entry.channel === INTERACTIONS_CHANNEL;
}

function requestMessage(call: OperationCall): ObservedMessage {
  const body = call.entry.requestBody;
  const name = (body as { operationName?: unknown } | undefined)?.operationName;
  // The request the body's own operationName says it is (the suite sends wrong ones on purpose, R3).
  const schema = call.malformedRequest
    ? null
    : call.target.kind === "channel"
      ? CHANNEL_STATE_REQUEST
      : ((typeof name === "string" ? operationOf(name)?.request : undefined) ?? null);
  return {
    key: `request:${call.operation}`,
    direction: "request",
    producer: "suite",
    operation: call.operation,
    schema,
    data: body,
    envelope: "none",
    entry: call.entry,
  };
}

/** The schema an answer is compared with: the operation's own answer (lifecycle) for ok, error.schema.json for error; none when exempt or not R1-shaped. */
export function answerSchemaOf(call: OperationCall): string | null {
  if (call.outcome === "exempt" || call.envelope !== "status") return null;
  if (call.outcome === "error") return ERROR_ANSWER;
  return (call.target.kind !== "channel" ? operationOf(call.operation)?.answer : undefined) ?? OK_ANSWER;
}

function answerMessage(call: OperationCall): ObservedMessage {
  return {
    key: `answer:${call.operation}:${call.outcome}`,
    direction: "answer",
    producer: "server",
    operation: call.operation,
    outcome: call.outcome,
    schema: answerSchemaOf(call),
    data: call.entry.responseBody,
    envelope: call.envelope,
    entry: call.entry,
  };
}

function notificationMessage(entry: NotificationEntry): ObservedMessage {
  const state = (entry.data as { state?: unknown } | null)?.state;
  const stateName = typeof state === "string" ? state : "(no state)";
  // A notified state's own schema (N2–N5); any other state meets N1's base only.
  const schema = (typeof state === "string" ? notificationSchemaFor(state) : undefined) ?? NOTIFICATION_BASE;
  return {
    key: `notification:${stateName}`,
    direction: "notification",
    producer: "server",
    state: stateName,
    schema,
    data: entry.data,
    envelope: "none",
    entry,
  };
}

/** Every request, answer and notification of a transcript, in input order. */
export function messagesOf(entries: readonly TranscriptEntry[]): ObservedMessage[] {
  const out: ObservedMessage[] = [];
  for (const entry of entries) {
    if (isInteractionNotification(entry)) {
      out.push(notificationMessage(entry));
      continue;
    }
    const call = operationCallOf(entry);
    if (!call) continue;
    if (call.entry.requestBody !== undefined) out.push(requestMessage(call));
    if (call.status !== undefined) out.push(answerMessage(call));
  }
  return out;
}
