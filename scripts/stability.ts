/**
 * npm run stability -- [--runs N] [--out DIR]: runs the full suite N times (default 20) against
 * the embedded reference server and lists every scenario whose verdict changed between runs
 * (a flake), with its timings. Zero flakes is the bar: exits 1 when there is one.
 * Writes DIR/stability.json and DIR/stability.md. A bad flag: named, exit 2.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseFlags, runProgram, wholeNumber, type CliIo } from "../src/cli/command-line.js";
import { isEntryModule } from "../src/cli/entry.js";
import { REPO_ROOT } from "../src/contract/schemas.js";
import { scenarioStatus } from "../src/report/verdicts.js";
import type { RunResults } from "../src/report/results.js";
import { runConformance } from "./lib/run-conformance.js";

export interface Flake {
  scenario: string;
  verdicts: string[];
  durationsMs: number[];
}

/** Scenarios whose verdict differs between runs. Pure, unit-tested. */
export function findFlakes(runs: Array<Pick<RunResults, "scenarios">>): Flake[] {
  const byName = new Map<string, { verdicts: string[]; durationsMs: number[] }>();
  runs.forEach((run, i) => {
    for (const s of run.scenarios) {
      const e = byName.get(s.name) ?? {
        verdicts: new Array<string>(runs.length).fill("absent"),
        durationsMs: new Array<number>(runs.length).fill(0),
      };
      e.verdicts[i] = scenarioStatus(s);
      e.durationsMs[i] = s.durationMs;
      byName.set(s.name, e);
    }
  });
  return [...byName].filter(([, e]) => new Set(e.verdicts).size > 1).map(([scenario, e]) => ({ scenario, ...e }));
}

export const STABILITY_USAGE = `usage: npm run stability -- [--runs N] [--out DIR]
  --runs N    full runs, one at a time (default 20, at least 2)
  --out DIR   where stability.json and stability.md go (default reports/)`;

/** The command line: how many runs (≥ 2), where the reports go. */
export function parseStabilityArgs(argv: readonly string[]): { help: boolean; runs: number; out: string } {
  const { flags } = parseFlags(argv, {
    help: { type: "boolean", short: "h" },
    runs: { type: "string" },
    out: { type: "string" },
  });
  return {
    help: flags.help === true,
    runs: flags.runs === undefined ? 20 : wholeNumber("--runs", flags.runs, 2),
    out: flags.out ?? join(REPO_ROOT, "reports"),
  };
}

async function main(argv: string[], io: CliIo): Promise<number> {
  const { help, runs: runsWanted, out } = parseStabilityArgs(argv);
  if (help) {
    io.out(STABILITY_USAGE);
    return 0;
  }
  const work = join(out, "stability-runs");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const runs: RunResults[] = [];
  const walls: number[] = [];
  for (let i = 1; i <= runsWanted; i++) {
    // One run at a time: a flake must not be blamed on two runs sharing the cores.
    const r = await runConformance({ outDir: join(work, String(i)), args: ["--no-allure"] });
    walls.push(r.wallMs);
    try {
      runs.push(JSON.parse(readFileSync(join(work, String(i), "results.json"), "utf8")) as RunResults);
    } catch {
      io.err(`run ${i}: no results (exit ${r.exitCode}): ${r.stderrTail.slice(-300)}`);
      return 1;
    }
    io.out(`run ${i}/${runsWanted}: exit ${r.exitCode}, ${r.wallMs} ms`);
  }
  const flakes = findFlakes(runs);
  const md = [
    "# Stability",
    "",
    `${runsWanted} full runs against the embedded reference server; wall time per run ${Math.min(...walls)}–${Math.max(...walls)} ms.`,
    "",
    flakes.length === 0
      ? "No flakes: every scenario had the same verdict in every run."
      : "| scenario | verdicts per run | durations (ms) |\n|---|---|---|",
    ...flakes.map((f) => `| ${f.scenario} | ${f.verdicts.join(", ")} | ${f.durationsMs.join(", ")} |`),
    "",
  ].join("\n");
  const scenarios = new Set(runs.flatMap((r) => r.scenarios.map((sc) => sc.name))).size;
  writeFileSync(
    join(out, "stability.json"),
    `${JSON.stringify({ runs: runsWanted, scenarios, wallMs: walls, flakes }, null, 2)}\n`,
  );
  writeFileSync(join(out, "stability.md"), md);
  const flakeLines = flakes.map((f) => `  ${f.scenario}: ${f.verdicts.join(", ")}`).join("\n");
  io.out(
    flakes.length === 0
      ? `stability: no flakes in ${runsWanted} runs`
      : `stability: ${flakes.length} flaky scenario(s):\n${flakeLines}`,
  );
  return flakes.length === 0 ? 0 : 1;
}

if (isEntryModule(import.meta.url)) await runProgram("stability", main);
