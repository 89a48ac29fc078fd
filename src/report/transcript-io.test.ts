/** The one transcript reader: parts merged in time order with one copy of each notification, paths, errors, writing. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { setSecrets, type TranscriptEntry } from "../harness/transcript.js";
import {
  compareEntries,
  mergeTranscriptParts,
  parseTranscript,
  readTranscript,
  writeTranscript,
} from "./transcript-io.js";

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
const event = (worker: string, seq: number, ts: number, message: string): TranscriptEntry => ({
  kind: "event",
  worker,
  seq,
  ts,
  message,
});

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

  it("keeps one copy of a notification every worker received: that of the worker whose scenario it was", () => {
    const merged = mergeTranscriptParts([
      [note("w1", 1, 100)],
      [note("w2", 1, 101, "suite > accept")],
      [note("w3", 1, 99)],
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ worker: "w2", scenario: "suite > accept" });
  });
});

const tempDir = (): string => mkdtempSync(join(tmpdir(), "gws-transcript-"));
const jsonl = (entries: TranscriptEntry[]): string => `${entries.map((e) => JSON.stringify(e)).join("\n")}\n`;

describe("readTranscript", () => {
  it("a folder of worker parts: merged, each notification once (drift counts it once, not once per worker)", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "worker-1.jsonl"), jsonl([note("w1", 1, 100), event("w1", 2, 150, "w1 done")]));
    writeFileSync(join(dir, "worker-2.jsonl"), jsonl([note("w2", 1, 101, "suite > accept")]));
    writeFileSync(join(dir, "worker-3.jsonl"), jsonl([note("w3", 1, 99)]));
    const entries = readTranscript(dir);
    expect(entries.filter((e) => e.kind === "notification")).toEqual([note("w2", 1, 101, "suite > accept")]);
    expect(entries.map((e) => e.ts)).toEqual([101, 150]);
  });

  it("an unattributed notification every worker heard is kept once; a worker's own duplicate stays (N7)", () => {
    const merged = mergeTranscriptParts([[note("w1", 1, 100), note("w1", 2, 100)], [note("w2", 1, 100)]]);
    expect(merged.map((e) => [e.worker, e.seq])).toEqual([
      ["w1", 1],
      ["w1", 2],
    ]);
  });

  it("a file as it is; a run directory by its transcript.jsonl", () => {
    const dir = tempDir();
    const file = join(dir, "transcript.jsonl");
    writeFileSync(file, jsonl([event("w", 2, 200, "second"), event("w", 1, 100, "first")]));
    writeFileSync(join(dir, "other.jsonl"), jsonl([event("x", 1, 1, "not read")]));
    expect(readTranscript(file).map((e) => e.seq)).toEqual([2, 1]);
    expect(readTranscript(dir)).toEqual(readTranscript(file));
  });

  it("names what is wrong: a missing path, an empty folder, a line that is no entry", () => {
    expect(() => readTranscript("/no/such/transcript.jsonl")).toThrow(/no such transcript/);
    const empty = tempDir();
    mkdirSync(join(empty, "sub"));
    expect(() => readTranscript(empty)).toThrow(/holds no transcript.jsonl and no \*.jsonl/);
    expect(() => parseTranscript('{"kind":"event","seq":1,"ts":1,"message":"x"}\n\nnot json\n', "t.jsonl")).toThrow(
      /^t.jsonl:3: not JSON/,
    );
    expect(() => parseTranscript('{"kind":"bogus"}', "t.jsonl")).toThrow(
      /t.jsonl:1: not a transcript entry \(kind "bogus"\)/,
    );
  });
});

describe("writeTranscript", () => {
  it("writes JSONL with every registered secret and credential header redacted", () => {
    setSecrets(["pa55-word-x"]);
    const path = join(tempDir(), "transcript.jsonl");
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
    expect(parsed.requestHeaders).toEqual({
      authorization: "REDACTED",
      cookie: "REDACTED",
      "x-csrf-token": "REDACTED",
    });
    expect(parsed.requestBody.note).toBe("REDACTED");
    expect(readFileSync(path, "utf8")).not.toMatch(/pa55-word-x|Basic abc|JSESSIONID=zzz/);
  });
});
