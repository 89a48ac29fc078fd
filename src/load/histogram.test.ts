/** Mergeable latency histograms: a merge of encoded parts gives the percentiles of the whole. */
import fc from "fast-check";
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

describe("LatencyHistogram summaries over random histograms (fast-check)", () => {
  const latencies = fc.array(fc.double({ min: 0, max: 120_000, noNaN: true }), { minLength: 1, maxLength: 300 });

  it("p50 ≤ p95 ≤ p99 ≤ max, and max is the largest value recorded (to the histogram's precision)", () => {
    fc.assert(
      fc.property(latencies, (values) => {
        const h = new LatencyHistogram();
        for (const v of values) h.recordMs(v);
        const s = h.summary();
        expect(s.count).toBe(values.length);
        expect(s.p50Ms).toBeLessThanOrEqual(s.p95Ms);
        expect(s.p95Ms).toBeLessThanOrEqual(s.p99Ms);
        expect(s.p99Ms).toBeLessThanOrEqual(s.maxMs);
        const largest = Math.max(0.001, ...values);
        expect(Math.abs(s.maxMs - largest)).toBeLessThanOrEqual(largest / 500 + 0.01);
      }),
      { numRuns: 200 },
    );
  });

  it("a merge of shards' summaries keeps the order too (the merged report is judged on it)", () => {
    fc.assert(
      fc.property(fc.array(latencies, { minLength: 1, maxLength: 4 }), (shards) => {
        const parts = shards.map((values) => {
          const h = new LatencyHistogram();
          for (const v of values) h.recordMs(v);
          return h.summary();
        });
        const s = LatencyHistogram.merge(parts).summary();
        expect(s.count).toBe(shards.reduce((a, v) => a + v.length, 0));
        expect(s.p50Ms).toBeLessThanOrEqual(s.p95Ms);
        expect(s.p95Ms).toBeLessThanOrEqual(s.p99Ms);
        expect(s.p99Ms).toBeLessThanOrEqual(s.maxMs);
      }),
      { numRuns: 100 },
    );
  });

  it("the case of the issue: one value where its bucket's top lies above it", () => {
    // 21.96 ms is 21 960 µs; at 3 significant digits its bucket's top is 21 967 µs (21.97 ms).
    const h = new LatencyHistogram();
    h.recordMs(21.96);
    const s = h.summary();
    expect(s.maxMs).toBe(21.96);
    expect(s.p99Ms).toBe(21.96);
  });
});
