/**
 * The raw results of a run (results.json): one record per scenario, as the collecting reporter
 * saw it. Everything else (verdicts, summary, certificate, JUnit, merge of shards) is computed
 * from these, so a shard's results can be merged later.
 */
import type { ScenarioMeta } from "../harness/checks.js";

export interface ScenarioResult {
  /** vitest's test id: the Allure results of the scenario carry it as the "gwsScenario" label. */
  id?: string;
  /** "file > describe > title" (unique within a run). */
  name: string;
  file: string;
  project: string;
  /** vitest's own outcome. */
  state: "passed" | "failed" | "skipped" | "pending";
  durationMs: number;
  startedAt?: number;
  /** The scenario's record (requirements, checks, error, skip reason). Absent if the file failed to load. */
  meta?: ScenarioMeta;
  /** Error messages vitest reported (a ConformanceFailure lists MUST failures; others are suite errors). */
  errors: string[];
}

export interface RunResults {
  /** The shard this run covered ("1/3"), when sharded. */
  shard?: string;
  startedAt: string;
  endedAt: string;
  target: string;
  settings: Record<string, unknown>;
  /** Requirement selection of the run: filtered requirements are SKIP with this reason. */
  filter?: { only?: string[]; skip?: string[]; level?: "must" | "should" };
  scenarios: ScenarioResult[];
  /** Errors outside any scenario (a file that failed to load, an unhandled rejection). */
  runErrors: string[];
}
