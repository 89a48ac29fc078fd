/**
 * What the command prints while it runs and when it ends.
 *   - On an interactive terminal (a TTY, CI not set, NO_COLOR not set, TERM not "dumb"): one live
 *     status line rewritten in place (scenarios done/total, FAIL/WARN/ERROR so far, elapsed time),
 *     with each FAIL, WARN and ERROR scenario printed above it as it happens, in colour.
 *   - Anywhere else (CI logs, pipes, files): one plain line per finished scenario, no escape code.
 *   - At the end, either way: a table of the MUST failures and SHOULD warnings with their
 *     requirement IDs, fitted to the terminal's width (messages wrap, never cut mid-word), the
 *     errors (bounded), the counts, the verdict and the gate, each with why; then where the
 *     reports are and the link to the first failing row of the certificate (printReportPaths).
 *   - The live line counts scenarios done against the total once every suite file is loaded
 *     (vitest loads a file when a worker takes it up); until then it says how many files are loaded,
 *     rather than a total that grows while the run goes.
 * Every line passes the run's redaction before it is written (secrets never reach stdout).
 */
import { pathToFileURL } from "node:url";
import { certificateAnchor } from "../report/certificate.js";
import type { ConformanceSummary } from "../report/summary.js";
import type { Status } from "../report/verdicts.js";
import type { RunProgress } from "../runner/conformance-runner.js";
import { DEFAULT_COLUMNS, type CliIo } from "./command-line.js";

/** Whether the command may use escape codes: a TTY, not CI, no NO_COLOR, a capable terminal. */
export function isInteractive(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return !!stream.isTTY && !env.CI && env.NO_COLOR === undefined && env.TERM !== "dumb";
}

const CLEAR_LINE = "\r\x1b[2K";

/** The process's stdout/stderr as a CliIo: lines are redacted; on a TTY a live line stays at the bottom. */
export function terminalIo(
  redact: (s: string) => string,
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
  env = process.env,
): CliIo {
  const interactive = isInteractive(stdout, env);
  let liveLine = "";
  const fitToWidth = (line: string): string => {
    const width = stdout.columns || 100;
    return line.length >= width ? `${line.slice(0, width - 2)}…` : line;
  };
  // Lines printed while a live line is shown go above it: clear, print, redraw.
  const write = (stream: NodeJS.WriteStream, line: string): void => {
    if (interactive && liveLine) stdout.write(CLEAR_LINE);
    stream.write(`${redact(line)}\n`);
    if (interactive && liveLine) stdout.write(liveLine);
  };
  return {
    out: (line) => write(stdout, line),
    err: (line) => write(stderr, line),
    color: interactive,
    ...(stdout.isTTY && stdout.columns ? { columns: stdout.columns } : {}),
    ...(interactive
      ? {
          live: (line: string) => {
            liveLine = line ? fitToWidth(redact(line)) : "";
            stdout.write(CLEAR_LINE + liveLine);
          },
        }
      : {}),
  };
}

const COLORS: Record<string, string> = {
  PASS: "\x1b[32m",
  FAIL: "\x1b[31m",
  WARN: "\x1b[33m",
  ERROR: "\x1b[35m",
  SKIP: "\x1b[90m",
};
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";
const paint = (io: CliIo, status: string, text: string): string =>
  io.color && COLORS[status] ? `${COLORS[status]}${text}${RESET}` : text;

/** Prints the run's progress: plain lines, or a live line with the notable scenarios above it. */
export class ProgressPrinter implements RunProgress {
  private files = 0;
  private filesCollected = 0;
  private total = 0;
  private done = 0;
  private readonly counts: Record<Status, number> = { PASS: 0, FAIL: 0, WARN: 0, ERROR: 0, SKIP: 0, NOT_TESTABLE: 0 };
  private readonly startedAt = Date.now();

  constructor(private readonly io: CliIo) {}

  started = (files: number): void => {
    this.files = files;
    this.redraw();
  };

  collected = (scenarios: number): void => {
    this.filesCollected++;
    this.total += scenarios;
    this.redraw();
  };

  scenario = (line: string, status: Status): void => {
    this.done++;
    this.counts[status]++;
    // Live: only what needs attention stays on screen; plain: every scenario, one line each.
    if (!this.io.live || status === "FAIL" || status === "WARN" || status === "ERROR")
      this.io.out(paint(this.io, status, line));
    this.redraw();
  };

