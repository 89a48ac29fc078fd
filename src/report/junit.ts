/**
 * junit.xml for CI: one testcase per scenario, the requirement IDs it judged as properties,
 * FAIL as <failure>, ERROR as <error>, SKIP as <skipped message=…>, and SHOULD warnings visible
 * both as a property and in <system-out>.
 */
import type { RunResults } from "./results.js";
import { scenarioStatus } from "./verdicts.js";

const esc = (s: string): string =>
  s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function renderJunit(run: RunResults): string {
  const byFile = new Map<string, RunResults["scenarios"]>();
  for (const s of run.scenarios) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = run.scenarios.map(scenarioStatus);
  out.push(
    `<testsuites name="gws-email-conformance" tests="${run.scenarios.length}" failures="${all.filter((s) => s === "FAIL").length}" errors="${all.filter((s) => s === "ERROR").length}" skipped="${all.filter((s) => s === "SKIP").length}">`,
  );
  for (const [file, scenarios] of byFile) {
    const st = scenarios.map(scenarioStatus);
    const time = scenarios.reduce((a, s) => a + s.durationMs, 0) / 1000;
    out.push(
      `  <testsuite name="${esc(file)}" tests="${scenarios.length}" failures="${st.filter((s) => s === "FAIL").length}" errors="${st.filter((s) => s === "ERROR").length}" skipped="${st.filter((s) => s === "SKIP").length}" time="${time.toFixed(3)}">`,
    );
    for (const s of scenarios) {
      const status = scenarioStatus(s);
      const m = s.meta;
      const title = s.name.slice(file.length + 3);
      out.push(`    <testcase classname="${esc(file)}" name="${esc(title)}" time="${(s.durationMs / 1000).toFixed(3)}">`);
      out.push("      <properties>");
      const reqs = [...new Set([...(m?.requirements ?? []), ...(m?.checks.map((c) => c.requirement) ?? [])])];
      for (const r of reqs) out.push(`        <property name="requirement" value="${esc(r)}"/>`);
      out.push(`        <property name="verdict" value="${status}"/>`);
      const warnings = m?.checks.filter((c) => !c.passed && c.level === "SHOULD") ?? [];
      for (const w of warnings) out.push(`        <property name="warning" value="${esc(`${w.requirement}: ${w.message}`.slice(0, 500))}"/>`);
      out.push("      </properties>");
      const mustFails = m?.checks.filter((c) => !c.passed && c.level === "MUST") ?? [];
      if (status === "FAIL") {
        const text = mustFails.map((f) => `${f.requirement} (MUST): ${f.message}`).join("\n");
        out.push(`      <failure message="${esc(mustFails.map((f) => f.requirement).join(", "))} failed" type="ConformanceFailure">${esc(text)}</failure>`);
      } else if (status === "ERROR") {
        const msg = m?.error ? `${m.error.prerequisite ? `prerequisite ${m.error.prerequisite}: ` : ""}${m.error.message}` : s.errors.join("\n");
        out.push(`      <error message="${esc(msg.split("\n")[0].slice(0, 300))}" type="Error">${esc(msg)}</error>`);
      } else if (status === "SKIP") {
        out.push(`      <skipped message="${esc(m?.skipped ?? "skipped")}"/>`);
      }
      if (warnings.length) out.push(`      <system-out>${esc(warnings.map((w) => `WARN ${w.requirement} (SHOULD): ${w.message}`).join("\n"))}</system-out>`);
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>", "");
  return out.join("\n");
}
