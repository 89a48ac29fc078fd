/**
 * The certificate leads to the evidence (issue 18, item 2): each FAIL, WARN and ERROR links to its
 * row and its Allure test and carries the transcript seq and the reproduction; notes are never
 * cut; the verdict has one spelling; an INCOMPLETE certificate opens with the root cause.
 */
import { describe, expect, it } from "vitest";
import type { TranscriptEntry } from "../harness/transcript.js";
import { allureTestHref } from "./allure-requirements.js";
import { renderCertificate, renderCertificateHtml } from "./certificate.js";
import { check, runOf, scenarioResult } from "./test-support.js";
import { summarize } from "./write.js";

const LONG = `Reply answer (HTTP 200) is not ok: ${"x".repeat(400)} — the end of the note`;
const reply = scenarioResult("reply", {
  requirements: ["O3.subject-prefix"],
  checks: [check("O3.subject-prefix", false, LONG)],
});
const transcript: TranscriptEntry[] = [
  {
    kind: "http",
    seq: 7,
    ts: 1,
    worker: "1-0",
    scenario: reply.name,
    agent: "agent1",
    method: "POST",
    url: "http://gws.example:8080/api/v2/me/interactions/unknown-1",
    requestHeaders: { "content-type": "application/json", authorization: "REDACTED" },
    requestBody: { operationName: "Reply" },
    status: 200,
    responseBody: { status: "ok" },
    durationMs: 1,
    operation: "Reply",
  },
  {
    kind: "check",
    seq: 8,
    ts: 2,
    worker: "1-0",
    scenario: reply.name,
    requirement: "O3.subject-prefix",
    level: "MUST",
    passed: false,
    message: LONG,
  },
];

describe("the certificate's evidence", () => {
  const { summary } = summarize(runOf([reply], { filter: { only: ["O3.subject-prefix"] } }), { transcript });
  const md = renderCertificate(summary);
  const html = renderCertificateHtml(summary);

  it("summary.json carries the entry's seq and the reproduction of each failure", () => {
    expect(summary.requirements.find((r) => r.id === "O3.subject-prefix")?.evidence).toEqual({
      seq: 7,
      worker: "1-0",
      scenario: reply.name,
      what: "HTTP POST /api/v2/me/interactions/unknown-1 (Reply) → 200 [agent1]",
      curl: [
        `curl -sS -X POST "$GWS_BASE_URL/me/interactions/unknown-1" -u "$GWS_AGENT1" -H 'content-type: application/json' --data-binary '{"operationName":"Reply"}'  # seq 7`,
      ],
      rerun: "npx gws-conformance run --only O3.subject-prefix",
    });
  });

  it("HTML: the failure links to its row and its Allure test, names seq 7, shows the commands; the row's note is whole", () => {
    const item = /<li id="evidence-O3\.subject-prefix">[\s\S]*?<\/li>/.exec(html)?.[0] ?? "";
    expect(item).toContain('<a href="#O3.subject-prefix">O3.subject-prefix</a>');
    expect(item).toContain(`<a href="${allureTestHref("O3.subject-prefix")}">Allure test</a>`);
    expect(item).toContain("transcript.jsonl seq 7 (worker 1-0)");
    expect(item).toMatch(
      /<pre class="reproduce">[\s\S]*-u &quot;\$GWS_AGENT1&quot;[\s\S]*npx gws-conformance run --only O3.subject-prefix<\/pre>/,
    );
    const row = /<tr id="O3\.subject-prefix"[\s\S]*?<\/tr>/.exec(html)?.[0] ?? "";
    expect(row).toContain("the end of the note");
    expect(row).toContain('<a href="#evidence-O3.subject-prefix">');
    expect(html).toContain('http-equiv="Content-Security-Policy"');
  });

  it("Markdown: the same links, seq and commands; the verdict spelled as in summary.json everywhere", () => {
    expect(md).toContain("[row](#O3.subject-prefix) · [Allure test](");
    expect(md).toContain("transcript.jsonl seq 7");
    expect(md).toContain(
      '```sh\n  # the requests that led to it:\n  curl -sS -X POST "$GWS_BASE_URL/me/interactions/unknown-1"',
    );
    expect(md).toContain("the end of the note");
    for (const text of [md, html]) {
      expect(text).toContain("NON_CONFORMANT");
      expect(text).not.toContain("NOT CONFORMANT");
    }
  });

  it("an INCOMPLETE certificate opens with the one root cause the errors share", () => {
    const cause = 'prerequisite "target answers HTTP": connect ECONNREFUSED 127.0.0.1:9';
    const broken = ["O1.answer-ok", "O3.subject-prefix", "O8.answer-ok"] as const;
    const { summary: s } = summarize(
      runOf(
        [
          scenarioResult("pre-flight", { requirements: [...broken], error: { message: cause } }),
          scenarioResult("other", { requirements: ["O2.answer-ok"], error: { message: "something else" } }),
        ],
        { filter: { only: [...broken, "O2.answer-ok"] } },
      ),
    );
    expect(s.verdict).toBe("INCOMPLETE");
    const lines = renderCertificate(s).split("\n").filter(Boolean);
    expect(lines[1]).toMatch(
      /^\*\*Root cause:\*\* .*ECONNREFUSED 127\.0\.0\.1:9 .*\(3 of 4 error\(s\) share it: \[errors\]\(#errors\)\)$/,
    );
    const h = renderCertificateHtml(s);
    expect(h.indexOf('class="root-cause"')).toBeLessThan(h.indexOf('class="verdict INCOMPLETE"'));
  });
});
