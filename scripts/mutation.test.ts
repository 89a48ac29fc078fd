import { describe, expect, it } from "vitest";
import { judgeCleanRun, judgeFaultRun, type Fault } from "./mutation.js";

const fault: Fault = { name: "f", rule: "O3", level: "MUST", expect: ["O3.subject-prefix"], description: "d" };
const summary = (statuses: Record<string, string>) => ({ requirements: Object.entries(statuses).map(([id, status]) => ({ id, level: "MUST", status })) });

describe("mutation scoring", () => {
  it("a MUST fault is killed only by a FAIL on a requirement it names, not by a failure elsewhere", () => {
    expect(judgeFaultRun(fault, { exitCode: 1, summary: summary({ "O3.subject-prefix": "FAIL" }) }).killed).toBe(true);
    expect(judgeFaultRun(fault, { exitCode: 1, summary: summary({ "O3.subject-prefix": "PASS", "O4.cc": "FAIL" }) }).killed).toBe(false);
    expect(judgeFaultRun(fault, { exitCode: 1, summary: summary({ "O3.subject-prefix": "WARN" }) }).killed).toBe(false);
  });
  it("a SHOULD fault is killed by a WARN on its requirement", () => {
    expect(judgeFaultRun({ ...fault, level: "SHOULD", expect: ["O2.answer-ok"] }, { exitCode: 0, summary: summary({ "O2.answer-ok": "WARN" }) }).killed).toBe(true);
  });
  it("the clean run must pass everything and exit 0; a missing summary is never a kill", () => {
    expect(judgeCleanRun({ exitCode: 0, summary: summary({ a: "PASS", b: "NOT_TESTABLE" }) }).killed).toBe(true);
    expect(judgeCleanRun({ exitCode: 1, summary: summary({ a: "PASS", b: "WARN" }) }).killed).toBe(false);
    expect(judgeFaultRun(fault, { exitCode: null, summary: undefined }).killed).toBe(false);
  });
});
