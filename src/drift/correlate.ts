/**
 * Which notification followed which answer: for every successful operation, the next
 * notification about the same interaction id or about the interaction it created
 * (replyInteractionId, O4/O5; or, when the answer names none, the first notification of a new
 * id in the created state on the operating agent's stream, O3/O8). Gives the notification
 * latency per operation (the delay N8 budgets) and the operation that created each interaction
 * (for the interactionSubType expected of it, O3–O5, O8).
 */
import { operationOf } from "../contract/lifecycle.js";
import { isInteractionNotification, operationCallOf, type OperationCall } from "./messages.js";
import { inTimeOrder, type NotificationEntry, type TranscriptEntry } from "../report/transcript-io.js";

/** Beyond this a notification is not "the one that followed" (N8's budget is 5 s by default; twice it counts as missing). */
export const CORRELATION_WINDOW_MS = 60_000;

export interface CallFollowUp {
  call: OperationCall;
  notification?: NotificationEntry;
  latencyMs?: number;
  /** The notification is about an interaction the call created (not the call's own id). */
  created: boolean;
}

export interface Correlation {
  followUps: CallFollowUp[];
  /** interaction id → the call that created it. */
  creatorOf: Map<string, OperationCall>;
}

const idOf = (n: NotificationEntry): string | undefined => {
  const id = (n.data as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id : undefined;
};
const stateOfData = (n: NotificationEntry): unknown => (n.data as { state?: unknown } | null)?.state;

/** Both entries belong to the same scenario, or one of them names none. */
function sameScenario(a: TranscriptEntry, b: TranscriptEntry): boolean {
  return a.scenario === undefined || b.scenario === undefined || a.scenario === b.scenario;
}

export function correlate(entries: readonly TranscriptEntry[]): Correlation {
  const ordered = inTimeOrder(entries);
  const calls = new Map<number, OperationCall>();
  // The first position of each id per scenario and agent: "a new interaction" on that stream.
  const firstSeen = new Map<string, number>();
  ordered.forEach((e, i) => {
    const call = operationCallOf(e);
    if (call) calls.set(i, call);
    if (isInteractionNotification(e)) {
      const key = `${e.scenario ?? ""}|${e.agent}|${idOf(e) ?? ""}`;
      if (!firstSeen.has(key)) firstSeen.set(key, i);
    }
  });

  const followUps: CallFollowUp[] = [];
  const creatorOf = new Map<string, OperationCall>();
  for (const [i, call] of calls) {
    if (call.outcome !== "ok" || call.status === undefined || call.target.kind === "channel") continue;
    const ownId = call.target.kind === "interaction" ? call.target.id : undefined;
    const creates = operationOf(call.operation)?.creates;
    if (call.replyInteractionId) creatorOf.set(call.replyInteractionId, call);
    const start = call.entry.ts;
    let found: CallFollowUp = { call, created: false };
    for (let j = i + 1; j < ordered.length; j++) {
      const e = ordered[j];
      if (e.ts - start > CORRELATION_WINDOW_MS) break;
      const other = calls.get(j);
      if (other && other.outcome === "ok" && sameScenario(call.entry, other.entry)) {
        // The next successful call on the same id (or the agent's next creating call) owns what follows.
        if (ownId !== undefined && other.target.kind === "interaction" && other.target.id === ownId) break;
        if (ownId === undefined && other.entry.agent === call.entry.agent && operationOf(other.operation)?.creates)
          break;
      }
      if (!isInteractionNotification(e) || !sameScenario(call.entry, e)) continue;
      const nid = idOf(e);
      if (nid === undefined) continue;
      const aboutOwn = ownId !== undefined && nid === ownId;
      const aboutReply = call.replyInteractionId !== undefined && nid === call.replyInteractionId;
      const aboutNew =
        !call.replyInteractionId &&
        creates !== undefined &&
        nid !== ownId &&
        stateOfData(e) === creates.state &&
        (call.entry.agent === undefined || e.agent === call.entry.agent) &&
        firstSeen.get(`${e.scenario ?? ""}|${e.agent}|${nid}`) === j;
      if (aboutOwn || aboutReply || aboutNew) {
        found = { call, notification: e, latencyMs: Math.max(0, e.ts - start), created: !aboutOwn };
        if (!aboutOwn) creatorOf.set(nid, call);
        break;
      }
    }
    followUps.push(found);
  }
  return { followUps, creatorOf };
}
