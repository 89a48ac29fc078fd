/**
 * Verdicts per requirement, the run's verdict about the target, and the CI gate (pure functions).
 *
 * Per requirement:
 *   PASS   every check of it passed
 *   FAIL   a MUST check failed
 *   WARN   a SHOULD check failed (never fails the run)
 *   SKIP   the target declares it does not support what it needs, or it was filtered out (with why)
 *   ERROR  the suite or a precondition broke before it could be judged (names the prerequisite)
 *   NOT_TESTABLE  excluded in the registry, with the reason
 * A requirement's verdict is the worst of what its scenarios say: FAIL > ERROR > WARN > PASS > SKIP.
 *
 * Two things are kept apart (docs/decisions.md, "Verdict and gate"):
 *   - the verdict says what is true of the target: CONFORMANT only when every testable MUST
 *     requirement of the registry was judged PASS and nothing is ERROR; NON_CONFORMANT when a MUST
 *     failed (a failure the expected-failures baseline lists is still a failure of the target);
 *     INCOMPLETE when, with no MUST failed, something could not be judged (ERROR); PARTIAL when
 *     nothing failed or errored but MUST requirements were left unjudged (filtered, not
 *     supported by the target's declared settings, judged in another shard). Only CONFORMANT and
 *     NON_CONFORMANT are statements about conformance.
 *   - the gate is the CI decision (exit code): 0 when nothing the run was asked to judge failed
 *     or errored and the baseline is fresh, 1 otherwise, 2 when the harness itself broke.
 */
import type { ConformanceSummary, UnjudgedRequirement } from "../generated/contract-types.js";
import { registry, type Level } from "../contract/registry.js";
import { SKIP_REASONS } from "../harness/checks.js";
import type { ScenarioResult, RunResults } from "./results.js";
import { filteredOut } from "../harness/selection.js";
export { filteredOut };

export type Status = "PASS" | "FAIL" | "WARN" | "SKIP" | "ERROR" | "NOT_TESTABLE";
/** 0 pass, 1 fail, 2 harness or configuration error, 3 could not judge the target (EXIT_INCOMPLETE). */
export type GateExitCode = ConformanceSummary["gate"]["exitCode"];
/** The gate's exit code when something could not be judged and nothing failed outside the baseline. */
export const EXIT_INCOMPLETE = 3;
// One source per fact: the verdicts and the reasons for not judging are the summary schema's enums.
export type Verdict = ConformanceSummary["verdict"];

/** Why a testable MUST requirement was not judged (summary.schema.json, `unjudged[].reason`). */
export type UnjudgedReason = UnjudgedRequirement["reason"];

export interface Unjudged {
  id: string;
  reason: UnjudgedReason;
  /** The requirement's own message (the selection, the skip reason, the broken prerequisite). */
  message: string;
}

/** The CI decision, apart from the verdict. */
export interface Gate {
  /** 0 pass, 1 fail, 2 the harness broke (configuration errors stop the run before any verdict). */
  exitCode: GateExitCode;
  /** What failed the gate; for exit 0, one line saying why it passed. */
  reasons: string[];
}

export interface ExpectedFailure {
  id: string;
  reason: string;
  /** YYYY-MM-DD: after this day the entry is stale. */
  expires?: string;
}

export interface RequirementVerdict {
  id: string;
  rule: string;
  level: Level;
  area: string;
  text: string;
  status: Status;
  /** Scenarios that judged it (or meant to). */
  tests: string[];
  message: string;
  durationMs: number;
  /** The largest measured figure of its checks (e.g. a notification delay, N8). */
  measuredMs?: number;
  /** Set when the expected-failures baseline lists it and it did fail: it does not fail the run. */
  expectedFailure?: string;
}

