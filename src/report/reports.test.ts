/** summary.json (schema, redaction), certificate.md/.html, junit.xml and the Allure results by requirement, from one run of every kind of verdict. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { registry } from "../contract/registry.js";
import { REPO_ROOT } from "../contract/schemas.js";
import { contractValidator } from "../contract/validators.js";
import { setSecrets } from "../harness/transcript.js";
import { renderCertificate, renderCertificateHtml } from "./certificate.js";
import { renderJunit } from "./junit.js";
import { check, runOf, scenarioResult } from "./test-support.js";
import { summarize, writeReports } from "./write.js";

const scenarios = [
  scenarioResult("accept an e-mail", {
    requirements: ["O1.answer-ok"],
    checks: [check("O1.answer-ok", true), check("N8.within-budget", true, "Accepted: 7 ms", 7)],
  }),
  scenarioResult("reply with a prefix", {
    requirements: ["O3.subject-prefix"],
    checks: [check("O3.subject-prefix", false, 'Subject "Where" lacks "Re: " & <more>')],
  }),
  scenarioResult("reject", {
    requirements: ["O2.answer-ok"],
    checks: [check("O2.answer-ok", true), check("O2.answer-ok", false, "Reject refused")],
  }),
  scenarioResult("create an e-mail", {
    requirements: ["O8.answer-ok"],
    error: { prerequisite: "inbound e-mail injected", message: "control answered 503" },
  }),
  scenarioResult(
    "transfer",
    { requirements: ["O9.target-invited"], skipped: "needs a second agent" },
    { file: "suites/operations/transfer.test.ts" },
  ),
];
const only = [
  "O1.answer-ok",
  "N8.within-budget",
  "O3.subject-prefix",
  "O2.answer-ok",
  "O8.answer-ok",
  "O9.target-invited",
];

/** Minimal XML well-formedness: every element closed in order, attributes quoted, no bare & or <. */
function expectWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, "");
  const stack: string[] = [];
  for (const m of body.matchAll(
    /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(amp|lt|gt|quot|apos);)/g,
  )) {
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
    expect(summary).toMatchObject({
      suiteVersion: pkg.version,
      specEdition: registry.specEdition,
      target: "http://gws.example:8080/api/v2",
      verdict: "NON_CONFORMANT",
      durationMs: 5000,
    });
    expect(summary.gate).toEqual({
      exitCode: 1,
      reasons: [expect.stringMatching(/O3.subject-prefix/), expect.stringMatching(/O8.answer-ok/)],
    });
    expect(summary.contract.files["schemas/requirements.json"]).toBe(summary.contract.requirementsSha256);
    expect(summary.unjudged.find((u) => u.id === "O8.answer-ok")).toMatchObject({ reason: "error" });
    expect(summary.unjudged.find((u) => u.id === "T1.api-root")).toMatchObject({ reason: "filtered" });
    expect(summary.requirements).toHaveLength(registry.requirements.length);
    expect(summary.requirements.find((r) => r.id === "N8.within-budget")).toMatchObject({
      status: "PASS",
      measuredMs: 7,
      rule: "N8",
      level: "MUST",
      area: "notifications",
    });
  });

  it("the schema refuses what a summary must never be (an unknown status, a missing count)", () => {
    const { summary } = summarize(runOf(scenarios));
    const bad = structuredClone(summary) as unknown as {
      requirements: Array<{ status: string }>;
      counts: Record<string, number>;
    };
    bad.requirements[0].status = "MAYBE";
    delete bad.counts.WARN;
    const v = contractValidator().validate("reports/summary.schema.json", bad);
    expect(v.ok).toBe(false);
    expect(v.violations.map((x) => x.path).join(" ")).toMatch(/status[\s\S]*counts|counts[\s\S]*status/);
  });

  it("no registered secret survives in any written report, even if a message carried one", () => {
    setSecrets(["hunter2-pw", Buffer.from("agent1:hunter2-pw").toString("base64")]);
    const leaky = [
      scenarioResult("leaky", {
        requirements: ["O1.answer-ok"],
        checks: [check("O1.answer-ok", false, "answered 401 to Basic YWdlbnQxOmh1bnRlcjItcHc= (hunter2-pw)")],
      }),
    ];
    const out = mkdtempSync(join(tmpdir(), "gws-report-"));
    const written = writeReports(
      out,
      runOf(leaky, { settings: { agents: [{ username: "agent1", password: "hunter2-pw" }] } }),
    );
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
  const section = (c: string, title: string): string => {
    const start = c.indexOf(`## ${title}`);
    expect(start, title).toBeGreaterThanOrEqual(0);
    const next = c.indexOf("\n## ", start + 3);
    return c.slice(start, next < 0 ? undefined : next);
  };

  it("puts the verdict in its title and states target, declared settings, date, suite version, spec edition, contract hashes and the gate", () => {
    expect(cert.split("\n")[0]).toBe("# Conformance statement: NON_CONFORMANT — GWS Interactions On E-mail Channel");
    expect(cert).toContain("| **Target** | http://gws.example:8080/api/v2 |");
    expect(cert).toMatch(
      /\| \*\*Declared settings\*\* \| .*1 agent\(s\) \(agent1\).*no invitation timeout declared.*notification budget 5000 ms/,
    );
    expect(cert).toContain("| **Date** | 2026-01-02 ");
    expect(cert).toContain(`| **Specification** | ${registry.specEdition}`);
    expect(cert).toMatch(/\| \*\*Suite version\*\* \| gws-email-conformance \d+\.\d+\.\d+/);
    expect(cert).toMatch(/\| \*\*Contract\*\* \| schemas\/ `[0-9a-f]{64}`, requirements.json `[0-9a-f]{64}`/);
    expect(cert).toMatch(/\| \*\*CI gate\*\* \| exit 1: /);
    expect(cert).toContain("**NON_CONFORMANT: at least one MUST requirement failed.**");
    expect(cert).toContain("| `agents` | agent1 (password REDACTED) |"); // settings, redacted
  });

  it("lists MUST failures and SHOULD warnings apart, the MUST requirements not judged, errors, requirements by area, and the not-testable ones", () => {
    expect(section(cert, "MUST failures")).toContain("[O3.subject-prefix](#O3.subject-prefix) (O3, MUST)");
    expect(section(cert, "MUST failures")).not.toContain("O2.answer-ok");
    expect(section(cert, "SHOULD warnings")).toContain("[O2.answer-ok](#O2.answer-ok) (O2, SHOULD)");
    expect(section(cert, "SHOULD warnings")).not.toContain("O3.subject-prefix");
    expect(section(cert, "MUST requirements not judged")).toMatch(
      /\| O8.answer-ok \| error \| prerequisite "inbound e-mail injected": control answered 503/,
    );
    expect(section(cert, "MUST requirements not judged")).toContain(
      "| T1.api-root | filtered | filtered out by --only ",
    );
    expect(section(cert, "Errors")).toContain("[O8.answer-ok](#O8.answer-ok) (MUST)");
    expect(section(cert, "Errors")).toContain('prerequisite "inbound e-mail injected": control answered 503');
    expect(section(cert, "Requirements by area")).toMatch(
      /### operations[\s\S]*\| O9.target-invited \| SHOULD \| SKIP \| .* \| needs a second agent \|/,
    );
    expect(section(cert, "Requirements by area")).toMatch(
      /\| N8.within-budget \| MUST \| PASS \| .* \| measured 7 ms \|/,
    );
    const nt = section(cert, "Not testable");
    for (const r of registry.requirements.filter((x) => x.excluded))
      expect(nt).toContain(`- ${r.id} (${r.level}): ${r.text} — ${r.excluded}`);
  });

  it("an expected failure stays among the MUST failures, named as expected; stale baseline entries are listed", () => {
    const { summary } = summarize(runOf(scenarios, { filter: { only } }), {
      expected: [
        { id: "O3.subject-prefix", reason: "JIRA-12" },
        { id: "O1.answer-ok", reason: "old bug" },
      ],
    });
    const c = renderCertificate(summary);
    expect(c.split("\n")[0]).toContain("NON_CONFORMANT");
    expect(section(c, "MUST failures")).toContain(
      `- [O3.subject-prefix](#O3.subject-prefix) (O3, MUST): The reply's Subject is subjectPrefix + the inbound Subject. — **expected by the baseline**: JIRA-12 <a id="evidence-O3.subject-prefix"></a>`,
    );
    expect(c).toMatch(
      /## Stale expected-failures baseline \(fails the CI gate\)\n\n- O1.answer-ok: listed as an expected failure \(old bug\) but now passes/,
    );
    expect(c).toContain("1 of the failures and 0 of the warnings are expected by the baseline");
    expect(section(c, "Requirements by area")).toContain("| O3.subject-prefix | MUST | FAIL (expected) |");
  });

  it("a PARTIAL or INCOMPLETE run's first line says it is not a statement of conformance", () => {
    const partial = summarize(runOf([scenarios[0]], { filter: { only: ["O1.answer-ok"] } })).summary;
    expect(partial.verdict).toBe("PARTIAL");
    const c = renderCertificate(partial);
    expect(c.split("\n")[0]).toBe("# Not a statement of conformance: PARTIAL run — GWS Interactions On E-mail Channel");
    expect(section(c, "MUST requirements not judged")).toMatch(
      /\| T8.foreign-refused \| filtered \| filtered out by --only O1.answer-ok \|/,
    );
    const incomplete = summarize(
      runOf([scenarios[0], scenarios[3]], { filter: { only: ["O1.answer-ok", "O8.answer-ok"] } }),
    ).summary;
    expect(incomplete.verdict).toBe("INCOMPLETE");
    expect(renderCertificate(incomplete).split("\n")[0]).toBe(
      "# Not a statement of conformance: INCOMPLETE run — GWS Interactions On E-mail Channel",
    );
  });
});

