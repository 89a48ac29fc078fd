import { describe, expect, it } from "vitest";
import { findFlakes } from "./stability.js";
import type { ScenarioResult } from "../src/report/results.js";

const sc = (name: string, passed: boolean, durationMs = 10): ScenarioResult => ({
  name,
  file: "f",
  project: "conformance",
  state: passed ? "passed" : "failed",
  durationMs,
  meta: {
    requirements: ["O1.answer-ok"],
    area: "operations",
    tags: [],
    checks: [{ requirement: "O1.answer-ok", level: "MUST", passed, message: "m", at: 0 }],
  },
  errors: [],
});

describe("findFlakes", () => {
  it("lists a scenario whose verdict changed, with its timings; stable ones are not listed", () => {
    const flakes = findFlakes([
      { scenarios: [sc("a", true, 5), sc("b", true)] },
      { scenarios: [sc("a", false, 900), sc("b", true)] },
    ]);
    expect(flakes).toEqual([{ scenario: "a", verdicts: ["PASS", "FAIL"], durationsMs: [5, 900] }]);
  });
  it("a scenario missing from a run counts as a change", () => {
    expect(findFlakes([{ scenarios: [sc("a", true)] }, { scenarios: [] }])).toEqual([
      { scenario: "a", verdicts: ["PASS", "absent"], durationsMs: [10, 0] },
    ]);
  });
});
