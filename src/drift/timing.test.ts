/** Answer time and notification latency per operation, nearest-rank percentiles. */
import { describe, expect, it } from "vitest";
import { correlate } from "./correlate.js";
import { buildDriftReport } from "./report.js";
import { notificationLatencies, percentile, percentilesOf } from "./timing.js";
import type { TranscriptEntry } from "../report/transcript-io.js";

const ROOT = "http://gws.example:8090/api/v2";
const SCENARIO = "suites/operations/timing.test.ts > timing";

class Builder {
  readonly entries: TranscriptEntry[] = [];
  private seq = 0;
  call(
    at: number,
    id: string | null,
    body: Record<string, unknown>,
    answer: unknown,
    durationMs: number,
    agent = "agent1",
  ): this {
    this.entries.push({
      kind: "http",
      seq: ++this.seq,
      ts: at,
      scenario: SCENARIO,
      agent,
      method: "POST",
      url: `${ROOT}/me/interactions${id ? `/${id}` : ""}`,
      requestHeaders: { authorization: "REDACTED" },
      requestBody: body,
      status: 200,
      responseBody: answer,
      durationMs,
      operation: String(body.operationName),
    });
    return this;
  }
  notify(at: number, data: Record<string, unknown>, agent = "agent1"): this {
    this.entries.push({
      kind: "notification",
      seq: ++this.seq,
      ts: at,
      scenario: SCENARIO,
      agent,
      channel: "/me/interactions",
      data,
    });
    return this;
  }
}

const note = (id: string, state: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  messageTypeName: "InteractionStateMessage",
  id,
  channel: "email",
  state,
  capabilities: [],
  email_object: {},
  ...extra,
});

describe("percentiles", () => {
  it("are nearest-rank", () => {
    const values = Array.from({ length: 20 }, (_, i) => (i + 1) * 10); // 10..200
    expect(percentile(values, 50)).toBe(100);
    expect(percentile(values, 95)).toBe(190);
    expect(percentile(values, 99)).toBe(200);
    expect(percentile([7], 99)).toBe(7);
    expect(percentilesOf([3, 1, 2])).toEqual({ count: 3, p50: 2, p95: 3, p99: 3, max: 3 });
    expect(percentilesOf([])).toBeUndefined();
  });
});

describe("notification latency", () => {
  // 20 Accepts, answered in 1..20 ms, each followed by Accepted 10..200 ms after the answer (shuffled order).
  const b = new Builder();
  const delays = [70, 10, 200, 40, 130, 20, 190, 60, 110, 30, 150, 80, 170, 50, 90, 120, 160, 100, 140, 180];
  delays.forEach((delay, i) => {
    const t = 1_000_000 + i * 1000;
    b.call(t, `in-${i}`, { operationName: "Accept" }, { status: "ok" }, i + 1).notify(
      t + delay,
      note(`in-${i}`, "Accepted"),
    );
  });
  // ReplyAll names the new interaction; Reply does not (the first new ReplyCreated on the agent's stream is it).
  b.call(2_000_000, "in-0", { operationName: "ReplyAll" }, { status: "ok", replyInteractionId: "new-1" }, 5).notify(
    2_000_045,
    note("new-1", "ReplyCreated"),
  );
  b.call(2_100_000, "in-1", { operationName: "Reply" }, { status: "ok" }, 5).notify(
    2_100_033,
    note("new-2", "ReplyCreated"),
  );
  b.call(2_200_000, null, { operationName: "CreateEmail", queueName: "q" }, { status: "ok" }, 5).notify(
    2_200_070,
    note("new-3", "ReplyCreated"),
  );
  // Send: no notification follows (O6), even though a later notification is about another id.
  b.call(2_300_000, "new-1", { operationName: "Send", email_object: {} }, { status: "ok" }, 8).notify(
    2_300_020,
    note("in-5", "Revoked"),
  );

  const report = buildDriftReport(b.entries);
  const row = (op: string) => report.timing.notificationLatency.find((r) => r.operation === op)!;

  it("p50/p95/p99 per operation from the answer to the next notification about the id", () => {
    expect(row("Accept")).toEqual({
      operation: "Accept",
      count: 20,
      withoutNotification: 0,
      p50: 100,
      p95: 190,
      p99: 200,
      max: 200,
    });
  });

  it("or about the interaction the operation created (replyInteractionId, or the first new id in the created state)", () => {
    expect(row("ReplyAll")).toMatchObject({ count: 1, p50: 45 });
    expect(row("Reply")).toMatchObject({ count: 1, p50: 33 });
    expect(row("CreateEmail")).toMatchObject({ count: 1, p50: 70 });
    const { creatorOf } = correlate(b.entries);
    expect([...creatorOf].map(([id, call]) => [id, call.operation]).sort()).toEqual([
      ["new-1", "ReplyAll"],
      ["new-2", "Reply"],
      ["new-3", "CreateEmail"],
    ]);
  });

  it("counts answers no notification followed", () => {
    expect(row("Send")).toEqual({
      operation: "Send",
      count: 0,
      withoutNotification: 1,
      p50: null,
      p95: null,
      p99: null,
      max: null,
    });
    expect(notificationLatencies(correlate([])).length).toBe(0);
  });

  it("answer time per operation from the HTTP durations", () => {
    expect(report.timing.answerTime.find((r) => r.operation === "Accept")).toEqual({
      operation: "Accept",
      count: 20,
      p50: 10,
      p95: 19,
      p99: 20,
      max: 20,
    });
  });
});
