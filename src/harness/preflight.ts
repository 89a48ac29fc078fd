/**
 * Pre-flight: before any scenario, each configured agent makes one REST call (channel Ready,
 * T7) and one Bayeux handshake (T5), each within its budget. What it finds decides how the run
 * goes on:
 *   - ok: the scenarios run;
 *   - unreachable: the target never answered (refused, reset before an answer, timed out), does
 *     not speak HTTP, or refused the configured credentials everywhere: nothing can be judged.
 *     ONE line says why; every requirement is ERROR with that reason and the run is INCOMPLETE;
 *   - broken: the target answered and broke a MUST (a 5xx: R2.no-5xx; not JSON or too large: R1;
 *     a refused, non-Bayeux or garbled handshake: T5.handshake; valid credentials refused on
 *     REST: T4.basic-auth). That requirement FAILs; every other one is ERROR "not judged:
 *     depends on <it>, which FAILed". The run is NON_CONFORMANT.
 * Credentials count as valid when the other endpoint accepted them (T5: the same credentials as
 * REST): a password refused by both REST and Bayeux is a configuration problem, not a verdict.
 * JSON in another envelope than R1's does not stop the run: the scenarios judge R1 on every answer.
 * The result is a synthetic scenario result ("pre-flight") that the verdicts count like any other.
 */
import { registry } from "../contract/registry.js";
import type { RequirementId } from "../generated/requirement-ids.js";
import { BUDGETS } from "./budgets.js";
import type { CheckRecord, ScenarioMeta } from "./checks.js";
import { CometdSession, type ConnectResult } from "./cometd-session.js";
import { HttpClient, type HttpExchange } from "./http-client.js";
import { judgeAnswer } from "./judge-answer.js";
import type { Selection } from "./selection.js";
import type { AgentCredentials } from "./settings.js";
import type { ResolvedTarget } from "./target.js";
import type { ScenarioResult } from "../report/results.js";

export const PREFLIGHT_SCENARIO = "pre-flight";

export type PreflightOutcome =
  | { kind: "ok"; checks: CheckRecord[]; durationMs: number }
  | { kind: "unreachable"; prerequisite: string; message: string; checks: CheckRecord[]; durationMs: number }
  | { kind: "broken"; failed: CheckRecord; checks: CheckRecord[]; durationMs: number };

const check = (requirement: RequirementId, passed: boolean, message: string): CheckRecord => ({
  requirement,
  level: registry.requirements.find((r) => r.id === requirement)!.level,
  passed,
  message,
  at: Date.now(),
});

/** An HTTP-level failure that means "this is not an HTTP server" (wrong port or scheme), not "no answer". */
function notHttp(error: string): boolean {
  return /HTTPParserError|HPE_|ERR_SSL|wrong version number|EPROTO/i.test(error);
}

interface StepResult {
  outcome?: Exclude<PreflightOutcome, { kind: "ok" }>;
}

export async function preflight(target: ResolvedTarget): Promise<PreflightOutcome> {
  const started = performance.now();
  const checks: CheckRecord[] = [];
  const took = (): number => Math.round(performance.now() - started);
  for (const agent of target.agents) {
    const step = await preflightAgent(target, agent, checks);
    if (step.outcome) return { ...step.outcome, checks, durationMs: took() } as PreflightOutcome;
  }
  return { kind: "ok", checks, durationMs: took() };
}

async function handshake(
  target: ResolvedTarget,
  agent: AgentCredentials,
  cookie: string | undefined,
): Promise<ConnectResult> {
  const session = new CometdSession(target.cometdUrl, agent.username, agent, {
    cookie,
    label: `pre-flight-${agent.username}`,
    maxAnswerBytes: target.maxAnswerBytes,
  });
  try {
    return await session.handshake(BUDGETS.cometdConnectMs);
  } finally {
    await session.close();
  }
}

