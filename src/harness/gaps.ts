/**
 * Re-handshake gaps of an agent's Bayeux subscription (Deployment data and routing: a server MAY
 * have the client handshake again; what it publishes before the new subscription is confirmed MAY
 * be lost). The CometD session keeps them (cometd-session.ts); the waits use them here.
 */
import { PreconditionError } from "./checks.js";

/**
 * A stretch of time in which the agent's subscription was not known to hold: what the server
 * published then MAY be lost (Deployment data and routing: re-handshake).
 */
export interface SubscriptionGap {
  /** The last sign of life of the old session (its last successful /meta/connect or subscription). */
  from: number;
  /** When the client learned it (a failed /meta/connect, or a handshake it did not ask for). */
  noticedAt: number;
  /** When /meta/subscribe confirmed the new subscription; absent while the gap is open. */
  to?: number;
  /** What the server or the network said. */
  reason: string;
}

/** hh:mm:ss.mmm (UTC) of an epoch time. */
export const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 23);

/** "from 04:31:02.120 to 04:31:02.410 (402::session_unknown)", or "… (still open)". */
export function describeGap(g: SubscriptionGap): string {
  return `from ${clock(g.from)} to ${g.to !== undefined ? clock(g.to) : "(still open)"} (${g.reason})`;
}

/**
 * Deployment data and routing (re-handshake): what a server publishes while an agent's
 * subscription is down MAY be lost, so a required notification missed while a gap of one of these
 * streams overlapped its wait (from `from` until now) cannot be judged. Returns the ERROR naming
 * the gap ("… missed across a re-handshake gap from … to …"), or undefined when no gap overlapped.
 */
export function missedAcrossGap(
  streams: ReadonlyArray<{ name: string; session: { gapsDuring(from: number, to: number): SubscriptionGap[] } }>,
  from: number,
  what: string,
): PreconditionError | undefined {
  const now = Date.now();
  for (const a of streams) {
    const gap = a.session.gapsDuring(from, now)[0];
    if (!gap) continue;
    return new PreconditionError(
      "the agent's CometD subscription held during the wait",
      `${what} on ${a.name}: missed across a re-handshake gap ${describeGap(gap)}`,
    );
  }
  return undefined;
}
