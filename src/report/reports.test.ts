/** summary.json (schema, redaction), certificate.md and junit.xml rendered from one run of every kind of verdict. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { registry } from "../contract/registry.js";
import { REPO_ROOT } from "../contract/schemas.js";
import { contractValidator } from "../contract/validators.js";
import { setSecrets } from "../harness/transcript.js";
import { renderCertificate } from "./certificate.js";
import { renderJunit } from "./junit.js";
import { check, runOf, scenarioResult } from "./test-support.js";
import { summarize, writeReports } from "./write.js";

const scenarios = [
  scenarioResult("accept an e-mail", { requirements: ["O1.answer-ok"], checks: [check("O1.answer-ok", true), check("N8.within-budget", true, "Accepted: 7 ms", 7)] }),
  scenarioResult("reply with a prefix", { requirements: ["O3.subject-prefix"], checks: [check("O3.subject-prefix", false, 'Subject "Where" lacks "Re: " & <more>')] }),
  scenarioResult("reject", { requirements: ["O2.answer-ok"], checks: [check("O2.answer-ok", true), check("O2.answer-ok", false, "Reject refused")] }),
  scenarioResult("create an e-mail", { requirements: ["O8.answer-ok"], error: { prerequisite: "inbound e-mail injected", message: "control answered 503" } }),
  scenarioResult("transfer", { requirements: ["O9.target-invited"], skipped: "needs a second agent" }, { file: "suites/operations/transfer.test.ts" }),
];
const only = ["O1.answer-ok", "N8.within-budget", "O3.subject-prefix", "O2.answer-ok", "O8.answer-ok", "O9.target-invited"];

/** Minimal XML well-formedness: every element closed in order, attributes quoted, no bare & or <. */
function expectWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, "");
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(amp|lt|gt|quot|apos);)/g)) {
    expect(m[2], `bad markup near ${JSON.stringify(body.slice(m.index, m.index + 40))}`).toBeDefined();
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]);
  }
  expect(stack).toEqual([]);
}

afterEach(() => setSecrets([]));

describe("summary.json", () => {
  it("matches schemas/reports/summary.schema.json and carries suite version, spec edition, target and per-requirement records", () => {
    const { summary } = summarize(runOf(scenarios, { filter: { only } }));
    expect(contractValidator().validate("reports/summary.schema.json", summary).violations).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    expect(summary).toMatchObject({ suiteVersion: pkg.version, specEdition: registry.specEdition, target: "http://gws.example:8080/api/v2", overall: "NON_CONFORMANT", durationMs: 5000 });
    expect(summary.requirements).toHaveLength(registry.requirements.length);
    expect(summary.requirements.find((r) => r.id === "N8.within-budget")).toMatchObject({ status: "PASS", measuredMs: 7, rule: "N8", level: "MUST", area: "notifications" });
  });

  it("the schema refuses what a summary must never be (an unknown status, a missing count)", () => {
    const { summary } = summarize(runOf(scenarios));
    const bad = structuredClone(summary) as unknown as { requirements: Array<{ status: string }>; counts: Record<string, number> };
    bad.requirements[0].status = "MAYBE";
    delete bad.counts.WARN;
    const v = contractValidator().validate("reports/summary.schema.json", bad);
    expect(v.ok).toBe(false);
    expect(v.violations.map((x) => x.path).join(" ")).toMatch(/status[\s\S]*counts|counts[\s\S]*status/);
  });

  it("no registered secret survives in any written report, even if a message carried one", () => {
    setSecrets(["hunter2-pw", Buffer.from("agent1:hunter2-pw").toString("base64")]);
    const leaky = [scenarioResult("leaky", { requirements: ["O1.answer-ok"], checks: [check("O1.answer-ok", false, "answered 401 to Basic YWdlbnQxOmh1bnRlcjItcHc= (hunter2-pw)")] })];
    const out = mkdtempSync(join(tmpdir(), "gws-report-"));
    const written = writeReports(out, runOf(leaky, { settings: { agents: [{ username: "agent1", password: "hunter2-pw" }] } }));
    for (const f of written.files) {
      const text = readFileSync(f, "utf8");
      expect(text, f).not.toContain("hunter2-pw");
      expect(text, f).not.toContain("YWdlbnQxOmh1bnRlcjItcHc=");
    }
    expect(readFileSync(join(out, "summary.json"), "utf8")).toContain("REDACTED");
  });
});

