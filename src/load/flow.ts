/**
 * One load e-mail's lifecycle: inject → Invited → Accept → Accepted → Reply → ReplyCreated →
 * Send (the reply) → StopProcessing (the inbound e-mail), with the requests a conformance run
 * sends (src/harness/requests.ts: the configured queues, never a placeholder), and finishing what
 * it opened whatever went wrong (CancelReplyEmail a reply it did not send, StopProcessing an e-mail
 * it accepted): a server that caps what one agent holds (capacity) is not filled up by the
 * generator's own leftovers (interpretation.md, "Deployment data and routing").
 *
 * Every allowed form is taken: an empty Accept answer (judge-answer.ts), a notification before its
 * answer (waits start from a mark taken before the request), several Invited for one e-mail (the
 * first is taken), a Revoked invitation offered again (taken again), states the page does not name
 * (nobody waits for them), a re-handshake (a notification missed across its gap is an error of the
 * run, not a violation). An e-mail not offered within the offer budget is an error ("not offered:
 * capacity or routing"), never a T7 violation: every driven agent is Ready, nothing shows it went
 * where it must not.
 */
import type { InboundEmailInjection } from "../generated/contract-types.js";
import type { RequirementId } from "../generated/requirement-ids.js";
import type { NotificationStream } from "../harness/cometd-session.js";
import { describeGap } from "../harness/gaps.js";
import type { HttpClient } from "../harness/http-client.js";
import type { Injector } from "../harness/inject/injector.js";
import { judgeAnswer } from "../harness/judge-answer.js";
import type { Judge, StreamMonitor } from "../harness/monitor.js";
import { operationRequest, type RequestContext } from "../harness/requests.js";
import type { ResolvedTarget } from "../harness/target.js";
import { type Arrival, type FlowInbox, idOfArrival, type LoadRouter, stateOfArrival } from "./router.js";

/** The operations a load e-mail goes through after its offer (answer latencies are kept per operation). */
export const LOAD_OPERATIONS = ["Accept", "Reply", "Send", "StopProcessing"] as const;
export type LoadOperation = (typeof LOAD_OPERATIONS)[number];
export const NOTIFYING_OPERATIONS: Partial<Record<LoadOperation, { state: string; requirement: RequirementId }>> = {
  Accept: { state: "Accepted", requirement: "O1.accepted-notification" },
  Reply: { state: "ReplyCreated", requirement: "O3.reply-created" },
};

/** How many offers of one e-mail a flow takes (a Revoked invitation MAY be offered again, N5). */
export const MAX_OFFERS_PER_EMAIL = 3;

export interface LoadAgent {
  name: string;
  http: HttpClient;
  /** Its CometD session's re-handshake gaps (cometd-session.ts: the one record of them). */
  session: Pick<NotificationStream, "gapsDuring">;
}

/** The first re-handshake gap of `agent`'s session overlapping [from, to] (epoch ms), described. */
function gapOf(agent: LoadAgent, from: number, to: number): string | undefined {
  const g = agent.session.gapsDuring(from, to)[0];
  return g && describeGap(g);
}

/** What a flow reports to the run (runner.ts keeps the counts, per second too). */
export interface FlowTally {
  injected(): void;
  completed(): void;
  offer(ms: number): void;
  answer(op: LoadOperation | "inject", ms: number): void;
  notify(op: LoadOperation, ms: number): void;
  error(kind: string): void;
  judgeFor(name: string): Judge;
  /** Work that outlives the flow (finishing a late offer or reply): awaited before the sessions close. */
  chore(work: () => Promise<unknown>): void;
  /** The flow keeps its inbox open to the end of the run (something may still arrive to finish). */
  keepInbox(inbox: FlowInbox): void;
}

