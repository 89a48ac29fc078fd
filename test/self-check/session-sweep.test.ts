/**
 * The session-sweep variation (src/reference/variations.ts): the embedded server drops one Bayeux
 * session every 1.5 s with re-handshake advice and keeps the agent's notifications for its next
 * subscription. A run of the notification-heavy requirements and T5 is clean — nothing FAIL, WARN
 * or ERROR — and its transcript shows the sweeps it survived: re-handshakes, each gap closed by a
 * confirmed subscription. (Before the suite subscribed again after a re-handshake, this run lost
 * every later notification of the swept agent: T7, O1, O3, T5 ERRORs and FAILs.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { TranscriptEntry } from "../../src/harness/transcript.js";
import { readSummary, runCli, tempDir, type CliRun } from "../cli/run-cli.js";

let out: string;
let run: CliRun;

beforeAll(async () => {
  out = tempDir("gws-session-sweep-");
  run = await runCli(["run", "--out", out, "--no-allure", "--only", "notifications,O1,O3,T5"], {
    GWS_REFERENCE_VARIATIONS: "session-sweep",
  });
});

describe("a run against a server that sweeps Bayeux sessions (re-handshake advice)", () => {
  it("judges every selected requirement: nothing FAIL, WARN or ERROR, T5.reconnect PASS", () => {
    const summary = readSummary(out);
    const bad = summary.requirements
      .filter((r) => ["FAIL", "WARN", "ERROR"].includes(r.status))
      .map((r) => `${r.id}=${r.status}: ${r.message.split("\n")[0]}`);
    expect(bad, run.stdout.slice(-3000)).toEqual([]);
    expect(summary.requirements.find((r) => r.id === "T5.reconnect")?.status).toBe("PASS");
    expect(run.code).toBe(0);
  });

  it("the transcript records the re-handshakes and every gap closed by a confirmed subscription", () => {
    const events = readFileSync(join(out, "transcript.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as TranscriptEntry)
      .filter((e): e is Extract<TranscriptEntry, { kind: "event" }> => e.kind === "event");
    const messages = events.map((e) => e.message);
    // The sweep hit at least one session the suite kept (the T5 re-handshake case adds one of its own).
    expect(messages.filter((m) => /^CometD handshake #\d+ \(re-handshake\)/.test(m)).length).toBeGreaterThanOrEqual(2);
    const begun = messages.filter((m) => m.startsWith("CometD subscription gap begins")).length;
    const ended = messages.filter((m) => m.startsWith("CometD subscription gap ends")).length;
    expect(begun).toBeGreaterThanOrEqual(2);
    expect(ended).toBe(begun);
    expect(
      messages.some((m) => /gap ends: from .* to .*402::session_unknown, advice reconnect handshake/.test(m)),
    ).toBe(true);
  });
});
