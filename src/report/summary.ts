/** summary.json: the machine-readable verdict of a run (schemas/reports/summary.schema.json). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConformanceSummary } from "../generated/contract-types.js";
import { registry } from "../contract/registry.js";
import { REPO_ROOT } from "../contract/schemas.js";
import type { RunResults } from "./results.js";
import type { Verdicts } from "./verdicts.js";

export type { ConformanceSummary };

export function suiteVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

export function buildSummary(run: RunResults, v: Verdicts, extra: { mergedFrom?: string[] } = {}): ConformanceSummary {
  return {
    overall: v.overall,
    counts: v.counts,
    expected: v.expected,
    suiteVersion: suiteVersion(),
    specEdition: registry.specEdition,
    target: run.target,
    settings: run.settings,
    ...(run.shard ? { shard: run.shard } : {}),
    ...(extra.mergedFrom ? { mergedFrom: extra.mergedFrom } : {}),
    ...(run.filter && Object.keys(run.filter).length ? { filter: run.filter } : {}),
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationMs: Math.max(0, Date.parse(run.endedAt) - Date.parse(run.startedAt)),
    baselineProblems: v.baselineProblems,
    runErrors: run.runErrors,
    requirements: v.requirements.map((r) => ({
      id: r.id,
      rule: r.rule,
      level: r.level,
      area: r.area,
      text: r.text,
      status: r.status,
      tests: r.tests,
      message: r.message,
      durationMs: Math.round(r.durationMs),
      ...(r.measuredMs !== undefined ? { measuredMs: Math.round(r.measuredMs) } : {}),
      ...(r.expectedFailure ? { expectedFailure: r.expectedFailure } : {}),
    })),
  };
}