export interface FlowDeps {
  runId: string;
  target: ResolvedTarget;
  agents: readonly LoadAgent[];
  byName: ReadonlyMap<string, LoadAgent>;
  router: LoadRouter;
  monitor: StreamMonitor;
  injector: Injector;
  tally: FlowTally;
  /** Interactions each agent holds for the flows (accepted or created, not yet finished). */
  holding: Map<string, number>;
}

interface Held {
  agent: LoadAgent;
  id: string;
  state: "Accepted" | "ReplyCreated";
}

/** The inbound e-mail of flow `token` (the token in the subject finds its notifications). */
export function loadEmail(token: string, agent: string): InboundEmailInjection {
  return {
    to: "support@contact-center.example",
    from: `customer.${token}@example.org`,
    subject: `Load [${token}]`,
    text: "Hello,\nwhere is my order?",
    agent,
  };
}

export async function runFlow(i: number, d: FlowDeps): Promise<void> {
  // Fixed width: the monitor finds tokens by substring, so no token may be a prefix of another.
  const token = `load-${d.runId}-${String(i).padStart(8, "0")}`;
  const judge = d.tally.judgeFor(token);
  const ctx: RequestContext = { queues: d.target.queues, token };
  const budget = d.target.notifyBudgetMs;
  const offerWait = 2 * d.target.inboundBudgetMs;
  const inbox = d.router.open(token);
  const held: Held[] = [];
  const hold = (h: Held): void => {
    held.push(h);
    d.holding.set(h.agent.name, (d.holding.get(h.agent.name) ?? 0) + 1);
  };
  const letGo = (id: string): void => {
    const k = held.findIndex((h) => h.id === id);
    if (k < 0) return;
    d.holding.set(held[k].agent.name, (d.holding.get(held[k].agent.name) ?? 1) - 1);
    held.splice(k, 1);
  };
  let keep = false;

  /** Sends one operation, judges its answer (R1/R2), and waits for its notification when it has one. */
  const operate = async (
    agent: LoadAgent,
    id: string,
    op: LoadOperation,
    extra: Record<string, unknown> = {},
    notification?: (a: Arrival) => boolean,
    opts: { deferError?: boolean } = {},
  ): Promise<{
    ok: boolean;
    refused?: boolean;
    error?: string;
    arrival?: Arrival;
    answer?: Record<string, unknown>;
  }> => {
    const mark = inbox.mark;
    const sent = performance.now();
    const sentAt = Date.now();
    const x = await agent.http.post(`/me/interactions/${encodeURIComponent(id)}`, operationRequest(op, ctx, extra), {
      operation: op,
    });
    const answered = performance.now();
    d.tally.answer(op, answered - sent);
    const j = judgeAnswer({ ...x, body: x.body, operation: op, malformedRequest: false });
    for (const c of j.checks) judge.check(c.requirement, c.passed, c.message);
    if (j.precondition || !j.ok) {
      const error = j.precondition ? `${op}: no answer` : `${op}: refused (HTTP ${x.status})`;
      if (!opts.deferError) d.tally.error(error);
      return { ok: false, refused: j.refused, error };
    }
    const notifying = NOTIFYING_OPERATIONS[op];
    if (!notifying || !notification) return { ok: true, answer: j.body };
    const matches = (a: Arrival): boolean => a.agent === agent.name && stateOfArrival(a) === notifying.state;
    // From the mark: the notification may have come before the answer (interpretation.md).
    const arrival = await inbox.wait((a) => matches(a) && notification(a), 2 * budget, mark);
    if (!arrival) {
      const gap = gapOf(agent, sentAt, Date.now());
      // One kind per state and agent (the gap's length varies; the kinds are counted).
      if (gap) d.tally.error(`${notifying.state} missed across a re-handshake gap of ${agent.name}'s session`);
      else {
        const what = `${notifying.state} for ${id} did not arrive within ${2 * budget} ms of ${op}'s answer`;
        judge.check(notifying.requirement, false, what);
        judge.check("N8.within-budget", false, `${notifying.state} for ${id}: missing (budget ${budget} ms)`);
      }
      return { ok: true, answer: j.body };
    }
    const latency = Math.max(0, arrival.at - answered);
    d.tally.notify(op, latency);
    const late = `${notifying.state} for ${id} arrived ${latency.toFixed(1)} ms after ${op}'s answer (budget ${budget} ms)`;
    // Held by the server while the agent's session re-handshook: what MAY be lost across a gap may
    // come late too; N8 is not judged on it (its latency is still measured).
    if (latency <= budget || !gapOf(agent, sentAt, arrival.receivedAt))
      judge.check("N8.within-budget", latency <= budget, late);
    return { ok: true, arrival, answer: j.body };
  };

  d.monitor.claimToken(token, judge, [], { rescan: false });
  try {
    const hint = d.agents[i % d.agents.length];
    const email = loadEmail(token, hint.name);
    const injectedAt = performance.now();
    const injectedAtEpoch = Date.now();
    d.tally.injected();
    try {
      await d.injector.inject(email);
    } catch (e) {
      d.tally.error(`injection failed: ${(e as Error).message.replace(/load-[0-9a-f]+-\d+/g, "…").slice(0, 120)}`);
      return;
    }
    d.tally.answer("inject", performance.now() - injectedAt);

    // The offer: the first Invited on any driven agent; another one after a Revoked (a re-offer).
    const tried = new Set<Arrival>();
    const revoked = (o: Arrival): boolean => {
      const from = inbox.arrivals.indexOf(o) + 1;
      return inbox.find((a) => isRevocationOf(a, o), from) !== undefined;
    };
    let agent: LoadAgent | undefined;
    let id = "";
    for (let attempt = 0; attempt < MAX_OFFERS_PER_EMAIL && !agent; attempt++) {
      const offer = await inbox.wait(
        (a) => stateOfArrival(a) === "Invited" && !tried.has(a) && d.byName.has(a.agent) && !revoked(a),
        offerWait,
      );
      if (!offer) {
        const waitedFrom = attempt === 0 ? injectedAtEpoch : Date.now() - offerWait;
        const gap = d.agents.some((a) => gapOf(a, waitedFrom, Date.now()) !== undefined);
        if (gap) d.tally.error(`not offered within ${offerWait} ms: a driven agent's session re-handshook meanwhile`);
        else
          d.tally.error(attempt === 0 ? notOffered(d, offerWait) : `revoked, not offered again within ${offerWait} ms`);
        keep = finishLate(d, inbox, "offer", token);
        return;
      }
      tried.add(offer);
      if (attempt === 0) d.tally.offer(offer.at - injectedAt);
      const candidate = d.byName.get(offer.agent)!;
      id = idOfArrival(offer);
      d.router.bind(id, inbox);
      d.monitor.holdToken(token, candidate.name);
      const accept = await operate(candidate, id, "Accept", {}, (a) => idOfArrival(a) === id, { deferError: true });
      if (accept.ok) {
        agent = candidate;
        hold({ agent, id, state: "Accepted" });
        if (!accept.arrival) return;
        break;
      }
      // A refused Accept of an invitation that ended (Revoked, N5) waits for a re-offer; any other is an error.
      const from = inbox.arrivals.indexOf(offer) + 1;
      const ended = accept.refused && (await inbox.wait((a) => isRevocationOf(a, offer), budget, from));
      if (!ended) {
        d.tally.error(accept.error ?? "Accept: refused");
        return;
      }
    }
    if (!agent) return;

    // Reply (its ReplyCreated is a NEW interaction on the same agent, carrying the token in its Subject).
    const reply = await operate(agent, id, "Reply", { subjectPrefix: "Re: " }, (a) => idOfArrival(a) !== id);
    if (!reply.ok) return;
    const named = typeof reply.answer?.replyInteractionId === "string" ? reply.answer.replyInteractionId : undefined;
    const replyId = reply.arrival ? idOfArrival(reply.arrival) : named;
    if (!replyId) {
      keep = finishLate(d, inbox, "reply", token, agent, id);
      return;
    }
    d.router.bind(replyId, inbox);
    hold({ agent, id: replyId, state: "ReplyCreated" });
    if (!reply.arrival) return;
    if (!(await operate(agent, replyId, "Send")).ok) return;
    letGo(replyId);
    if (!(await operate(agent, id, "StopProcessing")).ok) return;
    letGo(id);
    d.tally.completed();
  } finally {
    // What the flow opened and could not take to its end is finished (replies first).
    for (const h of [...held].sort(
      (a, b) => (a.state === "ReplyCreated" ? 0 : 1) - (b.state === "ReplyCreated" ? 0 : 1),
    )) {
      await finishOne(d, ctx, h.agent, h.id, h.state === "ReplyCreated" ? ["CancelReplyEmail"] : ["StopProcessing"]);
      letGo(h.id);
    }
    d.monitor.dropToken(token);
    if (keep) d.tally.keepInbox(inbox);
    else d.router.close(inbox);
  }
}

