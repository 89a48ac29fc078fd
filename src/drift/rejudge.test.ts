/** rejudge: today's checks over stored transcripts, compared with the stored verdicts. */
import { describe, expect, it } from "vitest";
import { runDriftCli } from "./cli.js";
import { judgeAnswer } from "../harness/judge-answer.js";
import { compareVerdicts, ownedIds, rejudgeTranscript, replayScenario } from "./rejudge.js";
import { fixture, fixturePath, memoryIo } from "./test-helpers.js";

const SCENARIO = "suites/operations/reply.test.ts > Reply, ReplyAll and Forward create new interactions";

describe("judgeAnswer (pure, as Scenario.judgeAnswer)", () => {
  const base = {
    method: "POST",
    url: "http://h/api/v2/me/interactions/1",
    operation: "Accept",
    malformedRequest: false,
  };

  it("R2 and R1 on a success", () => {
    expect(
      judgeAnswer({ ...base, status: 200, body: { status: "ok" } }).checks.map((c) => [c.requirement, c.passed]),
    ).toEqual([
      ["R2.no-5xx", true],
      ["R1.ok-envelope", true],
    ]);
  });

  it("the statusCode envelope fails R1", () => {
    const j = judgeAnswer({ ...base, status: 200, body: { statusCode: 0 } });
    expect(j.checks.find((c) => c.requirement === "R1.ok-envelope")).toMatchObject({ passed: false });
    expect(j.ok).toBe(false);
  });

  it("a 5xx fails R2; its body must still be an error envelope", () => {
    const j = judgeAnswer({ ...base, status: 500, body: "Internal Server Error" });
    expect(j.checks.map((c) => [c.requirement, c.passed])).toEqual([
      ["R2.no-5xx", false],
      ["R1.error-envelope", false],
    ]);
  });

  it("auth refusals and malformed requests may have any body (T4, R2)", () => {
    expect(judgeAnswer({ ...base, status: 401, body: undefined }).checks.map((c) => c.requirement)).toEqual([
      "R2.no-5xx",
    ]);
    expect(
      judgeAnswer({ ...base, status: 400, body: "Bad Request", malformedRequest: true }).checks.map(
        (c) => c.requirement,
      ),
    ).toEqual(["R2.no-5xx"]);
    expect(
      judgeAnswer({ ...base, status: 404, body: { status: "error", errorDescription: "not found" } }).checks.map(
        (c) => [c.requirement, c.passed],
      ),
    ).toEqual([
      ["R2.no-5xx", true],
      ["R1.error-envelope", true],
    ]);
  });

  it("Accept's empty 200 is a success (R1 MAY); another operation's is not", () => {
    const empty = judgeAnswer({ ...base, status: 200, body: undefined });
    expect(empty).toMatchObject({ ok: true, refused: false });
    expect(empty.checks.find((c) => c.requirement === "R1.ok-envelope")).toMatchObject({ passed: true });
    const reply = judgeAnswer({ ...base, operation: "Reply", status: 200, body: undefined });
    expect(reply.ok).toBe(false);
    expect(reply.checks.find((c) => c.requirement === "R1.ok-envelope")).toMatchObject({ passed: false });
    expect(judgeAnswer({ ...base, status: 204, body: undefined }).ok).toBe(false);
  });

  it("no answer is a precondition, not a verdict", () => {
    expect(judgeAnswer({ ...base, body: undefined, error: "ECONNREFUSED" })).toMatchObject({
      checks: [],
      precondition: expect.stringContaining("ECONNREFUSED"),
    });
  });
});

describe("rejudge: watches and late effects", () => {
  it("replays a watch: the late effect the run found (after its scenario had ended) is found again", () => {
    const entries = fixture("late-effect");
    const late = entries.filter((e) => e.kind === "check" && e.late);
    expect(late.length).toBeGreaterThan(0);
    const r = rejudgeTranscript(entries);
    expect(r.differences).toEqual([]);
    const scenario = entries[0].scenario!;
    const now = replayScenario(scenario, entries);
    expect(now.filter((c) => c.watch && !c.passed).map((c) => c.requirement)).toContain("T8.foreign-no-effect");
  });

  it("a transcript that lost its late checks differs from today's judgement", () => {
    const entries = fixture("late-effect").filter((e) => !(e.kind === "check" && e.late));
    const r = rejudgeTranscript(entries);
    expect(r.differences.map((d) => [d.requirement, d.stored, d.now])).toContainEqual([
      "T8.foreign-no-effect (watch)",
      "absent",
      "fail",
    ]);
  });
});

