/** Terminal output: a live line on an interactive terminal, plain lines elsewhere, and the closing table. */
import { describe, expect, it } from "vitest";
import { summarize } from "../report/write.js";
import { passFailWarnScenarios, runOf, scenarioResult } from "../report/test-support.js";
import type { CliIo } from "./command-line.js";
import { isInteractive, printVerdict, ProgressPrinter, terminalIo } from "./terminal.js";

/** The escape character that starts a terminal colour or cursor code. */
const ESC = String.fromCharCode(27);

function capture(live: boolean): CliIo & { lines: string[]; lives: string[] } {
  const lines: string[] = [];
  const lives: string[] = [];
  return {
    lines,
    lives,
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
    color: live,
    ...(live ? { live: (l: string) => void lives.push(l) } : {}),
  };
}

/** A stream that records what is written, with or without a TTY. */
function stream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = {
    text: "",
    isTTY,
    columns: 60,
    write: (chunk: string): boolean => {
      s.text += chunk;
      return true;
    },
  };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe("isInteractive", () => {
  it("only a TTY without CI, NO_COLOR or TERM=dumb gets escape codes", () => {
    expect(isInteractive({ isTTY: true }, {})).toBe(true);
    expect(isInteractive({ isTTY: false }, {})).toBe(false);
    expect(isInteractive({ isTTY: true }, { CI: "true" })).toBe(false);
    expect(isInteractive({ isTTY: true }, { NO_COLOR: "" })).toBe(false);
    expect(isInteractive({ isTTY: true }, { TERM: "dumb" })).toBe(false);
  });
});

describe("terminalIo", () => {
  it("not a TTY: plain lines, no escape code, no live line", () => {
    const out = stream(false);
    const io = terminalIo((s) => s.replace("hunter2", "REDACTED"), out, stream(false), {});
    io.out("PASS  a > b 3 ms (hunter2)");
    expect(io.live).toBeUndefined();
    expect(out.text).toBe("PASS  a > b 3 ms (REDACTED)\n");
  });

  it("a TTY: the live line stays at the bottom, lines printed go above it, and it is cut to the terminal's width", () => {
    const out = stream(true);
    const io = terminalIo((s) => s, out, stream(true), {});
    io.live!("3/10 scenarios");
    io.out("FAIL  x");
    io.live!("y".repeat(100));
    io.live!("");
    expect(out.text).toBe(
      `\r\x1b[2K3/10 scenarios\r\x1b[2KFAIL  x\n3/10 scenarios\r\x1b[2K${"y".repeat(58)}…\r\x1b[2K`,
    );
  });
});

describe("ProgressPrinter", () => {
  it("plain: one line per scenario, every status, no escape code", () => {
    const io = capture(false);
    const p = new ProgressPrinter(io);
    p.started(2);
    p.collected(3);
    p.scenario("PASS  a", "PASS");
    p.scenario("SKIP  b (needs a second agent)", "SKIP");
    p.scenario("FAIL  c (O3.subject-prefix)", "FAIL");
    p.finish();
    expect(io.lines).toEqual(["PASS  a", "SKIP  b (needs a second agent)", "FAIL  c (O3.subject-prefix)"]);
    expect(io.lines.join("")).not.toContain(ESC);
  });

  it("live: done/total (+ while files are still being loaded) and the counts so far; only FAIL, WARN and ERROR scenarios stay on screen", () => {
    const io = capture(true);
    const p = new ProgressPrinter(io);
    p.started(2);
    p.collected(3);
    expect(p.statusLine()).toMatch(/^0\/3\+ scenarios · 0 FAIL · 0 WARN · 0 ERROR · 0 SKIP · \d+ s$/);
    p.scenario("PASS  a", "PASS");
    p.scenario("WARN  b", "WARN");
    p.collected(1);
    p.scenario("FAIL  c", "FAIL");
    expect(p.statusLine()).toMatch(/^3\/4 scenarios · 1 FAIL · 1 WARN · 0 ERROR · 0 SKIP/);
    expect(io.lines.map((l) => l.replace(new RegExp(`${ESC}\\[\\d+m`, "g"), ""))).toEqual(["WARN  b", "FAIL  c"]);
    expect(io.lives.at(-1)).toContain("3/4 scenarios");
    p.finish();
    expect(io.lives.at(-1)).toBe("");
  });
});

describe("printVerdict", () => {
  const scenarios = [
    ...passFailWarnScenarios(),
    scenarioResult("create", {
      requirements: ["O8.answer-ok"],
      error: { prerequisite: "inbound e-mail injected", message: "503" },
    }),
    scenarioResult("forward", {
      requirements: ["O4.cc"],
      error: { prerequisite: "inbound e-mail injected", message: "503" },
    }),
  ];

  it("a table of MUST failures and SHOULD warnings with their IDs, errors grouped by reason, not-judged MUST IDs, counts, verdict and gate", () => {
    const io = capture(false);
    const { summary } = summarize(
      runOf(scenarios, {
        filter: { only: ["O1.answer-ok", "O2.answer-ok", "O3.subject-prefix", "O4.cc", "O8.answer-ok"] },
      }),
      { expected: [{ id: "O3.subject-prefix", reason: "JIRA-12" }] },
    );
    printVerdict(summary, io);
    const text = io.lines.join("\n");
    expect(text).toMatch(/^MUST failures and SHOULD warnings \(2\):$/m);
    expect(text).toMatch(/^ {2}FAIL \(expected\) +O3\.subject-prefix +MUST +\[baseline: JIRA-12\] no prefix/m);
    expect(text).toMatch(/^ {2}WARN +O2\.answer-ok +SHOULD +refused/m);
    expect(text).toMatch(
      /^Not judged, ERROR \(2\):\n {2}ERROR prerequisite "inbound e-mail injected": 503: O4\.cc, O8\.answer-ok$/m,
    );
    expect(text).toMatch(/^not judged \(MUST, \d+\): T1\.api-root, /m);
    expect(text).toMatch(
      /^verdict: NON_CONFORMANT — 1 MUST requirement failed: O3\.subject-prefix; all expected by the baseline \(O3\.subject-prefix: JIRA-12\)$/m,
    );
    expect(text).toMatch(/^gate: exit 1 — 2 requirements could not be judged \(ERROR\): O4\.cc, O8\.answer-ok$/m);
    expect(text).not.toContain(ESC);
  });
});
