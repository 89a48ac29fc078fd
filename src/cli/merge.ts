/**
 * `gws-conformance merge DIR... [--out DIR] [--expected-failures FILE]`: one summary, certificate,
 * JUnit, transcript and Allure report from the outputs of shard runs (--shard i/n).
 */
import { existsSync, mkdirSync, readFileSync, cpSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TranscriptEntry } from "../harness/transcript.js";
import { generateAllureReport } from "../report/allure.js";
import type { RunResults } from "../report/results.js";
import { writeTranscript } from "../report/transcript-merge.js";
import { exitCodeOf } from "../report/verdicts.js";
import { writeReports } from "../report/write.js";
import { UsageError } from "./args.js";
import { ConfigError, loadExpectedFailures, printVerdict, type CliIo } from "./run.js";

export function mergeRuns(runs: RunResults[]): RunResults {
  if (runs.length === 0) throw new ConfigError("merge: no run to merge");
  const targets = [...new Set(runs.map((r) => r.target))];
  if (targets.length > 1) throw new ConfigError(`merge: the runs are of different targets (${targets.join(", ")})`);
  return {
    startedAt: runs.map((r) => r.startedAt).sort()[0],
    endedAt: runs.map((r) => r.endedAt).sort().reverse()[0],
    target: targets[0],
    settings: runs[0].settings,
    ...(runs[0].filter ? { filter: runs[0].filter } : {}),
    scenarios: runs.flatMap((r) => r.scenarios),
    runErrors: runs.flatMap((r) => r.runErrors),
  };
}

export async function mergeCommand(argv: string[], io: CliIo): Promise<number> {
  const dirs: string[] = [];
  let out = "reports/merged";
  let expectedPath: string | undefined;
  let noAllure = false;
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === "--out") out = argv[++i] ?? "";
      else if (a === "--expected-failures") expectedPath = argv[++i];
      else if (a === "--no-allure") noAllure = true;
      else if (a.startsWith("--")) throw new UsageError(`merge: unknown flag ${a}`);
      else dirs.push(a);
    }
    if (!out) throw new UsageError("merge: --out needs a value");
    if (dirs.length === 0) throw new UsageError("merge: name the shard output directories to merge");
    for (const d of dirs) if (!existsSync(join(d, "results.json"))) throw new ConfigError(`merge: ${d} has no results.json (is it a run's --out directory?)`);
    const expected = expectedPath ? loadExpectedFailures(expectedPath) : undefined;
    const runs = dirs.map((d) => JSON.parse(readFileSync(join(d, "results.json"), "utf8")) as RunResults);
    const merged = mergeRuns(runs);
    const target = resolve(out);
    mkdirSync(target, { recursive: true });
    const written = writeReports(target, merged, { expected, mergedFrom: dirs.map((d) => resolve(d)) });
    const entries = dirs
      .flatMap((d) => (existsSync(join(d, "transcript.jsonl")) ? readFileSync(join(d, "transcript.jsonl"), "utf8").split("\n").filter(Boolean) : []))
      .map((l) => JSON.parse(l) as TranscriptEntry)
      .sort((a, b) => a.ts - b.ts);
    writeTranscript(join(target, "transcript.jsonl"), entries);
    const results = join(target, "allure-results");
    rmSync(results, { recursive: true, force: true });
    mkdirSync(results, { recursive: true });
    for (const d of dirs) if (existsSync(join(d, "allure-results"))) cpSync(join(d, "allure-results"), results, { recursive: true });
    if (!noAllure) {
      const allure = await generateAllureReport(results, target, `GWS e-mail conformance: ${merged.target} (merged)`);
      if (!allure.ok) io.err(`gws-conformance: Allure report not generated: ${allure.message}`);
    }
    printVerdict(written.summary, io);
    return exitCodeOf(written.verdicts);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      io.err(`gws-conformance: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
