/**
 * `run --last-failed DIR`: a server developer's loop. Reads DIR/summary.json (a previous run's
 * --out folder) and selects the requirements that were FAIL, WARN or ERROR there, as --only would.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isRequirementId } from "../contract/registry.js";
import type { ConformanceSummary } from "../report/summary.js";
import { ConfigError } from "./command-line.js";

/** The statuses --last-failed runs again. */
export const LAST_FAILED_STATUSES: readonly string[] = ["FAIL", "WARN", "ERROR"];

/** The requirement IDs that failed, warned or errored in the run in `dir` (registry IDs only, in its order). */
export function lastFailedIds(dir: string): string[] {
  const path = join(resolve(dir), "summary.json");
  if (!existsSync(path))
    throw new ConfigError(`--last-failed: ${dir} has no summary.json (is it a run's --out folder?)`);
  let summary: Pick<ConformanceSummary, "requirements">;
  try {
    summary = JSON.parse(readFileSync(path, "utf8")) as ConformanceSummary;
  } catch (e) {
    throw new ConfigError(`--last-failed: ${path} is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(summary?.requirements))
    throw new ConfigError(`--last-failed: ${path} is not a run's summary (no requirements)`);
  // An ID the installed registry no longer has cannot be selected; it is left out, not an error.
  return summary.requirements
    .filter((r) => LAST_FAILED_STATUSES.includes(r.status) && isRequirementId(r.id))
    .map((r) => r.id);
}
