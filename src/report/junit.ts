/**
 * junit.xml for CI: one testsuite per suite file, one testcase per scenario.
 *   - properties: `requirement` = each requirement ID the scenario judged (one property each),
 *     `level:<id>` = its level (MUST/SHOULD), `verdict` = the scenario's status, `warning` = each
 *     failed SHOULD check (WARN never fails: it is visible, not red), `expected-failure:<id>` =
 *     the baseline's reason for a listed requirement;
 *   - FAIL (a MUST check failed) as <failure>, ERROR (precondition or suite broke) as <error>,
 *     SKIP as <skipped message="reason">, warnings also in <system-out>;
 *   - a scenario whose only failures are expected by the baseline is <skipped> with the reason
 *     and the failure text in <system-out> (the pytest xfail convention);
 *   - run errors (a file that did not load) and stale baseline entries are testcases of a
 *     "gws-conformance run" testsuite, so CI shows them too; that testsuite is always there and
 *     its properties carry the run's verdict and gate apart: `verdict`, `verdict-reason`,
 *     `gate-exit-code`, `gate-reason`, and `unjudged:<id>` = why, for each MUST not judged.
 * Checks of requirements outside the run's selection (--only/--skip/--level) are not counted.
 */
import { isRequirementId, levelOf } from "../contract/registry.js";
import type { RunResults, ScenarioResult } from "./results.js";
import { scenarioStatus, selectionOf, type Status, type Verdicts } from "./verdicts.js";

const esc = (s: string): string =>
  s
    // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters: they are removed
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");

interface Rendered {
  status: Status | "XFAIL";
  lines: string[];
}

function renderCase(
  s: ScenarioResult,
  file: string,
  filtered: ReadonlyMap<string, string>,
  expected: ReadonlyMap<string, string>,
): Rendered {
  const status = scenarioStatus(s, filtered);
  const m = s.meta;
  const judged = (m?.checks ?? []).filter((c) => !filtered.has(c.requirement));
  const title = s.name.startsWith(`${file} > `) ? s.name.slice(file.length + 3) : s.name;
  const lines: string[] = [];
  lines.push(`    <testcase classname="${esc(file)}" name="${esc(title)}" time="${(s.durationMs / 1000).toFixed(3)}">`);
  lines.push("      <properties>");
  const ids = [...new Set([...(m?.requirements ?? []), ...(m?.checks ?? []).map((c) => c.requirement)])];
  for (const id of ids) lines.push(`        <property name="requirement" value="${esc(id)}"/>`);
  for (const id of ids)
    if (isRequirementId(id)) lines.push(`        <property name="level:${esc(id)}" value="${levelOf(id)}"/>`);
  const warnings = judged.filter((c) => !c.passed && c.level === "SHOULD");
  const mustFails = judged.filter((c) => !c.passed && c.level === "MUST");
  const xfail = status === "FAIL" && mustFails.every((f) => expected.has(f.requirement));
  lines.push(`        <property name="verdict" value="${xfail ? "FAIL (expected)" : status}"/>`);
  for (const w of warnings)
    lines.push(`        <property name="warning" value="${esc(`${w.requirement}: ${w.message}`.slice(0, 500))}"/>`);
  for (const id of new Set([...mustFails, ...warnings].map((c) => c.requirement))) {
    if (expected.has(id))
      lines.push(`        <property name="expected-failure:${esc(id)}" value="${esc(expected.get(id)!)}"/>`);
  }
  lines.push("      </properties>");
  const out: string[] = [];
  const failText = mustFails.map((f) => `${f.requirement} (MUST): ${f.message}`).join("\n");
  if (xfail) {
    lines.push(
      `      <skipped message="${esc(`expected failure (baseline): ${[...new Set(mustFails.map((f) => `${f.requirement}: ${expected.get(f.requirement)}`))].join("; ")}`)}"/>`,
    );
    out.push(failText);
  } else if (status === "FAIL") {
    lines.push(
      `      <failure message="${esc([...new Set(mustFails.map((f) => f.requirement))].join(", "))} failed" type="ConformanceFailure">${esc(failText)}</failure>`,
    );
  } else if (status === "ERROR") {
    const msg = m?.error
      ? `${m.error.prerequisite ? `prerequisite ${m.error.prerequisite}: ` : ""}${m.error.message}`
      : s.errors.join("\n") || "the scenario failed without a verdict";
    lines.push(`      <error message="${esc(msg.split("\n")[0].slice(0, 300))}" type="Error">${esc(msg)}</error>`);
  } else if (status === "SKIP") {
    lines.push(`      <skipped message="${esc(m?.skipped ?? "skipped")}"/>`);
  }
  if (m?.stoppedBy && status !== "SKIP")
    out.push(`stopped early at ${m.stoppedBy}: the scenario's later requirements were not reached`);
  if (warnings.length)
    out.push(
      warnings
        .map((w) => `WARN ${w.requirement} (SHOULD)${expected.has(w.requirement) ? " (expected)" : ""}: ${w.message}`)
        .join("\n"),
    );
  if (out.length) lines.push(`      <system-out>${esc(out.join("\n"))}</system-out>`);
  lines.push("    </testcase>");
  return { status: xfail ? "XFAIL" : status, lines };
}

