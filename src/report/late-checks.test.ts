/** Late checks (found after their scenario ended) count before verdicts, in the scenario they belong to. */
import { describe, expect, it } from "vitest";
import type { TranscriptEntry } from "../harness/transcript.js";
import { mergeLateChecks } from "./late-checks.js";
import type { ScenarioResult } from "./results.js";
import { computeVerdicts } from "./verdicts.js";

const scenario = (name: string): ScenarioResult => ({
  name,
  file: "suites/security/ownership.test.ts",
  project: "conformance",
  state: "passed",
  durationMs: 10,
  meta: {
    requirements: ["T8.foreign-no-effect", "R3.no-effect"],
    area: "security",
    tags: [],
    checks: [
      {
        requirement: "T8.foreign-no-effect",
        level: "MUST",
        passed: true,
        message: "no notification within 300 ms",
        at: 1,
      },
      { requirement: "R3.no-effect", level: "SHOULD", passed: true, message: "quiet", at: 1 },
    ],
  },
  errors: [],
});
const late = (scenarioName: string, requirement: string, level: string): TranscriptEntry => ({
  kind: "check",
  seq: 9,
  ts: 2,
  scenario: scenarioName,
  requirement,
  level,
  passed: false,
  message: `effect 1500 ms later`,
  late: true,
  watch: true,
  delayMs: 1500,
});

describe("merging late checks", () => {
  it("turns the requirement FAIL (MUST) or WARN (SHOULD), naming the delay; an unknown scenario's is returned", () => {
    const a = scenario("A");
    const unmerged = mergeLateChecks(
      [a],
      [
        late("A", "T8.foreign-no-effect", "MUST"),
        late("A", "R3.no-effect", "SHOULD"),
        late("B", "R3.no-effect", "SHOULD"),
        {
          kind: "check",
          seq: 1,
          ts: 1,
          scenario: "A",
          requirement: "R3.no-effect",
          level: "SHOULD",
          passed: false,
          message: "in time",
        },
      ],
    );
    expect(unmerged.map((e) => e.scenario)).toEqual(["B"]);
    expect(a.meta!.checks.filter((c) => !c.passed).map((c) => [c.requirement, c.measuredMs])).toEqual([
      ["T8.foreign-no-effect", 1500],
      ["R3.no-effect", 1500],
    ]);
    const v = computeVerdicts({ scenarios: [a] });
    expect(v.requirements.find((r) => r.id === "T8.foreign-no-effect")?.status).toBe("FAIL");
    expect(v.requirements.find((r) => r.id === "R3.no-effect")?.status).toBe("WARN");
  });

  it("merging twice adds nothing more", () => {
    const a = scenario("A");
    const t = [late("A", "R3.no-effect", "SHOULD")];
    mergeLateChecks([a], t);
    mergeLateChecks([a], t);
    expect(a.meta!.checks.filter((c) => !c.passed)).toHaveLength(1);
  });
});
