/**
 * Timing per operation: answer time (HTTP durationMs) and notification latency (answer →
 * next notification about the id or the interaction it created; src/drift/correlate.ts).
 * Percentiles are nearest-rank: pN is the smallest value with at least N% of the values at or below it.
 */
import type { DriftLatency, DriftTiming } from "../generated/contract-types.js";
import type { Correlation } from "./correlate.js";
import { groupBy } from "./json-shape.js";
import type { OperationCall } from "./messages.js";

export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) throw new Error("percentile of no values");
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1];
}

const round = (n: number): number => Math.round(n * 100) / 100;

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentilesOf(values: readonly number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1]),
  };
}

/** Groups by operation, operations in name order. */
function byOperation<T>(items: readonly T[], operation: (t: T) => string): Array<[string, T[]]> {
  return [...groupBy(items, operation)].sort(([a], [b]) => a.localeCompare(b));
}

/** Answer time per operation over every answered call (any outcome). */
export function answerTimes(calls: readonly OperationCall[]): DriftTiming[] {
  const answered = calls.filter((c) => c.status !== undefined && typeof c.entry.durationMs === "number");
  return byOperation(answered, (c) => c.operation).map(([operation, list]) => ({
    operation,
    ...percentilesOf(list.map((c) => c.entry.durationMs))!,
  }));
}

/** Notification latency per operation over every successful call. */
export function notificationLatencies(correlation: Correlation): DriftLatency[] {
  return byOperation(correlation.followUps, (f) => f.call.operation).map(([operation, list]) => {
    const delays = list.filter((f) => f.latencyMs !== undefined).map((f) => f.latencyMs!);
    const p = percentilesOf(delays);
    return {
      operation,
      count: delays.length,
      withoutNotification: list.length - delays.length,
      p50: p?.p50 ?? null,
      p95: p?.p95 ?? null,
      p99: p?.p99 ?? null,
      max: p?.max ?? null,
    };
  });
}
