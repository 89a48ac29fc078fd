/** `run`: configuration checks made before any test (the expected-failures baseline, the --only/--skip keys), and its line about what the suite left open. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./command-line.js";
import { fixture } from "../drift/test-helpers.js";
import { lastFailedIds } from "./last-failed.js";
import { checkSelectionKeys, leftOpenLine, loadExpectedFailures, undocumentedFieldsLine } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "gws-run-config-"));
const baseline = (name: string, content: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
};

describe("loadExpectedFailures", () => {
  it("reads [{id, reason, expires?}]", () => {
    const entries = [
      { id: "O3.subject-prefix", reason: "JIRA-12", expires: "2027-03-31" },
      { id: "O2.answer-ok", reason: "Reject unsupported" },
    ];
    expect(loadExpectedFailures(baseline("ok.json", entries))).toEqual(entries);
  });

  it.each([
    ["missing.json", undefined, /cannot read/],
    ["not-json.json", "[{", /cannot read/],
    ["no-reason.json", [{ id: "O3.subject-prefix" }], /is not a baseline/],
    ["bad-date.json", [{ id: "O3.subject-prefix", reason: "x", expires: "next year" }], /is not a baseline/],
    ["unknown.json", [{ id: "O99.nope", reason: "x" }], /unknown requirement ID\(s\) O99.nope/],
    ["untestable.json", [{ id: "O12.place-in-workbin", reason: "x" }], /O12.place-in-workbin not testable/],
    [
      "twice.json",
      [
        { id: "O3.subject-prefix", reason: "x" },
        { id: "O3.subject-prefix", reason: "y" },
      ],
      /O3.subject-prefix is listed twice/,
    ],
  ])("%s is a configuration error", (name, content, message) => {
    const path = content === undefined ? join(dir, name) : baseline(name, content);
    expect(() => loadExpectedFailures(path)).toThrow(ConfigError);
    expect(() => loadExpectedFailures(path)).toThrow(message);
  });
});

describe("checkSelectionKeys", () => {
  const suites = join(dir, "suites");
  mkdirSync(join(suites, "area"), { recursive: true });
  writeFileSync(
    join(suites, "area", "x.test.ts"),
    `scenario("t", { area: "operations", requirements: ["O1.answer-ok"], tags: ["smoke", 'nightly'] }, async () => {});`,
  );

  it("accepts requirement IDs, rules, areas and tags used by a suite", () => {
    expect(() => checkSelectionKeys(["O1.answer-ok", "O3", "security", "smoke", "nightly"], suites)).not.toThrow();
  });

  it("refuses a key that names nothing (a typo would otherwise judge nothing and look clean)", () => {
    expect(() => checkSelectionKeys(["O33"], suites)).toThrow(
      /"O33" is not a requirement ID, rule, area or scenario tag/,
    );
  });
});

describe("leftOpenLine", () => {
  it("names the first five interactions left open (id, state, agent) and counts the rest", () => {
    const left = Array.from({ length: 7 }, (_, i) => ({ id: `ID${i}`, agent: "agent1", state: "ReplyCreated" }));
    const line = leftOpenLine(left);
    expect(line).toMatch(
      /^the suite left 7 interaction\(s\) open on the embedded reference server: ID0 \(ReplyCreated on agent1\), /,
    );
    expect(line).toContain("ID4 (ReplyCreated on agent1), and 2 more (a defect of the suite, not of a target)");
    expect(line).not.toContain("ID5");
  });
});

describe("undocumentedFieldsLine", () => {
  it("one line naming the server's undocumented fields and the drift command; nothing for a clean transcript", async () => {
    const drifted = await undocumentedFieldsLine(fixture("drifted"), "/r");
    expect(drifted).toMatch(
      /^the server sent \d+ undocumented field\(s\) \(\$\.\S+ in \S+.*\): run gws-conformance drift --from-run \/r$/,
    );
    expect(await undocumentedFieldsLine(fixture("clean"), "/r")).toBeUndefined();
  });
});

describe("lastFailedIds", () => {
  it("the FAIL, WARN and ERROR requirements of a previous run's summary, registry IDs only", () => {
    const run = mkdtempSync(join(tmpdir(), "gws-last-failed-"));
    const statuses: Record<string, string> = {
      "O1.answer-ok": "PASS",
      "O3.subject-prefix": "FAIL",
      "O2.answer-ok": "WARN",
      "O8.answer-ok": "ERROR",
      "O9.target-invited": "SKIP",
      "O99.gone": "FAIL",
    };
    const requirements = Object.entries(statuses).map(([id, status]) => ({ id, status }));
    writeFileSync(join(run, "summary.json"), JSON.stringify({ requirements }));
    expect(lastFailedIds(run)).toEqual(["O3.subject-prefix", "O2.answer-ok", "O8.answer-ok"]);
    writeFileSync(join(run, "summary.json"), "{");
    expect(() => lastFailedIds(run)).toThrow(/--last-failed: .*summary.json is not JSON/);
  });
});
