import { describe, expect, it } from "vitest";
import { FAULTS } from "../src/reference/faults/index.js";
import { judgeCleanRun, judgeFaultRun, loadFaults, renderMarkdown, tally } from "./mutation.js";
import type { Fault, MutantResult } from "./mutation.js";

const fault: Fault = { name: "f", rule: "O3", level: "MUST", expect: ["O3.subject-prefix"], description: "d" };
const summary = (statuses: Record<string, string>) => ({
  requirements: Object.entries(statuses).map(([id, status]) => ({ id, level: "MUST", status })),
});

describe("mutation scoring", () => {
  it("a MUST fault is killed only by a FAIL on a requirement it names, not by a failure elsewhere", () => {
    expect(judgeFaultRun(fault, { exitCode: 1, summary: summary({ "O3.subject-prefix": "FAIL" }) }).killed).toBe(true);
    expect(
      judgeFaultRun(fault, { exitCode: 1, summary: summary({ "O3.subject-prefix": "PASS", "O4.cc": "FAIL" }) }).killed,
    ).toBe(false);
    expect(judgeFaultRun(fault, { exitCode: 1, summary: summary({ "O3.subject-prefix": "WARN" }) }).killed).toBe(false);
  });
  it("a SHOULD fault is killed by a WARN on its requirement", () => {
    expect(
      judgeFaultRun(
        { ...fault, level: "SHOULD", expect: ["O2.answer-ok"] },
        { exitCode: 0, summary: summary({ "O2.answer-ok": "WARN" }) },
      ).killed,
    ).toBe(true);
  });
  it("the clean run must pass everything and exit 0; a missing summary is never a kill", () => {
    expect(judgeCleanRun({ exitCode: 0, summary: summary({ a: "PASS", b: "NOT_TESTABLE" }) }).killed).toBe(true);
    expect(judgeCleanRun({ exitCode: 1, summary: summary({ a: "PASS", b: "WARN" }) }).killed).toBe(false);
    expect(judgeFaultRun(fault, { exitCode: null, summary: undefined }).killed).toBe(false);
  });
  it("the faults are the catalog's (imported, not re-declared)", () => {
    expect(loadFaults()).toEqual([...FAULTS]);
  });
  it("the score counts faults and mutants only; the clean runs are counted apart, every one must pass", () => {
    const result = (fault: string, killed: boolean): MutantResult => ({
      fault,
      rule: "-",
      level: "MUST",
      judgedBy: "x",
      expected: "",
      observed: "",
      killed,
      wallMs: 1,
    });
    const cleanRuns = ["(clean)", "(clean, through the proxy)", "(clean, every allowed variation on)"];
    const clean = cleanRuns.map((n) => result(n, true));
    const judged = [result("a", true), result("b", true), result("c", false)];
    expect(tally(clean, judged)).toEqual({ caught: 2, judged: 3, score: 2 / 3, cleanPassed: 3, clean: 3, ok: false });
    expect(tally(clean, judged.slice(0, 2))).toMatchObject({ caught: 2, judged: 2, score: 1, ok: true });
    const oneCleanFailed = [...clean.slice(1), result("(clean)", false)];
    expect(tally(oneCleanFailed, judged.slice(0, 2))).toMatchObject({ score: 1, cleanPassed: 2, ok: false });
    expect(tally(clean, [])).toMatchObject({ score: 0, ok: false });
    expect(renderMarkdown(clean, judged, 1000)).toContain(
      "Score: **66.7%** (2/3 faults and derived mutants caught); clean runs: 3/3 passed",
    );
  });
});
