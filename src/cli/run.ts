/**
 * `gws-conformance run`: resolve the target (starting the embedded reference server when no
 * GWS_BASE_URL is set), run the conformance projects with vitest, and write every report.
 * Exit codes: 0 conformant, 1 not conformant or incomplete, 2 configuration or harness error.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { startVitest } from "vitest/node";
import { contractValidator, formatViolations } from "../contract/validators.js";
import { isRequirementId } from "../contract/registry.js";
import { REPO_ROOT } from "../contract/schemas.js";
import { RESOLVED_TARGET_ENV, resolveTarget } from "../harness/global-setup.js";
import { SELECTION_ENV, type Selection } from "../harness/selection.js";
import { redactedSettings, resolveSettings, secretsOf, SettingsError } from "../harness/settings.js";
import { setSecrets, redactText } from "../harness/transcript.js";
import { generateAllureReport } from "../report/allure.js";
import { NO_ALLURE_ENV } from "../harness/allure-bridge.js";
import { ResultCollector } from "../report/collector.js";
import type { RunResults } from "../report/results.js";
import { mergeTranscriptParts, readTranscriptParts, writeTranscript } from "../report/transcript-merge.js";
import { exitCodeOf, type ExpectedFailure } from "../report/verdicts.js";
import { writeReports } from "../report/write.js";
import type { RunArgs } from "./args.js";

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  color: boolean;
}

export class ConfigError extends Error {}

/** Loads and checks an expected-failures baseline; an unknown ID or a bad entry is a configuration error. */
export function loadExpectedFailures(path: string): ExpectedFailure[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConfigError(`--expected-failures: cannot read ${path}: ${(e as Error).message}`);
  }
  const v = contractValidator().validate("reports/expected-failures.schema.json", data);
  if (!v.ok) throw new ConfigError(`--expected-failures: ${path} is not a baseline:\n${formatViolations(v.violations)}`);
  const entries = data as ExpectedFailure[];
  const unknown = entries.filter((e) => !isRequirementId(e.id)).map((e) => e.id);
  if (unknown.length) throw new ConfigError(`--expected-failures: unknown requirement ID(s) ${unknown.join(", ")} in ${path}`);
  return entries;
}

const COLORS: Record<string, string> = { PASS: "\x1b[32m", FAIL: "\x1b[31m", WARN: "\x1b[33m", ERROR: "\x1b[35m", SKIP: "\x1b[90m" };

