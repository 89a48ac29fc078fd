/**
 * The scenario layer suites are written in. `scenario(title, {requirements, area}, body)`
 * declares a vitest test that judges the target against requirement IDs of the registry:
 *   - every check cites a RequirementId; its level (registry) decides what a failure means:
 *     MUST → the test fails (FAIL), SHOULD → a warning recorded on the requirement, the test passes;
 *   - a broken precondition (injection refused, an agent cannot log in, the target does not
 *     answer) is a PreconditionError: ERROR naming the prerequisite, never a skip;
 *   - SKIP only for what the target declares it does not support (a second agent, an invitation timeout).
 * Every HTTP answer and every notification is judged as it passes (R2, R1, N1–N7, T6), not only
 * where a scenario asserts.
 */
import { afterAll, inject, test, type TestContext } from "vitest";
import { getCurrentSuite } from "vitest/suite";
import { randomBytes } from "node:crypto";
import { contractValidator, formatViolations } from "../contract/validators.js";
import { judgeAnswer } from "./judge-answer.js";
import { operationOf, releasingOperations, requireOperation, stateOf } from "../contract/lifecycle.js";
import type { Notification } from "../contract/notification.js";
import { levelOf, requirement } from "../contract/registry.js";
import { filteredOut } from "./selection.js";
import type { RequirementId } from "../generated/requirement-ids.js";
import type { InboundEmailInjection } from "../generated/contract-types.js";
import { allureFor, type AllureBridge } from "./allure-bridge.js";
import { declaredBudgets, WaitTimeout, waitForItem } from "./budgets.js";
import {
  ConformanceFailure,
  PreconditionError,
  ScenarioStop,
  SKIP_REASONS,
  type CheckRecord,
  type Need,
  type ScenarioMeta,
} from "./checks.js";
import type { ReceivedNotification } from "./cometd-session.js";
import { missedAcrossGap } from "./gaps.js";
import type { HttpExchange, PostOptions } from "./http-client.js";
import { localCoordination, remoteCoordination } from "./coordination.js";
import { currentRunContext, type RunContext } from "./run-context.js";
import type { Judge } from "./monitor.js";
import { operationRequest, queueHint } from "./requests.js";
import { ScenarioSlots } from "./slots.js";
import { FINISH_WORKER, WORKER_ENVIRONMENT } from "./worker-environment.js";
import { spareAgent, Target, type AgentHandle, type ResolvedTarget } from "./target.js";
import {
  getCurrentScenario,
  inScenario,
  onRecord,
  record,
  setTranscriptDir,
  type TranscriptEntry,
} from "./transcript.js";

export type { Need };

export interface ScenarioOptions {
  /** The requirements this scenario sets out to judge (harness checks may add more). */
  requirements: RequirementId[];
  /** Suite area (suites/<area>/), for reports. */
  area: string;
  needs?: Need[];
  tags?: string[];
  /** Default: derived from the budgets the target declares (declaredBudgets). */
  timeoutMs?: number;
  /** The most interactions it holds open at once (its slots of GWS_MAX_OPEN_PER_AGENT); default 2. */
  open?: number;
  /**
   * Interactions it hands to other agents, one per agent (a Transfer to another agent): reserved
   * with its own slots before it starts, so the agent it hands over to has room — a full agent's
   * offer may wait (Deployment data, capacity) — and it never waits for room while holding some.
   * `"every"`: one on every agent beside its own — for an e-mail whose agent the target chooses
   * (a routing hint it may not follow, T7), reserved with `Scenario.reserveRoom` before it is sent.
   * Default 0.
   */
  openOnOthers?: number | "every";
  /**
   * Runs alone in the run (coordination.ts): it changes what every other scenario relies on. A
   * function decides from the target (e.g. only when the target has too few agents to spare one).
   */
  exclusive?: boolean | ((target: ResolvedTarget) => boolean);
}

/** An HTTP answer to an operation, classified per R1. */
export interface Answer {
  exchange: HttpExchange;
  /** Not refused: R1's success, or a 2xx in an envelope the contract does not know (judge-answer.ts). */
  taken?: boolean;
  /** How many notifications each agent's stream held when the request was sent: only later ones can be its effect. */
  streamMarks?: Map<string, number>;
  /** 2xx and {"status":"ok"}. */
  ok: boolean;
  /** A failure per R1/R2: {"status":"error"} and/or a 4xx. */
  refused: boolean;
  body: Record<string, unknown> | undefined;
  operation: string;
}

export interface InboundHandle {
  token: string;
  email: InboundEmailInjection;
  /** The interaction id (from the Invited notification). */
  id: string;
  /** The agent the target offered it to. */
  agent: AgentHandle;
  invited: Notification;
}

export interface AcceptedHandle extends InboundHandle {
  accepted: Notification;
}

// ---------------------------------------------------------------------------------------------
// The worker's target: connected on first use and kept for every file the worker runs in one run
// (a new runId in the run context never reuses it); at the end of the worker
// (worker-environment.ts) its watches are drained and its sessions closed.
let workerTarget: { runId: string; target: Promise<Target> } | undefined;
const suitesWithClose = new WeakSet<object>();

type WorkerHooks = { [WORKER_ENVIRONMENT]?: boolean; [FINISH_WORKER]?: () => Promise<void> };

function targetFor(run: RunContext): Promise<Target> {
  if (workerTarget?.runId !== run.runId) {
    const coordination = run.coordinationUrl
      ? remoteCoordination(run.coordinationUrl, (m) => record({ kind: "event", scenario: null, message: m }))
      : localCoordination();
    const mine = Target.connect(run.target, coordination, { agentsReady: run.agentsReady === true });
    workerTarget = { runId: run.runId, target: mine };
    const hooks = globalThis as WorkerHooks;
    const previous = hooks[FINISH_WORKER];
    hooks[FINISH_WORKER] = async () => {
      await previous?.();
      if (workerTarget?.target === mine) workerTarget = undefined;
      await mine.then((t) => t.finish()).catch(() => undefined);
    };
  }
  return workerTarget.target;
}