export interface Verdicts {
  /** What is true of the target (see the file comment). */
  verdict: Verdict;
  /** One sentence: why this verdict. */
  verdictReason: string;
  /** Every testable MUST requirement not judged (SKIP or ERROR), with why: empty for CONFORMANT. */
  unjudged: Unjudged[];
  gate: Gate;
  counts: Record<Status, number>;
  /** How many of the FAIL and WARN requirements the expected-failures baseline accepts (counted in `counts` too). */
  expected: { FAIL: number; WARN: number };
  requirements: RequirementVerdict[];
  /** Stale or expired expected-failure entries: each fails the gate (not the verdict). */
  baselineProblems: string[];
}

const SKIP_KINDS = new Map<string, UnjudgedReason>([
  [SKIP_REASONS["second-agent"], "needs-second-agent"],
  [SKIP_REASONS["invite-timeout"], "no-invite-timeout"],
  [SKIP_REASONS["declared-capacity"], "no-declared-capacity"],
]);

/** The kind of a scenario's skip reason (the scenario layer and the selection write these texts). */
function skipKind(message: string): UnjudgedReason {
  return SKIP_KINDS.get(message) ?? (message.startsWith("filtered out by") ? "filtered" : "skipped");
}

const ORDER: Status[] = ["FAIL", "ERROR", "WARN", "PASS", "SKIP"];
const worse = (a: Status, b: Status): Status => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b);

/** Whether a scenario sets out to judge a requirement (its declaration), whatever it recorded. */
export function declares(sc: ScenarioResult, id: string): boolean {
  const declared: readonly string[] = sc.meta?.requirements ?? [];
  return declared.includes(id);
}

/**
 * Why each requirement is outside the run's selection (--only / --skip / --level), keyed by ID;
 * a selected requirement has no entry. A scenario tag selects the requirements that the scenarios
 * carrying it declare.
 */
export function selectionOf(run: Pick<RunResults, "scenarios" | "filter">): Map<string, string> {
  const out = new Map<string, string>();
  if (!run.filter) return out;
  for (const req of registry.requirements) {
    // Tags describe a scenario, whatever its outcome (also when --level or --skip left it out).
    const tags = run.scenarios.filter((sc) => declares(sc, req.id)).flatMap((sc) => [sc.meta!.area, ...sc.meta!.tags]);
    const why = filteredOut(req, run.filter, tags);
    if (why) out.set(req.id, why);
  }
  return out;
}

/**
 * The status of one scenario, for progress lines, JUnit and the stability script. Checks of
 * requirements outside the selection (`filtered`, from selectionOf) do not count: under
 * --level must a failed SHOULD check is no warning, under --only O3 a failed R2 check no failure.
 */
export function scenarioStatus(r: ScenarioResult, filtered?: ReadonlyMap<string, string>): Status {
  const m = r.meta;
  if (r.state === "skipped" || m?.skipped) return "SKIP";
  if (m?.error) return "ERROR";
  const judged = (m?.checks ?? []).filter((c) => !filtered?.has(c.requirement));
  if (judged.some((c) => !c.passed && c.level === "MUST")) return "FAIL";
  // Failed without any failed MUST check (selected or not): the suite broke.
  if (r.state === "failed" && !m?.checks.some((c) => !c.passed && c.level === "MUST")) return "ERROR";
  if (judged.some((c) => !c.passed && c.level === "SHOULD")) return "WARN";
  return "PASS";
}

export interface VerdictOptions {
  expected?: ExpectedFailure[];
  /** YYYY-MM-DD for the baseline's expiry dates (tests); default today. */
  today?: string;
  /** The harness itself broke (the test runner failed): the gate is 2 whatever the verdicts. */
  harnessError?: string;
}

