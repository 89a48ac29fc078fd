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
import { afterAll, beforeAll, test, type TestContext } from "vitest";
import { getCurrentSuite } from "vitest/suite";
import { randomBytes } from "node:crypto";
import { contractValidator, formatViolations } from "../contract/validators.js";
import { judgeAnswer } from "./judge-answer.js";
import { requireOperation } from "../contract/lifecycle.js";
import { levelOf, requirement } from "../contract/registry.js";
import { filteredOut } from "./selection.js";
import type { RequirementId } from "../generated/requirement-ids.js";
import type { InboundEmailInjection } from "../generated/contract-types.js";
import { allureFor, type AllureBridge } from "./allure-bridge.js";
import { BUDGETS, WaitTimeout, waitForItem } from "./budgets.js";
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
import type { HttpExchange, PostOptions } from "./http-client.js";
import type { Judge } from "./monitor.js";
import { currentRunContext, type RunContext } from "./run-context.js";
import { Target, type AgentHandle, type ResolvedTarget } from "./target.js";
import { inScenario, onRecord, record, setTranscriptDir, type TranscriptEntry } from "./transcript.js";

export type { Need };

export interface ScenarioOptions {
  /** The requirements this scenario sets out to judge (harness checks may add more). */
  requirements: RequirementId[];
  /** Suite area (suites/<area>/), for reports. */
  area: string;
  needs?: Need[];
  tags?: string[];
  timeoutMs?: number;
}

export type Notification = Record<string, unknown> & { id?: unknown; state?: unknown; email_object?: Record<string, unknown> };

