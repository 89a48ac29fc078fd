/**
 * Writes the reports of a run under --out: results.json (raw, what merge reads), summary.json
 * (checked against its schema), certificate.md, certificate.html and junit.xml. The transcript
 * and the Allure report are written by the command (src/cli/) beside them: the transcript first,
 * so that the summary and the certificates carry its hash.
 *
 * Redaction, last line of defence: the workers already redact what they record, but every
 * string of the run is passed through redactValue() (the run's registered secrets) before
 * anything is rendered, so no report can carry a password or a Basic token.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { contractValidator, formatViolations } from "../contract/validators.js";
import { redactText, redactValue, type TranscriptEntry } from "../harness/transcript.js";
import { renderCertificate, renderCertificateHtml } from "./certificate.js";
import { renderJunit } from "./junit.js";
import type { RunResults } from "./results.js";
import { buildSummary, type ConformanceSummary } from "./summary.js";
import { computeVerdicts, type ExpectedFailure, type Verdicts } from "./verdicts.js";

export interface WrittenReports {
  /** The run as the reports saw it (redacted). */
  run: RunResults;
  verdicts: Verdicts;
  summary: ConformanceSummary;
  files: string[];
}

export interface ReportOptions {
  expected?: ExpectedFailure[];
  mergedFrom?: string[];
  /** YYYY-MM-DD for the baseline's expiry dates (tests); default today. */
  today?: string;
  /** SHA-256 of the transcript.jsonl written beside the reports. */
  transcriptSha256?: string;
  /** The run's merged transcript: each FAIL, WARN and ERROR gets its evidence and reproduction from it. */
  transcript?: readonly TranscriptEntry[];
  /** The harness itself broke: the gate is exit 2. */
  harnessError?: string;
}

/** Verdicts and the summary of a run, without writing anything. */
export function summarize(
  rawRun: RunResults,
  opts: ReportOptions = {},
): { run: RunResults; verdicts: Verdicts; summary: ConformanceSummary } {
  const run = redactValue(rawRun);
  const { expected, today, harnessError } = opts;
  const verdicts = computeVerdicts(run, { expected, today, harnessError });
  const summary = buildSummary(run, verdicts, {
    mergedFrom: opts.mergedFrom,
    transcriptSha256: opts.transcriptSha256,
    transcript: opts.transcript,
  });
  const check = contractValidator().validate("reports/summary.schema.json", summary);
  if (!check.ok)
    throw new Error(
      `summary.json does not match its schema (a bug of the suite):\n${formatViolations(check.violations)}`,
    );
  return { run, verdicts, summary };
}

export function writeReports(out: string, rawRun: RunResults, opts: ReportOptions = {}): WrittenReports {
  mkdirSync(out, { recursive: true });
  const { run, verdicts, summary } = summarize(rawRun, opts);
  const files: Array<[string, string]> = [
    ["results.json", `${JSON.stringify(run, null, 2)}\n`],
    ["summary.json", `${JSON.stringify(summary, null, 2)}\n`],
    ["certificate.md", redactText(renderCertificate(summary))],
    ["certificate.html", redactText(renderCertificateHtml(summary))],
    ["junit.xml", redactText(renderJunit(run, verdicts))],
  ];
  for (const [name, text] of files) writeFileSync(join(out, name), text);
  return { run, verdicts, summary, files: files.map(([n]) => join(out, n)) };
}
