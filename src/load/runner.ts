/**
 * The load generator: N agents, each with its REST client and its own CometD session, and
 * e-mails injected at a fixed rate (open loop: the schedule does not wait for the target). Each
 * e-mail runs the lifecycle inject → Invited → Accept → Accepted → Reply → ReplyCreated → Send
 * (the reply) → StopProcessing (the inbound e-mail). The stream monitor (src/harness/monitor.ts)
 * judges every notification as in a conformance run (N1–N6 shapes, T6 leaks, N7 duplicates and
 * transitions); the generator adds N8 (lateness against the notification budget) and R1/R2 on
 * every answer (judge-answer.ts). It measures:
 *   - offer latency: inject sent → Invited received;
 *   - notification latency per operation: answer received → its notification received;
 *   - answer latency per operation (HTTP round trip);
 *   - its own event-loop lag, so a figure can be told to be the target's, not the client's.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { levelOf } from "../contract/registry.js";
import type { LoadTimelineEntry, LoadViolation } from "../generated/contract-types.js";
import type { RequirementId } from "../generated/requirement-ids.js";
import { CometdSession, type ReceivedNotification } from "../harness/cometd-session.js";
import { describeGap } from "../harness/gaps.js";
import { HttpClient } from "../harness/http-client.js";
import { createInjector } from "../harness/inject/injector.js";
import { judgeAnswer } from "../harness/judge-answer.js";
import { StreamMonitor, type Judge } from "../harness/monitor.js";
import { BUDGETS } from "../harness/budgets.js";
import type { AgentCredentials } from "../harness/settings.js";
import type { ResolvedTarget } from "../harness/target.js";
import { LatencyHistogram } from "./histogram.js";

/** The operations a load e-mail goes through after its offer, and the notification each causes. */
export const LOAD_OPERATIONS = ["Accept", "Reply", "Send", "StopProcessing"] as const;
export type LoadOperation = (typeof LOAD_OPERATIONS)[number];
export const NOTIFYING_OPERATIONS: Partial<Record<LoadOperation, { state: string; requirement: RequirementId }>> = {
  Accept: { state: "Accepted", requirement: "O1.accepted-notification" },
  Reply: { state: "ReplyCreated", requirement: "O3.reply-created" },
};

/** Agents connected at once while setting up (each is a REST call and a handshake). */
const CONNECT_CONCURRENCY = 20;
/** How many violations are kept with their messages (all are counted). */
export const MAX_LISTED_VIOLATIONS = 500;
/** After the last e-mail's flow: how long stray notifications (leaks, duplicates) are still judged. */
export const SETTLE_MS = 500;

export interface LoadPlan {
  target: ResolvedTarget;
  /** The agents this runner drives (its shard's). */
  agents: AgentCredentials[];
  /** E-mails per second this runner injects. */
  rate: number;
  durationMs: number;
  progress?: (line: string) => void;
}

/** A failed check of a load run (load.json `violations`). */
export type Violation = LoadViolation;

/**
 * One second of the run as it is counted: load.json's timeline entry (schemas/reports/load.schema.json),
 * with the latency histograms still open (summarised when the report is written).
 */
export type SecondStats = Omit<LoadTimelineEntry, "offer" | "notify"> & {
  offer: LatencyHistogram;
  notify: LatencyHistogram;
};

export interface LoadOutcome {
  startedAt: number;
  endedAt: number;
  agentsConnected: number;
  injected: number;
  completed: number;
  offer: LatencyHistogram;
  notify: Map<LoadOperation, LatencyHistogram>;
  answer: Map<LoadOperation | "inject", LatencyHistogram>;
  errors: Map<string, number>;
  violations: Violation[];
  violationCounts: Map<string, number>;
  checks: number;
  loopLag: LatencyHistogram;
  timeline: SecondStats[];
}

interface Arrival {
  agent: string;
  data: Record<string, unknown>;
  at: number;
}

interface AgentHandle {
  name: string;
  http: HttpClient;
  session: CometdSession;
}

/** Hands each notification to the flow waiting for it (by state and id, or state and subject token). */
class NotificationRouter {
  private readonly waiters = new Map<string, (a: Arrival) => void>();
  /** Arrivals nobody waited for yet (an Invited can arrive before the injection's answer). */
  private readonly early = new Map<string, Arrival>();

  static tokenOf(d: Record<string, unknown>): string | undefined {
    const eo = d.email_object as Record<string, unknown> | undefined;
    const subject = String(eo?.subject ?? eo?.Subject ?? "");
    return /\[(load-[0-9a-f]+-\d+)\]/.exec(subject)?.[1];
  }

