/**
 * certificate.md: a conformance statement a vendor can hand on — what was tested (target, the
 * settings it declared, date, suite version, spec edition), the verdict, MUST failures and
 * SHOULD warnings in separate lists, expected failures of the baseline apart, errors with the
 * prerequisite that broke, every requirement by area with its status, and the requirements
 * that are not testable with the reason.
 */
import type { ConformanceSummary } from "./summary.js";

type RequirementRecord = ConformanceSummary["requirements"][number];

const AREA_ORDER = ["transport", "security", "answers", "operations", "notifications", "lifecycle", "capabilities", "negative", "control"];
const VERDICT_TEXT: Record<ConformanceSummary["overall"], string> = {
  CONFORMANT: "CONFORMANT — no MUST requirement failed and every requirement not skipped was judged (skips are listed with their reason).",
  NON_CONFORMANT: "NOT CONFORMANT — at least one MUST requirement failed (or the expected-failures baseline is stale).",
  INCOMPLETE: "INCOMPLETE — no MUST requirement failed, but some could not be judged (see Errors).",
};

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const firstLines = (s: string, max = 600): string => cell(s).slice(0, max);
const areaRank = (a: string): number => (AREA_ORDER.includes(a) ? AREA_ORDER.indexOf(a) : AREA_ORDER.length);

/** The target's declared settings as a vendor would state them (already redacted: no password appears). */
function declaredSettings(settings: Record<string, unknown>): string[] {
  const out: string[] = [];
  const agents = Array.isArray(settings.agents) ? (settings.agents as Array<{ username?: string }>).map((a) => a.username).filter(Boolean) : [];
  if (typeof settings.baseUrl === "string") out.push(`API root ${settings.baseUrl}`);
  if (typeof settings.cometdUrl === "string") out.push(`CometD ${settings.cometdUrl}`);
  out.push(`${agents.length} agent(s)${agents.length ? ` (${agents.join(", ")})` : ""}`);
  if (typeof settings.inject === "string") out.push(`inbound e-mails injected by ${settings.inject}`);
  out.push(typeof settings.inviteTimeoutMs === "number" ? `invitation timeout ${settings.inviteTimeoutMs} ms` : "no invitation timeout declared (N5 Revoked not tested)");
  if (typeof settings.notifyBudgetMs === "number") out.push(`notification budget ${settings.notifyBudgetMs} ms (N8)`);
  return out;
}

function list(lines: string[], items: RequirementRecord[], render: (r: RequirementRecord) => string[]): void {
  if (items.length === 0) lines.push("None.");
  else for (const r of items) lines.push(...render(r));
  lines.push("");
}

export function renderCertificate(s: ConformanceSummary): string {
  const lines: string[] = [];
  const date = s.endedAt.slice(0, 10);
  lines.push("# Conformance statement: GWS Interactions On E-mail Channel", "");
  lines.push(`| | |`, `|---|---|`);
  lines.push(`| Target | ${cell(s.target)} |`);
  lines.push(`| Declared settings | ${cell(declaredSettings(s.settings).join("; "))} |`);
  lines.push(`| Date | ${date} (run ${s.startedAt} – ${s.endedAt}) |`);
  lines.push(`| Specification | ${cell(s.specEdition)}, read through interpretation.md (rule IDs below) |`);
  lines.push(`| Suite version | gws-email-conformance ${s.suiteVersion} |`);
  if (s.shard) lines.push(`| Shard | ${s.shard} — a partial run: merge the shards (gws-conformance merge) for the verdict |`);
  if (s.mergedFrom) lines.push(`| Merged from | ${s.mergedFrom.length} shard run(s) |`);
  if (s.filter) lines.push(`| Selection | ${cell(JSON.stringify(s.filter))} — requirements outside it are SKIP, not judged |`);
  lines.push("", `## Verdict: ${VERDICT_TEXT[s.overall]}`, "");
  const c = s.counts;
  const exp = s.expected.FAIL + s.expected.WARN;
  lines.push(
    `${c.PASS} passed, ${c.FAIL} failed (MUST), ${c.WARN} warnings (SHOULD), ${c.ERROR} errors, ${c.SKIP} skipped, ${c.NOT_TESTABLE} not testable — of ${s.requirements.length} requirements.` +
      (exp ? ` ${s.expected.FAIL} of the failures and ${s.expected.WARN} of the warnings are expected by the baseline.` : ""),
    "",
  );

  const fails = s.requirements.filter((r) => r.status === "FAIL" && !r.expectedFailure);
  lines.push("## MUST failures", "");
  list(lines, fails, (r) => [`- **${r.id}** (${r.rule}, MUST): ${r.text ?? ""}`, `  - ${firstLines(r.message)}`]);

  const warns = s.requirements.filter((r) => r.status === "WARN" && !r.expectedFailure);
  lines.push("## SHOULD warnings (do not fail conformance)", "");
  list(lines, warns, (r) => [`- **${r.id}** (${r.rule}, SHOULD): ${r.text ?? ""}`, `  - ${firstLines(r.message)}`]);

  const expected = s.requirements.filter((r) => r.expectedFailure);
  if (expected.length) {
    lines.push("## Expected failures (accepted by the baseline, do not fail the run)", "");
    list(lines, expected, (r) => [`- **${r.id}** (${r.level}) ${r.status} (expected): ${cell(r.expectedFailure ?? "")}`, `  - ${firstLines(r.message)}`]);
  }

  if (s.baselineProblems.length) {
    lines.push("## Stale expected-failures baseline (fails the run)", "");
    for (const b of s.baselineProblems) lines.push(`- ${cell(b)}`);
    lines.push("");
  }

  const errors = s.requirements.filter((r) => r.status === "ERROR");
  if (errors.length || s.runErrors.length) {
    lines.push("## Errors (not judged: a precondition or the suite broke)", "");
    for (const r of errors) lines.push(`- **${r.id}** (${r.level}): ${firstLines(r.message)}`);
    for (const e of s.runErrors) lines.push(`- run: ${firstLines(e)}`);
    lines.push("");
  }

  lines.push("## Requirements by area", "");
  const areas = [...new Set(s.requirements.map((r) => r.area))].sort((a, b) => areaRank(a) - areaRank(b));
  for (const area of areas) {
    const rows = s.requirements.filter((x) => x.area === area && x.status !== "NOT_TESTABLE");
    if (rows.length === 0) continue;
    lines.push(`### ${area}`, "", "| Requirement | Level | Status | Requirement text | Note |", "|---|---|---|---|---|");
    for (const r of rows) {
      const note = r.status === "PASS" ? (r.measuredMs !== undefined ? `measured ${r.measuredMs} ms` : "") : firstLines(r.message.split("\n")[0], 160);
      lines.push(`| ${r.id} | ${r.level} | ${r.status}${r.expectedFailure ? " (expected)" : ""} | ${cell(r.text ?? "")} | ${note} |`);
    }
    lines.push("");
  }

  const nt = s.requirements.filter((r) => r.status === "NOT_TESTABLE");
  lines.push("## Not testable", "", "Listed for completeness; no verdict is given on these.", "");
  list(lines, nt, (r) => [`- ${r.id} (${r.level}): ${cell(r.text ?? "")} — ${cell(r.message)}`]);
  return lines.join("\n");
}
