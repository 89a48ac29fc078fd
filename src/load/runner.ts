/**
 * The load generator: N agents, each with its REST client and its own CometD session, and
 * e-mails injected at a fixed rate (open loop: the schedule does not wait for the target). Each
 * e-mail runs the lifecycle inject → Invited → Accept → Accepted → Reply → ReplyCreated → Send
 * (the reply) → StopProcessing (the inbound e-mail) with a conformance run's requests, and finishes
 * what it opened whatever happens (flow.ts). The stream monitor (src/harness/monitor.ts)
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
import { CometdSession } from "../harness/cometd-session.js";
import { HttpClient } from "../harness/http-client.js";
import { createInjector } from "../harness/inject/injector.js";
import { StreamMonitor, type Judge } from "../harness/monitor.js";
import { BUDGETS } from "../harness/budgets.js";
import type { AgentCredentials } from "../harness/settings.js";
import type { ResolvedTarget } from "../harness/target.js";
import { LatencyHistogram } from "./histogram.js";
import { LOAD_OPERATIONS, type LoadAgent, type LoadOperation, NOTIFYING_OPERATIONS, runFlow } from "./flow.js";
import { type FlowInbox, LoadRouter } from "./router.js";

export { LOAD_OPERATIONS, NOTIFYING_OPERATIONS, type LoadOperation };

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

interface AgentHandle extends LoadAgent {
  session: CometdSession;
}

const emptySecond = (second: number): SecondStats => ({
  second,
  injected: 0,
  completed: 0,
  notifications: 0,
  errors: 0,
  violations: 0,
  loopLagMaxMs: 0,
  offer: new LatencyHistogram(),
  notify: new LatencyHistogram(),
});

export async function runLoad(plan: LoadPlan): Promise<LoadOutcome> {
  const { target } = plan;
  const runId = randomBytes(3).toString("hex");
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
      s = emptySecond(second);
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
  const router = new LoadRouter();
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

  // 2. One e-mail's lifecycle (flow.ts), its figures counted here.
  const injector = createInjector(target);
  const chores = new Set<Promise<unknown>>();
  const kept: FlowInbox[] = [];
  const holding = new Map<string, number>();
  const flow = (i: number): Promise<void> =>
    runFlow(i, {
      runId,
      target,
      agents: handles,
      byName,
      router,
      monitor,
      injector,
      holding,
      tally: {
        injected: () => {
          out.injected++;
          thisSecond().injected++;
        },
        completed: () => {
          out.completed++;
          thisSecond().completed++;
        },
        offer: (ms) => {
          out.offer.recordMs(ms);
          thisSecond().offer.recordMs(ms);
        },
        answer: (op, ms) => out.answer.get(op)!.recordMs(ms),
        notify: (op, ms) => {
          out.notify.get(op)!.recordMs(ms);
          thisSecond().notify.recordMs(ms);
        },
        error,
        judgeFor,
        chore: (work) => {
          const p = work()
            .catch((e: Error) => error(`load generator: ${e.message}`))
            .finally(() => chores.delete(p));
          chores.add(p);
        },
        keepInbox: (inbox) => kept.push(inbox),
      },
    });

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
  // The window is the behaviour: late leaks and duplicates, and a late offer or reply still to finish.
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  for (const inbox of kept) router.close(inbox);
  // Finishing what came late (each request bounded by the HTTP client's own timeout).
  while (chores.size) await Promise.all([...chores]);
  clearInterval(lagTimer);
  lag.disable();
  out.endedAt = Date.now();
  await Promise.all(handles.map((h) => h.session.close()));
  await injector.close();
  // Every second of the run is in the timeline, the quiet ones too (nothing counted is a real zero),
  // from the first (partial: the run started within it) to the last (partial: it ended within it).
  const last = Math.floor(out.endedAt / 1000);
  for (let second = Math.floor(out.startedAt / 1000); second <= last; second++)
    if (!seconds.has(second)) seconds.set(second, emptySecond(second));
  out.timeline = [...seconds.values()].sort((a, b) => a.second - b.second);
  return out;
}
