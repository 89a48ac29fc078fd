/**
 * Judge what answered (src/harness/preflight.ts): targets that misbehave the way real ones do,
 * each a small real server (test/support/hostile-targets.ts), run through the command.
 *   - answered but broke a MUST → that requirement FAILs, every other one is ERROR naming it,
 *     NON_CONFORMANT;
 *   - never answered (dead, reset, hung) or not HTTP → INCOMPLETE, with the reason said once;
 *   - an endless answer body is read up to the cap only: memory stays flat, the run ends.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as hostile from "../support/hostile-targets.js";
import { type CliRun, readSummary, runFixtures, tempDir } from "./run-cli.js";
import type { ConformanceSummary } from "../../src/report/summary.js";

async function runAgainst(
  target: hostile.HostileTarget,
  extra: string[] = [],
): Promise<{ run: CliRun; summary: ConformanceSummary; out: string }> {
  const out = tempDir("gws-hostile-");
  try {
    const run = await runFixtures(out, target.env, extra);
    return { run, summary: readSummary(out), out };
  } finally {
    await target.close();
  }
}

/** Lines of the command's output that carry `text`: the reason must not repeat per requirement. */
const linesWith = (run: CliRun, text: string): string[] =>
  (run.stdout + run.stderr).split("\n").filter((l) => l.includes(text));

describe("a target that answered but broke a MUST is NON_CONFORMANT, with the requirement it broke", () => {
  it("500 to everything: R2.no-5xx FAIL; the rest ERROR naming R2.no-5xx", async () => {
    const { run, summary, out } = await runAgainst(await hostile.json500());
    expect(run.code).toBe(1);
    expect(summary.verdict).toBe("NON_CONFORMANT");
    expect(summary.requirements.find((r) => r.id === "R2.no-5xx")).toMatchObject({ status: "FAIL" });
    expect(summary.requirements.find((r) => r.id === "R2.no-5xx")?.message).toMatch(/answered HTTP 500/);
    const o1 = summary.requirements.find((r) => r.id === "O1.answer-ok");
    expect(o1?.status).toBe("ERROR");
    expect(o1?.message).toMatch(/not judged: depends on R2\.no-5xx, which FAILed/);
    expect(run.stdout).toMatch(/^verdict: NON_CONFORMANT\b/m);
    expect(linesWith(run, "answered HTTP 500").length).toBeLessThanOrEqual(3);
    // The evidence is in the transcript, attributed to the pre-flight.
    const transcript = readFileSync(join(out, "transcript.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(transcript).toContainEqual(expect.objectContaining({ kind: "http", status: 500, scenario: "pre-flight" }));
  });

  it("HTML 200 to the Bayeux handshake: T5.handshake FAIL; REST was served", async () => {
    const { run, summary } = await runAgainst(await hostile.htmlHandshake());
    expect(run.code).toBe(1);
    expect(summary.verdict).toBe("NON_CONFORMANT");
    const t5 = summary.requirements.find((r) => r.id === "T5.handshake");
    expect(t5?.status).toBe("FAIL");
    expect(t5?.message).toMatch(/not Bayeux JSON/);
    expect(summary.requirements.find((r) => r.id === "T4.basic-auth")?.status).toBe("PASS");
    expect(summary.requirements.find((r) => r.id === "O1.answer-ok")?.message).toMatch(
      /depends on T5\.handshake, which FAILed/,
    );
  });
});

describe("a target that never answered is INCOMPLETE, said once", () => {
  it.each([
    ["dead port", hostile.deadPort, /ECONNREFUSED/],
    ["connection reset", hostile.reset, /no answer \(.*(ECONNRESET|other side closed|socket)/i],
    ["garbage bytes", hostile.garbageBytes, /does not speak HTTP/],
  ] as const)("%s", async (_name, make, reason) => {
    const { run, summary } = await runAgainst(await make());
    expect(run.code).toBe(3); // could not judge the target (EXIT_INCOMPLETE), not a regression
    expect(summary.verdict).toBe("INCOMPLETE");
    expect(summary.requirements.every((r) => r.status === "ERROR" || r.status === "NOT_TESTABLE")).toBe(true);
    expect(summary.requirements.find((r) => r.id === "O1.answer-ok")?.message).toMatch(reason);
    // One pre-flight line, one grouped ERROR line: never one per requirement.
    expect(run.stdout).toMatch(/^gws-conformance: pre-flight: .*nothing can be judged \(INCOMPLETE\)$/m);
    expect(linesWith(run, "pre-flight").length).toBeLessThanOrEqual(2);
    expect(run.stdout).not.toMatch(/^(PASS|FAIL|ERROR|SKIP|WARN) +\S+ > /m); // no scenario ran
    expect(run.wallMs).toBeLessThan(30_000);
  });
});

describe("an endless answer body is read up to the cap: memory stays flat, the run ends", () => {
  // The command's own footprint (tsx compiling the suite, the compiled validators) is the
  // baseline: measured in the same test against a target that answers at once.
  let baselineRss = 0;
  const budgetMs = 30_000;

  it.each([
    ["REST", "rest", "R1.ok-envelope"],
    ["Bayeux", "bayeux", "T5.handshake"],
  ] as const)("on the %s endpoint", async (_name, where, requirement) => {
    if (!baselineRss) baselineRss = (await runAgainst(await hostile.json500())).run.peakRssBytes;
    const target = await hostile.endlessBody(where);
    const { run, summary } = await runAgainst(target);
    expect(run.code).toBe(1);
    expect(summary.verdict).toBe("NON_CONFORMANT");
    const r = summary.requirements.find((x) => x.id === requirement);
    expect(r?.status).toBe("FAIL");
    expect(r?.message).toMatch(/answer larger than 1048576 bytes/);
    // What the server managed to push before the client dropped the connection: cap + socket buffers.
    expect(target.bytesWritten()).toBeLessThan(16 * 1024 * 1024);
    expect(run.peakRssBytes, `peak RSS ${run.peakRssBytes >> 20} MiB, baseline ${baselineRss >> 20} MiB`).toBeLessThan(
      baselineRss + 64 * 1024 * 1024,
    );
    expect(run.wallMs).toBeLessThan(budgetMs);
  });
});