/** The run's target when the scenario is declared (its timeout derives from it); undefined outside a run. */
function declaredSettings(): ResolvedTarget | undefined {
  try {
    return inject("gwsRun")?.target;
  } catch {
    return undefined;
  }
}

/** Whether the target's declared settings lack what a scenario needs (SKIP_REASONS says why). */
const NEED_MISSING: Record<Need, (t: RunContext["target"]) => boolean> = {
  "second-agent": (t) => t.agents.length < 2,
  "invite-timeout": (t) => !t.inviteTimeoutMs,
  "declared-capacity": (t) => !t.agentCapacity,
};

/** Declares a conformance scenario. */
export function scenario(title: string, opts: ScenarioOptions, body: (s: Scenario) => Promise<void>): void {
  const suite = getCurrentSuite();
  const declared = declaredSettings();
  if (!(globalThis as WorkerHooks)[WORKER_ENVIRONMENT] && !suitesWithClose.has(suite)) {
    // Without the worker environment (a plain vitest run elsewhere), the target is finished after each suite.
    suitesWithClose.add(suite);
    afterAll(
      async () => {
        const t = workerTarget?.target;
        workerTarget = undefined;
        if (t) await t.then((x) => x.finish()).catch(() => undefined);
      },
      declared ? declaredBudgets(declared).workerTeardownMs : 30_000,
    );
  }
  // The timeout grows with the budgets the target declares (N8, the offer budget).
  const timeout = opts.timeoutMs ?? (declared ? declaredBudgets(declared).scenarioTimeoutMs : 60_000);
  test(title, { timeout }, async (ctx) => runScenario(title, opts, body, ctx));
}

async function runScenario(
  title: string,
  opts: ScenarioOptions,
  body: (s: Scenario) => Promise<void>,
  ctx: TestContext,
): Promise<void> {
  const meta: ScenarioMeta = {
    requirements: [...opts.requirements],
    area: opts.area,
    tags: opts.tags ?? [],
    checks: [],
  };
  ctx.task.meta.gws = meta;
  const run = currentRunContext();
  setTranscriptDir(run.transcriptDir);
  const settings = run.target;
  for (const need of opts.needs ?? []) {
    if (NEED_MISSING[need](settings)) {
      meta.skipped = SKIP_REASONS[need];
      ctx.skip(SKIP_REASONS[need]);
      return;
    }
  }
  const selection = run.selection;
  const tags = [opts.area, ...(opts.tags ?? [])];
  if (selection && opts.requirements.every((id) => filteredOut(requirement(id), selection, tags))) {
    meta.skipped = filteredOut(requirement(opts.requirements[0]), selection, tags);
    ctx.skip(meta.skipped);
    return;
  }
  const allure = allureFor(run.allure);
  await allure.requirements(opts.requirements, opts.area, ctx.task.id);
  // The same name as the reports' (file > describe > title): late checks are merged by it.
  const name = ctx.task.fullName || `${ctx.task.file?.name ?? ""} > ${title}`;
  const exclusive = typeof opts.exclusive === "function" ? opts.exclusive(settings) : opts.exclusive === true;
  const room: Room = { open: opts.open ?? DEFAULT_OPEN, onOthers: opts.openOnOthers ?? 0 };
  await inScenario(name, () => runBody(name, body, meta, run, allure, room, exclusive));
}

/** Operations whose success lets the holder go: an offer of the interaction to any agent may follow. */
const RELEASING = new Set(releasingOperations());

/** What a scenario holds at most at once unless it says otherwise: an inbound e-mail and one reply. */
const DEFAULT_OPEN = 2;

/** A scenario's slots (ScenarioOptions open, openOnOthers). */
interface Room {
  open: number;
  onOthers: number | "every";
}

async function runBody(
  name: string,
  body: (s: Scenario) => Promise<void>,
  meta: ScenarioMeta,
  run: RunContext,
  allure: AllureBridge,
  room: Room,
  exclusive: boolean,
): Promise<void> {
  // This scenario's own exchanges and notifications (concurrent scenarios record their own), all of
  // them in one attachment at its end. What the scenario itself does (requests, injections, watches)
  // is also a line in its steps as it happens; a notification is not: it is recorded in the async
  // context of the CometD connection, where Allure would put the line in another scenario's result.
  const entries: TranscriptEntry[] = [];
  const logged: Promise<void>[] = [];
  const stopAttaching = onRecord((e: TranscriptEntry) => {
    if (e.scenario !== name) return;
    entries.push(e);
    if (getCurrentScenario() === name) logged.push(allure.logEntry(e));
  });
  let s: Scenario | undefined;
  let entered: { target: Target; kind: "shared" | "exclusive" } | undefined;
  try {
    let target: Target;
    try {
      // A target that could not be set up stays failed for this worker: every scenario is an ERROR
      // with the same reason at once, instead of waiting out the budgets again.
      target = await targetFor(run);
    } catch (e) {
      throw e instanceof PreconditionError ? e : new PreconditionError("target reachable", (e as Error).message);
    }
    // Alone, or beside the others (before any slot is taken: a waiting scenario holds nothing).
    const kind = exclusive ? "exclusive" : "shared";
    const gateMs = declaredBudgets(run.target).scenarioTimeoutMs;
    if (!(await target.coordination.enter(kind, gateMs))) {
      throw new PreconditionError(
        exclusive ? "the run to itself" : "a turn beside the other scenarios",
        `not given within ${gateMs} ms: ${exclusive ? "other scenarios kept running" : "a scenario that runs alone kept the run"}`,
      );
    }
    entered = { target, kind };
    s = new Scenario(name, target, meta, room, allure);
    await body(s);
  } catch (e) {
    if (e instanceof ScenarioStop) meta.stoppedBy = `${e.check.requirement}: ${e.check.message}`;
    else if (e instanceof PreconditionError) {
      meta.error = { prerequisite: e.prerequisite, message: e.message };
      throw e;
    } else if (e instanceof WaitTimeout) {
      meta.error = { prerequisite: e.what, message: e.message };
      throw e;
    } else {
      meta.error = { message: `the suite broke: ${(e as Error).stack ?? String(e)}` };
      throw e;
    }
  } finally {
    // After the judgments, without judging: finish what the scenario left open (capacity).
    if (s) await s.finish();
    if (entered) entered.target.coordination.leave(entered.kind);
    stopAttaching();
    await Promise.allSettled(logged);
    await allure.attachEntries(entries).catch(() => undefined);
  }
  const mustFailures = meta.checks.filter((c) => !c.passed && c.level === "MUST");
  if (mustFailures.length > 0) throw new ConformanceFailure(mustFailures);
}

