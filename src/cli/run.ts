/**
 * `gws-conformance run`: resolve the target (starting the embedded reference server when no
 * GWS_BASE_URL is set), run the conformance projects with vitest, and write every report.
 * The exit code is the gate (src/report/verdicts.ts), not the verdict: 0 when nothing the run
 * was asked to judge failed or errored and the baseline is fresh, 1 otherwise, 2 for a
 * configuration or harness error.
 *
 * The scenarios run through the ConformanceRunner (src/runner/); workers append their transcript
 * entries to a folder of per-worker files and allure-vitest writes allure-results/; both are
 * merged here after the run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { contractValidator, formatViolations } from "../contract/validators.js";
import { isRequirementId, registry, requirement } from "../contract/registry.js";
import { withBudget } from "../harness/budgets.js";
import { resolveTarget, type EmbeddedOptions } from "../harness/global-setup.js";
import { preflight, preflightLine, preflightResult, PREFLIGHT_SCENARIO } from "../harness/preflight.js";
import type { Selection } from "../harness/selection.js";
import {
  redactedSettings,
  resolveSettings,
  secretsOf,
  SettingsError,
  type TargetSettings,
} from "../harness/settings.js";
import { inScenario, redactText, setSecrets, setTranscriptDir } from "../harness/transcript.js";
import { AllureGenerator, generateConformanceAllure } from "../report/allure.js";
import { setAsideScenarioResults, writeRequirementResults } from "../report/allure-requirements.js";
import { fileSha256 } from "../report/fingerprint.js";
import { redactTree } from "../report/redact.js";
import type { RunResults } from "../report/results.js";
import { mergeTranscriptParts, readTranscriptParts, writeTranscript } from "../report/transcript-io.js";
import { exitCodeOf, type ExpectedFailure } from "../report/verdicts.js";
import { writeReports } from "../report/write.js";
import { ConformanceRunner, type RunOutcome } from "../runner/conformance-runner.js";
import { BUILT_IN_SUITES } from "../runner/projects.js";
import { embeddedOptionsOf, type RunArgs } from "./args.js";
import { lastFailedIds } from "./last-failed.js";
import { ConfigError, reportCliError, type CliIo } from "./command-line.js";
import { didYouMean } from "../harness/suggest.js";
import { printReportPaths, printVerdict, ProgressPrinter } from "./terminal.js";

export const TARGET_CLOSE_BUDGET_MS = 15_000;

/** Loads and checks an expected-failures baseline: a bad file, a bad entry, an unknown, untestable or repeated ID is a configuration error. */
export function loadExpectedFailures(path: string): ExpectedFailure[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConfigError(`--expected-failures: cannot read ${path}: ${(e as Error).message}`);
  }
  const v = contractValidator().validate("reports/expected-failures.schema.json", data);
  if (!v.ok)
    throw new ConfigError(`--expected-failures: ${path} is not a baseline:\n${formatViolations(v.violations)}`);
  const entries = data as ExpectedFailure[];
  const unknown = entries.filter((e) => !isRequirementId(e.id)).map((e) => e.id);
  if (unknown.length)
    throw new ConfigError(`--expected-failures: unknown requirement ID(s) ${unknown.join(", ")} in ${path}`);
  const untestable = entries.filter((e) => requirement(e.id).excluded).map((e) => e.id);
  if (untestable.length)
    throw new ConfigError(
      `--expected-failures: ${untestable.join(", ")} not testable (excluded in the registry), cannot be an expected failure (${path})`,
    );
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
    if (!/\.[cm]?[jt]s$/.test(p)) return;
    for (const m of readFileSync(p, "utf8").matchAll(/"([^"\\\n]{1,80})"|'([^'\\\n]{1,80})'/g)) out.add(m[1] ?? m[2]);
  };
  visit(path);
  return out;
}

/** The rules' names as the suites title them ("O3 Reply" → reply: O3), lower-cased. */
function ruleNames(literals: Iterable<string>): Map<string, { rule: string; title: string }> {
  const rules = new Set(registry.requirements.map((r) => r.rule));
  const out = new Map<string, { rule: string; title: string }>();
  for (const l of literals) {
    const m = /^([A-Z]\d+) ([A-Za-z][\w -]*)$/.exec(l);
    if (m && rules.has(m[1])) out.set(m[2].toLowerCase(), { rule: m[1], title: l });
  }
  return out;
}

