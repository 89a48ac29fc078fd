/** Mergeable latency histograms: a merge of encoded parts gives the percentiles of the whole. */
import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "./histogram.js";

describe("LatencyHistogram", () => {
  it("records ms to the microsecond and reports p50/p95/p99/max to 3 significant digits", () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.recordMs(i / 10); // 0.1 … 100 ms
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.p50Ms).toBeCloseTo(50, 0);
    expect(s.p99Ms).toBeCloseTo(99, 0);
    expect(s.maxMs).toBeCloseTo(100, 0);
  });

  it("merging encoded halves equals recording everything in one histogram", () => {
    const whole = new LatencyHistogram();
    const [a, b] = [new LatencyHistogram(), new LatencyHistogram()];
    for (let i = 0; i < 2000; i++) {
      const v = (i * 7919) % 500;
      whole.recordMs(v);
      (i % 2 ? a : b).recordMs(v);
    }
    const merged = LatencyHistogram.merge([a.summary(), b.summary(), undefined]).summary();
    const w = whole.summary();
    expect([merged.count, merged.p50Ms, merged.p95Ms, merged.p99Ms]).toEqual([w.count, w.p50Ms, w.p95Ms, w.p99Ms]);
    // A decoded histogram knows its largest value to its precision (3 significant digits).
    expect(Math.abs(merged.maxMs - w.maxMs)).toBeLessThanOrEqual(w.maxMs / 500);
  });

  it("an empty histogram reports zeros", () => {
    expect(new LatencyHistogram().summary()).toMatchObject({ count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 });
  });
});