// ---------------------------------------------------------------------------------------------

/** Where an interaction the scenario opened is now: who holds it, in which state. */
interface Holding {
  agent: string;
  state: string;
}

export class Scenario implements Judge {
  readonly settings: ResolvedTarget;
  /** The subject tokens of the e-mails this scenario injected (watches cover them). */
  readonly tokens: string[] = [];
  /** Interactions it opened that an agent still holds (Invited, Accepted, ReplyCreated): finished at the end. */
  private readonly holdings = new Map<string, Holding>();
  /** Its requests: who sent them, when, and whether they were refused (watches cover their agents). */
  private readonly sent: Array<{ agent: string; startedAt: number; refused: boolean }> = [];
  private readonly slots: ScenarioSlots;
  /** Set once the scenario's test is over: later failures are late checks (src/report/late-checks.ts). */
  private ended = false;
  private readonly finishing = new Set<string>();
  /** Interactions it held and let go (sent, stopped, transferred, ...). */
  private readonly letGoOf = new Set<string>();

  constructor(
    readonly name: string,
    readonly target: Target,
    readonly meta: ScenarioMeta,
    room: Room = { open: DEFAULT_OPEN, onOthers: 0 },
    private readonly allure: AllureBridge = allureFor(false),
  ) {
    this.settings = target.settings;
    const budgets = declaredBudgets(this.settings);
    // E-mails are routed (hinted) to every agent but the spare one, which the channel scenario may
    // hold NotReady meanwhile (target.ts spareAgent); a scenario that names it gets it all the same.
    const spare = spareAgent(this.settings);
    const agents = target.agents.map((a) => a.name).filter((a) => a !== spare);
    this.slots = new ScenarioSlots(
      target.coordination,
      agents,
      this.settings.maxOpenPerAgent,
      budgets.slotWaitMs,
      room.open,
      Math.min(room.onOthers === "every" ? agents.length : room.onOthers, Math.max(0, agents.length - 1)),
    );
  }

  // ----- verdicts -----------------------------------------------------------------------------

  /** Records a check of `requirement`. Returns `passed`. Repeated passes of one requirement are kept once. */
  check(requirement: RequirementId, passed: boolean, message: string, measuredMs?: number): boolean {
    const level = levelOf(requirement);
    if (this.ended) {
      // The test is over: a failure still counts (merged before verdicts), a pass adds nothing.
      if (!passed) this.lateCheck(requirement, message, undefined, false);
      return passed;
    }
    if (passed && measuredMs === undefined && this.meta.checks.some((c) => c.requirement === requirement && c.passed))
      return true;
    const rec: CheckRecord = {
      requirement,
      level,
      passed,
      message,
      at: Date.now(),
      ...(measuredMs !== undefined ? { measuredMs: Math.round(measuredMs) } : {}),
    };
    this.meta.checks.push(rec);
    record({
      kind: "check",
      scenario: this.name,
      requirement,
      level,
      passed,
      message,
      ...(rec.measuredMs !== undefined ? { measuredMs: rec.measuredMs } : {}),
    });
    return passed;
  }

  /** A watch found an effect of a refused request (R3, T4, T8): FAIL or WARN by level, naming the delay. */
  watchViolation(requirement: RequirementId, message: string, delayMs: number): void {
    if (this.ended) {
      this.lateCheck(requirement, message, delayMs, true);
      return;
    }
    const level = levelOf(requirement);
    this.meta.checks.push({ requirement, level, passed: false, message, at: Date.now(), measuredMs: delayMs });
    record({
      kind: "check",
      scenario: this.name,
      requirement,
      level,
      passed: false,
      message,
      watch: true,
      measuredMs: delayMs,
      delayMs,
    });
  }

  private lateCheck(requirement: RequirementId, message: string, delayMs: number | undefined, watch: boolean): void {
    const late =
      delayMs !== undefined
        ? `${message} (found ${delayMs} ms after its cause, after the scenario had ended)`
        : `${message} (found after the scenario had ended)`;
    record({
      kind: "check",
      scenario: this.name,
      requirement,
      level: levelOf(requirement),
      passed: false,
      message: late,
      late: true,
      ...(watch ? { watch: true } : {}),
      ...(delayMs !== undefined ? { delayMs } : {}),
    });
  }

