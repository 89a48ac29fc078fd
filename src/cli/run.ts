/**
 * `gws-conformance run`: resolve the target (starting the embedded reference server when no
 * GWS_BASE_URL is set), run the conformance projects with vitest, and write every report.
 * Exit codes: 0 conformant, 1 not conformant or incomplete, 2 configuration or harness error.
 *
 * How results travel: vitest runs the scenarios in worker threads; each finished test's
 * `task.meta.gws` (ScenarioMeta: checks per requirement) reaches the ResultCollector reporter
 * in this process. Workers append their transcript entries to GWS_TRANSCRIPT_DIR (one file per
 * worker) and allure-vitest writes allure-results/; both are merged here after the run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { startVitest } from "vitest/node";
import { contractValidator, formatViolations } from "../contract/validators.js";
import { isRequirementId, registry, requirement } from "../contract/registry.js";
import { REPO_ROOT } from "../contract/schemas.js";
import { NO_ALLURE_ENV } from "../harness/allure-bridge.js";
import { withBudget } from "../harness/budgets.js";
import { RESOLVED_TARGET_ENV, resolveTarget } from "../harness/global-setup.js";
import { SELECTION_ENV, type Selection } from "../harness/selection.js";
import { redactedSettings, resolveSettings, secretsOf, SettingsError, type TargetSettings } from "../harness/settings.js";
import { redactText, setSecrets } from "../harness/transcript.js";
import { generateAllureReport } from "../report/allure.js";
import { ResultCollector } from "../report/collector.js";
import { redactTree } from "../report/redact.js";
import type { RunResults } from "../report/results.js";
import { mergeTranscriptParts, readTranscriptParts, writeTranscript } from "../report/transcript-merge.js";
import { mergeLateChecks } from "../report/late-checks.js";
import { exitCodeOf, type ExpectedFailure } from "../report/verdicts.js";
import { writeReports } from "../report/write.js";
import type { RunArgs } from "./args.js";

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** ANSI colours on the progress lines (a TTY, not CI, no NO_COLOR). */
  color: boolean;
}

/** A configuration problem found before any test runs: exit 2 with the message. */
export class ConfigError extends Error {}

/** Where suites live by default, and the env var the vitest config reads to find them (tests point it at fixtures). */
export const DEFAULT_SUITES = "suites";
export const SUITES_ENV = "GWS_SUITES_DIR";
export const TARGET_CLOSE_BUDGET_MS = 15_000;
/** ERROR requirements printed at the end of a run; the reports list them all. */
const MAX_ERROR_LINES = 20;

/** Loads and checks an expected-failures baseline: a bad file, a bad entry, an unknown, untestable or repeated ID is a configuration error. */
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
  const untestable = entries.filter((e) => requirement(e.id).excluded).map((e) => e.id);
  if (untestable.length) throw new ConfigError(`--expected-failures: ${untestable.join(", ")} not testable (excluded in the registry), cannot be an expected failure (${path})`);
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.id)) throw new ConfigError(`--expected-failures: ${e.id} is listed twice in ${path}`);
    seen.add(e.id);
  }
  return entries;
}

/** Every quoted string literal in the suite sources: scenario tags are among them. */
function suiteStringLiterals(path: string): Set<string> {
  const out = new Set<string>();
  const visit = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) visit(join(p, e));
      return;
    }
    if (!p.endsWith(".ts")) return;
    for (const m of readFileSync(p, "utf8").matchAll(/"([^"\\\n]{1,80})"|'([^'\\\n]{1,80})'/g)) out.add(m[1] ?? m[2]);
  };
  visit(path);
  return out;
}

/**
 * --only / --skip keys must name something: a requirement ID, a rule (O3), an area, or a tag used
 * by a suite. A typo would otherwise select nothing and a run judging nothing would look clean.
 */
