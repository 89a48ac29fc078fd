/**
 * npm run bench:run — wall time of the main job, `npm run conformance` (the full conformance run
 * against the embedded reference server, writing every report), next to a baseline measured in
 * the same session: the same command judging a single requirement (start-up, the embedded
 * server, one scenario, the reports). Median of --runs N (default 5), one run at a time.
 * Prints the figures; judges nothing. A bad flag: named, exit 2.
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg, tmpdir } from "node:os";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { parseFlags, runProgram, wholeNumber, type CliIo } from "../src/cli/command-line.js";
import { isEntryModule } from "../src/cli/entry.js";
import { REPO_ROOT } from "../src/contract/schemas.js";

/** The command line: --runs N (default 5, at least 1). */
export function parseBenchRunArgs(argv: readonly string[]): { runs: number } {
  const { flags } = parseFlags(argv, { runs: { type: "string" } });
  return { runs: flags.runs === undefined ? 5 : wholeNumber("--runs", flags.runs, 1) };
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

function measure(runs: number, label: string, command: string, commandArgs: string[]): number[] {
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), "gws-bench-"));
    const started = process.hrtime.bigint();
    const r = spawnSync(command, [...commandArgs, "--out", out], {
      cwd: REPO_ROOT,
      env: { ...process.env, CI: "true" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
    if (r.status !== 0) throw new Error(`${label} exited ${r.status}: ${r.stderr.toString().slice(-400)}`);
    walls.push(ms);
  }
  return walls;
}

async function main(argv: string[], io: CliIo): Promise<number> {
  const { runs } = parseBenchRunArgs(argv);
  const load = (): string => loadavg()[0].toFixed(2);
  io.out(`${runs} runs each, one at a time; ${cpus().length} cores, load average ${load()} at the start`);
  const baseline = measure(runs, "baseline", "npm", ["run", "-s", "conformance", "--", "--only", "T1.api-root"]);
  const mainJob = measure(runs, "main job", "npm", ["run", "-s", "conformance", "--"]);
  const noAllure = measure(runs, "main job without Allure", "npm", ["run", "-s", "conformance", "--", "--no-allure"]);
  const line = (label: string, v: number[]): string =>
    `${label.padEnd(46)} median ${String(median(v)).padStart(5)} ms  [${v.join(", ")}]  ` +
    `${(median(v) / median(baseline)).toFixed(2)}× baseline`;
  io.out(line("baseline: npm run conformance -- --only T1.api-root", baseline));
  io.out(line("main job: npm run conformance", mainJob));
  io.out(line("main job with --no-allure", noAllure));
  io.out(`load average ${load()} at the end`);
  return 0;
}

if (isEntryModule(import.meta.url)) await runProgram("bench:run", main);