/**
 * --only / --skip keys must name something: a requirement ID, a rule (O3), an area, or a tag used
 * by a suite. A typo would otherwise select nothing and a run judging nothing would look clean.
 * Every unknown key is named at once, each with the nearest known name (case-insensitive), or
 * the rule a suite titles with it ("reply" → O3).
 */
export function checkSelectionKeys(keys: string[], suitesPath: string): void {
  if (keys.length === 0) return;
  const known = new Set(registry.requirements.flatMap((r) => [r.id, r.rule, r.area]));
  let literals: Set<string> | undefined;
  const unknown: Array<{ key: string; hint: string }> = [];
  for (const key of keys) {
    if (known.has(key)) continue;
    literals ??= suiteStringLiterals(suitesPath);
    if (literals.has(key)) continue;
    const rule = ruleNames(literals).get(key.toLowerCase());
    unknown.push({
      key,
      hint: rule ? ` (did you mean ${rule.rule}? the suites title it "${rule.title}")` : didYouMean(key, known),
    });
  }
  const what = "requirement ID, rule, area or scenario tag";
  const list = "(gws-conformance requirements lists the IDs, rules and areas)";
  if (unknown.length === 1)
    throw new ConfigError(`--only/--skip: "${unknown[0].key}" is not a ${what}${unknown[0].hint} ${list}`);
  if (unknown.length > 1)
    throw new ConfigError(
      `--only/--skip: none of these is a ${what}: ${unknown.map((u) => `"${u.key}"${u.hint}`).join(", ")} ${list}`,
    );
}

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
  let embedded: EmbeddedOptions;
  let expected: ExpectedFailure[] | undefined;
  // --suites (the project's own tests point it at fixture suites) is relative to the working directory.
  const suitesPath = args.suites ? resolve(args.suites) : BUILT_IN_SUITES;
  if (args.lastFailed !== undefined) {
    let ids: string[];
    try {
      ids = lastFailedIds(args.lastFailed);
    } catch (e) {
      return reportCliError(io, "gws-conformance", e);
    }
    if (ids.length === 0) {
      io.out(
        `gws-conformance: nothing was FAIL, WARN or ERROR in ${join(args.lastFailed, "summary.json")}: nothing to re-run`,
      );
      return 0;
    }
    io.out(
      `gws-conformance: --last-failed ${args.lastFailed}: judging again ${ids.length} requirement(s): ${ids.join(", ")}`,
    );
    args = { ...args, only: ids };
  }
  // Every problem is found before one is reported: a user fixes them in one go, not one per run.
  const problems: unknown[] = [];
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      problems.push(e);
      return undefined;
    }
  };
  const resolved = attempt(() => resolveSettings({ env: process.env, flags: args.flags, configFile: args.config }));
  // The embedded reference server's switches: from the flags or the environment, read here only.
  const switches = resolved && attempt(() => embeddedOptionsOf(args.reference, process.env, resolved));
  if (args.expectedFailures) expected = attempt(() => loadExpectedFailures(args.expectedFailures as string));
  if (!existsSync(suitesPath)) problems.push(new ConfigError(`--suites: no such directory or file ${suitesPath}`));
  else attempt(() => checkSelectionKeys([...(args.only ?? []), ...(args.skip ?? [])], suitesPath));
  if (problems.length > 1) {
    // Settings errors already say how many of theirs there are; each problem starts its own line.
    io.err(`gws-conformance: ${problems.length} problems to fix before a run:`);
    for (const e of problems) {
      if (!(e instanceof ConfigError || e instanceof SettingsError)) throw e;
      io.err(`  - ${e.message.replace(/\n/g, "\n  ")}`);
    }
    return 2;
  }
  if (problems.length === 1 || !resolved || !switches) return reportCliError(io, "gws-conformance", problems[0]);
  settings = resolved;
  embedded = switches;
  const secrets = secretsOf(settings);
  setSecrets(secrets);
  const out = resolve(args.out);
  mkdirSync(out, { recursive: true });
  const allureResults = join(out, "allure-results");
  const transcriptParts = join(out, ".transcript-parts");
  // Old Allure results would show up as retries; old transcript parts as this run's.
  for (const d of [allureResults, transcriptParts, join(out, "allure-report")])
    rmSync(d, { recursive: true, force: true });

  // 2. The target: the embedded reference server is started once for the whole run.
  let target: Awaited<ReturnType<typeof resolveTarget>>;
  try {
    target = await resolveTarget(settings, embedded);
  } catch (e) {
    io.err(`gws-conformance: could not start the embedded reference server: ${redactText((e as Error).message)}`);
    return 2;
  }
  setSecrets([...secrets, ...secretsOf(target.target)]);
  const selection: Selection = {
    ...(args.only ? { only: args.only } : {}),
    ...(args.skip ? { skip: args.skip } : {}),
    ...(args.level ? { level: args.level } : {}),
  };
  const hasSelection = Object.keys(selection).length > 0;
  io.out(`gws-conformance: target ${target.target.label}; reports in ${out}`);

  // 3. The run: the runner hands the target, the transcript folder and the selection to the
  // workers as the run context (vitest provide/inject).
  const startedAt = new Date().toISOString();
  let outcome: RunOutcome = { scenarios: [], runErrors: [], endReason: undefined, transcript: [] };
  let runnerFailure: string | undefined;
  let allureGenerator: AllureGenerator | undefined;
  const progress = new ProgressPrinter(io);
  try {
    // Pre-flight (src/harness/preflight.ts; its exchanges go to the transcript): a target that never
    // answered, or broke a MUST on its first REST call or handshake, is judged in one line; no scenario runs.
    // This process records into the run's transcript too (the workers' files sit beside its own).
    setTranscriptDir(transcriptParts);
    const pre = await inScenario(PREFLIGHT_SCENARIO, () => preflight(target.target));
    setTranscriptDir(undefined);
    const preResult = preflightResult(pre, hasSelection ? selection : undefined);
    if (preResult) {
      io.out(`gws-conformance: ${preflightLine(pre)}`);
      outcome = { scenarios: [preResult], runErrors: [], endReason: "failed", transcript: [] };
    } else {
      const stderr = redactingStderr();
      const runner = await ConformanceRunner.create({
        suites: suitesPath,
        ...(args.noAllure ? {} : { allureResultsDir: allureResults }),
        output: { stdout: stderr, stderr },
      });
      // The Allure report's writer loads its library while the scenarios run (allure.ts): started
      // once the workers are past their own start-up, which needs the CPU more.
      let finished = 0;
      const startAllureAfter = 10;
      try {
        outcome = await runner.run({
          context: {
            target: target.target,
            transcriptDir: transcriptParts,
            allure: !args.noAllure,
            ...(hasSelection ? { selection } : {}),
          },
          ...(args.shard ? { shard: args.shard } : {}),
          progress: {
            started: progress.started,
            collected: progress.collected,
            scenario: (line, status) => {
              if (++finished === startAllureAfter && !args.noAllure) allureGenerator = AllureGenerator.start(out);
              progress.scenario(line, status);
            },
          },
        });
      } finally {
        await runner.close();
      }
      // Only against a conforming server is what is left the suite's doing (a fault may keep what it should let go).
      const left = embedded.fault ? [] : (target.openInteractions?.() ?? []);
      if (left.length > 0) io.out(`gws-conformance: ${leftOpenLine(left)}`);
    }
    if (outcome.endReason === "interrupted") runnerFailure = "the test run was interrupted";
    else if (outcome.endReason === undefined && outcome.scenarios.length === 0)
      runnerFailure = "the test runner stopped before running any scenario (see its output above)";
  } catch (e) {
    runnerFailure = `the test runner failed: ${(e as Error).message}`;
  } finally {
    progress.finish();
    // Bounded: a reference server that does not close must not hold the reports back.
    await withBudget(
      target.close(),
      "the embedded reference server to close",
      "targetCloseMs",
      TARGET_CLOSE_BUDGET_MS,
    ).catch((e: Error) => outcome.runErrors.push(`closing the target: ${e.message}`));
  }
  if (runnerFailure) outcome.runErrors.push(redactText(runnerFailure));

  // 4. Reports, whatever happened above.
  const run: RunResults = {
    ...(args.shard ? { shard: args.shard } : {}),
    startedAt,
    endedAt: new Date().toISOString(),
    target: target.target.label,
    settings: redactedSettings(target.target),
    ...(hasSelection ? { filter: selection } : {}),
    scenarios: outcome.scenarios,
    runErrors: outcome.runErrors,
  };
  // The runner merged the workers' transcript files (and this process's pre-flight) and the late
  // checks; without a runner (the pre-flight stopped the run) the files are read here.
  const transcriptEntries = outcome.transcript.length
    ? outcome.transcript
    : mergeTranscriptParts(readTranscriptParts(transcriptParts));
  // The transcript first: the summary and the certificates carry its hash.
  const transcript = join(out, "transcript.jsonl");
  writeTranscript(transcript, transcriptEntries);
  rmSync(transcriptParts, { recursive: true, force: true });
  const written = writeReports(out, run, {
    expected,
    transcriptSha256: fileSha256(transcript),
    transcript: transcriptEntries,
    ...(runnerFailure ? { harnessError: redactText(runnerFailure) } : {}),
  });
  let allureOk = false;
  if (args.noAllure) allureGenerator?.close();
  else {
    setAsideScenarioResults(allureResults);
    writeRequirementResults(allureResults, written.run, written.verdicts, transcriptEntries);
    // Last, over everything the report is made from (the evidence steps and their attachments too).
    redactTree(allureResults, secretsOf(target.target).concat(secrets));
    const allure = await generateConformanceAllure(
      allureResults,
      out,
      target.target.label,
      written.verdicts,
      allureGenerator,
    );
    if (!allure.ok) io.err(`gws-conformance: Allure report not generated: ${allure.message}`);
    allureOk = allure.ok;
  }
  printVerdict(written.summary, io);
  const drift = await undocumentedFieldsLine(transcriptEntries, out);
  if (drift) io.out(`gws-conformance: ${drift}`);
  printReportPaths(
    written.summary,
    {
      certificate: join(out, "certificate.html"),
      ...(allureOk ? { allure: join(out, "allure-report", "index.html") } : {}),
      summary: join(out, "summary.json"),
    },
    io,
  );
  if (runnerFailure) io.err(`gws-conformance: harness error: ${redactText(runnerFailure)}`);
  return exitCodeOf(written.verdicts);
}

