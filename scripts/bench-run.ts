/**
 * npm run bench:run — wall time of the full conformance run against the embedded reference
 * server (the main job), next to a baseline measured in the same session: the same command
 * judging a single requirement (startup, the embedded server, one scenario, the reports).
 * The ratio shows what the suites themselves cost. Options: --runs N (default 3). Prints only.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runConformance } from "./lib/run-conformance.js";

const args = process.argv.slice(2);
const runs = Number(args.includes("--runs") ? args[args.indexOf("--runs") + 1] : 3);
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function measure(label: string, extra: string[]): Promise<number[]> {
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runConformance({ outDir: mkdtempSync(join(tmpdir(), "gws-bench-")), args: extra });
    if (r.exitCode !== 0) throw new Error(`${label} run exited ${r.exitCode}: ${r.stderrTail.slice(-300)}`);
    walls.push(r.wallMs);
  }
  return walls;
}

const baseline = await measure("baseline", ["--only", "T1.api-root", "--no-allure"]);
const full = await measure("full", ["--no-allure"]);
const withAllure = await measure("full with Allure", []);
console.log(`runs: ${runs} each, one at a time, on this machine (${(await import("node:os")).cpus().length} cores)`);
console.log(`baseline (one requirement)      median ${median(baseline)} ms  [${baseline.join(", ")}]`);
console.log(`full run, no Allure             median ${median(full)} ms  [${full.join(", ")}]  ${(median(full) / median(baseline)).toFixed(2)}× baseline`);
console.log(`full run with the Allure report median ${median(withAllure)} ms  [${withAllure.join(", ")}]  ${(median(withAllure) / median(baseline)).toFixed(2)}× baseline`);