  /** Like check(), but a failure stops the scenario: its next steps would be meaningless. */
  require(requirement: RequirementId, passed: boolean, message: string): void {
    if (!this.check(requirement, passed, message))
      throw new ScenarioStop(this.meta.checks[this.meta.checks.length - 1]);
  }

  /** Stops the scenario without a verdict of its own (a prior check already failed). */
  stop(requirement: RequirementId, message: string): never {
    const rec = this.meta.checks.filter((c) => c.requirement === requirement && !c.passed).pop() ?? {
      requirement,
      level: levelOf(requirement),
      passed: false,
      message,
      at: Date.now(),
    };
    throw new ScenarioStop(rec);
  }

  step<T>(name: string, body: () => Promise<T>): Promise<T> {
    return this.allure.step(name, body);
  }

  // ----- agents -------------------------------------------------------------------------------

  /** The i-th configured agent (0 = primary). A scenario that needs two declares needs: ["second-agent"]. */
  agent(index = 0): AgentHandle {
    const a = this.target.agent(index);
    if (!a)
      throw new PreconditionError(
        `agent #${index + 1} configured`,
        `GWS_AGENTS lists ${this.target.agents.length} agent(s)`,
      );
    return a;
  }

  /**
   * T8's intruder for interaction `id` held by `holder`: an agent that was never offered it (one
   * where the scenario reserved room first). When every agent was offered it (a server MAY offer one
   * e-mail to several Ready agents), after the holder's Accept one that was offered but did not
   * accept ("the others' later operations on it fail", T8); while it is still on offer to all, nobody
   * (undefined).
   */
  intruderFor(holder: AgentHandle, id: string): AgentHandle | undefined {
    const view = this.target.monitor.offersOf(id);
    const others = this.target.agents.filter((a) => a.name !== holder.name);
    const reserved = this.slots.reservedBeside(holder.name);
    const never = others.filter((a) => !view?.offered.includes(a.name));
    const pick = never.find((a) => a.name === reserved) ?? never[0];
    if (pick) return pick;
    if (view?.holder === holder.name) return others.find((a) => !view.recipients.includes(a.name));
    return undefined;
  }

  /** Whether `agent` was offered `id` (an Invited on its stream), waiting up to the offer budget for one. */
  async wasOffered(agent: AgentHandle, id: string): Promise<boolean> {
    const found = await this.waitOn(
      agent,
      (d) => d.id === id && d.state === "Invited",
      `Invited for ${id} on ${agent.name}`,
      this.settings.inboundBudgetMs,
    );
    return found !== undefined;
  }

  /** This run cannot judge `requirements` although nothing failed (the deployment allows no such check): SKIP, with why. */
  unjudged(requirements: RequirementId[], reason: string): void {
    this.meta.unjudged ??= {};
    for (const r of requirements) this.meta.unjudged[r] = reason;
    record({ kind: "event", scenario: this.name, message: `not judged (${requirements.join(", ")}): ${reason}` });
  }

  /** Another agent than `a`: one where the scenario reserved room (openOnOthers), else the first. */
  otherAgent(a: AgentHandle): AgentHandle {
    const reserved = this.slots.reservedBeside(a.name);
    const o =
      (reserved ? this.target.agentNamed(reserved) : undefined) ?? this.target.agents.find((x) => x.name !== a.name);
    if (!o) throw new PreconditionError("a second agent configured", "GWS_AGENTS lists one agent");
    return o;
  }

  private agentNamed(name: string): AgentHandle {
    const a = this.target.agentNamed(name);
    if (!a)
      throw new PreconditionError(
        `agent ${name} configured`,
        `the target offered an interaction to ${name}, who is not in GWS_AGENTS`,
      );
    return a;
  }

  // ----- requests -----------------------------------------------------------------------------

  /**
   * A valid request for `operation` in this deployment (requests.ts): the configured queues, real
   * addresses, the scenario's token; `extra` fields on top (undefined removes one).
   */
  request(
    operation: string,
    token: string,
    extra: Record<string, unknown> = {},
    targetAgent?: string,
  ): Record<string, unknown> {
    return operationRequest(operation, { queues: this.settings.queues, token, targetAgent }, extra);
  }

  // ----- injection ----------------------------------------------------------------------------

  /**
   * Reserves the scenario's room now (its admission, ScenarioOptions open and openOnOthers), before
   * it makes an e-mail arrive by other means than `inbound`: one whose agent the target chooses
   * must find room wherever it lands, or it would fill an agent another scenario counts on (a
   * Transfer to that agent may then wait for room: Deployment data, capacity).
   */
  async reserveRoom(): Promise<void> {
    await this.slots.reserve();
  }

  newToken(): string {
    return `gws-${randomBytes(5).toString("hex")}`;
  }

  /**
   * A unique inbound e-mail: the token is in the subject, the sender and the text, so that
   * whatever the target derives from it (a reply, a forward) carries it and only this scenario matches it.
   */
  emailFor(token: string, overrides: Partial<InboundEmailInjection> = {}): InboundEmailInjection {
    return {
      to: "support@contact-center.example",
      from: `customer.${token}@example.org`,
      subject: `Where is my order? [${token}]`,
      text: `Hello,\nmy order ${token} has not arrived.\nRegards, Pat`,
      mimeType: "text/plain",
      ...overrides,
    };
  }

