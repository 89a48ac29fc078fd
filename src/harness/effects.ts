/**
 * Which notifications the suite's own successful requests explain, from the lifecycle data
 * (schemas/lifecycle.json): "a refused request changes nothing and produces no notification"
 * (R3, T4, T8) is judged on every notification a watch sees, minus those an expectation explains.
 * A scenario's later, legitimate operations notify about the same ids and carry the same token
 * (the owner's Reply after refused foreign operations): those are not the refused requests' effect.
 *
 * Each expectation explains ONE notification: a second Accepted long after the Accept (a refused
 * request's late notification) is no longer the Accept's.
 *   - an operation's `next` state, when notified: the same id, on the operating agent (Accept → Accepted);
 *   - what it `creates`: one NEW interaction in that state on the operating agent (or the
 *     replyInteractionId the answer named);
 *   - what it `offersTo`: Invited for the same id on the named agent (Transfer to an agent, O9);
 *   - a state that `releases` the holder (Reject, Transfer, PlaceInQueue; Revoked): Invited
 *     for the same id, on any agent, several included (a re-offer, Deployment data and routing);
 *   - an operation whose `next` state the holder does not hold (StopProcessing, Send, CancelReplyEmail,
 *     Reject, Transfer, PlaceInQueue): one notification, on the operating agent, of a state the page
 *     does not name for that id (an end state: Completed, Sent, Cancelled — Deployment data and routing);
 *   - a `spontaneous` event from the state just notified (Invited → Revoked after the timeout);
 *   - an injection: Invited carrying its token, on any agent (a server MAY offer one e-mail to
 *     several Ready agents at once: each Invited is an offer).
 * An expectation explains only what arrived after its cause was sent: what follows the suite's own
 * later successful operation (its notifications, an end state, a re-offer) is that operation's, and
 * a watch over an earlier refusal does not blame it. Pure: the live monitor and `rejudge` use the
 * same code.
 */
import { eventTargetOf, operationOf, releasesHolder, spontaneousSuccessors, stateOf } from "../contract/lifecycle.js";

/** Expectation.state that matches any state the page does not name (an end state). */
export const UNNAMED_STATE = "(a state the page does not name)";

/**
 * Whether the page names `state` in its notifications (a notified state of the lifecycle). Others —
 * Completed, Sent, Cancelled, a vendor's own — break no rule by themselves (N1 allows any state
 * string); N7's transitions are those between named states (Deployment data and routing).
 */
export function isNamedState(state: string | undefined): boolean {
  return state !== undefined && stateOf(state)?.notified === true;
}

export interface Expectation {
  /** The notification's id; else `token` (in its JSON) or `newId` (an id not seen before). */
  id?: string;
  token?: string;
  newId?: boolean;
  state: string;
  /** The agent whose stream it arrives on; undefined: any agent. */
  agent?: string;
  /** Epoch ms: only notifications received from then on. */
  since: number;
  /** Explains one notification only (a creation, an offer). */
  once: boolean;
  /** A `token` expectation that, once it explained one, explains only that id again (several offers of one e-mail). */
  bindsId?: boolean;
  used?: boolean;
  why: string;
}

/** A successful or refused request of the suite, as the lifecycle judges what it may cause. */
export interface OperationRecord {
  agent: string;
  operation: string;
  /** null: CreateEmail on the collection (T3). */
  id: string | null;
  body: Record<string, unknown> | undefined;
  /** When the request was sent (epoch ms). */
  startedAt: number;
  /** The request was taken (not refused, judge-answer.ts `taken`). */
  ok: boolean;
  replyInteractionId?: string;
}

/** The notifications a successful operation may cause, per the lifecycle. */
export function expectationsOf(op: OperationRecord): Expectation[] {
  const spec = operationOf(op.operation);
  if (!spec || !op.ok) return [];
  const out: Expectation[] = [];
  const since = op.startedAt;
  const why = `${op.agent}'s ${op.operation}${op.id ? ` on ${op.id}` : ""}`;
  if (op.id && spec.next && spec.next.notify !== "none" && stateOf(spec.next.state)?.notified) {
    out.push({ id: op.id, state: spec.next.state, agent: op.agent, since, once: true, why });
  }
  if (spec.creates) {
    const created = op.replyInteractionId ? { id: op.replyInteractionId } : { newId: true };
    out.push({ ...created, state: spec.creates.state, agent: op.agent, since, once: true, why });
  }
  const named = spec.offersTo ? op.body?.[spec.offersTo.who] : undefined;
  if (op.id && spec.offersTo && typeof named === "string")
    out.push({ id: op.id, state: spec.offersTo.state, agent: named, since, once: true, why });
  if (op.id && spec.next && releasesHolder(spec.next.state)) out.push(reofferOf(op.id, since, why));
  // The holder let it go: the server MAY tell it the end state (Deployment data and routing).
  if (op.id && spec.next && !stateOf(spec.next.state)?.held)
    out.push({
      id: op.id,
      state: UNNAMED_STATE,
      agent: op.agent,
      since,
      once: true,
      why: `the end state after ${why}`,
    });
  return out;
}

/** After the holder let `id` go: Invited for it, on any agent, several included (Deployment data and routing). */
export function reofferOf(id: string, since: number, why: string): Expectation {
  return { id, state: eventTargetOf("Reoffer"), since, once: false, why: `a re-offer after ${why}` };
}

/**
 * What the server may do on its own after a notification of `state` (Invited → Revoked), and a
 * re-offer after a release.
 */
export function expectationsAfterState(id: string, state: string, agent: string, receivedAt: number): Expectation[] {
  const out: Expectation[] = spontaneousSuccessors(state).map((to) => ({
    id,
    state: to,
    agent,
    since: receivedAt,
    once: true,
    why: `${state} → ${to} (the server's own, e.g. the invitation timeout)`,
  }));
  if (releasesHolder(state)) out.push(reofferOf(id, receivedAt, `${state} on ${agent}'s stream`));
  return out;
}

/** An injected e-mail: Invited carrying its token, on any agent, several at once included (T7, T6). */
export function injectionExpectation(token: string, since: number): Expectation {
  return { token, state: eventTargetOf("Inject"), since, once: false, bindsId: true, why: `the injection of ${token}` };
}

export interface SeenNotification {
  agent: string;
  id?: string;
  state?: string;
  receivedAt: number;
  /** JSON of the notification (token search). */
  text: string;
  /** The first notification of this id the suite saw. */
  firstOfId: boolean;
}

/** The expectations of one worker (or one replayed transcript). */
export class Expectations {
  private readonly list: Expectation[] = [];

  add(...e: Expectation[]): void {
    this.list.push(...e);
  }

  /** The expectation that explains `n` (a `once` one is used up), or undefined. */
  explain(n: SeenNotification): Expectation | undefined {
    const e = this.list.find(
      (x) =>
        !x.used &&
        (x.state === n.state || (x.state === UNNAMED_STATE && n.state !== undefined && !isNamedState(n.state))) &&
        (x.agent === undefined || x.agent === n.agent) &&
        n.receivedAt >= x.since &&
        (x.id !== undefined
          ? x.id === n.id
          : x.token !== undefined
            ? n.text.includes(x.token)
            : x.newId === true && n.firstOfId),
    );
    if (e?.once) e.used = true;
    if (e?.bindsId && e.id === undefined && n.id !== undefined) e.id = n.id;
    return e;
  }
}