export async function runCommand(args: RunArgs, io: CliIo): Promise<number> {
  // 1. Configuration: every problem here stops the run before any test (exit 2).
  let settings;
  let expected: ExpectedFailure[] | undefined;
  try {
    settings = resolveSettings({ env: process.env, flags: args.flags, configFile: args.config });
    if (args.expectedFailures) expected = loadExpectedFailures(args.expectedFailures);
    for (const key of [...(args.only ?? []), ...(args.skip ?? [])]) if (!key) throw new ConfigError("--only/--skip: empty entry");
    if (args.suites && !existsSync(args.suites)) throw new ConfigError(`--suites: no directory ${args.suites}`);
  } catch (e) {
    if (e instanceof SettingsError || e instanceof ConfigError) {
      io.err(`gws-conformance: ${e.message}`);
      return 2;
    }
    throw e;
  }
  setSecrets(secretsOf(settings));
  const out = resolve(args.out);
  mkdirSync(out, { recursive: true });
  const allureResults = join(out, "allure-results");
  const transcriptParts = join(out, ".transcript-parts");
  for (const d of [allureResults, transcriptParts, join(out, "allure-report")]) rmSync(d, { recursive: true, force: true });

  // 2. The target: the embedded reference server is started once for the whole run.
  let target;
  try {
    target = await resolveTarget(process.env, settings);
  } catch (e) {
    io.err(`gws-conformance: could not start the embedded reference server: ${(e as Error).message}`);
    return 2;
  }
  setSecrets(secretsOf(target.target));
  const selection: Selection = { ...(args.only ? { only: args.only } : {}), ...(args.skip ? { skip: args.skip } : {}), ...(args.level ? { level: args.level } : {}) };
  const hasSelection = Object.keys(selection).length > 0;
  io.out(`gws-conformance: target ${target.target.label}; reports in ${out}`);

  // 3. The run. Workers get the target, the transcript directory and the selection through the environment.
  const collector = new ResultCollector((line, status) => io.out(io.color ? `${COLORS[status] ?? ""}${line}\x1b[0m` : line));
  const startedAt = new Date().toISOString();
  const saved = { target: process.env[RESOLVED_TARGET_ENV], transcript: process.env.GWS_TRANSCRIPT_DIR, selection: process.env[SELECTION_ENV], suites: process.env.GWS_SUITES_DIR, noAllure: process.env[NO_ALLURE_ENV] };
  if (args.noAllure) process.env[NO_ALLURE_ENV] = "1";
  process.env[RESOLVED_TARGET_ENV] = JSON.stringify(target.target);
  process.env.GWS_TRANSCRIPT_DIR = transcriptParts;
  if (hasSelection) process.env[SELECTION_ENV] = JSON.stringify(selection);
  else delete process.env[SELECTION_ENV];
  if (args.suites) process.env.GWS_SUITES_DIR = resolve(args.suites);
  try {
    const vitest = await startVitest(
      "test",
      [],
      {
        root: REPO_ROOT,
        config: join(REPO_ROOT, "vitest.config.ts"),
        project: ["conformance", "conformance-exclusive"],
        watch: false,
        passWithNoTests: true,
        reporters: args.noAllure ? [collector] : [collector, ["allure-vitest/reporter", { resultsDir: allureResults }]],
        ...(args.shard ? { shard: args.shard } : {}),
      },
      {},
      { stdout: process.stderr, stderr: process.stderr },
    );
    await vitest?.close();
  } catch (e) {
    collector.runErrors.push(`the test runner failed: ${redactText((e as Error).message)}`);
  } finally {
    await target.close().catch((e: Error) => collector.runErrors.push(`closing the target: ${e.message}`));
    for (const [k, v] of [
      [RESOLVED_TARGET_ENV, saved.target],
      ["GWS_TRANSCRIPT_DIR", saved.transcript],
      [SELECTION_ENV, saved.selection],
      ["GWS_SUITES_DIR", saved.suites],
      [NO_ALLURE_ENV, saved.noAllure],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }

  // 4. Reports, whatever happened above.
  const run: RunResults = {
    ...(args.shard ? { shard: args.shard } : {}),
    startedAt,
    endedAt: new Date().toISOString(),
    target: target.target.label,
    settings: redactedSettings(target.target),
    ...(hasSelection ? { filter: selection } : {}),
    scenarios: collector.scenarios,
    runErrors: collector.runErrors,
  };
  const written = writeReports(out, run, { expected });
  writeTranscript(join(out, "transcript.jsonl"), mergeTranscriptParts(readTranscriptParts(transcriptParts)));
  rmSync(transcriptParts, { recursive: true, force: true });
  if (!args.noAllure) {
    const allure = await generateAllureReport(allureResults, out, `GWS e-mail conformance: ${target.target.label}`);
    if (!allure.ok) io.err(`gws-conformance: Allure report not generated: ${allure.message}`);
  }
  printVerdict(written.summary, io);
  return exitCodeOf(written.verdicts);
}

export function printVerdict(summary: { overall: string; counts: Record<string, number>; requirements: Array<{ id: string; status: string; message: string; expectedFailure?: string }>; baselineProblems: string[] }, io: CliIo): void {
  for (const r of summary.requirements.filter((x) => x.status === "FAIL" || x.status === "ERROR")) {
    io.out(`${r.status} ${r.id}${r.expectedFailure ? " (expected)" : ""}: ${r.message.split("\n")[0].slice(0, 200)}`);
  }
  for (const b of summary.baselineProblems) io.out(`BASELINE ${b}`);
  const c = summary.counts;
  io.out(`requirements: ${c.PASS} PASS, ${c.FAIL} FAIL, ${c.WARN} WARN, ${c.ERROR} ERROR, ${c.SKIP} SKIP, ${c.NOT_TESTABLE} NOT_TESTABLE`);
  io.out(`verdict: ${summary.overall}`);
}