  /** The arrivals a flow waits for by token (the others it waits for by id, registered before the request). */
  static awaitedByToken(key: string): boolean {
    return key.startsWith("*|Invited|tok|") || (key.includes("|ReplyCreated|tok|") && !key.startsWith("*|"));
  }

  route(agent: string, n: ReceivedNotification): void {
    const at = performance.now();
    const d = n.data;
    const token = NotificationRouter.tokenOf(d);
    const keys = [`${agent}|${String(d.state)}|id|${String(d.id)}`];
    if (token) keys.push(`*|${String(d.state)}|tok|${token}`, `${agent}|${String(d.state)}|tok|${token}`);
    for (const key of keys) {
      const w = this.waiters.get(key);
      if (w) {
        this.waiters.delete(key);
        w({ agent, data: d, at });
      } else if (NotificationRouter.awaitedByToken(key) && !this.early.has(key))
        this.early.set(key, { agent, data: d, at });
    }
  }

  /** Resolves with the arrival for `key`, or undefined after `budgetMs`. */
  wait(key: string, budgetMs: number): { promise: Promise<Arrival | undefined>; cancel(): void } {
    const early = this.early.get(key);
    if (early) {
      this.early.delete(key);
      return { promise: Promise.resolve(early), cancel: () => undefined };
    }
    let timer: NodeJS.Timeout | undefined;
    let settle: (a: Arrival | undefined) => void = () => undefined;
    const promise = new Promise<Arrival | undefined>((resolve) => {
      settle = resolve;
      timer = setTimeout(() => {
        this.waiters.delete(key);
        resolve(undefined);
      }, budgetMs);
      this.waiters.set(key, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
    });
    return {
      promise,
      cancel: () => {
        clearTimeout(timer);
        this.waiters.delete(key);
        settle(undefined);
      },
    };
  }

  /** Drops what is kept for `token` (an arrival that came after its wait ran out). */
  forget(token: string, agent?: string): void {
    this.early.delete(`*|Invited|tok|${token}`);
    if (agent) this.early.delete(`${agent}|ReplyCreated|tok|${token}`);
  }
}

export async function runLoad(plan: LoadPlan): Promise<LoadOutcome> {
  const { target } = plan;
  const runId = randomBytes(3).toString("hex");
  const budget = target.notifyBudgetMs;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const out: LoadOutcome = {
    startedAt: Date.now(),
    endedAt: 0,
    agentsConnected: 0,
    injected: 0,
    completed: 0,
    offer: new LatencyHistogram(),
    notify: new Map(Object.keys(NOTIFYING_OPERATIONS).map((op) => [op as LoadOperation, new LatencyHistogram()])),
    answer: new Map([...LOAD_OPERATIONS, "inject" as const].map((op) => [op, new LatencyHistogram()])),
    errors: new Map(),
    violations: [],
    violationCounts: new Map(),
    checks: 0,
    loopLag: new LatencyHistogram(),
    timeline: [],
  };
  const t0 = performance.now();
  const seconds = new Map<number, SecondStats>();
  const thisSecond = (): SecondStats => {
    const second = Math.floor(Date.now() / 1000);
    let s = seconds.get(second);
    if (!s) {
      s = {
        second,
        injected: 0,
        completed: 0,
        notifications: 0,
        errors: 0,
        violations: 0,
        loopLagMaxMs: 0,
        offer: new LatencyHistogram(),
        notify: new LatencyHistogram(),
      };
      seconds.set(second, s);
    }
    return s;
  };
  const error = (kind: string): void => {
    out.errors.set(kind, (out.errors.get(kind) ?? 0) + 1);
    thisSecond().errors++;
  };
  const violation = (requirement: RequirementId, message: string): void => {
    out.violationCounts.set(requirement, (out.violationCounts.get(requirement) ?? 0) + 1);
    if (out.violations.length < MAX_LISTED_VIOLATIONS)
      out.violations.push({
        requirement,
        level: levelOf(requirement),
        message,
        atMs: Math.round(performance.now() - t0),
      });
    thisSecond().violations++;
  };
  /** Each e-mail's judge: the monitor and the flow record its checks here; a failed one is a violation. */
  const judgeFor = (name: string): Judge => ({
    name,
    check(requirement, passed, message) {
      out.checks++;
      if (!passed) violation(requirement, `${message} [${name}]`);
      return passed;
    },
  });

  // 1. Agents: channel Ready (T7) and a CometD session each, a few at a time.
  const monitor = new StreamMonitor();
  const router = new NotificationRouter();
  const handles: AgentHandle[] = [];
  let injecting = false;
  const lagTimer = setInterval(() => {
    const s = thisSecond();
    s.loopLagMaxMs = Math.max(s.loopLagMaxMs, lag.max / 1e6);
    // The generator's lag while it injects (set-up, with its validator compilation, is not the target's fault).
    if (injecting && lag.count) out.loopLag.recordMs(lag.percentile(99) / 1e6);
    lag.reset();
  }, 250);
  /** Connects one agent; returns why it could not (also counted as an error of that kind). */
  const connectOne = async (credentials: AgentCredentials): Promise<string | undefined> => {
    const fail = (kind: string): string => {
      error(kind);
      return kind;
    };
    const http = new HttpClient(target.baseUrl, credentials, {
      tlsInsecure: target.tlsInsecure,
      maxAnswerBytes: target.maxAnswerBytes,
    });
    const ready = await http.post("/me/channels/email", { operationName: "Ready" }, { operation: "Ready" });
    if (ready.error) return fail(`agent setup: channel Ready got no answer (${ready.error.replace(/:\d+/g, "")})`);
    if ((ready.status ?? 500) >= 300) return fail(`agent setup: channel Ready answered HTTP ${ready.status}`);
    const session = new CometdSession(target.cometdUrl, credentials.username, credentials, {
      cookie: http.cookieHeader(),
      label: `load-${credentials.username}`,
      maxAnswerBytes: target.maxAnswerBytes,
    });
    const c = await session.connect(BUDGETS.cometdConnectMs);
    if (!c.ok) {
      await session.close();
      return fail(`agent setup: CometD handshake ${c.answered === false ? "got no answer" : `refused (${c.reason})`}`);
    }
    monitor.attach(credentials.username, session);
    session.onItem((n) => {
      thisSecond().notifications++;
      router.route(credentials.username, n);
    });
    handles.push({ name: credentials.username, http, session });
    return undefined;
  };
  // The first agent alone: a target that does not answer it is not asked 199 more times.
  const queue = [...plan.agents];
  const first = queue.shift();
  const firstProblem = first ? await connectOne(first) : undefined;
  if (firstProblem) {
    plan.progress?.(`load: ${firstProblem}; the other agents were not tried`);
    queue.length = 0;
  }
  await Promise.all(
    Array.from({ length: Math.min(CONNECT_CONCURRENCY, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await connectOne(next);
    }),
  );
  out.agentsConnected = handles.length;
  const byName = new Map(handles.map((h) => [h.name, h]));
  const plannedS = plan.durationMs / 1000;
  plan.progress?.(`load: ${handles.length}/${plan.agents.length} agents connected; ${plan.rate}/s for ${plannedS} s`);

  // 2. One e-mail's lifecycle.
  const injector = createInjector(target);
  const operate = async (
    agent: AgentHandle,
    id: string,
    body: Record<string, unknown>,
    judge: Judge,
    waitKey?: string,
  ): Promise<{ ok: boolean; arrival?: Arrival; answerBody?: Record<string, unknown> } | undefined> => {
    const op = body.operationName as LoadOperation;
    const notifying = NOTIFYING_OPERATIONS[op];
    // Registered before the request: the notification may come before the answer is read.
    const wait = notifying
      ? router.wait(waitKey ?? `${agent.name}|${notifying.state}|id|${id}`, 2 * budget)
      : undefined;
    const sent = performance.now();
    const sentAt = Date.now();
    const x = await agent.http.post(`/me/interactions/${encodeURIComponent(id)}`, body, { operation: op });
    const answered = performance.now();
    out.answer.get(op)!.recordMs(answered - sent);
    const j = judgeAnswer({
      method: x.method,
      url: x.url,
      status: x.status,
      body: x.body,
      operation: op,
      malformedRequest: false,
      error: x.error,
      tooLargeAfter: x.tooLargeAfter,
    });
    for (const c of j.checks) judge.check(c.requirement, c.passed, c.message);
    if (j.precondition || !j.ok) {
      wait?.cancel();
      error(j.precondition ? `${op}: no answer` : `${op}: refused (HTTP ${x.status})`);
      return { ok: false };
    }
    if (!wait || !notifying) return { ok: true, answerBody: j.body };
    const arrival = await wait.promise;
    if (!arrival) {
      // Deployment data and routing (re-handshake): missed while the subscription was down cannot be judged.
      const gap = agent.session.gapsDuring(sentAt, Date.now())[0];
      if (gap) {
        error(`${notifying.state} for ${id}: missed across a re-handshake gap ${describeGap(gap)}`);
        return { ok: false };
      }
      judge.check(
        notifying.requirement,
        false,
        `${notifying.state} for ${id} did not arrive within ${2 * budget} ms of ${op}'s answer`,
      );
      judge.check("N8.within-budget", false, `${notifying.state} for ${id}: missing (budget ${budget} ms)`);
      return { ok: false };
    }
    const latency = Math.max(0, arrival.at - answered);
    out.notify.get(op)!.recordMs(latency);
    thisSecond().notify.recordMs(latency);
    judge.check(
      "N8.within-budget",
      latency <= budget,
      `${notifying.state} for ${id} arrived ${latency.toFixed(1)} ms after ${op}'s answer (budget ${budget} ms)`,
    );
    return { ok: true, arrival, answerBody: j.body };
  };

  const flow = async (i: number): Promise<void> => {
    // Fixed width: the monitor finds tokens by substring, so no token may be a prefix of another.
    const token = `load-${runId}-${String(i).padStart(8, "0")}`;
    const judge = judgeFor(token);
    const hint = handles[i % handles.length];
    // The target may route the e-mail to any agent: the first to be offered it holds it (T6).
    monitor.claimToken(token, judge, [], { rescan: false });
    let holder: string | undefined;
    try {
      const invited = router.wait(`*|Invited|tok|${token}`, 2 * budget);
      const email = {
        to: "support@contact-center.example",
        from: `customer.${token}@example.org`,
        subject: `Load [${token}]`,
        text: "Hello,\nwhere is my order?",
        agent: hint.name,
      };
      const sent = performance.now();
      out.injected++;
      thisSecond().injected++;
      try {
        await injector.inject(email);
      } catch (e) {
        invited.cancel();
        return error(`injection failed: ${(e as Error).message.replace(/load-[0-9a-f]+-\d+/g, "…").slice(0, 120)}`);
      }
      out.answer.get("inject")!.recordMs(performance.now() - sent);
      const offer = await invited.promise;
      if (!offer) {
        judge.check("T7.ready-offered", false, `no agent was offered e-mail ${token} within ${2 * budget} ms`);
        return;
      }
      const offerMs = offer.at - sent;
      out.offer.recordMs(offerMs);
      thisSecond().offer.recordMs(offerMs);
      const agent = byName.get(offer.agent)!;
      holder = agent.name;
      const id = String(offer.data.id);
      // The monitor claimed the id from the token when the Invited arrived; the holder is now known.
      monitor.holdToken(token, agent.name);
      if (!(await operate(agent, id, { operationName: "Accept" }, judge))?.ok) return;
      // ReplyCreated carries the token in its subject: the monitor claims its id from it.
      const reply = await operate(
        agent,
        id,
        { operationName: "Reply", subjectPrefix: "Re: " },
        judge,
        `${agent.name}|ReplyCreated|tok|${token}`,
      );
      if (!reply?.ok || !reply.arrival) return;
      const replyId = String(reply.arrival.data.id);
      const sendBody = {
        operationName: "Send",
        email_object: {
          toAddress: email.from,
          fromAddress: email.to,
          subject: `Re: ${email.subject}`,
          text: "On its way.",
        },
      };
      if (!(await operate(agent, replyId, sendBody, judge))?.ok) return;
      if (!(await operate(agent, id, { operationName: "StopProcessing" }, judge))?.ok) return;
      out.completed++;
      thisSecond().completed++;
    } finally {
      router.forget(token, holder);
      monitor.dropToken(token);
    }
  };

  // 3. The schedule: e-mail i is due at i / rate seconds (open loop; a late tick catches up).
  const total = handles.length ? Math.max(0, Math.round((plan.rate * plan.durationMs) / 1000)) : 0;
  const flows: Promise<void>[] = [];
  const start = performance.now();
  let lastProgress = start;
  injecting = true;
  lag.reset();
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = (): void => {
      const now = performance.now();
      while (next < total && (next * 1000) / plan.rate <= now - start)
        flows.push(flow(next++).catch((e: Error) => error(`load generator: ${e.message}`)));
      if (now - lastProgress >= 5_000) {
        lastProgress = now;
        const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
        const done = `${out.injected} injected, ${out.completed} completed`;
        const bad = `${total(out.errors)} errors, ${total(out.violationCounts)} violations`;
        plan.progress?.(`load: ${Math.round((now - start) / 1000)} s, ${done}, ${bad}`);
      }
      if (next >= total) {
        resolve();
        return;
      }
      setTimeout(tick, Math.max(0, Math.min(50, (next * 1000) / plan.rate - (performance.now() - start))));
    };
    tick();
  });
  // Every flow is bounded (each wait has a budget): wait for the last ones, then judge stragglers briefly.
  await Promise.all(flows);
  await new Promise((r) => setTimeout(r, SETTLE_MS)); // the window is the behaviour: late leaks and duplicates
  clearInterval(lagTimer);
  lag.disable();
  out.endedAt = Date.now();
  await Promise.all(handles.map((h) => h.session.close()));
  await injector.close();
  out.timeline = [...seconds.values()].sort((a, b) => a.second - b.second);
  return out;
}