  /**
   * Injects an inbound e-mail routed (hint) to `agent` — by default an agent with a free slot —
   * and waits for its Invited notification on any agent's stream, within the offer budget (T7).
   * Returns the interaction id and the agent it was offered to.
   */
  async inbound(
    opts: { agent?: AgentHandle; email?: Partial<InboundEmailInjection>; token?: string } = {},
  ): Promise<InboundHandle> {
    const got = await this.inboundOrNone(opts);
    if (got) return got;
    // T7 honest both ways: without evidence (an offer to a NotReady agent, judged where the suite
    // sets one NotReady) an e-mail that is not offered may wait for room (capacity) or be routed
    // where the suite cannot see: the scenario cannot go on, but no rule is shown broken.
    throw new PreconditionError(
      "an offer of the injected e-mail",
      `not offered: capacity or routing — no agent was offered it within ${this.settings.inboundBudgetMs} ms ` +
        "(the offer budget, GWS_INBOUND_BUDGET_MS); a target that caps what one agent is offered may " +
        "hold it while its agents are full (declare GWS_AGENT_CAPACITY and GWS_MAX_OPEN_PER_AGENT at most that)",
    );
  }

  /**
   * As inbound(), but an e-mail no agent is offered within the offer budget gives undefined (it may
   * wait: capacity). A re-handshake gap during the wait on one of `gapsMatterOn` (default: every
   * agent) makes it an ERROR naming the gap instead: the offer MAY have been lost there. A caller
   * that names fewer agents says a lost offer to the others could only hide a fault, never make one.
   */
  async inboundOrNone(
    opts: {
      agent?: AgentHandle;
      email?: Partial<InboundEmailInjection>;
      token?: string;
      gapsMatterOn?: readonly AgentHandle[];
    } = {},
  ): Promise<InboundHandle | undefined> {
    const hint = await this.slots.forOffer(opts.agent?.name);
    const token = opts.token ?? this.newToken();
    if (!this.tokens.includes(token)) this.tokens.push(token);
    const email = this.emailFor(token, { agent: hint, ...opts.email });
    this.target.monitor.claimToken(token, this, []);
    const marks = this.streamMarks();
    const injectedAt = Date.now();
    this.target.monitor.expectInjection(token, injectedAt);
    await this.step(`inject inbound e-mail ${token} (${this.target.injector.kind})`, () =>
      this.target.injector.inject(email),
    );
    const budget = this.settings.inboundBudgetMs;
    const got = await this.firstOnAnyAgent(
      (d) => d.state === "Invited" && JSON.stringify(d).includes(token),
      `Invited for the e-mail with subject token ${token}`,
      budget,
      marks,
    );
    if (!got) {
      // Missed across a re-handshake gap: ERROR naming the gap; otherwise the caller decides (it may wait: capacity).
      this.unjudgeableAcrossGap(
        opts.gapsMatterOn ?? this.target.agents,
        injectedAt,
        `the Invited for the e-mail ${token}`,
      );
      return undefined;
    }
    this.check("T7.ready-offered", true, `${got.agent.name} was offered the e-mail ${token}`);
    const id =
      typeof got.data.id === "string"
        ? got.data.id
        : String((got.data.email_object as Record<string, unknown> | undefined)?.interactionId ?? "");
    if (!id) this.stop("N1.envelope", "Invited has no id");
    this.target.monitor.claimId(id, this, [got.agent.name], { offering: true });
    this.hold(id, got.agent.name, "Invited");
    return { token, email, id, agent: got.agent, invited: got.data as Notification };
  }

  /** inbound() then Accept (O1): answer ok and Accepted for the same id. */
  async accepted(
    opts: { agent?: AgentHandle; email?: Partial<InboundEmailInjection>; token?: string } = {},
  ): Promise<AcceptedHandle> {
    const inbound = await this.inbound(opts);
    const answer = await this.operate(inbound.agent, inbound.id, { operationName: "Accept" });
    this.requireOk(answer, "O1.answer-ok");
    // Matched by id or by the subject token, so that an Accepted with a wrong id is seen and judged (N3.same-id).
    const accepted = await this.awaitNotification(
      inbound.agent,
      (d) => d.state === "Accepted" && (d.id === inbound.id || JSON.stringify(d).includes(inbound.token)),
      {
        what: `Accepted for ${inbound.id}`,
        requirement: "O1.accepted-notification",
        after: answer,
      },
    );
    this.check(
      "N3.same-id",
      accepted.id === inbound.id,
      `Accepted id ${JSON.stringify(accepted.id)}; the invitation's id ${inbound.id}`,
    );
    return { ...inbound, accepted };
  }

  // ----- operations ---------------------------------------------------------------------------

  /**
   * POST an operation: `{root}/me/interactions/{id}` (T2), or `{root}/me/interactions` when id is
   * null (T3). Judges R2 (no 5xx) and the answer envelope (R1) on every call, and tells the stream
   * monitor what the outcome may cause (effects.ts: expectations, releases).
   */
  async operate(
    agent: AgentHandle,
    id: string | null,
    body: unknown,
    opts: PostOptions & { path?: string } = {},
  ): Promise<Answer> {
    const operation =
      typeof (body as { operationName?: unknown })?.operationName === "string"
        ? String((body as { operationName: string }).operationName)
        : "(none)";
    await this.slotsFor(agent, id, operation, body);
    const { exchange, streamMarks, done } = await this.send(agent, id, body, operation, opts);
    try {
      const answer = this.judgeAnswer(exchange, operation, opts.rawBody !== undefined);
      this.sent.push({ agent: agent.name, startedAt: exchange.startedAt, refused: answer.refused });
      this.noteOutcome(agent.name, id, operation, body, exchange, answer.taken ?? answer.ok);
      return { ...answer, streamMarks };
    } finally {
      done();
    }
  }

