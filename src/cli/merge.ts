/**
 * `gws-conformance merge DIR... [--out DIR] [--expected-failures FILE] [--no-allure]`: one summary,
 * certificate, JUnit, transcript and Allure report from the outputs of shard runs (--shard i/n).
 * It reads each DIR/results.json (the raw per-scenario results a run keeps for this), so the
 * merged verdicts are computed exactly as for one run. A missing shard of a set leaves the
 * merged run INCOMPLETE; the same shard twice, or runs of different targets or selections, is a
 * configuration error.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { generateConformanceAllure } from "../report/allure.js";
import { copyRawResults, writeRequirementResults } from "../report/allure-requirements.js";
import { fileSha256 } from "../report/fingerprint.js";
import type { RunResults } from "../report/results.js";
import {
  mergeTranscriptParts,
  readTranscript,
  TRANSCRIPT_FILE,
  writeTranscript,
  type TranscriptEntry,
} from "../report/transcript-io.js";
import { exitCodeOf } from "../report/verdicts.js";
import { writeReports } from "../report/write.js";
import { areLoadOutputs, mergeLoadCommand } from "../load/command.js";
import { ConfigError, parseFlags, reportCliError, UsageError, type CliIo } from "./command-line.js";
import { loadExpectedFailures } from "./run.js";
import { printReportPaths, printVerdict } from "./terminal.js";

export const MERGE_USAGE = `usage: gws-conformance merge DIR... [--out DIR] [--expected-failures FILE] [--no-allure]

Merges the outputs of shard runs (gws-conformance run --shard i/n --out DIR) into one
summary.json, certificate.md, junit.xml, transcript.jsonl and Allure report.
  DIR...                       the --out directories of the shard runs (each holds results.json)
  --out DIR                    where the merged reports go (default reports/merged)
  --expected-failures FILE     baseline of known failures, judged on the merged verdicts
  --no-allure                  no Allure HTML report
  --help                       this text

The verdict (summary.json, certificate) is computed over the merged shards. Exit codes as for
run (the gate): 0 nothing the shards were asked to judge failed or errored and the baseline is
fresh, 1 a MUST failed outside the baseline or the baseline is stale, 2 configuration error,
3 something could not be judged (a slice missing, an ERROR) and nothing failed.`;

export function mergeRuns(runs: RunResults[]): RunResults {
  if (runs.length === 0) throw new ConfigError("no run to merge");
  const targets = [...new Set(runs.map((r) => r.target))];
  if (targets.length > 1) throw new ConfigError(`the runs are of different targets (${targets.join(", ")})`);
  const filters = [...new Set(runs.map((r) => JSON.stringify(r.filter ?? {})))];
  if (filters.length > 1) throw new ConfigError(`the runs have different selections (${filters.join(" vs ")})`);
  const runErrors = runs.flatMap((r) => r.runErrors);

  // Shards: each slice once; a slice missing from a set of n leaves the merged run incomplete.
  const shards = runs.map((r) => r.shard).filter((s): s is string => !!s);
  const seen = new Set<string>();
  for (const s of shards) {
    if (seen.has(s)) throw new ConfigError(`shard ${s} is given twice`);
    seen.add(s);
  }
  for (const n of new Set(shards.map((s) => Number(s.split("/")[1])))) {
    const missing = Array.from({ length: n }, (_, i) => `${i + 1}/${n}`).filter((s) => !seen.has(s));
    if (missing.length)
      runErrors.push(`merge: shard(s) ${missing.join(", ")} missing: their scenarios were not merged`);
  }
  // Shards sharing one deployment may each use their own agents: the merged settings list them all.
  const agents = new Map<string, unknown>();
  for (const r of runs)
    for (const a of (Array.isArray(r.settings.agents) ? r.settings.agents : []) as Array<{ username?: string }>)
      agents.set(String(a.username), a);
  return {
    startedAt: runs.map((r) => r.startedAt).sort()[0],
    endedAt: runs
      .map((r) => r.endedAt)
      .sort()
      .reverse()[0],
    target: targets[0],
    settings: { ...runs[0].settings, ...(agents.size ? { agents: [...agents.values()] } : {}) },
    ...(runs[0].filter ? { filter: runs[0].filter } : {}),
    scenarios: runs.flatMap((r) => r.scenarios),
    runErrors,
  };
}

/** A shard's transcript; one that cannot be read is a configuration error naming the line. */
function shardTranscript(dir: string): TranscriptEntry[] {
  try {
    return readTranscript(join(dir, TRANSCRIPT_FILE));
  } catch (e) {
    throw new ConfigError(`merge: ${(e as Error).message}`);
  }
}
const MERGE_FLAGS = {
  help: { type: "boolean", short: "h" },
  out: { type: "string" },
  "expected-failures": { type: "string" },
  "no-allure": { type: "boolean" },
} as const;