describe("certificate.md", () => {
  const cert = renderCertificate(summarize(runOf(scenarios, { filter: { only } }), { expected: [] }).summary);

  it("states target, declared settings, date, suite version, spec edition and verdict", () => {
    expect(cert).toMatch(/^# Conformance statement: GWS Interactions On E-mail Channel/);
    expect(cert).toContain("| Target | http://gws.example:8080/api/v2 |");
    expect(cert).toMatch(/\| Declared settings \| .*1 agent\(s\) \(agent1\).*no invitation timeout declared.*notification budget 5000 ms/);
    expect(cert).toContain("| Date | 2026-01-02 ");
    expect(cert).toContain(`| Specification | ${registry.specEdition}`);
    expect(cert).toMatch(/\| Suite version \| gws-email-conformance \d+\.\d+\.\d+/);
    expect(cert).toContain("## Verdict: NOT CONFORMANT");
    expect(cert).not.toContain("REDACTED"); // passwords are not even mentioned
  });

  it("lists MUST failures and SHOULD warnings apart, errors with their prerequisite, requirements by area, and the not-testable ones with reasons", () => {
    const section = (title: string): string => {
      const start = cert.indexOf(`## ${title}`);
      expect(start, title).toBeGreaterThanOrEqual(0);
      const next = cert.indexOf("\n## ", start + 3);
      return cert.slice(start, next < 0 ? undefined : next);
    };
    expect(section("MUST failures")).toContain("**O3.subject-prefix** (O3, MUST)");
    expect(section("MUST failures")).not.toContain("O2.answer-ok");
    expect(section("SHOULD warnings")).toContain("**O2.answer-ok** (O2, SHOULD)");
    expect(section("SHOULD warnings")).not.toContain("O3.subject-prefix");
    expect(section("Errors")).toContain('**O8.answer-ok** (MUST): prerequisite "inbound e-mail injected": control answered 503');
    expect(section("Requirements by area")).toMatch(/### operations[\s\S]*\| O9.target-invited \| SHOULD \| SKIP \| .* \| needs a second agent \|/);
    expect(section("Requirements by area")).toMatch(/\| N8.within-budget \| MUST \| PASS \| .* \| measured 7 ms \|/);
    const nt = section("Not testable");
    for (const r of registry.requirements.filter((x) => x.excluded)) expect(nt).toContain(`- ${r.id} (${r.level}): ${r.text} — ${r.excluded}`);
  });

  it("shows expected failures in their own list and stale baseline entries as failing", () => {
    const { summary } = summarize(runOf(scenarios, { filter: { only } }), { expected: [{ id: "O3.subject-prefix", reason: "JIRA-12" }, { id: "O1.answer-ok", reason: "old bug" }] });
    const c = renderCertificate(summary);
    expect(c).toMatch(/## MUST failures\n\nNone\./);
    expect(c).toMatch(/## Expected failures[^\n]*\n\n- \*\*O3.subject-prefix\*\* \(MUST\) FAIL \(expected\): JIRA-12/);
    expect(c).toMatch(/## Stale expected-failures baseline \(fails the run\)\n\n- O1.answer-ok: listed as an expected failure \(old bug\) but now passes/);
    expect(c).toContain("1 of the failures and 0 of the warnings are expected by the baseline");
  });
});

describe("junit.xml", () => {
  it("one testcase per scenario, requirement and level properties, failure / error / skipped, visible warnings; well-formed and escaped", () => {
    const { run, verdicts } = summarize(runOf(scenarios, { filter: { only } }));
    const xml = renderJunit(run, verdicts);
    expectWellFormedXml(xml);
    expect(xml.match(/<testcase /g)).toHaveLength(scenarios.length);
    expect(xml).toMatch(/<testsuites name="gws-email-conformance" tests="5" failures="1" errors="1" skipped="1"/);
    expect(xml).toMatch(/<testsuite name="suites\/operations\/transfer.test.ts" tests="1" failures="0" errors="0" skipped="1"/);
    expect(xml).toContain('<testcase classname="suites/operations/example.test.ts" name="reply with a prefix" time="0.010">');
    expect(xml).toContain('<property name="requirement" value="O3.subject-prefix"/>');
    expect(xml).toContain('<property name="level:O3.subject-prefix" value="MUST"/>');
    expect(xml).toContain('<property name="requirement" value="N8.within-budget"/>'); // judged though not declared
    expect(xml).toContain('<failure message="O3.subject-prefix failed" type="ConformanceFailure">O3.subject-prefix (MUST): Subject &quot;Where&quot; lacks &quot;Re: &quot; &amp; &lt;more&gt;</failure>');
    expect(xml).toContain('<error message="prerequisite inbound e-mail injected: control answered 503" type="Error">');
    expect(xml).toContain('<skipped message="needs a second agent"/>');
    expect(xml).toContain('<property name="verdict" value="WARN"/>');
    expect(xml).toContain('<property name="warning" value="O2.answer-ok: Reject refused"/>');
    expect(xml).toContain("<system-out>WARN O2.answer-ok (SHOULD): Reject refused</system-out>");
  });

  it("an expected failure is <skipped> with the baseline's reason (xfail); stale entries and run errors are testcases of the run", () => {
    const { run, verdicts } = summarize(runOf(scenarios, { filter: { only }, runErrors: ["suites/broken.test.ts: SyntaxError: Unexpected token"] }), {
      expected: [{ id: "O3.subject-prefix", reason: "JIRA-12" }, { id: "O1.answer-ok", reason: "old bug" }],
    });
    const xml = renderJunit(run, verdicts);
    expectWellFormedXml(xml);
    expect(xml).toContain('<skipped message="expected failure (baseline): O3.subject-prefix: JIRA-12"/>');
    expect(xml).toContain('<property name="verdict" value="FAIL (expected)"/>');
    expect(xml).toContain('<property name="expected-failure:O3.subject-prefix" value="JIRA-12"/>');
    expect(xml).toMatch(/<testsuite name="gws-conformance run" tests="2" failures="1" errors="1"/);
    expect(xml).toContain('<error message="suites/broken.test.ts: SyntaxError: Unexpected token" type="RunError">');
    expect(xml).toMatch(/<failure message="O1.answer-ok: listed as an expected failure \(old bug\) but now passes[^"]*" type="StaleBaseline">/);
  });

  it("under --level must a failed SHOULD check is neither a failure nor a warning", () => {
    const { run, verdicts } = summarize(runOf(scenarios, { filter: { level: "must" } }));
    const xml = renderJunit(run, verdicts);
    const reject = xml.slice(xml.indexOf('name="reject"'), xml.indexOf("</testcase>", xml.indexOf('name="reject"')));
    expect(reject).toContain('<property name="verdict" value="PASS"/>');
    expect(reject).not.toContain("warning");
  });
});
