/**
 * Late checks: a failure found after its scenario's test had ended — a refused request that took
 * effect or notified later than the scenario's quiet window (R3, T4, T8: "a violation whenever it
 * shows"), or a notification of the scenario's interactions judged after its end. The worker
 * records it in the transcript as a check entry marked `late` (src/harness/scenario.ts); before
 * verdicts, the run merges those into the results of the scenario they belong to, so the
 * requirement turns FAIL (MUST) or WARN (SHOULD) like any other check. `rejudge` reads the same
 * entries from the transcript.
 */
import type { Level } from "../contract/registry.js";
import type { CheckRecord } from "../harness/checks.js";
import type { TranscriptEntry } from "../harness/transcript.js";
import type { RequirementId } from "../generated/requirement-ids.js";
import type { ScenarioResult } from "./results.js";

type CheckEntry = Extract<TranscriptEntry, { kind: "check" }>;

export function lateChecksOf(transcript: readonly TranscriptEntry[]): CheckEntry[] {
  return transcript.filter((e): e is CheckEntry => e.kind === "check" && e.late === true);
}

/**
 * Adds each late check of the transcript to its scenario's checks (by the scenario's name). A late
 * check whose scenario is not among the results (another shard's) is returned, unmerged.
 */
export function mergeLateChecks(scenarios: ScenarioResult[], transcript: readonly TranscriptEntry[]): CheckEntry[] {
  const byName = new Map(scenarios.map((s) => [s.name, s]));
  const unmerged: CheckEntry[] = [];
  for (const e of lateChecksOf(transcript)) {
    const meta = e.scenario ? byName.get(e.scenario)?.meta : undefined;
    if (!meta) {
      unmerged.push(e);
      continue;
    }
    const rec: CheckRecord = {
      requirement: e.requirement as RequirementId,
      level: e.level as Level,
      passed: false,
      message: e.message,
      at: e.ts,
      ...(e.delayMs !== undefined ? { measuredMs: e.delayMs } : {}),
    };
    if (!meta.checks.some((c) => c.requirement === rec.requirement && c.message === rec.message && !c.passed))
      meta.checks.push(rec);
  }
  return unmerged;
}