  /** The live line's text (also used by the tests). */
  statusLine(): string {
    const n = this.counts;
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(0);
    const counts = `${n.FAIL} FAIL · ${n.WARN} WARN · ${n.ERROR} ERROR · ${n.SKIP} SKIP`;
    // A total that grows while it runs ("0/6+ … 39/45+") says nothing: the files still loading instead.
    const done =
      this.filesCollected < this.files
        ? `${this.done} scenarios done · ${this.filesCollected}/${this.files} suite files loaded`
        : `${this.done}/${this.total} scenarios`;
    return `${done} · ${counts} · ${seconds} s`;
  }

  private redraw(): void {
    if (!this.io.live) return;
    const n = this.counts;
    const worst = n.FAIL ? "FAIL" : n.ERROR ? "ERROR" : n.WARN ? "WARN" : "PASS";
    this.io.live(`${BOLD}gws-conformance${RESET} ${paint(this.io, worst, this.statusLine())}`);
  }

  /** Clears the live line before the closing output. */
  finish(): void {
    this.io.live?.("");
  }
}

/** The requirements printed at most in each part of the closing output; the reports list them all. */
const MAX_ROWS = 40;
const MAX_ERROR_ROWS = 20;
const MAX_IDS = 12;
/** Lines a message may wrap to in the table; past them it ends with "…" (the reports hold it whole). */
const MAX_CELL_LINES = 10;

/** `text` in lines of at most `width` characters, broken at spaces (a longer word is split), at most `maxLines`. */
export function wrap(text: string, width: number, maxLines = Number.POSITIVE_INFINITY): string[] {
  const lines: string[] = [];
  let line = "";
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      if (line) lines.push(line);
      lines.push(word.slice(0, width));
      word = word.slice(width);
      line = "";
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1];
  kept[maxLines - 1] = `${last.length >= width ? last.slice(0, width - 1) : last}…`;
  return kept;
}

type ClosingSummary = Pick<
  ConformanceSummary,
  | "verdict"
  | "verdictReason"
  | "gate"
  | "unjudged"
  | "counts"
  | "expected"
  | "requirements"
  | "baselineProblems"
  | "runErrors"
>;

/**
 * Under a failure, warning or error: the transcript entry that broke it and how to reproduce it
 * (summary.json's evidence, src/report/reproduce.ts). The curl commands themselves are in the
 * certificate's row (their count is said here): a terminal table stays readable.
 */
export function evidenceLines(r: ClosingSummary["requirements"][number], width: number): string[] {
  const e = r.evidence;
  if (!e) return [];
  const requests = e.curl.filter((c) => c.startsWith("curl ")).length;
  return [
    ...wrap(`evidence: transcript.jsonl seq ${e.seq}: ${e.what}`, Math.max(30, width), MAX_CELL_LINES),
    ...wrap(
      `reproduce: ${e.rerun}` +
        (requests ? ` · the ${requests} request(s) as curl: certificate.md#${certificateAnchor(r.id)}` : ""),
      Math.max(30, width),
      MAX_CELL_LINES,
    ),
  ];
}