export function computeVerdicts(
  run: Pick<RunResults, "scenarios" | "filter" | "shard"> & { runErrors?: string[] },
  opts: VerdictOptions = {},
): Verdicts {
  const requirements: RequirementVerdict[] = [];
  /** Why each SKIP requirement was not judged. */
  const skipReasons = new Map<string, UnjudgedReason>();
  const selection = selectionOf(run);
  for (const req of registry.requirements) {
    const base = {
      id: req.id,
      rule: req.rule,
      level: req.level,
      area: req.area,
      text: req.text,
      tests: [] as string[],
      durationMs: 0,
    };
    if (req.excluded) {
      requirements.push({ ...base, status: "NOT_TESTABLE", message: req.excluded });
      continue;
    }
    const filtered = selection.get(req.id);
    if (filtered) {
      requirements.push({ ...base, status: "SKIP", message: filtered });
      skipReasons.set(req.id, "filtered");
      continue;
    }
    let status: Status | undefined;
    const messages: Record<Status, string[]> = { FAIL: [], ERROR: [], WARN: [], PASS: [], SKIP: [], NOT_TESTABLE: [] };
    let measured: number | undefined;
    let checks = 0;
    const unreached: string[] = [];
    for (const sc of run.scenarios) {
      const m = sc.meta;
      const own = m?.checks.filter((c) => c.requirement === req.id) ?? [];
      const declared = declares(sc, req.id);
      if (!declared && own.length === 0) continue;
      base.tests.push(sc.name);
      base.durationMs += sc.durationMs;
      let s: Status;
      if (sc.state === "skipped" || m?.skipped) {
        s = "SKIP";
        messages.SKIP.push(m?.skipped ?? "skipped");
      } else if (own.length > 0) {
        checks += own.length;
        for (const c of own) {
          if (c.measuredMs !== undefined) measured = Math.max(measured ?? 0, c.measuredMs);
          const cs: Status = c.passed ? "PASS" : c.level === "MUST" ? "FAIL" : "WARN";
          messages[cs].push(`${c.message} [${sc.name}]`);
          status = status ? worse(status, cs) : cs;
        }
        continue;
      } else if (m?.unjudged?.[req.id as keyof typeof m.unjudged]) {
        // The scenario ran and said why it could not judge this one (the deployment allows no such check).
        s = "SKIP";
        messages.SKIP.push(`${m.unjudged[req.id as keyof typeof m.unjudged]} [${sc.name}]`);
      } else if (m?.error) {
        s = "ERROR";
        messages.ERROR.push(
          `${m.error.prerequisite ? `prerequisite "${m.error.prerequisite}": ` : ""}${m.error.message} [${sc.name}]`,
        );
      } else if (m?.stoppedBy) {
        // Not reached because an earlier check of the scenario failed: an ERROR only if no
        // scenario judged the requirement at all (decided below).
        unreached.push(`not reached: the scenario stopped at ${m.stoppedBy} [${sc.name}]`);
        continue;
      } else if (!m) {
        s = "ERROR";
        messages.ERROR.push(`the scenario did not run: ${sc.errors[0] ?? "no record"} [${sc.name}]`);
      } else {
        s = "ERROR";
        messages.ERROR.push(`declared but not judged by the scenario (a suite defect) [${sc.name}]`);
      }
      status = status ? worse(status, s) : s;
    }
    if (unreached.length && (!status || status === "SKIP")) {
      status = "ERROR";
      messages.ERROR.push(...unreached);
    }
    if (!status) {
      status = run.shard ? "SKIP" : "ERROR";
      messages[status].push(run.shard ? `not judged in shard ${run.shard}` : "not covered by any scenario");
      if (run.shard) skipReasons.set(req.id, "other-shard");
    }
    if (status === "SKIP" && !skipReasons.has(req.id)) skipReasons.set(req.id, skipKind(messages.SKIP[0] ?? ""));
    // A requirement judged somewhere stays judged: scenarios that only skipped it do not hide it.
    const message =
      status === "PASS"
        ? `${checks} check(s) passed in ${base.tests.length} scenario(s)`
        : messages[status].slice(0, 3).join("\n") +
          (messages[status].length > 3 ? `\n(+${messages[status].length - 3} more)` : "");
    requirements.push({ ...base, status, message, ...(measured !== undefined ? { measuredMs: measured } : {}) });
  }

  const baselineProblems: string[] = [];
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  for (const e of opts.expected ?? []) {
    const v = requirements.find((r) => r.id === e.id);
    if (!v) continue; // unknown IDs are refused when the baseline is loaded
    if (e.expires && e.expires < today)
      baselineProblems.push(`${e.id}: the expected-failure entry expired on ${e.expires} (${e.reason})`);
    if (v.status === "FAIL" || v.status === "WARN") v.expectedFailure = e.reason;
    else if (v.status === "PASS")
      baselineProblems.push(
        `${e.id}: listed as an expected failure (${e.reason}) but now passes: remove it from the baseline`,
      );
  }

  const counts: Record<Status, number> = { PASS: 0, FAIL: 0, WARN: 0, SKIP: 0, ERROR: 0, NOT_TESTABLE: 0 };
  const expected = { FAIL: 0, WARN: 0 };
  for (const r of requirements) {
    counts[r.status]++;
    if (r.expectedFailure && (r.status === "FAIL" || r.status === "WARN")) expected[r.status]++;
  }
  const runErrors = run.runErrors ?? [];
  const unjudged: Unjudged[] = requirements
    .filter((r) => r.level === "MUST" && (r.status === "SKIP" || r.status === "ERROR"))
    .map((r) => ({
      id: r.id,
      reason: r.status === "ERROR" ? "error" : (skipReasons.get(r.id) ?? "skipped"),
      message: r.message.split("\n")[0],
    }));
  const { verdict, verdictReason } = verdictOf(requirements, unjudged, runErrors);
  const gate = gateOf(requirements, runErrors, baselineProblems, unjudged, verdict, opts.harnessError);
  return { verdict, verdictReason, unjudged, gate, counts, expected, requirements, baselineProblems };
}