async function preflightAgent(
  target: ResolvedTarget,
  agent: AgentCredentials,
  checks: CheckRecord[],
): Promise<StepResult> {
  const unreachable = (prerequisite: string, message: string): StepResult => ({
    outcome: { kind: "unreachable", prerequisite, message, checks, durationMs: 0 },
  });
  const broken = (c: CheckRecord): StepResult => {
    checks.push(c);
    return { outcome: { kind: "broken", failed: c, checks, durationMs: 0 } };
  };
  const http = new HttpClient(target.baseUrl, agent, {
    tlsInsecure: target.tlsInsecure,
    maxAnswerBytes: target.maxAnswerBytes,
  });
  const ready: HttpExchange = await http.post("/me/channels/email", { operationName: "Ready" }, { operation: "Ready" });
  const where = `POST ${ready.url}`;
  if (ready.error) {
    if (notHttp(ready.error))
      return unreachable(
        "target answers HTTP",
        `${where}: the target does not speak HTTP there (${ready.error}); check --base-url`,
      );
    return unreachable("target answers HTTP", `${where}: no answer (${ready.error})`);
  }
  if (ready.status === 401 || ready.status === 403) {
    // Valid credentials refused (T4), if the Bayeux endpoint takes the same ones (T5); else a configuration problem.
    const hs = await handshake(target, agent, undefined);
    if (hs.ok)
      return broken(
        check(
          "T4.basic-auth",
          false,
          `${where} with agent ${agent.username}'s credentials answered HTTP ${ready.status}, ` +
            "though the Bayeux handshake accepted the same credentials",
        ),
      );
    return unreachable(
      `agent ${agent.username} can log in`,
      `${where} answered HTTP ${ready.status} and the Bayeux handshake was refused too (${hs.reason}): ` +
        "check the credentials in GWS_AGENTS",
    );
  }
  const judged = judgeAnswer({
    method: ready.method,
    url: ready.url,
    status: ready.status,
    body: ready.body,
    operation: "Ready",
    malformedRequest: false,
    tooLargeAfter: ready.tooLargeAfter,
  });
  const failedMust = judged.checks.find((c) => !c.passed);
  for (const c of judged.checks) if (c.passed) checks.push(check(c.requirement, true, c.message));
  // A 5xx, an oversized answer or one that is not JSON at all (an HTML page): the API is not
  // there to judge. JSON in another envelope is left to the scenarios, which judge R1 on every answer.
  const notJson = typeof ready.body === "string";
  if (failedMust && (failedMust.requirement === "R2.no-5xx" || ready.tooLargeAfter !== undefined || notJson)) {
    return broken(check(failedMust.requirement, false, failedMust.message));
  }
  if (judged.refused) {
    const hint = ready.status === 404 ? ": is --base-url the API root (e.g. https://host/api/v2)?" : "";
    return unreachable(
      "agent can set its channel Ready",
      `${where} was refused (HTTP ${ready.status} ${JSON.stringify(ready.body)?.slice(0, 200)})${hint}`,
    );
  }
  if (judged.ok)
    checks.push(check("T4.basic-auth", true, `${where} with agent ${agent.username}'s credentials was served`));

  const hs = await handshake(target, agent, http.cookieHeader());
  if (hs.ok) {
    checks.push(check("T5.handshake", true, `handshake at ${target.cometdUrl} as ${agent.username} succeeded`));
    return {};
  }
  if (!hs.answered)
    return unreachable("target answers Bayeux", `handshake at ${target.cometdUrl}: no answer (${hs.reason})`);
  return broken(
    check(
      "T5.handshake",
      false,
      `handshake at ${target.cometdUrl} as ${agent.username} (whose REST calls were served): ${hs.reason}`,
    ),
  );
}

/** The one line the command prints for a pre-flight that stops the run (undefined: the run goes on). */
export function preflightLine(o: PreflightOutcome): string | undefined {
  if (o.kind === "unreachable") return `pre-flight: ${o.message} — nothing can be judged (INCOMPLETE)`;
  if (o.kind === "broken") {
    const first = o.failed.message.split("\n")[0];
    return `pre-flight: ${o.failed.requirement} FAIL: ${first} — the scenarios depend on it and were not run`;
  }
  return undefined;
}

/**
 * The pre-flight as a scenario result the verdicts count (results.json, merge), when it stops
 * the run. It stands for every scenario, so it declares every testable requirement and carries
 * the run's --only keys as tags: a selection by tag still sees why nothing was judged.
 */
export function preflightResult(o: PreflightOutcome, selection?: Selection): ScenarioResult | undefined {
  if (o.kind === "ok") return undefined;
  const meta: ScenarioMeta = {
    requirements: registry.requirements.filter((r) => !r.excluded).map((r) => r.id as RequirementId),
    area: PREFLIGHT_SCENARIO,
    tags: [...(selection?.only ?? [])],
    checks: o.checks,
    error:
      o.kind === "unreachable"
        ? { prerequisite: o.prerequisite, message: o.message }
        : {
            message: `not judged: depends on ${o.failed.requirement}, which FAILed: ${o.failed.message.split("\n")[0]}`,
          },
  };
  return {
    name: PREFLIGHT_SCENARIO,
    file: PREFLIGHT_SCENARIO,
    project: PREFLIGHT_SCENARIO,
    state: "failed",
    durationMs: o.durationMs,
    meta,
    errors: [],
  };
}