export async function mergeCommand(argv: string[], io: CliIo): Promise<number> {
  try {
    const { flags, positionals: dirs } = parseFlags(argv, MERGE_FLAGS, { positionals: true });
    if (flags.help) {
      io.out(MERGE_USAGE);
      return 0;
    }
    const out = flags.out ?? "reports/merged";
    const expectedPath = flags["expected-failures"];
    const noAllure = flags["no-allure"] === true;
    if (dirs.length === 0) throw new UsageError("name the shard output directories to merge");
    // Outputs of `gws-conformance load` (load.json): their histograms are added (src/load/).
    if (areLoadOutputs(dirs)) return mergeLoadCommand(dirs, out, io);
    for (const d of dirs) {
      if (!existsSync(join(d, "results.json")))
        throw new ConfigError(`${d} has no results.json (is it a run's --out directory?)`);
    }
    const expected = expectedPath ? loadExpectedFailures(expectedPath) : undefined;
    const runs = dirs.map((d) => JSON.parse(readFileSync(join(d, "results.json"), "utf8")) as RunResults);
    const merged = mergeRuns(runs);
    const target = resolve(out);
    mkdirSync(target, { recursive: true });
    // Shards that share agents each heard the others' notifications: the merge keeps one copy.
    const entries = mergeTranscriptParts(dirs.filter((d) => existsSync(join(d, TRANSCRIPT_FILE))).map(shardTranscript));
    // The transcript first: the summary and the certificates carry its hash.
    const transcript = join(target, TRANSCRIPT_FILE);
    writeTranscript(transcript, entries);
    const written = writeReports(target, merged, {
      expected,
      mergedFrom: dirs.map((d) => resolve(d)),
      transcriptSha256: fileSha256(transcript),
      transcript: entries,
    });
    const results = join(target, "allure-results");
    rmSync(results, { recursive: true, force: true });
    rmSync(join(target, "allure-report"), { recursive: true, force: true });
    let allureOk = false;
    if (!noAllure) {
      // The shards' raw scenario results and attachments; the per-requirement results are made
      // again from the merged verdicts.
      for (const d of dirs) copyRawResults(join(d, "allure-results"), results);
      writeRequirementResults(results, written.run, written.verdicts, entries);
      const allure = await generateConformanceAllure(results, target, `${merged.target} (merged)`, written.verdicts);
      if (!allure.ok) io.err(`gws-conformance: Allure report not generated: ${allure.message}`);
      allureOk = allure.ok;
    }
    printVerdict(written.summary, io);
    printReportPaths(
      written.summary,
      {
        certificate: join(target, "certificate.html"),
        ...(allureOk ? { allure: join(target, "allure-report", "index.html") } : {}),
        summary: join(target, "summary.json"),
      },
      io,
    );
    return exitCodeOf(written.verdicts);
  } catch (e) {
    return reportCliError(io, "gws-conformance: merge", e, "(see merge --help)");
  }
}
