/** Terminal output: a live line on an interactive terminal, plain lines elsewhere, and the closing table. */
import { describe, expect, it } from "vitest";
import { summarize } from "../report/write.js";
import { check, passFailWarnScenarios, runOf, scenarioResult } from "../report/test-support.js";
import type { CliIo } from "./command-line.js";
import {
  evidenceLines,
  isInteractive,
  printReportPaths,
  printVerdict,
  ProgressPrinter,
  terminalIo,
  wrap,
} from "./terminal.js";

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

  it("live: done/total once every file is loaded (the files loaded before: no growing total) and the counts so far; only FAIL, WARN and ERROR scenarios stay on screen", () => {
    const io = capture(true);
    const p = new ProgressPrinter(io);
    p.started(2);
    p.collected(3);
    expect(p.statusLine()).toMatch(
      /^0 scenarios done · 1\/2 suite files loaded · 0 FAIL · 0 WARN · 0 ERROR · 0 SKIP · \d+ s$/,
    );
    p.scenario("PASS  a", "PASS");
    p.scenario("WARN  b", "WARN");
    expect(p.statusLine()).not.toMatch(/\d+\/\d+ scenarios|\+/);
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
    expect(text).toMatch(/^gate: exit 3 — 2 requirements could not be judged \(ERROR\): O4\.cc, O8\.answer-ok$/m);
    expect(text).not.toContain(ESC);
  });

  it("fits the table to the terminal's width: a long message wraps under its column, whole, at 80 or 200 columns", () => {
    const long = `${"the reply's FromAddress was not the inbound ToAddress ".repeat(4)}END`;
    const run = runOf(
      [
        scenarioResult("reply", {
          requirements: ["O3.subject-prefix"],
          checks: [check("O3.subject-prefix", false, long)],
        }),
      ],
      { filter: { only: ["O3.subject-prefix"] } },
    );
    const { summary } = summarize(run);
    const heights: number[] = [];
    for (const columns of [80, 200]) {
      const io = { ...capture(false), columns };
      printVerdict(summary, io);
      const start = io.lines.findIndex((l) => l.includes("O3.subject-prefix") && l.startsWith("  FAIL"));
      const end = io.lines.findIndex((l, i) => i >= start && l.endsWith("reply]"));
      expect(end, `${columns} columns`).toBeGreaterThanOrEqual(start);
      const rows = io.lines.slice(start, end + 1);
      for (const l of rows) expect(l.length, l).toBeLessThanOrEqual(columns);
      // Nothing cut: the words of the message, joined again, are the message.
      const column = rows[0].indexOf("the reply");
      expect(rows.map((l) => l.slice(column)).join(" ")).toBe(`${long} [suites/operations/example.test.ts > reply]`);
      // Every line but the verdict and the gate, which stay one line each (scripts read them).
      for (const l of io.lines.filter((x) => !/^(verdict|gate): /.test(x)))
        expect(l.length, l).toBeLessThanOrEqual(columns);
      heights.push(rows.length);
    }
    expect(heights[0]).toBeGreaterThan(heights[1]); // the wider terminal needs fewer lines
  });

  it("wrap: at spaces, a longer word split, at most maxLines with an ellipsis", () => {
    expect(wrap("aa bb cc", 5)).toEqual(["aa bb", "cc"]);
    expect(wrap("abcdefgh", 3)).toEqual(["abc", "def", "gh"]);
    expect(wrap("a b c d e f", 4, 2)).toEqual(["a b", "c d…"]);
    expect(wrap("", 10)).toEqual([""]);
  });

  it("ends with the report paths and the certificate row of the first failing requirement (file URL, #ID)", () => {
    const io = capture(false);
    const { summary } = summarize(runOf(scenarios));
    printReportPaths(
      summary,
      { certificate: "/r/certificate.html", allure: "/r/allure-report/index.html", summary: "/r/summary.json" },
      io,
    );
    expect(io.lines).toEqual([
      "",
      "certificate: /r/certificate.html",
      "allure:      /r/allure-report/index.html",
      "summary:     /r/summary.json",
      "first failing row: file:///r/certificate.html#O3.subject-prefix",
    ]);
  });
});

describe("evidenceLines", () => {
  const base = { id: "O3.subject-prefix", level: "MUST", status: "FAIL", message: "m" } as const;
  it("names the transcript seq of what broke the rule and how to reproduce it, wrapped to the width", () => {
    const lines = evidenceLines(
      {
        ...base,
        evidence: {
          seq: 108,
          worker: "w",
          scenario: "s",
          what: "CometD /me/interactions → agent2: ReplyCreated",
          curl: ["ID_1=X", "curl -sS a", "curl -sS b"],
          rerun: "npx gws-conformance run --only O3.subject-prefix",
        },
      } as unknown as Parameters<typeof evidenceLines>[0],
      200,
    );
    expect(lines).toEqual([
      "evidence: transcript.jsonl seq 108: CometD /me/interactions → agent2: ReplyCreated",
      "reproduce: npx gws-conformance run --only O3.subject-prefix · the 2 request(s) as curl: certificate.md#O3.subject-prefix",
    ]);
    expect(evidenceLines(base as unknown as Parameters<typeof evidenceLines>[0], 200)).toEqual([]);
  });
});