describe("certificate.html", () => {
  const { summary } = summarize(runOf(scenarios, { filter: { only } }), { transcriptSha256: "a".repeat(64) });
  const html = renderCertificateHtml(summary);

  it("is one self-contained, printable file: no script, no external resource, print CSS", () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(/i);
    expect(html).toContain("@media print");
    expect(html).toContain("<title>Conformance statement: NON_CONFORMANT — GWS Interactions On E-mail Channel</title>");
    expect(html).toContain('<body class="NON_CONFORMANT" data-verdict="NON_CONFORMANT">');
  });

  it("carries every requirement with its status (anchored by its ID), the fingerprints, and escapes what the target said", () => {
    for (const r of summary.requirements.filter((x) => x.status !== "NOT_TESTABLE"))
      expect(html).toContain(`<tr id="${r.id}" data-requirement="${r.id}" data-status="${r.status}">`);
    for (const r of summary.requirements.filter((x) => x.status === "NOT_TESTABLE"))
      expect(html).toContain(`<li id="${r.id}">`);
    expect(html).toContain(
      `<tr data-fingerprint="transcript"><td>transcript.jsonl</td><td><code>${"a".repeat(64)}</code></td></tr>`,
    );
    expect(html).toContain(`<code>${summary.contract.schemasSha256}</code>`);
    expect(html).toContain("Subject &quot;Where&quot; lacks &quot;Re: &quot; &amp; &lt;more&gt;");
    expect(html).not.toContain("<more>");
  });

  it("a PARTIAL run says first that it is not a statement of conformance", () => {
    const partial = renderCertificateHtml(
      summarize(runOf([scenarios[0]], { filter: { only: ["O1.answer-ok"] } })).summary,
    );
    expect(partial).toContain(
      "<h1>Not a statement of conformance: PARTIAL run — GWS Interactions On E-mail Channel</h1>",
    );
    expect(partial).toContain('<p class="not-statement">');
  });
});

