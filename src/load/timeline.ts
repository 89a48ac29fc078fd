/** The per-second timeline of load.json: which seconds the run covered whole. */
import type { LoadTimelineEntry } from "../generated/contract-types.js";

/**
 * How many milliseconds of epoch second `second` lie within the run [startedAt, endedAt] (epoch
 * ms): the first and the last second of a run are partial, and their counts are no per-second rate.
 */
export function coveredMs(second: number, startedAt: number, endedAt: number): number {
  const from = Math.max(second * 1000, startedAt);
  const to = Math.min((second + 1) * 1000, endedAt);
  return Math.max(0, Math.min(1000, Math.round(to - from)));
}

/** A timeline second the run did not cover whole (the first, the last). */
export const isPartialSecond = (t: Pick<LoadTimelineEntry, "coveredMs">): boolean => (t.coveredMs ?? 1000) < 1000;
