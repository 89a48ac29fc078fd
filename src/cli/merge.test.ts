/** Merging shard results: one run again, a missing shard left visible, inconsistent inputs refused. */
import { describe, expect, it } from "vitest";
import { check, runOf, scenarioResult } from "../report/test-support.js";
import { computeVerdicts } from "../report/verdicts.js";
import { mergeRuns } from "./merge.js";

const a = scenarioResult("accept", { requirements: ["O1.answer-ok"], checks: [check("O1.answer-ok", true)] });
const r = scenarioResult("reply", { requirements: ["O3.subject-prefix"], checks: [check("O3.subject-prefix", false)] });
const shard = (s: string, scenarios = [a], extra = {}) => runOf(scenarios, { shard: s, ...extra });

describe("mergeRuns", () => {
  it("unions the scenarios and spans the runs' times; the merged run is no shard", () => {
    const merged = mergeRuns([
      shard("1/2", [a], { startedAt: "2026-01-02T10:00:01.000Z", endedAt: "2026-01-02T10:00:09.000Z" }),
      shard("2/2", [r]),
    ]);
    expect(merged.shard).toBeUndefined();
    expect(merged.scenarios.map((s) => s.name)).toEqual([a.name, r.name]);
    expect(merged).toMatchObject({
      startedAt: "2026-01-02T10:00:00.000Z",
      endedAt: "2026-01-02T10:00:09.000Z",
      runErrors: [],
    });
    const v = computeVerdicts(merged);
    expect(v.requirements.find((x) => x.id === "O3.subject-prefix")?.status).toBe("FAIL");
    expect(v.requirements.find((x) => x.id === "O7.answer-ok")?.message).toBe("not covered by any scenario");
  });

  it("lists the agents of every shard (shards sharing a deployment use their own agents)", () => {
    const agentsOf = (name: string) => ({ settings: { agents: [{ username: name, password: "REDACTED" }] } });
    const merged = mergeRuns([shard("1/2", [a], agentsOf("agent1")), shard("2/2", [r], agentsOf("agent2"))]);
    expect(merged.settings.agents).toEqual([
      { username: "agent1", password: "REDACTED" },
      { username: "agent2", password: "REDACTED" },
    ]);
  });

  it("a shard missing from the set is a run error: the merged verdict is at best INCOMPLETE", () => {
    const merged = mergeRuns([shard("1/3"), shard("3/3", [r])]);
    expect(merged.runErrors).toEqual(["merge: shard(s) 2/3 missing: their scenarios were not merged"]);
  });

  it.each([
    [[shard("1/2"), shard("1/2")], /shard 1\/2 is given twice/],
    [[shard("1/2"), shard("2/2", [r], { target: "http://other.example/api/v2" })], /different targets/],
    [[shard("1/2"), shard("2/2", [r], { filter: { level: "must" } })], /different selections/],
    [[], /no run to merge/],
  ])("refuses inconsistent inputs %#", (runs, message) => {
    expect(() => mergeRuns(runs)).toThrow(message);
  });
});
