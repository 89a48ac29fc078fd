/**
 * Runs `gws-conformance run` as a child process (the same compiled command users run; `npm run
 * build` first) and reads the summary it writes. Used by the mutation and stability scripts and their tests.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../src/contract/schemas.js";

export interface RequirementResult {
  id: string;
  level: string;
  status: string;
  message?: string;
  tests?: string[];
}

export interface RunOutcome {
  exitCode: number | null;
  wallMs: number;
  outDir: string;
  summary?: { requirements: RequirementResult[]; [k: string]: unknown };
  stderrTail: string;
}

/** Budget for one full run: a hung run is killed and reported, never waited on forever. */
export const RUN_BUDGET_MS = 120_000;

export function runConformance(opts: {
  outDir: string;
  env?: Record<string, string>;
  args?: string[];
}): Promise<RunOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, "bin", "gws-conformance.js"), "run", "--out", opts.outDir, ...(opts.args ?? [])],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, CI: "true", ...opts.env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stdout.resume();
    child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_BUDGET_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      let summary: RunOutcome["summary"];
      try {
        summary = JSON.parse(readFileSync(join(opts.outDir, "summary.json"), "utf8")) as RunOutcome["summary"];
      } catch {
        summary = undefined;
      }
      resolve({ exitCode: code, wallMs: Date.now() - started, outDir: opts.outDir, summary, stderrTail: stderr });
    });
  });
}

/** Runs `tasks` with at most `limit` at once (the machine has 2 cores). */
export async function inPool<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}
