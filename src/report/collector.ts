/**
 * A vitest reporter that collects each scenario's outcome and its `task.meta.gws` record (checks
 * per requirement) into RunResults, and prints one progress line per scenario.
 */
import type { Reporter, TestCase, TestModule } from "vitest/node";
import type { SerializedError } from "vitest";
import type { ScenarioResult } from "./results.js";
import type { ScenarioMeta } from "../harness/checks.js";
import { scenarioStatus } from "./verdicts.js";

export class ResultCollector implements Reporter {
  readonly scenarios: ScenarioResult[] = [];
  readonly runErrors: string[] = [];

  constructor(private readonly progress: (line: string, status: string) => void = () => undefined) {}

  onTestCaseResult(testCase: TestCase): void {
    const r = testCase.result();
    const meta = testCase.meta().gws as ScenarioMeta | undefined;
    const d = testCase.diagnostic();
    const file = testCase.module.relativeModuleId;
    const result: ScenarioResult = {
      name: `${file} > ${testCase.fullName}`,
      file,
      project: testCase.project.name,
      state: r.state,
      durationMs: Math.round(d?.duration ?? 0),
      startedAt: d?.startTime,
      meta,
      errors: (r.errors ?? []).map((e) => e.message ?? String(e)),
    };
    this.scenarios.push(result);
    const status = scenarioStatus(result);
    this.progress(`${status.padEnd(5)} ${result.name}${status === "SKIP" && meta?.skipped ? ` (${meta.skipped})` : ""} ${result.durationMs} ms`, status);
  }

  onTestModuleEnd(module: TestModule): void {
    for (const e of module.errors()) this.runErrors.push(`${module.relativeModuleId}: ${e.message}`);
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    for (const e of unhandledErrors) this.runErrors.push(`unhandled: ${e.message}`);
  }
}