  /**
   * Reserves a slot where an operation will bring an interaction: its reply, a transferred e-mail.
   * Only for the agent's own interactions (and CreateEmail): another agent's request is to be refused.
   */
  private async slotsFor(agent: AgentHandle, id: string | null, operation: string, body: unknown): Promise<void> {
    if (id !== null && this.holdings.get(id)?.agent !== agent.name) return;
    const spec = operationOf(operation);
    if (spec?.creates) await this.slots.on(agent.name);
    const named = spec?.offersTo ? (body as Record<string, unknown> | undefined)?.[spec.offersTo.who] : undefined;
    if (typeof named === "string" && this.target.agentNamed(named)) await this.slots.on(named);
  }

  /** Sends a request with the monitor told (notifications wait until its outcome is noted: done()). */
  private async send(
    agent: AgentHandle,
    id: string | null,
    body: unknown,
    operation: string,
    opts: PostOptions & { path?: string },
  ): Promise<{ exchange: HttpExchange; streamMarks: Map<string, number>; done: () => void }> {
    const path = opts.path ?? (id === null ? "/me/interactions" : `/me/interactions/${encodeURIComponent(id)}`);
    const streamMarks = this.streamMarks();
    const spec = operationOf(operation);
    const done = this.target.monitor.beginOperation({
      id,
      judge: this,
      // A new interaction (O3–O5, O8) or an offer after a release (O2, O9, O11) may come of it.
      mayCreate: !spec || !!spec.creates || !!spec.offersTo || RELEASING.has(operation),
    });
    try {
      const exchange = await this.step(`${agent.name}: ${operation}${id ? ` on ${id}` : ""}`, () =>
        agent.http.post(path, body, { ...opts, operation }),
      );
      return { exchange, streamMarks, done };
    } catch (e) {
      done();
      throw e;
    }
  }

  /** What an outcome changes: the monitor's expectations and releases, where the interaction now is. */
  /** `ok`: the request was taken (not refused). */
  private noteOutcome(
    agent: string,
    id: string | null,
    operation: string,
    body: unknown,
    exchange: HttpExchange,
    ok: boolean,
  ): void {
    const answerBody = exchange.body as { replyInteractionId?: unknown } | undefined;
    const replyInteractionId =
      typeof answerBody?.replyInteractionId === "string" ? answerBody.replyInteractionId : undefined;
    const requestBody = body && typeof body === "object" ? (body as Record<string, unknown>) : undefined;
    const next = operationOf(operation)?.next;
    if (ok && id !== null && next && this.holdings.get(id)?.agent === agent) {
      if (stateOf(next.state)?.held) this.holdings.set(id, { agent, state: next.state });
      else this.letGo(id);
    }
    // After the holdings: a release may move the interaction to another agent it is still offered to.
    this.target.monitor.operationDone({
      agent,
      operation,
      id,
      body: requestBody,
      startedAt: exchange.startedAt,
      ok,
      replyInteractionId,
    });
  }

  /** Classifies an answer and judges R2 and R1 on it (always), through the shared judgeAnswer(). */
  judgeAnswer(exchange: HttpExchange, operation: string, malformedRequest = false): Answer {
    const { method, url, status, body, error, tooLargeAfter } = exchange;
    const j = judgeAnswer({ method, url, status, body, operation, malformedRequest, error, tooLargeAfter });
    if (j.precondition) throw new PreconditionError("target answers HTTP", j.precondition);
    for (const c of j.checks) this.check(c.requirement, c.passed, c.message);
    return { exchange, ok: j.ok, refused: j.refused, taken: j.taken, body: j.body, operation };
  }

  /**
   * Checks that an answer is a success as the operation's lifecycle entry describes (R1;
   * replyInteractionId for ReplyAll/Forward).
   */
  expectOk(answer: Answer, requirement: RequirementId): boolean {
    const op = safeOperation(answer.operation);
    let okShape = answer.ok;
    let detail = `HTTP ${answer.exchange.status} ${JSON.stringify(answer.exchange.body)?.slice(0, 300)}`;
    // R1 MAY: an empty 200 is Accept's success; there is no body to hold to the answer schema.
    if (okShape && op && answer.exchange.body !== undefined) {
      const r = contractValidator().validate(op.answer, answer.body);
      okShape = r.ok;
      if (!r.ok) detail += `\n${formatViolations(r.violations)}`;
    }
    // A refusal of an operation that names a configured queue: say which setting named it.
    const hint = !okShape && answer.refused ? queueHint(answer.exchange.requestBody, this.settings.queues) : undefined;
    return this.check(
      requirement,
      okShape,
      okShape
        ? `${answer.operation} answered ok`
        : `${answer.operation} did not answer as ${op?.answer ?? "ok"}: ${detail}${hint ? `\n(${hint})` : ""}`,
    );
  }

  /** "HTTP 400 {…}", naming the queue setting when a refused request named a configured queue. */
  describeAnswer(answer: Answer): string {
    const hint = answer.refused ? queueHint(answer.exchange.requestBody, this.settings.queues) : undefined;
    const body = JSON.stringify(answer.exchange.body)?.slice(0, 200) ?? "(empty)";
    return `HTTP ${answer.exchange.status} ${body}${hint ? ` (${hint})` : ""}`;
  }

  requireOk(answer: Answer, requirement: RequirementId): void {
    if (!this.expectOk(answer, requirement)) this.stop(requirement, "answer not ok");
  }

  /** Checks that an answer is a refusal (R1 failure envelope and/or 4xx). */
  expectRefused(answer: Answer, requirement: RequirementId, what: string): boolean {
    return this.check(
      requirement,
      answer.refused,
      answer.refused
        ? `${what}: refused (HTTP ${answer.exchange.status})`
        : `${what}: accepted (${this.describeAnswer(answer)}) but should have been refused`,
    );
  }

  // ----- notifications ------------------------------------------------------------------------