describe("rejudge", () => {
  it("finds where stored verdicts differ from today's judgement", () => {
    const r = rejudgeTranscript(fixture("rejudge-differs"));
    expect(r.differences.map((d) => [d.requirement, d.scenario, d.stored, d.now])).toEqual([
      ["N3.shape", SCENARIO, "pass", "fail"],
      ["R1.ok-envelope", SCENARIO, "pass", "fail"],
    ]);
    expect(r.differences[0].nowMessage).toContain("$.email_object.Subject: expected type string, got 42");
  });

  it("the same verdicts: no difference (passes judged on one side only are not differences)", () => {
    const r = rejudgeTranscript(fixture("clean"));
    expect(r.differences).toEqual([]);
    expect(r.scenarios).toBe(3);
    expect(r.unconfirmed.every((u) => u.stored === "absent" && u.now === "pass")).toBe(true);
    expect(rejudgeTranscript(fixture("drifted")).differences).toEqual([]);
  });

  it("replays notifications through the StreamMonitor per scenario, claiming the scenario's interactions", () => {
    const entries = fixture("clean").filter((e) => e.scenario === SCENARIO);
    expect([...ownedIds(entries)].sort()).toEqual([
      "0001KaBMKT2F0020",
      "0001KaBMKT2F0021",
      "0001KaBMKT2F0022",
      "0001KaBMKT2F0023",
    ]);
    const checks = replayScenario(SCENARIO, entries);
    const failed = checks.filter((c) => !c.passed);
    expect(failed).toEqual([]);
    const requirements = new Set(checks.map((c) => c.requirement));
    for (const r of [
      "N1.envelope",
      "N2.shape",
      "N2.interaction-id",
      "N3.shape",
      "N4.shape",
      "N6.documented-present",
      "N7.legal-transition",
      "T6.no-leak",
      "R2.no-5xx",
      "R1.ok-envelope",
    ])
      expect(requirements.has(r), r).toBe(true);
  });

  it("compares per scenario and requirement: any failure decides the verdict", () => {
    const pass = { requirement: "N3.shape", passed: true, message: "ok" };
    const fail = { requirement: "N3.shape", passed: false, message: "bad" };
    expect(compareVerdicts("s", [pass, pass], [pass])).toEqual([]);
    expect(compareVerdicts("s", [pass, fail], [pass])).toMatchObject([
      { stored: "fail", now: "pass", storedMessage: "bad" },
    ]);
    expect(compareVerdicts("s", [], [fail])).toMatchObject([{ stored: "absent", now: "fail" }]);
    // requirements rejudge cannot reproduce (scenario logic) are not compared
    expect(compareVerdicts("s", [{ requirement: "O1.answer-ok", passed: false, message: "x" }], [])).toEqual([]);
  });

  it("CLI: exit 1 and the listing when verdicts differ, 0 when the same", async () => {
    const io = memoryIo();
    expect(await runDriftCli("rejudge", [fixturePath("rejudge-differs")], io)).toBe(1);
    expect(io.text()).toContain("verdicts that differ: 2");
    expect(io.text()).toMatch(/N3\.shape {2}\[.*\] {2}stored: pass {2}now: fail/);
    const same = memoryIo();
    expect(await runDriftCli("rejudge", [fixturePath("clean")], same)).toBe(0);
    expect(same.text()).toContain("verdicts: the same as stored");
    const json = memoryIo();
    expect(await runDriftCli("rejudge", [fixturePath("rejudge-differs"), "--json"], json)).toBe(1);
    expect(JSON.parse(json.stdout.join("")).differences).toHaveLength(2);
  });
});