/** `a` ends the invitation `offer` (a Revoked of the same id on the same agent). */
function isRevocationOf(a: Arrival, offer: Arrival): boolean {
  return stateOfArrival(a) === "Revoked" && a.agent === offer.agent && idOfArrival(a) === idOfArrival(offer);
}

/** Why an e-mail was not offered: every driven agent holding e-mails points at capacity; else routing too. */
function notOffered(d: FlowDeps, waitedMs: number): string {
  const full = d.agents.every((a) => (d.holding.get(a.name) ?? 0) > 0);
  return full
    ? `not offered within ${waitedMs} ms: capacity (every agent was holding e-mails)`
    : `not offered within ${waitedMs} ms: capacity or routing`;
}

/**
 * The flow gave up waiting for an offer or a reply: if it still comes before the run ends, it is
 * finished (Accept + StopProcessing an offer, CancelReplyEmail a reply), so nothing the generator
 * caused stays open on an agent. Returns true: the inbox stays open until then.
 */
function finishLate(
  d: FlowDeps,
  inbox: FlowInbox,
  what: "offer" | "reply",
  token: string,
  agent?: LoadAgent,
  inboundId?: string,
): boolean {
  const ctx: RequestContext = { queues: d.target.queues, token };
  const done = new Set<string>();
  inbox.onLate = (a) => {
    const id = idOfArrival(a);
    const who = d.byName.get(a.agent);
    if (!who || done.has(id)) return;
    if (what === "offer" && stateOfArrival(a) === "Invited") {
      done.add(id);
      d.tally.chore(() => finishOne(d, ctx, who, id, ["Accept", "StopProcessing"]));
    } else if (what === "reply" && stateOfArrival(a) === "ReplyCreated" && who === agent && id !== inboundId) {
      done.add(id);
      d.tally.chore(() => finishOne(d, ctx, who, id, ["CancelReplyEmail"]));
    }
  };
  return true;
}

/** Finishing judges nothing (as a conformance run's finishing); a step it cannot take is an error: left open. */
async function finishOne(
  d: FlowDeps,
  ctx: RequestContext,
  agent: LoadAgent,
  id: string,
  steps: ReadonlyArray<"Accept" | "StopProcessing" | "CancelReplyEmail">,
): Promise<void> {
  for (const op of steps) {
    const x = await agent.http.post(`/me/interactions/${encodeURIComponent(id)}`, operationRequest(op, ctx), {
      operation: op,
    });
    const j = judgeAnswer({ ...x, body: x.body, operation: op, malformedRequest: false });
    if (!j.taken) {
      d.tally.error(
        `left open: ${op} while finishing ${j.precondition ? "got no answer" : `refused (HTTP ${x.status})`}`,
      );
      return;
    }
  }
}
