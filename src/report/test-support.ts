/**
 * Builders of raw run results for the report's own unit tests: scenarios as the collecting
 * reporter records them (vitest outcome + the harness's ScenarioMeta).
 */
import { levelOf, type RequirementId } from "../contract/registry.js";
import type { CheckRecord, ScenarioMeta } from "../harness/checks.js";
import type { RunResults, ScenarioResult } from "./results.js";

export function check(
  requirement: RequirementId,
  passed: boolean,
  message = passed ? "ok" : "not ok",
  measuredMs?: number,
): CheckRecord {
  return {
    requirement,
    level: levelOf(requirement),
    passed,
    message,
    at: 1_700_000_000_000,
    ...(measuredMs !== undefined ? { measuredMs } : {}),
  };
}

export function scenarioResult(
  title: string,
  meta: Partial<ScenarioMeta> & { requirements: RequirementId[] },
  outcome: Partial<Pick<ScenarioResult, "state" | "errors" | "durationMs" | "file">> = {},
): ScenarioResult {
  const full: ScenarioMeta = { area: "operations", tags: [], checks: [], ...meta };
  const mustFailed = full.checks.some((c) => !c.passed && c.level === "MUST");
  const file = outcome.file ?? "suites/operations/example.test.ts";
  return {
    name: `${file} > ${title}`,
    file,
    project: "conformance",
    state: outcome.state ?? (full.skipped ? "skipped" : full.error || mustFailed ? "failed" : "passed"),
    durationMs: outcome.durationMs ?? 10,
    meta: full,
    errors: outcome.errors ?? [],
  };
}

/**
 * A run with one of each: O1.answer-ok passes, O3.subject-prefix (MUST) fails, O2.answer-ok
 * (SHOULD) warns. Fresh objects each call: tests may change them.
 */
export function passFailWarnScenarios(): ScenarioResult[] {
  return [
    scenarioResult("accept", { requirements: ["O1.answer-ok"], checks: [check("O1.answer-ok", true)] }),
    scenarioResult("reply", {
      requirements: ["O3.subject-prefix"],
      checks: [check("O3.subject-prefix", false, "no prefix")],
    }),
    scenarioResult("reject", { requirements: ["O2.answer-ok"], checks: [check("O2.answer-ok", false, "refused")] }),
  ];
}

export function runOf(scenarios: ScenarioResult[], extra: Partial<RunResults> = {}): RunResults {
  return {
    startedAt: "2026-01-02T10:00:00.000Z",
    endedAt: "2026-01-02T10:00:05.000Z",
    target: "http://gws.example:8080/api/v2",
    settings: {
      baseUrl: "http://gws.example:8080/api/v2",
      agents: [{ username: "agent1", password: "REDACTED" }],
      inject: "http",
      notifyBudgetMs: 5000,
    },
    scenarios,
    runErrors: [],
    ...extra,
  };
}
