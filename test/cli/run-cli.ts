/**
 * Test support: runs the gws-conformance command as a child process with a bounded budget — the
 * compiled command a user runs (bin/gws-conformance.js → dist/, built by `npm test`'s pretest).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../src/contract/schemas.js";
import type { ConformanceSummary } from "../../src/report/summary.js";

/** Small suites whose verdicts are known in advance (one PASS, one FAIL, one SKIP, …). */
export const FIXTURE_SUITES = "test/fixtures/report-suites";

/** A fresh folder under the system's temporary folder. */
export const tempDir = (prefix = "gws-cli-"): string => mkdtempSync(join(tmpdir(), prefix));

/** The summary.json a run wrote to `out`. */
export const readSummary = (out: string): ConformanceSummary =>
  JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as ConformanceSummary;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident set size of the command's process in bytes, sampled every 50 ms (Linux /proc). */
  peakRssBytes: number;
}

/** The resident set size of a process (Linux), or 0 when it cannot be read (gone, not Linux). */
export function rssOf(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export const CLI_BUDGET_MS = 90_000;

export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const started = Date.now();
  const cleanEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GWS_") && v !== undefined) cleanEnv[k] = v;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) cleanEnv[k] = v;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "gws-conformance.js"), ...args], {
      cwd: REPO_ROOT,
      env: { ...cleanEnv, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), CLI_BUDGET_MS);
    let peakRssBytes = 0;
    const sampler = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, rssOf(child.pid))), 50);
    child.on("close", (code) => {
      clearTimeout(timer);
      clearInterval(sampler);
      resolve({ code, stdout, stderr, wallMs: Date.now() - started, peakRssBytes });
    });
  });
}

/** `run` of the fixture suites, reports to `out` without Allure, against the target `env` points at. */
export function runFixtures(
  out: string,
  env: Record<string, string | undefined>,
  extraArgs: string[] = [],
): Promise<CliRun> {
  return runCli(["run", "--suites", FIXTURE_SUITES, "--out", out, "--no-allure", ...extraArgs], env);
}
