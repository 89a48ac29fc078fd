/**
 * certificate.md: a conformance statement a vendor can hand on — what was tested, against which
 * edition, with which verdict; requirements by area; MUST failures and SHOULD warnings apart.
 */
import type { ConformanceSummary } from "./summary.js";

const AREA_ORDER = ["transport", "security", "answers", "operations", "notifications", "lifecycle", "capabilities", "negative", "control"];
const VERDICT_TEXT: Record<ConformanceSummary["overall"], string> = {
  CONFORMANT: "CONFORMANT — every MUST requirement that could be tested passed.",
  NON_CONFORMANT: "NOT CONFORMANT — at least one MUST requirement failed (or the expected-failures baseline is stale).",
  INCOMPLETE: "INCOMPLETE — no MUST requirement failed, but some could not be judged (see Errors).",
};

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderCertificate(s: ConformanceSummary): string {
  const lines: string[] = [];
  const date = s.endedAt.slice(0, 10);
  lines.push("# Conformance statement: GWS Interactions On E-mail Channel", "");
  lines.push(`| | |`, `|---|---|`);
  lines.push(`| Target | ${cell(s.target)} |`);
  lines.push(`| Date | ${date} (run ${s.startedAt} – ${s.endedAt}) |`);
  lines.push(`| Specification | ${cell(s.specEdition)}, read through interpretation.md |`);
  lines.push(`| Suite version | gws-email-conformance ${s.suiteVersion} |`);
  if (s.shard) lines.push(`| Shard | ${s.shard} (partial run) |`);
  if (s.mergedFrom) lines.push(`| Merged from | ${s.mergedFrom.length} shard run(s) |`);
  if (s.filter) lines.push(`| Selection | ${cell(JSON.stringify(s.filter))} (requirements outside it are SKIP) |`);
  lines.push("", `## Verdict: ${VERDICT_TEXT[s.overall]}`, "");
  const c = s.counts;
  lines.push(`${c.PASS} passed, ${c.FAIL} failed (MUST), ${c.WARN} warnings (SHOULD), ${c.ERROR} errors, ${c.SKIP} skipped, ${c.NOT_TESTABLE} not testable — of ${s.requirements.length} requirements.`, "");

  const fails = s.requirements.filter((r) => r.status === "FAIL");
  lines.push("## MUST failures", "");
  if (fails.length === 0) lines.push("None.", "");
  else for (const r of fails) lines.push(`- **${r.id}** (${r.level})${r.expectedFailure ? ` — expected failure: ${r.expectedFailure}` : ""}: ${r.text}`, `  - ${cell(r.message).slice(0, 600)}`);
  if (fails.length) lines.push("");

  const warns = s.requirements.filter((r) => r.status === "WARN");
  lines.push("## SHOULD warnings (do not fail conformance)", "");
  if (warns.length === 0) lines.push("None.", "");
  else for (const r of warns) lines.push(`- **${r.id}**: ${r.text}`, `  - ${cell(r.message).slice(0, 600)}`);
  if (warns.length) lines.push("");

  const errors = s.requirements.filter((r) => r.status === "ERROR");
  if (errors.length || s.runErrors.length || s.baselineProblems.length) {
    lines.push("## Errors (not judged: a precondition or the suite broke)", "");
    for (const r of errors) lines.push(`- **${r.id}**: ${cell(r.message).slice(0, 600)}`);
    for (const e of s.runErrors) lines.push(`- run: ${cell(e).slice(0, 600)}`);
    for (const b of s.baselineProblems) lines.push(`- baseline: ${cell(b)}`);
    lines.push("");
  }

  lines.push("## Requirements by area", "");
  const areas = [...new Set(s.requirements.map((r) => r.area))].sort((a, b) => AREA_ORDER.indexOf(a) - AREA_ORDER.indexOf(b));
  for (const area of areas) {
    lines.push(`### ${area}`, "", "| Requirement | Level | Status | Requirement text |", "|---|---|---|---|");
    for (const r of s.requirements.filter((x) => x.area === area && x.status !== "NOT_TESTABLE")) {
      lines.push(`| ${r.id} | ${r.level} | ${r.status}${r.expectedFailure ? " (expected)" : ""} | ${cell(r.text ?? "")} |`);
    }
    lines.push("");
  }

  const nt = s.requirements.filter((r) => r.status === "NOT_TESTABLE");
  lines.push("## Not testable", "", "Listed for completeness; no verdict is given on these.", "");
  for (const r of nt) lines.push(`- ${r.id} (${r.level}): ${cell(r.text ?? "")} — ${cell(r.message)}`);
  lines.push("");
  return lines.join("\n");
}
