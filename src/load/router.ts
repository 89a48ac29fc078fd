/**
 * Load mode's routing of notifications to the e-mail flows waiting for them (interpretation.md,
 * "Deployment data and routing").
 *
 * A flow has an inbox: every notification carrying its subject token, or about an id it bound
 * (its inbound interaction, its reply), lands there in arrival order, whoever it is addressed to.
 * A flow waits on a predicate over its inbox from a mark taken before its request was sent, so
 * every form the contract allows is taken as it comes: a notification before the HTTP answer,
 * several Invited for one e-mail (offers to several agents), a Revoked followed by a re-offer,
 * states the page does not name (an end state after StopProcessing or Send: nobody waits for them).
 */
import type { ReceivedNotification } from "../harness/cometd-session.js";

export interface Arrival {
  agent: string;
  data: Record<string, unknown>;
  /** performance.now() when it arrived (latencies). */
  at: number;
  /** Epoch ms when it arrived (the session's re-handshake gaps are in epoch ms). */
  receivedAt: number;
}

const TOKEN = /\[(load-[0-9a-f]+-\d+)\]/;

/** The load token in a notification's subject (Invited and Revoked: `subject`; the others: `Subject`). */
export function tokenOf(d: Record<string, unknown>): string | undefined {
  const eo = d.email_object as Record<string, unknown> | undefined;
  return TOKEN.exec(String(eo?.subject ?? eo?.Subject ?? ""))?.[1];
}

export const stateOfArrival = (a: Arrival): string => String(a.data.state);
export const idOfArrival = (a: Arrival): string => String(a.data.id);

interface Waiter {
  predicate: (a: Arrival) => boolean;
  resolve: (a: Arrival | undefined) => void;
  timer: NodeJS.Timeout;
}

/** One e-mail's notifications, in arrival order, waitable. */
export class FlowInbox {
  readonly arrivals: Arrival[] = [];
  readonly ids = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  /** Set once the flow gave up waiting for something: what still arrives is handed here (to finish it). */
  onLate?: (a: Arrival) => void;

  constructor(readonly token: string) {}

  /** Where the next arrival goes: what a request sent now may cause arrives at or after it. */
  get mark(): number {
    return this.arrivals.length;
  }

  push(a: Arrival): void {
    this.arrivals.push(a);
    for (const w of this.waiters) {
      if (!w.predicate(a)) continue;
      this.waiters.delete(w);
      clearTimeout(w.timer);
      w.resolve(a);
    }
    this.onLate?.(a);
  }

  find(predicate: (a: Arrival) => boolean, from = 0): Arrival | undefined {
    for (let i = from; i < this.arrivals.length; i++) if (predicate(this.arrivals[i])) return this.arrivals[i];
    return undefined;
  }

  /** The first arrival from `from` on matching `predicate`, or undefined after `budgetMs` (bounded). */
  wait(predicate: (a: Arrival) => boolean, budgetMs: number, from = 0): Promise<Arrival | undefined> {
    const found = this.find(predicate, from);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const w: Waiter = {
        predicate,
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          resolve(undefined);
        }, budgetMs),
      };
      this.waiters.add(w);
    });
  }

  /** Ends every wait (the run is over). */
  close(): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(undefined);
    }
    this.waiters.clear();
    this.onLate = undefined;
  }
}

/** Hands each notification to the inbox of the flow it belongs to (by bound id, else by token). */
export class LoadRouter {
  private readonly byToken = new Map<string, FlowInbox>();
  private readonly byId = new Map<string, FlowInbox>();

  open(token: string): FlowInbox {
    const inbox = new FlowInbox(token);
    this.byToken.set(token, inbox);
    return inbox;
  }

  /** Notifications about `id` go to `inbox` even without the token (an end state may carry no subject). */
  bind(id: string, inbox: FlowInbox): void {
    inbox.ids.add(id);
    this.byId.set(id, inbox);
  }

  close(inbox: FlowInbox): void {
    inbox.close();
    this.byToken.delete(inbox.token);
    for (const id of inbox.ids) if (this.byId.get(id) === inbox) this.byId.delete(id);
  }

  route(agent: string, n: ReceivedNotification): void {
    const d = n.data;
    const inbox = (typeof d.id === "string" ? this.byId.get(d.id) : undefined) ?? this.byToken.get(tokenOf(d) ?? "");
    inbox?.push({ agent, data: d, at: performance.now(), receivedAt: n.receivedAt });
  }
}
