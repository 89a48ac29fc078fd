/**
 * `gws-conformance verify`: a run's folder verifies; one changed byte in the transcript, in a
 * schema of the contract, in a certificate, or a summary edited to say something else, does not.
 * (The command end to end on a real run: test/cli/verdict-gate.test.ts.)
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCHEMAS_DIR } from "../contract/schemas.js";
import { renderCertificate, renderCertificateHtml } from "../report/certificate.js";
import { sha256 } from "../report/fingerprint.js";
import type { ConformanceSummary } from "../report/summary.js";
import { passFailWarnScenarios, runOf } from "../report/test-support.js";
import { writeReports } from "../report/write.js";
import type { CliIo } from "./command-line.js";
import { verifyCommand, verifyRun } from "./verify.js";

const scenarios = passFailWarnScenarios();

/** A run's folder as the command writes it: the transcript (its check records), then the reports that carry its hash. */
function runFolder(baseline = true): string {
  const dir = mkdtempSync(join(tmpdir(), "gws-verify-"));
  const lines = scenarios.flatMap((sc, i) =>
    sc.meta!.checks.map((c, j) =>
      JSON.stringify({ kind: "check", seq: i * 10 + j, ts: c.at, scenario: sc.name, ...c }),
    ),
  );
  const transcript = `${lines.join("\n")}\n`;
  writeFileSync(join(dir, "transcript.jsonl"), transcript);
  writeReports(dir, runOf(scenarios, { filter: { only: ["O1.answer-ok", "O2.answer-ok", "O3.subject-prefix"] } }), {
    transcriptSha256: sha256(transcript),
    ...(baseline ? { expected: [{ id: "O3.subject-prefix", reason: "JIRA-12" }] } : {}),
  });
  return dir;
}

const failed = (dir: string, schemasDir?: string): Record<string, string> =>
  Object.fromEntries(
    verifyRun(dir, schemasDir ? { schemasDir } : {})
      .checks.filter((c) => !c.ok)
      .map((c) => [c.name, c.message]),
  );

function flipByte(path: string, at: number): void {
  const buf = readFileSync(path);
  buf[at] = buf[at] === 0x41 ? 0x42 : 0x41;
  writeFileSync(path, buf);
}

function capture(): CliIo & { text: () => string } {
  const lines: string[] = [];
  return { out: (l) => lines.push(l), err: (l) => lines.push(l), color: false, text: () => lines.join("\n") };
}