type JunitVerdicts = Pick<Verdicts, "requirements" | "baselineProblems"> &
  Partial<Pick<Verdicts, "verdict" | "verdictReason" | "gate" | "unjudged">>;

/** The run's verdict and gate as testsuite properties. */
function runProperties(v: JunitVerdicts | undefined): string[] {
  if (!v?.verdict || !v.gate) return [];
  const prop = (name: string, value: string): string => `      <property name="${esc(name)}" value="${esc(value)}"/>`;
  return [
    "    <properties>",
    prop("verdict", v.verdict),
    prop("verdict-reason", v.verdictReason ?? ""),
    prop("gate-exit-code", String(v.gate.exitCode)),
    prop("gate-reason", v.gate.reasons.join("; ")),
    ...(v.unjudged ?? []).map((u) => prop(`unjudged:${u.id}`, `${u.reason}: ${u.message}`)),
    "    </properties>",
  ];
}

export function renderJunit(run: RunResults, verdicts?: JunitVerdicts): string {
  const filtered = selectionOf(run);
  const expected = new Map(
    (verdicts?.requirements ?? []).filter((r) => r.expectedFailure).map((r) => [r.id, r.expectedFailure!]),
  );
  const byFile = new Map<string, ScenarioResult[]>();
  for (const s of run.scenarios) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);

  const suites: Array<{ name: string; time: number; cases: Rendered[]; properties?: string[] }> = [];
  for (const [file, scenarios] of byFile) {
    suites.push({
      name: file,
      time: scenarios.reduce((a, s) => a + s.durationMs, 0) / 1000,
      cases: scenarios.map((s) => renderCase(s, file, filtered, expected)),
    });
  }
  // What happened outside any scenario.
  const runCases: Rendered[] = [];
  for (const e of run.runErrors) {
    runCases.push({
      status: "ERROR",
      lines: [
        `    <testcase classname="gws-conformance" name="run error" time="0">`,
        `      <error message="${esc(e.split("\n")[0].slice(0, 300))}" type="RunError">${esc(e)}</error>`,
        "    </testcase>",
      ],
    });
  }
  for (const b of verdicts?.baselineProblems ?? []) {
    runCases.push({
      status: "FAIL",
      lines: [
        `    <testcase classname="gws-conformance" name="${esc(`expected-failures baseline: ${b.split(":")[0]}`)}" time="0">`,
        `      <failure message="${esc(b.slice(0, 300))}" type="StaleBaseline">${esc(b)}</failure>`,
        "    </testcase>",
      ],
    });
  }
  suites.push({ name: "gws-conformance run", time: 0, cases: runCases, properties: runProperties(verdicts) });

  const count = (cases: Rendered[], st: Status | "XFAIL"): number => cases.filter((c) => c.status === st).length;
  const skipped = (cases: Rendered[]): number => count(cases, "SKIP") + count(cases, "XFAIL");
  const all = suites.flatMap((s) => s.cases);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="gws-email-conformance" tests="${all.length}" failures="${count(all, "FAIL")}" errors="${count(all, "ERROR")}" skipped="${skipped(all)}" time="${suites.reduce((a, s) => a + s.time, 0).toFixed(3)}">`,
  );
  for (const s of suites) {
    out.push(
      `  <testsuite name="${esc(s.name)}" tests="${s.cases.length}" failures="${count(s.cases, "FAIL")}" errors="${count(s.cases, "ERROR")}" skipped="${skipped(s.cases)}" time="${s.time.toFixed(3)}">`,
    );
    out.push(...(s.properties ?? []));
    for (const c of s.cases) out.push(...c.lines);
    out.push("  </testsuite>");
  }
  out.push("</testsuites>", "");
  return out.join("\n");
}
