/** The Allure results by requirement, built from a run's verdicts and the raw scenario results allure-vitest writes. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registry } from "../contract/registry.js";
import { SCENARIO_LABEL } from "../harness/allure-bridge.js";
import {
  allureReportConfig,
  copyRawResults,
  requirementTestCaseId,
  SCENARIOS_SUBDIR,
  setAsideScenarioResults,
  writeRequirementResults,
} from "./allure-requirements.js";
import { check, runOf, scenarioResult } from "./test-support.js";
import { computeVerdicts } from "./verdicts.js";

interface Written {
  name: string;
  status: string;
  statusDetails: { message?: string };
  labels: Array<{ name: string; value: string }>;
  links: Array<{ url: string }>;
  description: string;
  steps: Array<{
    name: string;
    status: string;
    steps: Array<{ name: string; status: string; steps: unknown[]; attachments: unknown[] }>;
    parameters: Array<{ name: string; value: string }>;
  }>;
}

const scenarios = [
  {
    ...scenarioResult("accept", {
      requirements: ["O1.answer-ok"],
      checks: [check("O1.answer-ok", true), check("R2.no-5xx", true)],
    }),
    id: "t-accept",
  },
  {
    ...scenarioResult("reply", {
      requirements: ["O3.subject-prefix"],
      checks: [check("O3.subject-prefix", false, "no prefix"), check("R2.no-5xx", true)],
    }),
    id: "t-reply",
  },
  {
    ...scenarioResult("reject", { requirements: ["O2.answer-ok"], checks: [check("O2.answer-ok", false, "refused")] }),
    id: "t-reject",
  },
  {
    ...scenarioResult("create", {
      requirements: ["O8.answer-ok"],
      error: { prerequisite: "inbound e-mail injected", message: "503" },
    }),
    id: "t-create",
  },
  {
    ...scenarioResult("transfer", { requirements: ["T8.foreign-refused"], skipped: "needs a second agent" }),
    id: "t-transfer",
  },
];

/** A raw result as allure-vitest writes it: the scenario's steps (one with an attachment) and its vitest id as a label. */
function rawResult(dir: string, scenarioId: string, status: string): void {
  const uuid = `raw-${scenarioId}`;
  writeFileSync(join(dir, `${uuid}-attachment.json`), JSON.stringify({ kind: "http" }));
  const step = {
    name: `HTTP POST (${scenarioId})`,
    status: "passed",
    stage: "finished",
    steps: [],
    attachments: [{ name: "exchange", source: `${uuid}-attachment.json`, type: "application/json" }],
    parameters: [],
  };
  writeFileSync(
    join(dir, `${uuid}-result.json`),
    JSON.stringify({
      uuid,
      name: scenarioId,
      status,
      stage: "finished",
      steps: [step],
      attachments: [],
      parameters: [],
      labels: [{ name: SCENARIO_LABEL, value: scenarioId }],
      links: [],
      start: 1,
      stop: 2,
    }),
  );
}

function build(expected: Array<{ id: string; reason: string }> = []) {
  const dir = mkdtempSync(join(tmpdir(), "gws-allure-"));
  for (const [id, status] of [
    ["t-accept", "passed"],
    ["t-reply", "broken"],
    ["t-reject", "passed"],
    ["t-create", "broken"],
  ])
    rawResult(dir, id, status);
  const run = runOf(scenarios);
  const verdicts = computeVerdicts(run, { expected, today: "2026-01-02" });
  setAsideScenarioResults(dir);
  const count = writeRequirementResults(dir, run, verdicts);
  const results = readdirSync(dir)
    .filter((f) => f.endsWith("-result.json"))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Written);
  const byId = (id: string): Written =>
    results.find((r) => r.labels.some((l) => l.name === "story" && l.value === id))!;
  return { dir, count, results, byId, verdicts };
}
const label = (r: Written, name: string): string[] => r.labels.filter((l) => l.name === name).map((l) => l.value);

