/**
 * Verdicts per requirement, from the raw results of a run (pure functions).
 *   PASS   every check of it passed
 *   FAIL   a MUST check failed
 *   WARN   a SHOULD check failed (never fails the run)
 *   SKIP   the target declares it does not support what it needs, or it was filtered out (with why)
 *   ERROR  the suite or a precondition broke before it could be judged (names the prerequisite)
 *   NOT_TESTABLE  excluded in the registry, with the reason
 * A requirement's verdict is the worst of what its scenarios say: FAIL > ERROR > WARN > PASS > SKIP.
 */
import { registry } from "../contract/registry.js";
import type { ScenarioResult, RunResults } from "./results.js";
import { filteredOut } from "../harness/selection.js";
export { filteredOut };

export type Status = "PASS" | "FAIL" | "WARN" | "SKIP" | "ERROR" | "NOT_TESTABLE";
export type Overall = "CONFORMANT" | "NON_CONFORMANT" | "INCOMPLETE";

export interface ExpectedFailure {
  id: string;
  reason: string;
  /** YYYY-MM-DD: after this day the entry is stale. */
  expires?: string;
}

export interface RequirementVerdict {
  id: string;
  rule: string;
  level: "MUST" | "SHOULD" | "MAY";
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
  overall: Overall;
  counts: Record<Status, number>;
  /** How many of the FAIL and WARN requirements the expected-failures baseline accepts (counted in `counts` too). */
  expected: { FAIL: number; WARN: number };
  requirements: RequirementVerdict[];
  /** Stale or expired expected-failure entries: each fails the run. */
  baselineProblems: string[];
}

const ORDER: Status[] = ["FAIL", "ERROR", "WARN", "PASS", "SKIP"];
const worse = (a: Status, b: Status): Status => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b);

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
    const tags = run.scenarios.filter((sc) => sc.meta?.requirements.includes(req.id as never)).flatMap((sc) => [sc.meta!.area, ...sc.meta!.tags]);
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

export function computeVerdicts(run: Pick<RunResults, "scenarios" | "filter" | "shard"> & { runErrors?: string[] }, opts: { expected?: ExpectedFailure[]; today?: string } = {}): Verdicts {
  const requirements: RequirementVerdict[] = [];
  const selection = selectionOf(run);
  for (const req of registry.requirements) {
    const base = { id: req.id, rule: req.rule, level: req.level, area: req.area, text: req.text, tests: [] as string[], durationMs: 0 };
    if (req.excluded) {
      requirements.push({ ...base, status: "NOT_TESTABLE", message: req.excluded });
      continue;
    }
    const filtered = selection.get(req.id);
    if (filtered) {
      requirements.push({ ...base, status: "SKIP", message: filtered });
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
      const declared = m?.requirements.includes(req.id as never) ?? false;
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
      } else if (m?.error) {
        s = "ERROR";
        messages.ERROR.push(`${m.error.prerequisite ? `prerequisite "${m.error.prerequisite}": ` : ""}${m.error.message} [${sc.name}]`);
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
    }
    // A requirement judged somewhere stays judged: scenarios that only skipped it do not hide it.
    const message =
      status === "PASS" ? `${checks} check(s) passed in ${base.tests.length} scenario(s)` : messages[status].slice(0, 3).join("\n") + (messages[status].length > 3 ? `\n(+${messages[status].length - 3} more)` : "");
    requirements.push({ ...base, status, message, ...(measured !== undefined ? { measuredMs: measured } : {}) });
  }

  const baselineProblems: string[] = [];
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  for (const e of opts.expected ?? []) {
    const v = requirements.find((r) => r.id === e.id);
    if (!v) continue; // unknown IDs are refused when the baseline is loaded
    if (e.expires && e.expires < today) baselineProblems.push(`${e.id}: the expected-failure entry expired on ${e.expires} (${e.reason})`);
    if (v.status === "FAIL" || v.status === "WARN") v.expectedFailure = e.reason;
    else if (v.status === "PASS") baselineProblems.push(`${e.id}: listed as an expected failure (${e.reason}) but now passes: remove it from the baseline`);
  }

  const counts: Record<Status, number> = { PASS: 0, FAIL: 0, WARN: 0, SKIP: 0, ERROR: 0, NOT_TESTABLE: 0 };
  const expected = { FAIL: 0, WARN: 0 };
  for (const r of requirements) {
    counts[r.status]++;
    if (r.expectedFailure && (r.status === "FAIL" || r.status === "WARN")) expected[r.status]++;
  }
  const unexpectedFail = requirements.some((r) => r.status === "FAIL" && !r.expectedFailure);
  // A run error (a suite file that did not load, an unhandled rejection) means something was not judged.
  const error = requirements.some((r) => r.status === "ERROR") || (run.runErrors?.length ?? 0) > 0;
  const overall: Overall = unexpectedFail || baselineProblems.length ? "NON_CONFORMANT" : error ? "INCOMPLETE" : "CONFORMANT";
  return { overall, counts, expected, requirements, baselineProblems };
}

/** 0 conformant, 1 otherwise (2 is for configuration errors, decided before a run). */
export function exitCodeOf(v: Verdicts): 0 | 1 {
  return v.overall === "CONFORMANT" ? 0 : 1;
}
