/** summary.json: the machine-readable verdict of a run (schemas/reports/summary.schema.json). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConformanceSummary } from "../generated/contract-types.js";
import { registry } from "../contract/registry.js";
import { REPO_ROOT } from "../contract/schemas.js";
import type { RunResults } from "./results.js";
import { installedContract } from "./fingerprint.js";
import type { Verdicts } from "./verdicts.js";
import { reproduce } from "./reproduce.js";
import type { TranscriptEntry } from "../harness/transcript.js";

export type { ConformanceSummary };

export function suiteVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

export function buildSummary(
  run: RunResults,
  v: Verdicts,
  extra: { mergedFrom?: string[]; transcriptSha256?: string; transcript?: readonly TranscriptEntry[] } = {},
): ConformanceSummary {
  const { schemasSha256, requirementsSha256, files } = installedContract();
  return {
    verdict: v.verdict,
    verdictReason: v.verdictReason,
    gate: v.gate,
    unjudged: v.unjudged,
    counts: v.counts,
    expected: v.expected,
    suiteVersion: suiteVersion(),
    specEdition: registry.specEdition,
    contract: { schemasSha256, requirementsSha256, files },
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
    ...(extra.transcriptSha256 ? { transcriptSha256: extra.transcriptSha256 } : {}),
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
      // Where the evidence is and how to reproduce it (reproduce.ts), for what did not pass.
      ...(extra.transcript && (r.status === "FAIL" || r.status === "WARN" || r.status === "ERROR")
        ? { evidence: reproduce(r, extra.transcript, run.settings) }
        : {}),
    })),
  };
}
