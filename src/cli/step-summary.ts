/**
 * The certificate's summary as GitHub-flavoured Markdown, for $GITHUB_STEP_SUMMARY (the GitHub
 * Action, action.yml, appends it): the verdict and why, the CI gate, the counts, and each MUST
 * failure, SHOULD warning and error with its requirement ID and first message. The full
 * certificate, the Allure report and the transcript are in the uploaded artifact.
 *   node dist/src/cli/step-summary.js DIR   (DIR: the run's --out folder) prints it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConformanceSummary } from "../report/summary.js";
import { isEntryModule } from "./entry.js";
import { ConfigError, runProgram, UsageError, type CliIo } from "./command-line.js";

const MAX_ROWS = 30;
const cell = (s: string): string => s.split("\n")[0].replace(/\|/g, "\\|").slice(0, 300);

export function stepSummary(s: ConformanceSummary): string {
  const c = s.counts;
  const rows = ["FAIL", "WARN", "ERROR"].flatMap((status) => s.requirements.filter((r) => r.status === status));
  const lines = [
    `## GWS e-mail conformance: ${s.verdict} — ${s.target}`,
    "",
    `**Verdict ${s.verdict}**: ${s.verdictReason}`,
    "",
    `**CI gate: exit ${s.gate.exitCode}** — ${s.gate.reasons.join("; ")}`,
    "",
    `${c.PASS} PASS · ${c.FAIL} FAIL · ${c.WARN} WARN · ${c.ERROR} ERROR · ${c.SKIP} SKIP · ${c.NOT_TESTABLE} NOT_TESTABLE`,
    "",
  ];
  if (rows.length) {
    lines.push("| status | requirement | level | first message |", "| --- | --- | --- | --- |");
    for (const r of rows.slice(0, MAX_ROWS))
      lines.push(
        `| ${r.status}${r.expectedFailure ? " (expected)" : ""} | \`${r.id}\` | ${r.level} | ${cell(r.message)} |`,
      );
    if (rows.length > MAX_ROWS) lines.push("", `(+${rows.length - MAX_ROWS} more: certificate.md in the artifact)`);
    lines.push("");
  }
  lines.push(
    "The certificate (md, html), the Allure report, junit.xml and the transcript are in the run's artifact.",
    "",
  );
  return lines.join("\n");
}

export function stepSummaryCommand(argv: string[], io: CliIo): number {
  if (argv.length !== 1) throw new UsageError("usage: step-summary DIR (a run's --out folder)");
  let summary: ConformanceSummary;
  try {
    summary = JSON.parse(readFileSync(join(argv[0], "summary.json"), "utf8")) as ConformanceSummary;
  } catch (e) {
    throw new ConfigError(`no summary in ${argv[0]}: ${(e as Error).message}`);
  }
  io.out(stepSummary(summary));
  return 0;
}

if (isEntryModule(import.meta.url)) await runProgram("step-summary", stepSummaryCommand);
