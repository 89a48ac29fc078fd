/**
 * npm run bench:run — wall time of the main job, `npm run conformance` (the full conformance run
 * against the embedded reference server, writing every report), next to a baseline measured in
 * the same session: the same command judging a single requirement (start-up, the embedded
 * server, one scenario, the reports). Median of --runs N (default 5), one run at a time.
 * Prints the figures; judges nothing.
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg, tmpdir } from "node:os";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../src/contract/schemas.js";

const args = process.argv.slice(2);
const runs = Number(args.includes("--runs") ? args[args.indexOf("--runs") + 1] : 5);
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

function measure(label: string, command: string, commandArgs: string[]): number[] {
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), "gws-bench-"));
    const started = process.hrtime.bigint();
    const r = spawnSync(command, [...commandArgs, "--out", out], { cwd: REPO_ROOT, env: { ...process.env, CI: "true" }, stdio: ["ignore", "ignore", "pipe"] });
    const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
    if (r.status !== 0) throw new Error(`${label} exited ${r.status}: ${r.stderr.toString().slice(-400)}`);
    walls.push(ms);
  }
  return walls;
}

console.log(`${runs} runs each, one at a time; ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} at the start`);
const baseline = measure("baseline", "npm", ["run", "-s", "conformance", "--", "--only", "T1.api-root"]);
const main = measure("main job", "npm", ["run", "-s", "conformance", "--"]);
const noAllure = measure("main job without Allure", "npm", ["run", "-s", "conformance", "--", "--no-allure"]);
const line = (label: string, v: number[]): string =>
  `${label.padEnd(46)} median ${String(median(v)).padStart(5)} ms  [${v.join(", ")}]  ${(median(v) / median(baseline)).toFixed(2)}× baseline`;
console.log(line("baseline: npm run conformance -- --only T1.api-root", baseline));
console.log(line("main job: npm run conformance", main));
console.log(line("main job with --no-allure", noAllure));
console.log(`load average ${loadavg()[0].toFixed(2)} at the end`);