describe("verify", () => {
  it("a run's folder as written matches: every check ok, exit 0", () => {
    const dir = runFolder();
    const { checks, summary } = verifyRun(dir);
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ["summary.json", true],
      ["transcript.jsonl", true],
      ["contract", true],
      ["certificate.md", true],
      ["certificate.html", true],
      ["verdict", true],
      ["statuses", true],
      ["results.json", true],
      ["junit.xml", true],
    ]);
    expect(summary.verdict).toBe("NON_CONFORMANT"); // O3 failed, expected by the baseline
    const io = capture();
    expect(verifyCommand([dir], io)).toBe(0);
    expect(io.text()).toMatch(
      /verify: the certificate \(verdict NON_CONFORMANT\) and the reports beside it match its transcript and the installed suite's contract$/,
    );
    // What it cannot recompute is said, not silently passed.
    expect(io.text()).toMatch(/^ {2}- +not covered: allure-results\/scenarios\//m);
  });

  it('junit.xml edited (failures="0", a failure turned into a pass) or results.json edited: mismatch naming the file', () => {
    const dir = runFolder(false); // O3 fails outside any baseline: a <failure> in junit.xml
    const junit = join(dir, "junit.xml");
    const original = readFileSync(junit, "utf8");
    expect(original).toMatch(/failures="[1-9]/);
    writeFileSync(junit, original.replace(/failures="\d+"/g, 'failures="0"'));
    expect(failed(dir)).toEqual({ "junit.xml": expect.stringMatching(/^differs: line \d+: has .*failures=\\"0\\"/) });
    writeFileSync(junit, original.replace(/<failure [^>]*>[^<]*<\/failure>/, ""));
    expect(Object.keys(failed(dir))).toEqual(["junit.xml"]);
    writeFileSync(junit, original);
    expect(failed(dir)).toEqual({});
    // results.json whose failing check now passes: it no longer gives the summary's statuses.
    const results = join(dir, "results.json");
    writeFileSync(results, readFileSync(results, "utf8").replace('"passed": false', '"passed": true'));
    expect(failed(dir)).toMatchObject({
      "results.json": expect.stringMatching(/the summary says (FAIL|WARN), results.json gives PASS/),
    });
  });

  it("one changed byte in the transcript: mismatch naming the transcript, exit 1", () => {
    const dir = runFolder();
    const transcript = join(dir, "transcript.jsonl");
    flipByte(transcript, readFileSync(transcript, "utf8").indexOf("refused")); // inside a message: still valid JSON
    expect(Object.keys(failed(dir))).toEqual(["transcript.jsonl"]);
    const io = capture();
    expect(verifyCommand([dir], io)).toBe(1);
    expect(io.text()).toMatch(/MISMATCH transcript.jsonl: sha256 [0-9a-f]{12}…, the certificate names [0-9a-f]{12}…/);
  });

  it("a transcript line that is no entry: the statuses cannot be checked, naming the line", () => {
    const dir = runFolder();
    const transcript = join(dir, "transcript.jsonl");
    writeFileSync(transcript, readFileSync(transcript, "utf8").replace('{"kind":"check"', '{"kind":"check'));
    expect(failed(dir).statuses).toMatch(/^the transcript cannot be read: .*transcript\.jsonl:1: not JSON/);
  });

  it("one changed byte in a schema of the installed contract: mismatch naming the file", () => {
    const dir = runFolder();
    const schemas = join(mkdtempSync(join(tmpdir(), "gws-verify-schemas-")), "schemas");
    cpSync(SCHEMAS_DIR, schemas, { recursive: true });
    const file = readdirSync(join(schemas, "notifications")).sort()[0];
    flipByte(join(schemas, "notifications", file), 20);
    expect(failed(dir, schemas)).toEqual({
      contract: expect.stringContaining(`schemas/notifications/${file} (content differs)`),
    });
    flipByte(join(schemas, "requirements.json"), 30);
    expect(failed(dir, schemas).contract).toMatch(/requirements.json differs/);
  });

  it("a certificate edited to say something else, or a summary whose verdict or statuses do not follow, is named", () => {
    const dir = runFolder();
    const md = join(dir, "certificate.md");
    writeFileSync(
      md,
      readFileSync(md, "utf8").replace(
        "# Conformance statement: NON_CONFORMANT",
        "# Conformance statement: CONFORMANT",
      ),
    );
    expect(failed(dir)).toEqual({
      "certificate.md": expect.stringMatching(/^differs from what summary.json says: line 1: /),
    });

    // The summary edited, the certificates rendered again from it: the verdict no longer follows from the statuses.
    const path = join(dir, "summary.json");
    const summary = JSON.parse(readFileSync(path, "utf8")) as ConformanceSummary;
    const rewrite = (s: ConformanceSummary): void => {
      writeFileSync(path, JSON.stringify(s, null, 2));
      writeFileSync(md, renderCertificate(s));
      writeFileSync(join(dir, "certificate.html"), renderCertificateHtml(s));
    };
    rewrite({ ...summary, verdict: "CONFORMANT" });
    expect(failed(dir)).toEqual({
      verdict: "the summary says CONFORMANT, its requirement statuses give NON_CONFORMANT",
      // junit.xml carries the verdict too: it is no longer what the summary renders
      "junit.xml": expect.stringMatching(/^differs: .*NON_CONFORMANT/),
    });
    // ...and a FAIL turned PASS no longer agrees with the transcript's checks.
    rewrite({
      ...summary,
      requirements: summary.requirements.map((r) =>
        r.id === "O3.subject-prefix" ? { ...r, status: "PASS", expectedFailure: undefined } : r,
      ),
    });
    expect(failed(dir)).toMatchObject({
      statuses: "O3.subject-prefix: PASS, but the transcript has 0 passed and 1 failed check(s)",
    });
  });

  it("bad usage exits 2: no folder, no such folder, a folder that is not a run's", () => {
    for (const args of [
      [],
      ["/nonexistent/gws-run"],
      [mkdtempSync(join(tmpdir(), "gws-empty-"))],
      ["a", "b"],
      ["--bogus"],
    ]) {
      const io = capture();
      expect(verifyCommand(args, io), JSON.stringify(args)).toBe(2);
      expect(io.text()).toMatch(/^gws-conformance: verify: .*\(see verify --help\)$/);
    }
  });
});