const ids = (rs: Array<{ id: string }>, max = 8): string => {
  const shown = rs.slice(0, max).map((r) => r.id);
  return shown.join(", ") + (rs.length > max ? ` (+${rs.length - max} more)` : "");
};
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** How many unjudged MUST requirements each reason accounts for, in words. */
export function describeUnjudged(unjudged: Unjudged[]): string {
  const words: Record<UnjudgedReason, string> = {
    filtered: "outside the run's selection",
    "needs-second-agent": "need a second agent",
    "no-invite-timeout": "need a declared invitation timeout",
    "no-declared-capacity": "need a declared capacity per agent",
    "other-shard": "judged in another shard",
    error: "could not be judged (ERROR)",
    skipped: "skipped",
  };
  const by = new Map<UnjudgedReason, number>();
  for (const u of unjudged) by.set(u.reason, (by.get(u.reason) ?? 0) + 1);
  return [...by].map(([reason, n]) => `${n} ${words[reason]}`).join(", ");
}

type StatusRecord = Pick<RequirementVerdict, "id" | "level" | "status" | "expectedFailure">;

/** The verdict that requirement statuses give (what `gws-conformance verify` recomputes from a summary). */
export function verdictFromStatuses(requirements: StatusRecord[], runErrors: string[]): Verdict {
  const unjudged = requirements
    .filter((r) => r.level === "MUST" && (r.status === "SKIP" || r.status === "ERROR"))
    .map((r) => ({ id: r.id, reason: "skipped" as const, message: "" }));
  return verdictOf(requirements, unjudged, runErrors).verdict;
}

