/**
 * The vitest reporter of the conformance command. It runs in the main process; vitest hands it
 * each finished test with its `task.meta` — where the harness's scenario layer (src/harness/
 * scenario.ts) keeps the scenario's ScenarioMeta (requirements, checks per requirement, error,
 * skip reason) — so the workers need no side channel for verdicts. It collects one
 * ScenarioResult per scenario into RunResults and prints one progress line per scenario.
 */
import type { Reporter, TestCase, TestModule, TestSpecification } from "vitest/node";
import type { SerializedError } from "vitest";
import { requirement } from "../contract/registry.js";
import type { ScenarioMeta } from "../harness/checks.js";
import { filteredOut, type Selection } from "../harness/selection.js";
import type { ScenarioResult } from "./results.js";
import { scenarioStatus } from "./verdicts.js";

/** Where the collector reports progress (src/runner/conformance-runner.ts RunProgress, structurally). */
interface ProgressSink {
  started?(files: number): void;
  collected?(scenarios: number): void;
  scenario(line: string, status: ReturnType<typeof scenarioStatus>): void;
}

export class ResultCollector implements Reporter {
  readonly scenarios: ScenarioResult[] = [];
  readonly runErrors: string[] = [];
  /** How the test run ended; undefined when vitest never got to the end of a run (it broke first). */
  endReason: "passed" | "failed" | "interrupted" | undefined;

  constructor(
    private readonly progress: ProgressSink | undefined = undefined,
    private readonly selection?: Selection,
  ) {}

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.progress?.started?.(specifications.length);
  }

  onTestModuleCollected(module: TestModule): void {
    this.progress?.collected?.([...module.children.allTests()].length);
  }

  onTestCaseResult(testCase: TestCase): void {
    const r = testCase.result();
    const meta = testCase.meta().gws as ScenarioMeta | undefined;
    const d = testCase.diagnostic();
    const file = testCase.module.relativeModuleId;
    const result: ScenarioResult = {
      id: testCase.id,
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
    const filtered = this.filteredFor(meta);
    const status = scenarioStatus(result, filtered);
    const failed = (level: string): string | undefined => {
      const ids = [
        ...new Set(
          meta?.checks
            .filter((c) => !c.passed && c.level === level && !filtered?.has(c.requirement))
            .map((c) => c.requirement),
        ),
      ];
      return ids.length ? ids.join(", ") : undefined;
    };
    const detail =
      status === "SKIP"
        ? meta?.skipped
        : status === "ERROR"
          ? meta?.error?.prerequisite
            ? `prerequisite ${meta.error.prerequisite}`
            : result.errors[0]?.split("\n")[0]
          : status === "FAIL"
            ? failed("MUST")
            : status === "WARN"
              ? failed("SHOULD")
              : undefined;
    const line = `${status.padEnd(5)} ${result.name}${detail ? ` (${detail.slice(0, 160)})` : ""} ${result.durationMs} ms`;
    this.progress?.scenario(line, status);
  }

  /** Progress only: what this scenario's selection leaves out, judged with its own tags (the reports use the whole run's). */
  private filteredFor(meta: ScenarioMeta | undefined): Map<string, string> | undefined {
    if (!this.selection || !meta) return undefined;
    const out = new Map<string, string>();
    for (const c of meta.checks) {
      const tags = meta.requirements.includes(c.requirement) ? [meta.area, ...meta.tags] : [];
      const why = filteredOut(requirement(c.requirement), this.selection, tags);
      if (why) out.set(c.requirement, why);
    }
    return out;
  }

  onTestModuleEnd(module: TestModule): void {
    for (const e of module.errors()) this.runErrors.push(`${module.relativeModuleId}: ${e.message}`);
  }

  onTestRunEnd(
    _modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: "passed" | "failed" | "interrupted",
  ): void {
    this.endReason = reason;
    for (const e of unhandledErrors) this.runErrors.push(`unhandled: ${e.message}`);
  }
}