export function checkSelectionKeys(keys: string[], suitesPath: string): void {
  if (keys.length === 0) return;
  const known = new Set(registry.requirements.flatMap((r) => [r.id, r.rule, r.area]));
  let literals: Set<string> | undefined;
  for (const key of keys) {
    if (known.has(key)) continue;
    literals ??= suiteStringLiterals(suitesPath);
    if (!literals.has(key)) throw new ConfigError(`--only/--skip: "${key}" is not a requirement ID, rule, area or scenario tag`);
  }
}

const COLORS: Record<string, string> = { PASS: "\x1b[32m", FAIL: "\x1b[31m", WARN: "\x1b[33m", ERROR: "\x1b[35m", SKIP: "\x1b[90m" };

/** A stream for vitest's own output (stack traces of broken suites): redacted, to stderr. */
function redactingStderr(): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      process.stderr.write(redactText(chunk.toString()), () => done());
    },
  });
}

export async function runCommand(args: RunArgs, io: CliIo): Promise<number> {
  // 1. Configuration: every problem here stops the run before any test (exit 2).
  let settings: TargetSettings;
  let expected: ExpectedFailure[] | undefined;
  // --suites is relative to the working directory; GWS_SUITES_DIR, like vitest.config.ts reads it, to the repository.
  const suitesPath = args.suites ? resolve(args.suites) : resolve(REPO_ROOT, process.env[SUITES_ENV] ?? DEFAULT_SUITES);
  try {
    settings = resolveSettings({ env: process.env, flags: args.flags, configFile: args.config });
    if (args.expectedFailures) expected = loadExpectedFailures(args.expectedFailures);
    if (!existsSync(suitesPath)) throw new ConfigError(`--suites: no such directory or file ${suitesPath}`);
    checkSelectionKeys([...(args.only ?? []), ...(args.skip ?? [])], suitesPath);
  } catch (e) {
    if (e instanceof SettingsError || e instanceof ConfigError) {
      io.err(`gws-conformance: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const secrets = secretsOf(settings);
  setSecrets(secrets);
  const out = resolve(args.out);
  mkdirSync(out, { recursive: true });
  const allureResults = join(out, "allure-results");
  const transcriptParts = join(out, ".transcript-parts");
  // Old Allure results would show up as retries; old transcript parts as this run's.
  for (const d of [allureResults, transcriptParts, join(out, "allure-report")]) rmSync(d, { recursive: true, force: true });

  // 2. The target: the embedded reference server is started once for the whole run.
  let target;
  try {
    target = await resolveTarget(process.env, settings);
  } catch (e) {
    io.err(`gws-conformance: could not start the embedded reference server: ${redactText((e as Error).message)}`);
    return 2;
  }
  setSecrets([...secrets, ...secretsOf(target.target)]);
  const selection: Selection = { ...(args.only ? { only: args.only } : {}), ...(args.skip ? { skip: args.skip } : {}), ...(args.level ? { level: args.level } : {}) };
  const hasSelection = Object.keys(selection).length > 0;
  io.out(`gws-conformance: target ${target.target.label}; reports in ${out}`);

  // 3. The run. Workers get the target, the transcript directory and the selection through the
  // environment (GWS_RESOLVED_TARGET is read by the projects' globalSetup, which provides it as gwsTarget).
  const collector = new ResultCollector((line, status) => io.out(io.color ? `${COLORS[status] ?? ""}${line}\x1b[0m` : line), hasSelection ? selection : undefined);
  const startedAt = new Date().toISOString();
  const envKeys = [RESOLVED_TARGET_ENV, "GWS_TRANSCRIPT_DIR", SELECTION_ENV, SUITES_ENV, NO_ALLURE_ENV] as const;
  const saved = new Map(envKeys.map((k) => [k, process.env[k]]));
  const setEnv = (k: string, v: string | undefined): void => {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  };
  setEnv(NO_ALLURE_ENV, args.noAllure ? "1" : undefined);
  setEnv(RESOLVED_TARGET_ENV, JSON.stringify(target.target));
  setEnv("GWS_TRANSCRIPT_DIR", transcriptParts);
  setEnv(SELECTION_ENV, hasSelection ? JSON.stringify(selection) : undefined);
  setEnv(SUITES_ENV, suitesPath);
  let runnerFailure: string | undefined;
  try {
    const stderr = redactingStderr();
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
      { stdout: stderr, stderr },
    );
    await vitest?.close();
    // vitest reports a failure to start (a bad config, an impossible shard) on its own output and returns.
    if (collector.endReason === undefined && collector.scenarios.length === 0 && process.exitCode) runnerFailure = "the test runner stopped before running any scenario (see its output above)";
    else if (collector.endReason === "interrupted") runnerFailure = "the test run was interrupted";
  } catch (e) {
    runnerFailure = `the test runner failed: ${(e as Error).message}`;
  } finally {
    // Bounded: a reference server that does not close must not hold the reports back.
    await withBudget(target.close(), "the embedded reference server to close", "targetCloseMs", TARGET_CLOSE_BUDGET_MS).catch((e: Error) => collector.runErrors.push(`closing the target: ${e.message}`));
    for (const [k, v] of saved) setEnv(k, v);
  }
  if (runnerFailure) collector.runErrors.push(redactText(runnerFailure));

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
  const transcript = mergeTranscriptParts(readTranscriptParts(transcriptParts));
  // Failures found after their scenario had ended (late effects) count before any verdict.
  for (const e of mergeLateChecks(run.scenarios, transcript)) run.runErrors.push(`late check of unknown scenario ${e.scenario}: ${e.message}`);
  const written = writeReports(out, run, { expected });
  writeTranscript(join(out, "transcript.jsonl"), transcript);
  rmSync(transcriptParts, { recursive: true, force: true });
  if (!args.noAllure) {
    redactTree(allureResults, secretsOf(target.target).concat(secrets));
    const allure = await generateAllureReport(allureResults, out, `GWS e-mail conformance: ${target.target.label}`);
    if (!allure.ok) io.err(`gws-conformance: Allure report not generated: ${allure.message}`);
  }
  printVerdict(written.summary, io);
  if (runnerFailure) {
    io.err(`gws-conformance: harness error: ${redactText(runnerFailure)}`);
    return 2;
  }
  return exitCodeOf(written.verdicts);
}

export function printVerdict(
  summary: {
    overall: string;
    counts: Record<string, number>;
    expected: { FAIL: number; WARN: number };
    requirements: Array<{ id: string; status: string; message: string; expectedFailure?: string }>;
    baselineProblems: string[];
    runErrors: string[];
  },
  io: CliIo,
): void {
  const line = (r: { id: string; status: string; message: string; expectedFailure?: string }): string =>
    `${r.status} ${r.id}${r.expectedFailure ? " (expected)" : ""}: ${r.message.split("\n")[0].slice(0, 200)}`;
  for (const r of summary.requirements.filter((x) => x.status === "FAIL")) io.out(line(r));
  // A dead target makes every requirement an ERROR with the same reason: the first ones say it.
  const errors = summary.requirements.filter((x) => x.status === "ERROR");
  for (const r of errors.slice(0, MAX_ERROR_LINES)) io.out(line(r));
  if (errors.length > MAX_ERROR_LINES) io.out(`(+${errors.length - MAX_ERROR_LINES} more ERROR requirements: see certificate.md or summary.json)`);
  for (const e of summary.runErrors) io.out(`RUN ERROR ${e.split("\n")[0].slice(0, 300)}`);
  for (const b of summary.baselineProblems) io.out(`BASELINE ${b}`);
  const c = summary.counts;
  const exp = (n: number): string => (n ? ` (${n} expected)` : "");
  io.out(`requirements: ${c.PASS} PASS, ${c.FAIL} FAIL${exp(summary.expected.FAIL)}, ${c.WARN} WARN${exp(summary.expected.WARN)}, ${c.ERROR} ERROR, ${c.SKIP} SKIP, ${c.NOT_TESTABLE} NOT_TESTABLE`);
  io.out(`verdict: ${summary.overall}`);
}