/**
 * The suite's own hygiene, seen from the embedded server: every scenario finishes what it opened
 * (Scenario.finish), so nothing should be left. Something left is a defect of the suite — on a
 * target that caps what one agent holds it would starve later offers — and is said plainly.
 */
export function leftOpenLine(left: ReadonlyArray<{ id: string; agent: string; state: string }>): string {
  const shown = left.slice(0, 5).map((l) => `${l.id} (${l.state} on ${l.agent})`);
  const more = left.length > shown.length ? `, and ${left.length - shown.length} more` : "";
  return (
    `the suite left ${left.length} interaction(s) open on the embedded reference server: ${shown.join(", ")}${more} ` +
    "(a defect of the suite, not of a target)"
  );
}

/**
 * One line when the server sent fields the schemas do not name (server drift, not a verdict):
 * "run drift --from-run DIR" tells where to read them. Nothing when the drift tooling is not installed.
 */
export async function undocumentedFieldsLine(
  entries: Parameters<typeof import("../drift/report.js").buildDriftReport>[0],
  out: string,
): Promise<string | undefined> {
  let found: string[];
  try {
    const drift = await import("../drift/report.js");
    found = drift
      .buildDriftReport(entries)
      .messageTypes.filter((t) => t.producer === "server")
      .flatMap((t) => t.undocumentedFields.map((u) => `${u.path} in ${t.key}`));
  } catch (e) {
    // A hint, not a verdict: the drift tooling missing or failing costs the line, not the run.
    return (e as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND"
      ? undefined
      : `drift not computed (${(e as Error).message.split("\n")[0]}): run gws-conformance drift --from-run ${out}`;
  }
  if (found.length === 0) return undefined;
  const shown = found.slice(0, 3).join(", ") + (found.length > 3 ? ", …" : "");
  return (
    `the server sent ${found.length} undocumented field(s) (${shown}): ` + `run gws-conformance drift --from-run ${out}`
  );
}