/** The closing output: the table of failures and warnings, errors, counts, verdict and gate. */
export function printVerdict(summary: ClosingSummary, io: CliIo): void {
  const width = Math.max(60, io.columns ?? DEFAULT_COLUMNS);
  const oneLine = (s: string, max: number): string => {
    const line = s.split("\n")[0];
    return line.length > max ? `${line.slice(0, max - 1)}…` : line;
  };
  const notable = summary.requirements
    .filter((r) => r.status === "FAIL" || r.status === "WARN")
    .sort((a, b) => (a.status === b.status ? 0 : a.status === "FAIL" ? -1 : 1));
  if (notable.length) {
    const idWidth = Math.max(11, ...notable.map((r) => r.id.length));
    const indent = 2 + 15 + 1 + idWidth + 1 + 6 + 1;
    io.out("");
    io.out(`MUST failures and SHOULD warnings (${notable.length}):`);
    io.out(`  ${"status".padEnd(15)} ${"requirement".padEnd(idWidth)} ${"level".padEnd(6)} first message`);
    for (const r of notable.slice(0, MAX_ROWS)) {
      const status = `${r.status}${r.expectedFailure ? " (expected)" : ""}`.padEnd(15);
      const why = r.expectedFailure ? `[baseline: ${r.expectedFailure}] ${r.message}` : r.message;
      // The message column wraps at the terminal's width, under itself (a narrow terminal: under the row).
      const lines = wrap(why.replace(/\s*\n\s*/g, " "), Math.max(30, width - indent), MAX_CELL_LINES);
      const pad = width - indent >= 30 ? " ".repeat(indent) : "    ";
      io.out(`  ${paint(io, r.status, status)} ${r.id.padEnd(idWidth)} ${r.level.padEnd(6)} ${lines[0]}`);
      for (const more of lines.slice(1)) io.out(`${pad}${more}`);
      for (const line of evidenceLines(r, width - pad.length)) io.out(`${pad}${line}`);
    }
    if (notable.length > MAX_ROWS) io.out(`  (+${notable.length - MAX_ROWS} more: see certificate.md or summary.json)`);
  }
  // Errors grouped by their reason: a dead target makes every requirement an ERROR with the same one.
  const errors = summary.requirements.filter((x) => x.status === "ERROR");
  if (errors.length) {
    const byReason = new Map<string, string[]>();
    for (const r of errors) {
      const reason = oneLine(r.message, 2000).replace(/\s*\[[^\]]*\]$/, "");
      byReason.set(reason, [...(byReason.get(reason) ?? []), r.id]);
    }
    io.out("");
    io.out(`Not judged, ERROR (${errors.length}):`);
    for (const [reason, ids] of [...byReason].slice(0, MAX_ERROR_ROWS)) {
      const list = ids.slice(0, MAX_IDS).join(", ") + (ids.length > MAX_IDS ? `, +${ids.length - MAX_IDS} more` : "");
      const [first, ...rest] = wrap(`${reason}: ${list}`, width - 8, MAX_CELL_LINES);
      io.out(`  ${paint(io, "ERROR", "ERROR")} ${first}`);
      for (const more of rest) io.out(`        ${more}`);
      const firstOfGroup = errors.find((x) => x.id === ids[0]);
      if (firstOfGroup) for (const line of evidenceLines(firstOfGroup, width - 8)) io.out(`        ${line}`);
    }
    if (byReason.size > MAX_ERROR_ROWS)
      io.out(`  (+${byReason.size - MAX_ERROR_ROWS} more reasons: see certificate.md or summary.json)`);
  }
  for (const e of summary.runErrors)
    for (const l of wrap(`RUN ERROR ${oneLine(e, 2000)}`, width, MAX_CELL_LINES)) io.out(l);
  for (const b of summary.baselineProblems) io.out(`BASELINE ${b}`);
  const notAsked = summary.unjudged.filter((u) => u.reason !== "error");
  if (notAsked.length) {
    const ids = notAsked
      .slice(0, MAX_IDS)
      .map((u) => u.id)
      .join(", ");
    const line =
      `not judged (MUST, ${notAsked.length}): ${ids}` +
      (notAsked.length > MAX_IDS ? `, +${notAsked.length - MAX_IDS} more (summary.json: unjudged)` : "");
    for (const l of wrap(line, width)) io.out(l);
  }
  const c = summary.counts;
  const exp = (n: number): string => (n ? ` (${n} expected)` : "");
  io.out("");
  io.out(
    `requirements: ${c.PASS} PASS, ${c.FAIL} FAIL${exp(summary.expected.FAIL)}, ` +
      `${c.WARN} WARN${exp(summary.expected.WARN)}, ` +
      `${c.ERROR} ERROR, ${c.SKIP} SKIP, ${c.NOT_TESTABLE} NOT_TESTABLE`,
  );
  // The verdict and the gate stay one line each, whatever the width: scripts and people grep them.
  const verdictColor =
    summary.verdict === "CONFORMANT" ? "PASS" : summary.verdict === "NON_CONFORMANT" ? "FAIL" : "WARN";
  io.out(`verdict: ${paint(io, verdictColor, summary.verdict)} — ${summary.verdictReason}`);
  io.out(
    `gate: exit ${paint(io, summary.gate.exitCode === 0 ? "PASS" : "FAIL", String(summary.gate.exitCode))} — ` +
      summary.gate.reasons.join("; "),
  );
}

/** The requirement that leads the closing table: the first MUST failure, else warning, else error. */
function firstFailing(summary: Pick<ConformanceSummary, "requirements">): string | undefined {
  for (const status of ["FAIL", "WARN", "ERROR"])
    for (const r of summary.requirements) if (r.status === status && !r.expectedFailure) return r.id;
  return summary.requirements.find((r) => r.status === "FAIL")?.id;
}

/**
 * The run's last lines: where the reports are, and the certificate's row of the first failing
 * requirement (anchor `req-<ID>`, the certificate's convention), one click from the terminal.
 */
export function printReportPaths(
  summary: Pick<ConformanceSummary, "requirements">,
  paths: { certificate: string; allure?: string; summary: string },
  io: CliIo,
): void {
  io.out("");
  io.out(`certificate: ${paths.certificate}`);
  if (paths.allure) io.out(`allure:      ${paths.allure}`);
  io.out(`summary:     ${paths.summary}`);
  const first = firstFailing(summary);
  // A file: URL, which terminals make clickable, fragment and all.
  if (first) io.out(`first failing row: ${pathToFileURL(paths.certificate).href}#${certificateAnchor(first)}`);
}