  /**
   * Waits for a notification on `agent`'s stream that the rule requires: within the notification
   * budget after the answer to its causing call (N8), or within the offer budget for an Invited
   * that depends on routing (`offer`: a re-offer, a Transfer to a queue). A late one fails
   * `requirement` and N8 (MUST requirements, N8 budget) with the measured delay; a missing one
   * also stops the scenario.
   */
  async awaitNotification(
    agent: AgentHandle,
    match: (d: Notification) => boolean,
    opts: { what: string; requirement: RequirementId; after: Answer | number; offer?: boolean },
  ): Promise<Notification> {
    const since = typeof opts.after === "number" ? opts.after : opts.after.exchange.answeredAt;
    // Only what arrived after the causing request was sent can be its effect.
    const mark = typeof opts.after === "number" ? 0 : (opts.after.streamMarks?.get(agent.name) ?? 0);
    const own = (d: Notification, n?: ReceivedNotification): boolean => (!n || n.index >= mark) && match(d);
    const budget = opts.offer ? this.settings.inboundBudgetMs : this.settings.notifyBudgetMs;
    const budgetName = opts.offer ? "the offer budget (GWS_INBOUND_BUDGET_MS)" : "budget";
    const n8 = levelOf(opts.requirement) === "MUST" && !opts.offer;
    const started = Date.now();
    const found = await this.waitOn(agent, own, opts.what, Math.max(1, since + budget - started));
    if (found) {
      const delay = Math.max(0, found.receivedAt - since);
      this.check(opts.requirement, true, `${opts.what} arrived after ${delay} ms`);
      if (n8) this.check("N8.within-budget", true, `${opts.what}: ${delay} ms (budget ${budget} ms)`, delay);
      return found.data as Notification;
    }
    const sent = typeof opts.after === "number" ? opts.after : opts.after.exchange.startedAt;
    this.unjudgeableAcrossGap([agent], sent, opts.what);
    // Keep listening one more budget only to measure how late it is (N8: the report gives the delay).
    const late = await this.waitOn(agent, own, opts.what, budget);
    const msg = late
      ? `${opts.what} arrived after ${late.receivedAt - since} ms, past the ${budget} ms ${budgetName}: ` +
        "counts as missing"
      : `${opts.what} did not arrive within ${budget} ms (${budgetName}; nor within twice that)`;
    this.check(opts.requirement, false, msg, late ? late.receivedAt - since : undefined);
    if (n8) this.check("N8.within-budget", false, msg, late ? late.receivedAt - since : undefined);
    if (late) return late.data as Notification;
    return this.stop(opts.requirement, msg);
  }

  /** A required notification missed across a re-handshake gap: ERROR naming it, never FAIL (cometd-session.ts). */
  unjudgeableAcrossGap(agents: readonly AgentHandle[], from: number, what: string): void {
    const error = missedAcrossGap(agents, from, what);
    if (error) throw error;
  }

  /** Waits (bounded) for a matching notification on one agent; undefined when the budget runs out. */
  async waitOn(
    agent: AgentHandle,
    match: (d: Notification, n?: ReceivedNotification) => boolean,
    what: string,
    budgetMs: number,
  ): Promise<ReceivedNotification | undefined> {
    try {
      return await agent.session.waitFor((n) => match(n.data as Notification, n), what, budgetMs);
    } catch (e) {
      if (e instanceof WaitTimeout) return undefined;
      throw e;
    }
  }

  /** How many notifications each agent's stream holds now: later ones are "after this point". */
  private streamMarks(): Map<string, number> {
    return new Map(this.target.agents.map((a) => [a.name, a.session.items().length]));
  }

  private async firstOnAnyAgent(
    match: (d: Notification) => boolean,
    what: string,
    budgetMs: number,
    marks: Map<string, number>,
  ): Promise<(ReceivedNotification & { agent: AgentHandle }) | undefined> {
    const controller = new AbortController();
    const waits = this.target.agents.map((agent) =>
      waitForItem(agent.session, (n) => n.index >= (marks.get(agent.name) ?? 0) && match(n.data as Notification), {
        what,
        budgetName: "offerBudget",
        budgetMs,
        signal: controller.signal,
      }).then((n) => ({
        ...n,
        agent,
      })),
    );
    try {
      return await Promise.any(waits);
    } catch {
      return undefined;
    } finally {
      controller.abort();
      await Promise.allSettled(waits);
    }
  }

  /**
   * "Changes nothing and produces no notification" (R3, T4, T8): opens a watch over every agent's
   * stream — the ids, the scenario's tokens, and any ReplyCreated nobody claims on the streams of
   * the agents whose requests were refused — from `since` (the first refused request; default
   * now). A notification it covers that no later successful request of the suite explains
   * (effects.ts) fails `requirement`.
   *
   * Held state (Deployment data and routing: "has no end"): this call returns only after the
   * notification budget (N8) from now — after the last refused request's answer — and the scenario
   * does nothing meanwhile, so the interaction stays as it was and a late effect (an operation
   * executed late, a late notification) still has something to act on and shows within the watch.
   * Only then may the scenario check that the owner can still do what the state allows, and finish
   * it: an interaction the suite itself finished or changed can no longer show the refused
   * request's effect. Scenarios run concurrently, so holds overlap. The watch stays open until the
   * worker ends, and a later effect is still a FAIL (MUST) or WARN (SHOULD) naming the delay.
   */
  async expectNoNotification(
    ids: string[],
    requirement: RequirementId,
    what: string,
    opts: { since?: Answer | number; windowMs?: number } = {},
  ): Promise<boolean> {
    const since = typeof opts.since === "number" ? opts.since : (opts.since?.exchange.startedAt ?? Date.now());
    const holdMs = opts.windowMs ?? this.settings.notifyBudgetMs;
    const agents = [...new Set(this.sent.filter((o) => o.startedAt >= since && o.refused).map((o) => o.agent))];
    const tokens = [...this.tokens];
    record({ kind: "watch", scenario: this.name, requirement, what, ids, tokens, agents, since });
    const watch = this.target.monitor.openWatch({ judge: this, requirement, what, ids, tokens, agents, since });
    // Absence can only be observed over a window: the wait is the behaviour under test. A
    // ReplyCreated nobody claims is attributed at the end of the worker (monitor.drain).
    await new Promise((r) => setTimeout(r, holdMs));
    if (watch.violations.length > 0) return false;
    return this.check(
      requirement,
      true,
      `${what}: no notification within ${holdMs} ms, the interaction held as it was ` +
        "(watched until the end of the run)",
    );
  }

