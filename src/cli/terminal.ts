/**
 * What the command prints while it runs and when it ends.
 *   - On an interactive terminal (a TTY, CI not set, NO_COLOR not set, TERM not "dumb"): one live
 *     status line rewritten in place (scenarios done/total, FAIL/WARN/ERROR so far, elapsed time),
 *     with each FAIL, WARN and ERROR scenario printed above it as it happens, in colour.
 *   - Anywhere else (CI logs, pipes, files): one plain line per finished scenario, no escape code.
 *   - At the end, either way: a table of the MUST failures and SHOULD warnings with their
 *     requirement IDs, the errors (bounded), the counts, the verdict and the gate, each with why.
 * Every line passes the run's redaction before it is written (secrets never reach stdout).
 */
import type { ConformanceSummary } from "../report/summary.js";
import type { Status } from "../report/verdicts.js";
import type { RunProgress } from "../runner/conformance-runner.js";
import type { CliIo } from "./command-line.js";

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
    const pending = this.filesCollected < this.files;
    const n = this.counts;
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(0);
    const counts = `${n.FAIL} FAIL · ${n.WARN} WARN · ${n.ERROR} ERROR · ${n.SKIP} SKIP`;
    return `${this.done}/${this.total}${pending ? "+" : ""} scenarios · ${counts} · ${seconds} s`;
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

/** The closing output: the table of failures and warnings, errors, counts, verdict and gate. */
export function printVerdict(summary: ClosingSummary, io: CliIo): void {
  const oneLine = (s: string, max: number): string => {
    const line = s.split("\n")[0];
    return line.length > max ? `${line.slice(0, max - 1)}…` : line;
  };
  const notable = summary.requirements
    .filter((r) => r.status === "FAIL" || r.status === "WARN")
    .sort((a, b) => (a.status === b.status ? 0 : a.status === "FAIL" ? -1 : 1));
  if (notable.length) {
    const idWidth = Math.max(11, ...notable.map((r) => r.id.length));
    io.out("");
    io.out(`MUST failures and SHOULD warnings (${notable.length}):`);
    io.out(`  ${"status".padEnd(15)} ${"requirement".padEnd(idWidth)} ${"level".padEnd(6)} first message`);
    for (const r of notable.slice(0, MAX_ROWS)) {
      const status = `${r.status}${r.expectedFailure ? " (expected)" : ""}`.padEnd(15);
      const why = r.expectedFailure ? `[baseline: ${r.expectedFailure}] ${r.message}` : r.message;
      io.out(
        `  ${paint(io, r.status, status)} ${r.id.padEnd(idWidth)} ${r.level.padEnd(6)} ` +
          oneLine(why.replace(/\s*\n\s*/g, " "), 160),
      );
    }
    if (notable.length > MAX_ROWS) io.out(`  (+${notable.length - MAX_ROWS} more: see certificate.md or summary.json)`);
  }
  // Errors grouped by their reason: a dead target makes every requirement an ERROR with the same one.
  const errors = summary.requirements.filter((x) => x.status === "ERROR");
  if (errors.length) {
    const byReason = new Map<string, string[]>();
    for (const r of errors) {
      const reason = oneLine(r.message, 400).replace(/\s*\[[^\]]*\]$/, "");
      byReason.set(reason, [...(byReason.get(reason) ?? []), r.id]);
    }
    io.out("");
    io.out(`Not judged, ERROR (${errors.length}):`);
    for (const [reason, ids] of [...byReason].slice(0, MAX_ERROR_ROWS)) {
      const list = ids.slice(0, MAX_IDS).join(", ") + (ids.length > MAX_IDS ? `, +${ids.length - MAX_IDS} more` : "");
      io.out(`  ${paint(io, "ERROR", "ERROR")} ${oneLine(reason, 200)}: ${list}`);
    }
    if (byReason.size > MAX_ERROR_ROWS)
      io.out(`  (+${byReason.size - MAX_ERROR_ROWS} more reasons: see certificate.md or summary.json)`);
  }
  for (const e of summary.runErrors) io.out(`RUN ERROR ${oneLine(e, 300)}`);
  for (const b of summary.baselineProblems) io.out(`BASELINE ${b}`);
  const notAsked = summary.unjudged.filter((u) => u.reason !== "error");
  if (notAsked.length) {
    const ids = notAsked
      .slice(0, MAX_IDS)
      .map((u) => u.id)
      .join(", ");
    io.out(
      `not judged (MUST, ${notAsked.length}): ${ids}` +
        (notAsked.length > MAX_IDS ? `, +${notAsked.length - MAX_IDS} more (summary.json: unjudged)` : ""),
    );
  }
  const c = summary.counts;
  const exp = (n: number): string => (n ? ` (${n} expected)` : "");
  io.out("");
  io.out(
    `requirements: ${c.PASS} PASS, ${c.FAIL} FAIL${exp(summary.expected.FAIL)}, ` +
      `${c.WARN} WARN${exp(summary.expected.WARN)}, ` +
      `${c.ERROR} ERROR, ${c.SKIP} SKIP, ${c.NOT_TESTABLE} NOT_TESTABLE`,
  );
  const verdictColor =
    summary.verdict === "CONFORMANT" ? "PASS" : summary.verdict === "NON_CONFORMANT" ? "FAIL" : "WARN";
  io.out(`verdict: ${paint(io, verdictColor, summary.verdict)} — ${summary.verdictReason}`);
  io.out(
    `gate: exit ${paint(io, summary.gate.exitCode === 0 ? "PASS" : "FAIL", String(summary.gate.exitCode))} — ` +
      summary.gate.reasons.join("; "),
  );
}
