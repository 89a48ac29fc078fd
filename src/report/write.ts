/**
 * Writes every output of a run under --out: results.json (raw, what merge reads), summary.json,
 * certificate.md, junit.xml, transcript.jsonl and the single-file Allure report.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { contractValidator, formatViolations } from "../contract/validators.js";
import { renderCertificate } from "./certificate.js";
import { renderJunit } from "./junit.js";
import type { RunResults } from "./results.js";
import { buildSummary, type ConformanceSummary } from "./summary.js";
import { computeVerdicts, type ExpectedFailure, type Verdicts } from "./verdicts.js";

export interface WrittenReports {
  verdicts: Verdicts;
  summary: ConformanceSummary;
  files: string[];
}

export function writeReports(out: string, run: RunResults, opts: { expected?: ExpectedFailure[]; mergedFrom?: string[] } = {}): WrittenReports {
  mkdirSync(out, { recursive: true });
  const verdicts = computeVerdicts(run, { expected: opts.expected });
  const summary = buildSummary(run, verdicts, { mergedFrom: opts.mergedFrom });
  const check = contractValidator().validate("reports/summary.schema.json", summary);
  if (!check.ok) throw new Error(`summary.json does not match its schema (a bug of the suite):\n${formatViolations(check.violations)}`);
  const files: Array<[string, string]> = [
    ["results.json", JSON.stringify(run, null, 2) + "\n"],
    ["summary.json", JSON.stringify(summary, null, 2) + "\n"],
    ["certificate.md", renderCertificate(summary)],
    ["junit.xml", renderJunit(run)],
  ];
  for (const [name, text] of files) writeFileSync(join(out, name), text);
  return { verdicts, summary, files: files.map(([n]) => join(out, n)) };
}
