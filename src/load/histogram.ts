/**
 * Latency histograms of a load run: HDR histograms (hdr-histogram-js) recorded in microseconds,
 * reported in milliseconds, and stored in load.json as compressed base64 so that the outputs
 * of several shards merge exactly (percentiles of the merged run, not averages of percentiles).
 */
import * as hdr from "hdr-histogram-js";
import type { LoadLatencySummary } from "../generated/contract-types.js";

/** 1 µs to 10 minutes, 3 significant digits. */
const BUILD = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 600_000_000,
  numberOfSignificantValueDigits: 3 as const,
};

/** One latency figure of load.json (schemas/reports/load.schema.json $defs/LoadLatencySummary). */
export type LatencySummary = LoadLatencySummary;

export class LatencyHistogram {
  private readonly h = hdr.build(BUILD);

  /** Records a latency in milliseconds (fractions kept to the microsecond; negative → 0). */
  recordMs(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.h.totalCount;
  }

  add(other: LatencyHistogram): void {
    this.h.add(other.h);
  }

  percentileMs(p: number): number {
    return this.h.totalCount ? this.h.getValueAtPercentile(p) / 1000 : 0;
  }

  /**
   * The figures of load.json. A percentile is the highest value of its HDR bucket, which can lie
   * above the largest value recorded (p99 21.97 ms beside a max of 21.96 ms): every percentile is
   * clamped to the max, after rounding, so p50 ≤ p95 ≤ p99 ≤ max always holds in the report.
   */
  summary(): LatencySummary {
    const r = (x: number): number => Math.round(x * 100) / 100;
    const maxMs = r(this.h.totalCount ? this.h.maxValue / 1000 : 0);
    const p = (q: number): number => Math.min(maxMs, r(this.percentileMs(q)));
    return {
      count: this.h.totalCount,
      p50Ms: p(50),
      p95Ms: p(95),
      p99Ms: p(99),
      maxMs,
      histogram: hdr.encodeIntoCompressedBase64(this.h),
    };
  }

  static decode(encoded: string): LatencyHistogram {
    const out = new LatencyHistogram();
    out.h.add(hdr.decodeFromCompressedBase64(encoded));
    return out;
  }

  /** The sum of several summaries' histograms. */
  static merge(summaries: Array<LatencySummary | undefined>): LatencyHistogram {
    const out = new LatencyHistogram();
    for (const s of summaries) if (s?.histogram) out.add(LatencyHistogram.decode(s.histogram));
    return out;
  }
}
