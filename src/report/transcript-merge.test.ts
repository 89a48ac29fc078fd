/** transcript.jsonl from the workers' parts: time order, one copy of each notification, redacted again on write. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { setSecrets, type TranscriptEntry } from "../harness/transcript.js";
import { compareEntries, mergeTranscriptParts, writeTranscript } from "./transcript-merge.js";

const note = (worker: string, seq: number, ts: number, scenario?: string): TranscriptEntry => ({
  kind: "notification",
  worker,
  seq,
  ts,
  agent: "agent1",
  channel: "/me/interactions",
  data: { id: "i-1", state: "Accepted" },
  ...(scenario ? { scenario } : {}),
});
const event = (worker: string, seq: number, ts: number, message: string): TranscriptEntry => ({ kind: "event", worker, seq, ts, message });

afterEach(() => setSecrets([]));

describe("mergeTranscriptParts", () => {
  it("orders by time, then per worker by seq (seq counts per worker)", () => {
    const merged = mergeTranscriptParts([
      [event("w1", 1, 100, "a"), event("w1", 2, 100, "b"), event("w1", 3, 300, "e")],
      [event("w2", 1, 50, "first"), event("w2", 2, 200, "d")],
    ]);
    expect(merged.map((e) => (e.kind === "event" ? e.message : ""))).toEqual(["first", "a", "b", "d", "e"]);
    expect([...merged].sort(compareEntries)).toEqual(merged);
  });

  it("keeps one copy of a notification every worker received: the one of the worker whose scenario it belonged to", () => {
    const merged = mergeTranscriptParts([[note("w1", 1, 100)], [note("w2", 1, 101, "suite > accept")], [note("w3", 1, 99)]]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ worker: "w2", scenario: "suite > accept" });
  });
});

describe("writeTranscript", () => {
  it("writes JSONL with every registered secret and credential header redacted", () => {
    setSecrets(["pa55-word-x"]);
    const path = join(mkdtempSync(join(tmpdir(), "gws-transcript-")), "transcript.jsonl");
    const http: TranscriptEntry = {
      kind: "http",
      seq: 1,
      ts: 1,
      method: "POST",
      url: "http://gws/api/v2/me/interactions/1",
      requestHeaders: { authorization: "Basic abc", cookie: "JSESSIONID=zzz", "x-csrf-token": "tok" },
      requestBody: { note: "pa55-word-x" },
      durationMs: 1,
    };
    writeTranscript(path, [http, event("w", 2, 2, "done")]);
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    const parsed = JSON.parse(lines[0]) as { requestHeaders: Record<string, string>; requestBody: { note: string } };
    expect(parsed.requestHeaders).toEqual({ authorization: "REDACTED", cookie: "REDACTED", "x-csrf-token": "REDACTED" });
    expect(parsed.requestBody.note).toBe("REDACTED");
    expect(readFileSync(path, "utf8")).not.toMatch(/pa55-word-x|Basic abc|JSESSIONID=zzz/);
  });
});