describe("junit.xml", () => {
  it("one testcase per scenario, requirement and level properties, failure / error / skipped, visible warnings; well-formed and escaped", () => {
    const { run, verdicts } = summarize(runOf(scenarios, { filter: { only } }));
    const xml = renderJunit(run, verdicts);
    expectWellFormedXml(xml);
    expect(xml.match(/<testcase /g)).toHaveLength(scenarios.length);
    expect(xml).toMatch(/<testsuites name="gws-email-conformance" tests="5" failures="1" errors="1" skipped="1"/);
    expect(xml).toMatch(
      /<testsuite name="suites\/operations\/transfer.test.ts" tests="1" failures="0" errors="0" skipped="1"/,
    );
    expect(xml).toContain(
      '<testcase classname="suites/operations/example.test.ts" name="reply with a prefix" time="0.010">',
    );
    expect(xml).toContain('<property name="requirement" value="O3.subject-prefix"/>');
    expect(xml).toContain('<property name="level:O3.subject-prefix" value="MUST"/>');
    expect(xml).toContain('<property name="requirement" value="N8.within-budget"/>'); // judged though not declared
    expect(xml).toContain(
      '<failure message="O3.subject-prefix failed" type="ConformanceFailure">O3.subject-prefix (MUST): Subject &quot;Where&quot; lacks &quot;Re: &quot; &amp; &lt;more&gt;</failure>',
    );
    expect(xml).toContain('<error message="prerequisite inbound e-mail injected: control answered 503" type="Error">');
    expect(xml).toContain('<skipped message="needs a second agent"/>');
    expect(xml).toContain('<property name="verdict" value="WARN"/>');
    expect(xml).toContain('<property name="warning" value="O2.answer-ok: Reject refused"/>');
    expect(xml).toContain("<system-out>WARN O2.answer-ok (SHOULD): Reject refused</system-out>");
  });

  it("an expected failure is <skipped> with the baseline's reason (xfail); stale entries and run errors are testcases of the run", () => {
    const { run, verdicts } = summarize(
      runOf(scenarios, { filter: { only }, runErrors: ["suites/broken.test.ts: SyntaxError: Unexpected token"] }),
      {
        expected: [
          { id: "O3.subject-prefix", reason: "JIRA-12" },
          { id: "O1.answer-ok", reason: "old bug" },
        ],
      },
    );
    const xml = renderJunit(run, verdicts);
    expectWellFormedXml(xml);
    expect(xml).toContain('<skipped message="expected failure (baseline): O3.subject-prefix: JIRA-12"/>');
    expect(xml).toContain('<property name="verdict" value="FAIL (expected)"/>');
    expect(xml).toContain('<property name="expected-failure:O3.subject-prefix" value="JIRA-12"/>');
    expect(xml).toMatch(/<testsuite name="gws-conformance run" tests="2" failures="1" errors="1"/);
    expect(xml).toContain('<error message="suites/broken.test.ts: SyntaxError: Unexpected token" type="RunError">');
    expect(xml).toMatch(
      /<failure message="O1.answer-ok: listed as an expected failure \(old bug\) but now passes[^"]*" type="StaleBaseline">/,
    );
  });

  it("the run's testsuite carries the verdict and the gate apart, and each MUST not judged", () => {
    const { run, verdicts } = summarize(runOf([scenarios[0]], { filter: { only: ["O1.answer-ok"] } }));
    const xml = renderJunit(run, verdicts);
    expectWellFormedXml(xml);
    const suite = xml.slice(xml.indexOf('<testsuite name="gws-conformance run"'));
    expect(suite).toMatch(/^<testsuite name="gws-conformance run" tests="0" failures="0" errors="0" skipped="0"/);
    expect(suite).toContain('<property name="verdict" value="PARTIAL"/>');
    expect(suite).toMatch(
      /<property name="verdict-reason" value="not a statement of conformance: nothing failed, but \d+ of the \d+ testable MUST requirements were not judged/,
    );
    expect(suite).toContain('<property name="gate-exit-code" value="0"/>');
    expect(suite).toContain(
      '<property name="unjudged:T8.foreign-refused" value="filtered: filtered out by --only O1.answer-ok"/>',
    );
  });

  it("under --level must a failed SHOULD check is neither a failure nor a warning", () => {
    const { run, verdicts } = summarize(runOf(scenarios, { filter: { level: "must" } }));
    const xml = renderJunit(run, verdicts);
    const reject = xml.slice(xml.indexOf('name="reject"'), xml.indexOf("</testcase>", xml.indexOf('name="reject"')));
    expect(reject).toContain('<property name="verdict" value="PASS"/>');
    expect(reject).not.toContain("warning");
  });
});
