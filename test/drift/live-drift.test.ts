/**
 * Drift against live traffic: the notification and answer suites run against the reference
 * server with faults that add a field, change a type, or switch the answer envelope; the drift
 * report of the run's transcript names exactly the injected change. On the clean server it
 * reports no server drift at all.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDriftReport, serverDrift } from "../../src/drift/report.js";
import { readTranscript } from "../../src/report/transcript-io.js";
import { runCli } from "../cli/run-cli.js";

async function driftOf(
  fault: string | undefined,
): Promise<Array<{ kind: string; subject?: string; path?: string; summary: string }>> {
  const out = mkdtempSync(join(tmpdir(), "gws-live-drift-"));
  const run = await runCli(
    ["run", "--suites", "suites/notifications", "--out", out, "--no-allure"],
    fault ? { GWS_REFERENCE_FAULT: fault } : {},
  );
  // A scoped run leaves other suites' requirements unjudged: INCOMPLETE (exit 3) is a judged run too.
  expect([0, 1, 3], run.stderr).toContain(run.code);
  return serverDrift(buildDriftReport(readTranscript(out)));
}

describe("drift on live traffic", () => {
  it.concurrent("`gws-conformance drift` with no transcript judges the target first, then reports its drift", async () => {
    const out = mkdtempSync(join(tmpdir(), "gws-live-drift-cli-"));
    const run = await runCli(["drift", "--suites", "suites/answers", "--no-allure", "--out", out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/server drift 0/);
    const report = JSON.parse(readFileSync(join(out, "drift.json"), "utf8")) as Record<string, unknown>;
    expect(report).toBeTypeOf("object");
    expect(readFileSync(join(out, "drift.md"), "utf8")).toMatch(/# Drift report/);
  });

  it.concurrent("the clean reference server shows no server drift", async () => {
    expect(await driftOf(undefined)).toEqual([]);
  });

  it.concurrent("an added field is named with its path (accepted-extra-field)", async () => {
    const found = await driftOf("accepted-extra-field");
    expect(found.map((f) => [f.kind, f.subject, f.path])).toEqual([
      ["undocumented-field", "notification:Accepted", "$.priority"],
    ]);
  });

  it.concurrent("a changed type is named with its path (accepted-attachment-size-boolean)", async () => {
    const found = await driftOf("accepted-attachment-size-boolean");
    expect(found.map((f) => [f.kind, f.subject, f.path])).toEqual([
      ["type-mismatch", "notification:Accepted", "$.email_object.attachments[].size"],
    ]);
  });

  it.concurrent("the statusCode envelope is named once per operation, and nothing else (status-code-envelope)", async () => {
    const found = await driftOf("status-code-envelope");
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found.map((f) => f.kind))).toEqual(new Set(["envelope"]));
    expect(found.every((f) => /statusCode/.test(f.summary))).toBe(true);
  });
});