  /** Makes the monitor attribute notifications about `id` to this scenario. */
  claim(id: string, agents: AgentHandle[]): void {
    this.target.monitor.claimId(
      id,
      this,
      agents.map((a) => a.name),
    );
  }

  // ----- what the scenario holds, and finishing it ---------------------------------------------

  /** The monitor saw a notification of an interaction this scenario claims, on an agent allowed to hear it. */
  observed(agent: string, id: string, state: string, reoffer: boolean): void {
    if (!stateOf(state)?.held) {
      this.letGo(id);
      return;
    }
    // A notification of something the scenario let go (a late copy of an old state) does not bring
    // it back; an offer does.
    if (this.letGoOf.has(id) && !reoffer) return;
    this.letGoOf.delete(id);
    const current = this.holdings.get(id);
    // A notification to a former holder that is no offer does not move the interaction.
    if (current && current.agent !== agent && !reoffer) return;
    this.hold(id, agent, state);
    // What reached an agent after the scenario ended (a re-offer, the reply of its last request):
    // finished now; the worker's end waits for it.
    if (this.ended && (reoffer || !current)) this.target.chore(() => inScenario(this.name, () => this.finishOne(id)));
  }

  private hold(id: string, agent: string, state: string): void {
    this.holdings.set(id, { agent, state });
    // After the end the slots are given back: a late re-offer is finished at once instead.
    if (!this.ended) this.slots.bind(id, agent);
  }

  private letGo(id: string): void {
    if (this.holdings.has(id)) this.letGoOf.add(id);
    this.holdings.delete(id);
    if (!this.ended) this.slots.unbind(id);
  }

  /**
   * Finishes now, without judging, every interaction the scenario holds except `keep` (a scenario
   * that opens one interaction after another gives back what it no longer needs: capacity).
   */
  async finishAllBut(keep: Array<string | undefined>): Promise<void> {
    // In passes: what arrives while the scenario finishes (the reply its last request created,
    // held back until that answer was classified) is finished too, not left open on the agent —
    // a reply left in ReplyCreated fills a target that caps what one agent holds (capacity).
    // Bounded: a target that keeps bringing interactions back does not keep the scenario here.
    for (let pass = 0; pass < MAX_FINISH_PASSES; pass++) {
      const ids = [...this.holdings.entries()]
        .filter(([id]) => !keep.includes(id) && !this.finishing.has(id))
        .sort((a, b) => finishOrder(a[1]) - finishOrder(b[1]))
        .map(([id]) => id);
      if (ids.length === 0) return;
      for (const id of ids) await this.finishOne(id);
    }
  }

  /**
   * After the judgments, without judging: what the scenario left open is finished (replies
   * cancelled, inbound e-mails stopped, invitations accepted and stopped), so that a target that
   * caps offers per agent is not starved, then its slots are given back.
   */
  async finish(): Promise<void> {
    try {
      await this.finishAllBut([]);
    } catch (e) {
      record({
        kind: "event",
        scenario: this.name,
        message: `finishing what the scenario left open failed: ${(e as Error).message}`,
      });
    } finally {
      this.ended = true;
      this.slots.releaseAll();
    }
  }

  /** Finishes one interaction the scenario holds (no verdict: an answer here judges nothing). */
  private async finishOne(id: string): Promise<void> {
    const h = this.holdings.get(id);
    if (!h || this.finishing.has(id)) return;
    this.finishing.add(id);
    try {
      await this.finishSteps(id, h);
    } finally {
      this.finishing.delete(id);
    }
  }

  private async finishSteps(id: string, h: Holding): Promise<void> {
    const agent = this.agentNamed(h.agent);
    const steps =
      h.state === "ReplyCreated"
        ? ["CancelReplyEmail"]
        : h.state === "Invited"
          ? ["Accept", "StopProcessing"]
          : ["StopProcessing"];
    for (const operation of steps) {
      const body = { operationName: operation };
      const { exchange, done } = await this.send(agent, id, body, operation, {});
      // Classified as every answer is, but nothing is recorded: finishing judges nothing.
      const { method, url, status, body: answered, error, tooLargeAfter } = exchange;
      const ok = judgeAnswer({
        method,
        url,
        status,
        body: answered,
        operation,
        malformedRequest: false,
        error,
        tooLargeAfter,
      }).taken;
      this.noteOutcome(agent.name, id, operation, body, exchange, ok);
      done();
      if (!ok) break;
    }
    this.letGo(id);
  }
}

/** How many times finishing looks again for what arrived meanwhile (Scenario.finishAllBut). */
const MAX_FINISH_PASSES = 4;

/** Replies are cancelled before the e-mail they answer is stopped. */
function finishOrder(h: Holding): number {
  return h.state === "ReplyCreated" ? 0 : 1;
}

function safeOperation(name: string): ReturnType<typeof requireOperation> | undefined {
  try {
    return requireOperation(name);
  } catch {
    return undefined;
  }
}