/** An HTTP answer to an operation, classified per R1. */
export interface Answer {
  exchange: HttpExchange;
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
// The worker's target: connected on first use in a run and shared by the scenarios of a file,
// which may run concurrently (describe.concurrent); closed when the last suite using it ends. A
// new run (a new runId in the run context: the mutation run switches targets) never reuses it.
let workerTarget: { runId: string; target: Promise<Target> } | undefined;
let suitesUsingTarget = 0;
const suitesWithTarget = new WeakSet<object>();

function targetFor(ctx: RunContext): Promise<Target> {
  if (workerTarget?.runId !== ctx.runId) workerTarget = { runId: ctx.runId, target: Target.connect(ctx.target) };
  return workerTarget.target;
}

/** Declares a conformance scenario. */
export function scenario(title: string, opts: ScenarioOptions, body: (s: Scenario) => Promise<void>): void {
  const suite = getCurrentSuite();
  if (!suitesWithTarget.has(suite)) {
    suitesWithTarget.add(suite);
    beforeAll(() => {
      suitesUsingTarget++;
    });
    afterAll(async () => {
      if (--suitesUsingTarget > 0) return;
      const t = workerTarget?.target;
      workerTarget = undefined;
      if (t) await t.then((x) => x.close()).catch(() => undefined);
    });
  }
  test(title, { timeout: opts.timeoutMs ?? 60_000 }, async (ctx) => runScenario(title, opts, body, ctx));
}

async function runScenario(title: string, opts: ScenarioOptions, body: (s: Scenario) => Promise<void>, ctx: TestContext): Promise<void> {
  const meta: ScenarioMeta = { requirements: [...opts.requirements], area: opts.area, tags: opts.tags ?? [], checks: [] };
  ctx.task.meta.gws = meta;
  const run = currentRunContext();
  setTranscriptDir(run.transcriptDir);
  const settings = run.target;
  for (const need of opts.needs ?? []) {
    const missing = need === "second-agent" ? settings.agents.length < 2 : !settings.inviteTimeoutMs;
    if (missing) {
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
  const name = `${ctx.task.file?.name ?? ""} > ${title}`;
  await inScenario(name, () => runBody(name, body, meta, run, allure));
}

async function runBody(name: string, body: (s: Scenario) => Promise<void>, meta: ScenarioMeta, run: RunContext, allure: AllureBridge): Promise<void> {
  const attachments: Promise<void>[] = [];
  // Attach this scenario's own exchanges and notifications (concurrent scenarios record their own).
  const stopAttaching = onRecord((e: TranscriptEntry) => e.scenario === name && attachments.push(allure.attachEntry(e)));
  let s: Scenario | undefined;
  try {
    let target: Target;
    try {
      // A target that could not be set up stays failed for this suite: every scenario is an ERROR
      // with the same reason at once, instead of waiting out the budgets again.
      target = await targetFor(run);
    } catch (e) {
      throw e instanceof PreconditionError ? e : new PreconditionError("target reachable", (e as Error).message);
    }
    s = new Scenario(name, target, meta, allure);
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
    if (s) s.dispose();
    stopAttaching();
    await Promise.allSettled(attachments);
  }
  const mustFailures = meta.checks.filter((c) => !c.passed && c.level === "MUST");
  if (mustFailures.length > 0) throw new ConformanceFailure(mustFailures);
}

// ---------------------------------------------------------------------------------------------

export class Scenario implements Judge {
  readonly settings: ResolvedTarget;

  constructor(
    readonly name: string,
    readonly target: Target,
    readonly meta: ScenarioMeta,
    private readonly allure: AllureBridge = allureFor(false),
  ) {
    this.settings = target.settings;
  }

  // ----- verdicts -----------------------------------------------------------------------------

  /** Records a check of `requirement`. Returns `passed`. Repeated passes of one requirement are kept once. */
  check(requirement: RequirementId, passed: boolean, message: string, measuredMs?: number): boolean {
    const level = levelOf(requirement);
    if (passed && measuredMs === undefined && this.meta.checks.some((c) => c.requirement === requirement && c.passed)) return true;
    const rec: CheckRecord = { requirement, level, passed, message, at: Date.now(), ...(measuredMs !== undefined ? { measuredMs: Math.round(measuredMs) } : {}) };
    this.meta.checks.push(rec);
    record({ kind: "check", requirement, level, passed, message, ...(rec.measuredMs !== undefined ? { measuredMs: rec.measuredMs } : {}) });
    return passed;
  }

  /** Like check(), but a failure stops the scenario: its next steps would be meaningless. */
  require(requirement: RequirementId, passed: boolean, message: string): void {
    if (!this.check(requirement, passed, message)) throw new ScenarioStop(this.meta.checks[this.meta.checks.length - 1]);
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
    if (!a) throw new PreconditionError(`agent #${index + 1} configured`, `GWS_AGENTS lists ${this.target.agents.length} agent(s)`);
    return a;
  }

  /** Another configured agent than `a` (for transfer, isolation, foreign-agent checks). */
  otherAgent(a: AgentHandle): AgentHandle {
    const o = this.target.agents.find((x) => x.name !== a.name);
    if (!o) throw new PreconditionError("a second agent configured", "GWS_AGENTS lists one agent");
    return o;
  }

  // ----- injection ----------------------------------------------------------------------------

  newToken(): string {
    return `gws-${randomBytes(5).toString("hex")}`;
  }

  /** A unique inbound e-mail: the token is in the subject (and the sender) so only this scenario matches it. */
  emailFor(token: string, overrides: Partial<InboundEmailInjection> = {}): InboundEmailInjection {
    return {
      to: "support@contact-center.example",
      from: `customer.${token}@example.org`,
      subject: `Where is my order? [${token}]`,
      text: "Hello,\nmy order has not arrived.\nRegards, Pat",
      mimeType: "text/plain",
      ...overrides,
    };
  }

  /**
   * Injects an inbound e-mail routed (hint) to `agent` and waits for its Invited notification on
   * any agent's stream (T7). Returns the interaction id and the agent it was offered to.
   */
  async inbound(opts: { agent?: AgentHandle; email?: Partial<InboundEmailInjection>; token?: string } = {}): Promise<InboundHandle> {
    const agent = opts.agent ?? this.agent(0);
    const token = opts.token ?? this.newToken();
    const email = this.emailFor(token, { agent: agent.name, ...opts.email });
    this.target.monitor.claimToken(token, this, []);
    const marks = this.streamMarks();
    await this.step(`inject inbound e-mail ${token} (${this.target.injector.kind})`, () => this.target.injector.inject(email));
    const got = await this.firstOnAnyAgent(
      (d) => d.state === "Invited" && JSON.stringify(d).includes(token),
      `Invited for the e-mail with subject token ${token}`,
      this.settings.notifyBudgetMs,
      marks,
    );
    if (!got) {
      this.check("T7.ready-offered", false, `no agent was offered the injected e-mail ${token} within ${this.settings.notifyBudgetMs} ms (notifyBudget)`);
      return this.stop("T7.ready-offered", "not offered");
    }
    this.check("T7.ready-offered", true, `${got.agent.name} was offered the e-mail ${token}`);
    const id = typeof got.data.id === "string" ? got.data.id : String((got.data.email_object as Record<string, unknown> | undefined)?.interactionId ?? "");
    if (!id) this.stop("N1.envelope", "Invited has no id");
    this.target.monitor.claimId(id, this, [got.agent.name]);
    return { token, email, id, agent: got.agent, invited: got.data as Notification };
  }

  /** inbound() then Accept (O1): answer ok and Accepted for the same id. */
  async accepted(opts: { agent?: AgentHandle; email?: Partial<InboundEmailInjection>; token?: string } = {}): Promise<AcceptedHandle> {
    const inbound = await this.inbound(opts);
    const answer = await this.operate(inbound.agent, inbound.id, { operationName: "Accept" });
    this.requireOk(answer, "O1.answer-ok");
    // Matched by id or by the subject token, so that an Accepted with a wrong id is seen and judged (N3.same-id).
    const accepted = await this.awaitNotification(inbound.agent, (d) => d.state === "Accepted" && (d.id === inbound.id || JSON.stringify(d).includes(inbound.token)), {
      what: `Accepted for ${inbound.id}`,
      requirement: "O1.accepted-notification",
      after: answer,
    });
    this.check("N3.same-id", accepted.id === inbound.id, `Accepted id ${JSON.stringify(accepted.id)}; the invitation's id ${inbound.id}`);
    return { ...inbound, accepted };
  }

  // ----- operations ---------------------------------------------------------------------------

  /**
   * POST an operation: `{root}/me/interactions/{id}` (T2), or `{root}/me/interactions` when id is
   * null (T3). Judges R2 (no 5xx) and the answer envelope (R1) on every call.
   */
  async operate(agent: AgentHandle, id: string | null, body: unknown, opts: PostOptions & { path?: string } = {}): Promise<Answer> {
    const path = opts.path ?? (id === null ? "/me/interactions" : `/me/interactions/${encodeURIComponent(id)}`);
    const operation = typeof (body as { operationName?: unknown })?.operationName === "string" ? String((body as { operationName: string }).operationName) : "(none)";
    const streamMarks = this.streamMarks();
    const exchange = await this.step(`${agent.name}: ${operation}${id ? ` on ${id}` : ""}`, () => agent.http.post(path, body, { ...opts, operation }));
    return { ...this.judgeAnswer(exchange, operation, opts.rawBody !== undefined), streamMarks };
  }

  /** Classifies an answer and judges R2 and R1 on it (always), through the shared judgeAnswer(). */
  judgeAnswer(exchange: HttpExchange, operation: string, malformedRequest = false): Answer {
    const { method, url, status, body, error, tooLargeAfter } = exchange;
    const j = judgeAnswer({ method, url, status, body, operation, malformedRequest, error, tooLargeAfter });
    if (j.precondition) throw new PreconditionError("target answers HTTP", j.precondition);
    for (const c of j.checks) this.check(c.requirement, c.passed, c.message);
    return { exchange, ok: j.ok, refused: j.refused, body: j.body, operation };
  }

  /** Checks that an answer is a success as the operation's lifecycle entry describes (R1; replyInteractionId for ReplyAll/Forward). */
  expectOk(answer: Answer, requirement: RequirementId): boolean {
    const op = safeOperation(answer.operation);
    let okShape = answer.ok;
    let detail = `HTTP ${answer.exchange.status} ${JSON.stringify(answer.exchange.body)?.slice(0, 300)}`;
    if (okShape && op) {
      const r = contractValidator().validate(op.answer, answer.body);
      okShape = r.ok;
      if (!r.ok) detail += `\n${formatViolations(r.violations)}`;
    }
    return this.check(requirement, okShape, okShape ? `${answer.operation} answered ok` : `${answer.operation} did not answer as ${op?.answer ?? "ok"}: ${detail}`);
  }

  requireOk(answer: Answer, requirement: RequirementId): void {
    if (!this.expectOk(answer, requirement)) this.stop(requirement, "answer not ok");
  }

  /** Checks that an answer is a refusal (R1 failure envelope and/or 4xx). */
  expectRefused(answer: Answer, requirement: RequirementId, what: string): boolean {
    return this.check(
      requirement,
      answer.refused,
      answer.refused ? `${what}: refused (HTTP ${answer.exchange.status})` : `${what}: accepted (HTTP ${answer.exchange.status} ${JSON.stringify(answer.exchange.body)?.slice(0, 200)}) but should have been refused`,
    );
  }

  // ----- notifications ------------------------------------------------------------------------

  /**
   * Waits for a notification on `agent`'s stream that the rule requires (N8): within the
   * notification budget after the answer to its causing call. A late one fails `requirement`
   * and N8 (MUST requirements) with the measured delay; a missing one also stops the scenario.
   */
  async awaitNotification(
    agent: AgentHandle,
    match: (d: Notification) => boolean,
    opts: { what: string; requirement: RequirementId; after: Answer | number },
  ): Promise<Notification> {
    const since = typeof opts.after === "number" ? opts.after : opts.after.exchange.answeredAt;
    // Only what arrived after the causing request was sent can be its effect.
    const mark = typeof opts.after === "number" ? 0 : (opts.after.streamMarks?.get(agent.name) ?? 0);
    const own = (d: Notification, n?: ReceivedNotification): boolean => (!n || n.index >= mark) && match(d);
    const budget = this.settings.notifyBudgetMs;
    const must = levelOf(opts.requirement) === "MUST";
    const started = Date.now();
    const found = await this.waitOn(agent, own, opts.what, Math.max(1, since + budget - started));
    if (found) {
      const delay = Math.max(0, found.receivedAt - since);
      this.check(opts.requirement, true, `${opts.what} arrived after ${delay} ms`);
      if (must) this.check("N8.within-budget", true, `${opts.what}: ${delay} ms (budget ${budget} ms)`, delay);
      return found.data as Notification;
    }
    // Keep listening one more budget only to measure how late it is (N8: the report gives the delay).
    const late = await this.waitOn(agent, own, opts.what, budget);
    const msg = late
      ? `${opts.what} arrived after ${late.receivedAt - since} ms, past the ${budget} ms budget: counts as missing`
      : `${opts.what} did not arrive within ${budget} ms (nor within twice that)`;
    this.check(opts.requirement, false, msg, late ? late.receivedAt - since : undefined);
    if (must) this.check("N8.within-budget", false, msg, late ? late.receivedAt - since : undefined);
    if (late) return late.data as Notification;
    return this.stop(opts.requirement, msg);
  }

  /** Waits (bounded) for a matching notification on one agent; undefined when the budget runs out. */
  async waitOn(agent: AgentHandle, match: (d: Notification, n?: ReceivedNotification) => boolean, what: string, budgetMs: number): Promise<ReceivedNotification | undefined> {
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
      waitForItem(agent.session, (n) => n.index >= (marks.get(agent.name) ?? 0) && match(n.data as Notification), { what, budgetName: "notifyBudget", budgetMs, signal: controller.signal }).then((n) => ({
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
   * Watches every agent's stream for `windowMs` and checks that no notification about `ids`
   * arrives (R3, T4, T8: a refused request produces no notification). The wait is the
   * behaviour under test: absence can only be observed over a window.
   */
  async expectNoNotification(ids: string[], requirement: RequirementId, what: string, windowMs: number = BUDGETS.quietWindowMs): Promise<boolean> {
    const arrived = await this.firstOnAnyAgent((d) => typeof d.id === "string" && ids.includes(d.id), `any notification about ${ids.join(", ")}`, windowMs, this.streamMarks());
    return this.check(
      requirement,
      !arrived,
      arrived ? `${what}: yet ${arrived.agent.name} got ${String(arrived.data.state)} for ${String(arrived.data.id)}` : `${what}: no notification within ${windowMs} ms`,
    );
  }

  /** Makes the monitor attribute notifications about `id` to this scenario. */
  claim(id: string, agents: AgentHandle[]): void {
    this.target.monitor.claimId(id, this, agents.map((a) => a.name));
  }

  /** Allows `agent` to hear about `id` (after Transfer to it, O9). */
  allowAgent(id: string, agent: AgentHandle): void {
    this.target.monitor.allowAgent(id, agent.name);
  }

  /** After Reject (O2) or Revoked (N5) the target MAY offer the id to another agent. */
  allowReoffer(id: string): void {
    this.target.monitor.allowReoffer(id);
  }

  /** Drops the scenario's claims on the stream monitor. */
  dispose(): void {
    this.target.monitor.release(this);
  }
}

function safeOperation(name: string): ReturnType<typeof requireOperation> | undefined {
  try {
    return requireOperation(name);
  } catch {
    return undefined;
  }
}