describe("Allure results by requirement", () => {
  it("one result per requirement of the registry; the raw scenario results move to scenarios/, the attachments stay", () => {
    const { dir, count, results } = build();
    expect(count).toBe(registry.requirements.length);
    expect(results).toHaveLength(registry.requirements.length);
    expect(readdirSync(join(dir, SCENARIOS_SUBDIR)).sort()).toEqual([
      "raw-t-accept-result.json",
      "raw-t-create-result.json",
      "raw-t-reject-result.json",
      "raw-t-reply-result.json",
    ]);
    expect(existsSync(join(dir, "raw-t-accept-attachment.json"))).toBe(true);
  });

  it("status from the verdict: FAIL failed, ERROR broken, SKIP and NOT_TESTABLE skipped with the reason, WARN passed and titled as a warning", () => {
    const { byId } = build();
    expect(byId("O3.subject-prefix")).toMatchObject({
      status: "failed",
      statusDetails: { message: expect.stringContaining("no prefix") },
    });
    expect(byId("O8.answer-ok")).toMatchObject({
      status: "broken",
      statusDetails: { message: expect.stringContaining('prerequisite "inbound e-mail injected": 503') },
    });
    // Skipped: the reason leads the description; no status message (Allure shows one as an error box).
    expect(byId("T8.foreign-refused")).toMatchObject({
      status: "skipped",
      statusDetails: {},
      description: expect.stringMatching(/^\*\*Skipped\*\*: .*needs a second agent/),
    });
    expect(byId("O12.place-in-workbin")).toMatchObject({
      status: "skipped",
      statusDetails: {},
      description: expect.stringMatching(/^\*\*Not testable\*\*: /),
    });
    const warn = byId("O2.answer-ok");
    expect(warn).toMatchObject({
      status: "passed",
      name: "O2.answer-ok ⚠ SHOULD warning — Reject on an Invited interaction answers ok.",
    });
    expect(label(warn, "tag")).toContain("SHOULD warning");
    expect(label(warn, "verdict")).toEqual(["WARN"]);
    expect(byId("O1.answer-ok")).toMatchObject({
      status: "passed",
      name: "O1.answer-ok — Accept on an Invited interaction answers ok.",
    });
  });

  it("labels area → rule → requirement (epic, feature, story), MUST as critical; the description holds the text; a link leads to certificate.html", () => {
    const { byId } = build();
    const r = byId("O3.subject-prefix");
    expect([label(r, "epic"), label(r, "feature"), label(r, "story"), label(r, "severity")]).toEqual([
      ["operations"],
      ["O3"],
      ["O3.subject-prefix"],
      ["critical"],
    ]);
    expect(r.description).toContain("> The reply's Subject is subjectPrefix + the inbound Subject.");
    expect(r.links).toEqual([expect.objectContaining({ url: "../certificate.html#O3.subject-prefix" })]);
  });

  it("one step per scenario with the requirement's status there; the scenario's own steps under what it declares or found a problem with", () => {
    const { byId } = build();
    const reply = byId("O3.subject-prefix").steps;
    expect(reply).toHaveLength(1);
    expect(reply[0]).toMatchObject({ name: "scenario: suites/operations/example.test.ts > reply", status: "failed" });
    expect(reply[0].steps.map((s) => [s.name, s.status])).toEqual([
      ["✗ FAIL O3.subject-prefix (MUST): no prefix", "failed"],
      ["the scenario's steps", "passed"], // the raw test said "broken": vitest's word for a MUST failure
    ]);
    expect(reply[0].steps[1].steps).toEqual([
      expect.objectContaining({
        name: "HTTP POST (t-reply)",
        attachments: [expect.objectContaining({ source: "raw-t-reply-attachment.json" })],
      }),
    ]);
    // R2 is checked in passing by both scenarios: the checks, not the scenarios' whole steps
    const r2 = byId("R2.no-5xx").steps;
    expect(r2.map((s) => s.status)).toEqual(["passed", "passed"]);
    expect(r2.every((s) => s.steps.length === 1)).toBe(true);
    expect(r2[0].parameters).toEqual([{ name: "its steps are under", value: "O1.answer-ok" }]);
    expect(byId("O2.answer-ok").steps[0].steps[0]).toMatchObject({ name: "⚠ WARN O2.answer-ok (SHOULD): refused" });
  });

  it("a scenario's steps under two requirements: the second links a copy of each attachment (Allure shows a file linked twice as missed)", () => {
    const dir = mkdtempSync(join(tmpdir(), "gws-allure-"));
    rawResult(dir, "t-both", "passed");
    const both = {
      ...scenarioResult("both", {
        requirements: ["O1.answer-ok", "O1.accepted-notification"],
        checks: [check("O1.answer-ok", true), check("O1.accepted-notification", true)],
      }),
      id: "t-both",
    };
    const run = runOf([both]);
    setAsideScenarioResults(dir);
    writeRequirementResults(dir, run, computeVerdicts(run, { today: "2026-01-02" }));
    const results = readdirSync(dir)
      .filter((f) => f.endsWith("-result.json"))
      .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Written);
    const sourceUnder = (id: string): string => {
      const r = results.find((x) => x.labels.some((l) => l.name === "story" && l.value === id))!;
      const scenarioSteps = r.steps[0].steps.find((s) => s.name === "the scenario's steps")!;
      const step = scenarioSteps.steps[0] as unknown as { attachments: Array<{ source: string }> };
      return step.attachments[0].source;
    };
    const sources = [sourceUnder("O1.answer-ok"), sourceUnder("O1.accepted-notification")];
    expect(new Set(sources).size).toBe(2);
    expect(sources).toContain("raw-t-both-attachment.json");
    for (const s of sources) expect(readFileSync(join(dir, s), "utf8")).toBe(JSON.stringify({ kind: "http" }));
  });

  it("an expected failure is failed with an accepted resolution carrying the baseline's reason; the tree groups by epic and feature", () => {
    const { byId, verdicts } = build([{ id: "O3.subject-prefix", reason: "JIRA-12" }]);
    expect(byId("O3.subject-prefix").status).toBe("failed");
    expect(label(byId("O3.subject-prefix"), "verdict")).toEqual(["FAIL (expected)"]);
    const config = allureReportConfig(verdicts, "report") as {
      resolutions: unknown;
      plugins: { awesome: { options: { groupBy: string[] } } };
    };
    expect(config.resolutions).toEqual({
      rules: [
        {
          resolution: "accepted",
          comment: "expected failure (baseline): JIRA-12",
          testCaseId: [requirementTestCaseId("O3.subject-prefix")],
        },
      ],
    });
    expect(config.plugins.awesome.options.groupBy).toEqual(["epic", "feature"]);
  });

  it("merge input: copyRawResults takes a run's attachments and scenarios/, not its per-requirement results", () => {
    const { dir } = build();
    const merged = join(mkdtempSync(join(tmpdir(), "gws-allure-merged-")), "allure-results");
    mkdirSync(merged);
    copyRawResults(dir, merged);
    expect(readdirSync(merged).filter((f) => f.endsWith("-result.json"))).toEqual([]);
    expect(readdirSync(join(merged, SCENARIOS_SUBDIR))).toHaveLength(4);
    expect(readdirSync(merged).filter((f) => f.endsWith("-attachment.json"))).toHaveLength(4);
  });
});