/** The verdict about the target: a failed MUST outweighs everything; then errors; then what was left unjudged. */
function verdictOf(
  requirements: StatusRecord[],
  unjudged: Unjudged[],
  runErrors: string[],
): { verdict: Verdict; verdictReason: string } {
  const testableMust = requirements.filter((r) => r.level === "MUST" && r.status !== "NOT_TESTABLE").length;
  const failed = requirements.filter((r) => r.status === "FAIL");
  if (failed.length) {
    const expected = failed.filter((r) => r.expectedFailure);
    const reasons = expected.map((r) => `${r.id}: ${r.expectedFailure}`).join("; ");
    const howMany = expected.length === failed.length ? "all" : String(expected.length);
    return {
      verdict: "NON_CONFORMANT",
      verdictReason:
        `${plural(failed.length, "MUST requirement")} failed: ${ids(failed)}` +
        (expected.length ? `; ${howMany} expected by the baseline (${reasons})` : ""),
    };
  }
  const errors = requirements.filter((r) => r.status === "ERROR");
  if (errors.length || runErrors.length) {
    const what = [
      errors.length ? `${plural(errors.length, "requirement")} could not be judged (ERROR: ${ids(errors)})` : "",
      runErrors.length ? `${plural(runErrors.length, "error")} outside any scenario` : "",
    ];
    return {
      verdict: "INCOMPLETE",
      verdictReason: `not a statement of conformance: no MUST requirement failed, but ${what.filter(Boolean).join(" and ")}`,
    };
  }
  if (unjudged.length) {
    return {
      verdict: "PARTIAL",
      verdictReason:
        `not a statement of conformance: nothing failed, but ${unjudged.length} of the ${testableMust} ` +
        `testable MUST requirements were not judged (${describeUnjudged(unjudged)})`,
    };
  }
  const warns = requirements.filter((r) => r.status === "WARN").length;
  return {
    verdict: "CONFORMANT",
    verdictReason:
      `every one of the ${testableMust} testable MUST requirements passed and nothing errored` +
      (warns ? `; ${plural(warns, "SHOULD warning")} (they do not affect conformance)` : ""),
  };
}

/** The CI decision: fails on what the run was asked to judge and did not pass, never on what it was not asked. */
function gateOf(
  requirements: RequirementVerdict[],
  runErrors: string[],
  baselineProblems: string[],
  unjudged: Unjudged[],
  verdict: Verdict,
  harnessError?: string,
): Gate {
  if (harnessError) return { exitCode: 2, reasons: [`harness error: ${harnessError}`] };
  const reasons: string[] = [];
  const unexpected = requirements.filter((r) => r.status === "FAIL" && !r.expectedFailure);
  const errors = requirements.filter((r) => r.status === "ERROR");
  if (unexpected.length)
    reasons.push(
      `${plural(unexpected.length, "MUST requirement")} failed outside the expected-failures baseline: ` +
        ids(unexpected),
    );
  if (errors.length)
    reasons.push(`${plural(errors.length, "requirement")} could not be judged (ERROR): ${ids(errors)}`);
  if (runErrors.length) reasons.push(`${plural(runErrors.length, "error")} outside any scenario`);
  if (baselineProblems.length)
    reasons.push(`the expected-failures baseline is stale (${plural(baselineProblems.length, "entry", "entries")})`);
  // Nothing failed outside the baseline and the baseline is fresh, but something could not be
  // judged: exit 3, "could not judge the target" (an outage, a broken precondition), which CI
  // tells apart from a regression (1) without reading summary.json.
  if (reasons.length) return { exitCode: unexpected.length || baselineProblems.length ? 1 : 3, reasons };
  const expected = requirements.filter((r) => r.status === "FAIL" && r.expectedFailure).length;
  const notAsked = unjudged.filter((u) => u.reason !== "error").length;
  return {
    exitCode: 0,
    reasons: [
      "nothing the run was asked to judge failed or errored, and the baseline is fresh" +
        (expected ? `; ${plural(expected, "MUST failure")} expected by the baseline` : "") +
        (notAsked ? `; ${plural(notAsked, "MUST requirement")} not judged` : "") +
        ` (verdict ${verdict})`,
    ],
  };
}

/**
 * The gate's exit code: 0 pass, 1 fail, 2 harness error (configuration errors exit 2 before a run),
 * 3 could not judge (something errored, nothing failed outside the baseline; EXIT_INCOMPLETE).
 */
export function exitCodeOf(v: Pick<Verdicts, "gate">): GateExitCode {
  return v.gate.exitCode;
}
