/** Verdicts per requirement (pure): each status, worst-of ordering, coverage, selection, baseline; the run verdict and the gate. */
import { describe, expect, it } from "vitest";
import { registry, testableRequirements, type RequirementId } from "../contract/registry.js";
import { check, runOf, scenarioResult } from "./test-support.js";
import {
  computeVerdicts,
  EXIT_INCOMPLETE,
  exitCodeOf,
  scenarioStatus,
  selectionOf,
  verdictFromStatuses,
  type Verdicts,
} from "./verdicts.js";

const verdictOf = (v: Verdicts, id: string) => v.requirements.find((r) => r.id === id)!;

describe("verdict of one requirement", () => {
  it("PASS when every check passed; FAIL when a MUST check failed; WARN when a SHOULD check failed", () => {
    const v = computeVerdicts(
      runOf([
        scenarioResult("accept", { requirements: ["O1.answer-ok"], checks: [check("O1.answer-ok", true)] }),
        scenarioResult("reply", {
          requirements: ["O3.subject-prefix"],
          checks: [check("O3.subject-prefix", false, "Subject lacks the prefix")],
        }),
        scenarioResult("reject", {
          requirements: ["O2.answer-ok"],
          checks: [check("O2.answer-ok", false, "Reject answered an error")],
        }),
      ]),
    );
    expect(verdictOf(v, "O1.answer-ok")).toMatchObject({
      status: "PASS",
      message: "1 check(s) passed in 1 scenario(s)",
      tests: ["suites/operations/example.test.ts > accept"],
    });
    expect(verdictOf(v, "O3.subject-prefix")).toMatchObject({
      status: "FAIL",
      level: "MUST",
      rule: "O3",
      area: "operations",
    });
    expect(verdictOf(v, "O3.subject-prefix").message).toContain(
      "Subject lacks the prefix [suites/operations/example.test.ts > reply]",
    );
    expect(verdictOf(v, "O2.answer-ok")).toMatchObject({
      status: "WARN",
      message: expect.stringContaining("Reject answered an error"),
    });
  });

  it("SKIP with the target's reason when the scenario declared it unsupported (meta.skipped)", () => {
    const v = computeVerdicts(
      runOf([scenarioResult("transfer", { requirements: ["O9.target-invited"], skipped: "needs a second agent" })]),
    );
    expect(verdictOf(v, "O9.target-invited")).toMatchObject({ status: "SKIP", message: "needs a second agent" });
  });

  it("ERROR naming the prerequisite when a precondition broke (meta.error)", () => {
    const v = computeVerdicts(
      runOf([
        scenarioResult("create", {
          requirements: ["O8.answer-ok"],
          error: { prerequisite: "inbound e-mail injected", message: "control answered 503" },
        }),
      ]),
    );
    expect(verdictOf(v, "O8.answer-ok")).toMatchObject({
      status: "ERROR",
      message:
        'prerequisite "inbound e-mail injected": control answered 503 [suites/operations/example.test.ts > create]',
    });
  });

  it("worst of its checks across scenarios: FAIL > ERROR > WARN > PASS > SKIP", () => {
    const pairs: Array<[string, string, string]> = [
      ["FAIL", "ERROR", "FAIL"],
      ["ERROR", "PASS", "ERROR"],
      ["PASS", "SKIP", "PASS"],
    ];
    const make = (status: string, title: string) =>
      status === "FAIL"
        ? scenarioResult(title, { requirements: ["O1.answer-ok"], checks: [check("O1.answer-ok", false)] })
        : status === "ERROR"
          ? scenarioResult(title, { requirements: ["O1.answer-ok"], error: { message: "the suite broke" } })
          : status === "SKIP"
            ? scenarioResult(title, { requirements: ["O1.answer-ok"], skipped: "needs a second agent" })
            : scenarioResult(title, { requirements: ["O1.answer-ok"], checks: [check("O1.answer-ok", true)] });
    for (const [a, b, worst] of pairs) {
      for (const order of [
        [a, b],
        [b, a],
      ]) {
        const v = computeVerdicts(runOf(order.map((s, i) => make(s, `${s} ${i}`))));
        expect(verdictOf(v, "O1.answer-ok").status, `${order.join(" + ")}`).toBe(worst);
        expect(verdictOf(v, "O1.answer-ok").tests).toHaveLength(2);
      }
    }
    // WARN beats PASS for a SHOULD requirement; a failed check beats passes of the same scenario.
    const w = computeVerdicts(
      runOf([
        scenarioResult("a", {
          requirements: ["O2.answer-ok"],
          checks: [check("O2.answer-ok", true), check("O2.answer-ok", false)],
        }),
      ]),
    );
    expect(verdictOf(w, "O2.answer-ok").status).toBe("WARN");
  });

  it("a requirement not reached because its scenario stopped early is ERROR, unless another scenario judged it", () => {
    const stopped = scenarioResult("reply flow", {
      requirements: ["O3.answer-ok", "O3.reply-created"],
      checks: [check("O3.answer-ok", false, "Reply answered HTTP 500")],
      stoppedBy: "O3.answer-ok: Reply answered HTTP 500",
    });
    const alone = computeVerdicts(runOf([stopped]));
    expect(verdictOf(alone, "O3.answer-ok").status).toBe("FAIL");
    expect(verdictOf(alone, "O3.reply-created")).toMatchObject({
      status: "ERROR",
      message: expect.stringContaining("not reached: the scenario stopped at O3.answer-ok"),
    });
    const judgedElsewhere = computeVerdicts(
      runOf([
        stopped,
        scenarioResult("other", { requirements: ["O3.reply-created"], checks: [check("O3.reply-created", true)] }),
      ]),
    );
    expect(verdictOf(judgedElsewhere, "O3.reply-created").status).toBe("PASS");
  });

  it("declared by a scenario that never judged it: ERROR (a suite defect, shown)", () => {
    const v = computeVerdicts(runOf([scenarioResult("lazy", { requirements: ["O7.answer-ok"] })]));
    expect(verdictOf(v, "O7.answer-ok")).toMatchObject({
      status: "ERROR",
      message: expect.stringContaining("declared but not judged"),
    });
  });

  it("judged by a scenario that did not declare it (harness checks: R1, R2, N8) counts too, with the largest measured figure", () => {
    const v = computeVerdicts(
      runOf([
        scenarioResult("a", {
          requirements: ["O1.answer-ok"],
          checks: [check("O1.answer-ok", true), check("N8.within-budget", true, "Accepted: 12 ms", 12)],
        }),
        scenarioResult("b", {
          requirements: ["O1.answer-ok"],
          checks: [check("O1.answer-ok", true), check("N8.within-budget", true, "Accepted: 40 ms", 40)],
        }),
      ]),
    );
    expect(verdictOf(v, "N8.within-budget")).toMatchObject({ status: "PASS", measuredMs: 40 });
    expect(verdictOf(v, "N8.within-budget").tests).toHaveLength(2);
  });

  it("coverage: a testable requirement no scenario judged is ERROR 'not covered by any scenario'; excluded ones are NOT_TESTABLE with the reason", () => {
    const v = computeVerdicts(runOf([]));
    for (const r of testableRequirements())
      expect(verdictOf(v, r.id)).toMatchObject({ status: "ERROR", message: "not covered by any scenario" });
    const o12 = registry.requirements.find((r) => r.id === "O12.place-in-workbin")!;
    expect(verdictOf(v, "O12.place-in-workbin")).toMatchObject({ status: "NOT_TESTABLE", message: o12.excluded });
    expect(v.verdict).toBe("INCOMPLETE");
    expect(v.unjudged.map((u) => u.id)).toEqual(
      testableRequirements()
        .filter((r) => r.level === "MUST")
        .map((r) => r.id),
    );
    expect(new Set(v.unjudged.map((u) => u.reason))).toEqual(new Set(["error"]));
  });

  it("a shard marks what it did not judge SKIP 'not judged in shard i/n' (the merge decides)", () => {
    const v = computeVerdicts(
      runOf([scenarioResult("accept", { requirements: ["O1.answer-ok"], checks: [check("O1.answer-ok", true)] })], {
        shard: "1/3",
      }),
    );
    expect(verdictOf(v, "O3.subject-prefix")).toMatchObject({ status: "SKIP", message: "not judged in shard 1/3" });
    // A shard alone says nothing about conformance; its gate passes.
    expect(v.verdict).toBe("PARTIAL");
    expect(v.unjudged.find((u) => u.id === "O3.subject-prefix")).toEqual({
      id: "O3.subject-prefix",
      reason: "other-shard",
      message: "not judged in shard 1/3",
    });
    expect(v.unjudged.some((u) => u.id === "O1.answer-ok")).toBe(false);
    expect(exitCodeOf(v)).toBe(0);
  });
});

describe("selection (--only, --skip, --level)", () => {
  const scenarios = [
    scenarioResult("accept", {
      requirements: ["O1.answer-ok"],
      tags: ["smoke"],
      checks: [check("O1.answer-ok", true), check("R2.no-5xx", false, "HTTP 500")],
    }),
    scenarioResult("reject", { requirements: ["O2.answer-ok"], checks: [check("O2.answer-ok", false)] }),
  ];

  it("--level must: SHOULD requirements are SKIP 'filtered out by --level must'", () => {
    const v = computeVerdicts(runOf(scenarios, { filter: { level: "must" } }));
    expect(verdictOf(v, "O2.answer-ok")).toMatchObject({ status: "SKIP", message: "filtered out by --level must" });
    expect(verdictOf(v, "R2.no-5xx").status).toBe("FAIL");
  });

  it("--only by rule, area or scenario tag; --skip by requirement ID", () => {
    expect(verdictOf(computeVerdicts(runOf(scenarios, { filter: { only: ["O2"] } })), "O1.answer-ok")).toMatchObject({
      status: "SKIP",
      message: "filtered out by --only O2",
    });
    const byTag = computeVerdicts(runOf(scenarios, { filter: { only: ["smoke"] } }));
    expect(verdictOf(byTag, "O1.answer-ok").status).toBe("PASS");
    expect(verdictOf(byTag, "R2.no-5xx").status).toBe("SKIP"); // judged there, but not declared by the tagged scenario
    expect(byTag.verdict).toBe("PARTIAL");
    expect(byTag.unjudged.find((u) => u.id === "O2.answer-ok")).toBeUndefined(); // a SHOULD: not in the MUST list
    expect(byTag.unjudged.find((u) => u.id === "R2.no-5xx")).toMatchObject({
      reason: "filtered",
      message: "filtered out by --only smoke",
    });
    expect(exitCodeOf(byTag)).toBe(0);
    const byArea = computeVerdicts(runOf(scenarios, { filter: { only: ["answers"] } }));
    expect(verdictOf(byArea, "R2.no-5xx").status).toBe("FAIL");
    expect(
      verdictOf(computeVerdicts(runOf(scenarios, { filter: { skip: ["R2.no-5xx"] } })), "R2.no-5xx"),
    ).toMatchObject({ status: "SKIP", message: "filtered out by --skip R2.no-5xx" });
  });

  it("scenarioStatus ignores checks of filtered-out requirements", () => {
    const run = runOf(scenarios, { filter: { only: ["smoke"] } });
    expect(scenarioStatus(scenarios[0])).toBe("FAIL");
    expect(scenarioStatus(scenarios[0], selectionOf(run))).toBe("PASS");
    expect(scenarioStatus(scenarios[1], selectionOf(runOf(scenarios, { filter: { level: "must" } })))).toBe("PASS");
    expect(scenarioStatus(scenarios[1])).toBe("WARN");
  });
});

describe("scenarioStatus", () => {
  it("SKIP, ERROR, FAIL, WARN, PASS; a failed test with no failed MUST check is an ERROR (the suite broke)", () => {
    expect(
      scenarioStatus(scenarioResult("s", { requirements: ["O9.answer-ok"], skipped: "needs a second agent" })),
    ).toBe("SKIP");
    expect(scenarioStatus(scenarioResult("e", { requirements: ["O1.answer-ok"], error: { message: "x" } }))).toBe(
      "ERROR",
    );
    expect(
      scenarioStatus(scenarioResult("f", { requirements: ["O1.answer-ok"], checks: [check("O1.answer-ok", false)] })),
    ).toBe("FAIL");
    expect(
      scenarioStatus(scenarioResult("w", { requirements: ["O2.answer-ok"], checks: [check("O2.answer-ok", false)] })),
    ).toBe("WARN");
    expect(
      scenarioStatus(scenarioResult("p", { requirements: ["O1.answer-ok"], checks: [check("O1.answer-ok", true)] })),
    ).toBe("PASS");
    expect(
      scenarioStatus(
        scenarioResult(
          "broke",
          { requirements: ["O1.answer-ok"], checks: [check("O1.answer-ok", true)] },
          { state: "failed", errors: ["TypeError"] },
        ),
      ),
    ).toBe("ERROR");
    expect(
      scenarioStatus({ ...scenarioResult("no meta", { requirements: [] }, { state: "failed" }), meta: undefined }),
    ).toBe("ERROR");
  });
});

/** One passing scenario per testable requirement: a run that judges the whole registry. */
function wholeRegistry(except: string[] = []): ReturnType<typeof scenarioResult>[] {
  return testableRequirements()
    .filter((r) => !except.includes(r.id))
    .map((r) =>
      scenarioResult(`judges ${r.id}`, {
        requirements: [r.id as RequirementId],
        checks: [check(r.id as RequirementId, true)],
      }),
    );
}

describe("verdict (what is true of the target) and gate (the exit code), kept apart", () => {
  it("CONFORMANT only when every testable MUST requirement was judged PASS and nothing errored (SHOULD warnings allowed); gate 0", () => {
    const v = computeVerdicts(
      runOf([
        ...wholeRegistry(),
        scenarioResult("reject", { requirements: ["O2.answer-ok"], checks: [check("O2.answer-ok", false)] }),
      ]),
    );
    expect(v.counts.ERROR).toBe(0);
    expect(v.verdict).toBe("CONFORMANT");
    expect(v.verdictReason).toMatch(/every one of the \d+ testable MUST requirements passed.*1 SHOULD warning/);
    expect(v.unjudged).toEqual([]);
    expect(v.gate).toEqual({
      exitCode: 0,
      reasons: [expect.stringMatching(/nothing the run was asked to judge failed/)],
    });
  });

  it("a MUST left unjudged because the target declares no second agent or no invitation timeout: PARTIAL with the reason, gate 0", () => {
    const scenarios = [
      ...wholeRegistry(["T8.foreign-refused", "N5.sent-on-timeout"]),
      scenarioResult("ownership", { requirements: ["T8.foreign-refused"], skipped: "needs a second agent" }),
      scenarioResult("revoked", {
        requirements: ["N5.sent-on-timeout"],
        skipped: "the target declares no invitation timeout (GWS_INVITE_TIMEOUT_MS)",
      }),
    ];
    const v = computeVerdicts(runOf(scenarios));
    expect(v.verdict).toBe("PARTIAL");
    expect(v.verdictReason).toMatch(
      /not a statement of conformance.*2 of the \d+ testable MUST requirements were not judged \(1 need a second agent, 1 need a declared invitation timeout\)/,
    );
    expect(v.unjudged).toEqual([
      { id: "T8.foreign-refused", reason: "needs-second-agent", message: "needs a second agent" },
      {
        id: "N5.sent-on-timeout",
        reason: "no-invite-timeout",
        message: "the target declares no invitation timeout (GWS_INVITE_TIMEOUT_MS)",
      },
    ]);
    expect(exitCodeOf(v)).toBe(0);
  });

  it("an ERROR makes it INCOMPLETE (gate 1) unless a MUST failed: then NON_CONFORMANT, the error still listed as unjudged", () => {
    const broken = scenarioResult("create", {
      requirements: ["O8.answer-ok"],
      error: { prerequisite: "inbound e-mail injected", message: "503" },
    });
    const v = computeVerdicts(runOf([...wholeRegistry(["O8.answer-ok"]), broken]));
    expect(v.verdict).toBe("INCOMPLETE");
    expect(v.unjudged).toEqual([
      {
        id: "O8.answer-ok",
        reason: "error",
        message: 'prerequisite "inbound e-mail injected": 503 [suites/operations/example.test.ts > create]',
      },
    ]);
    expect(v.gate.exitCode).toBe(EXIT_INCOMPLETE); // 3: could not judge, nothing failed
    expect(EXIT_INCOMPLETE).toBe(3);
    const failing = scenarioResult("reply", {
      requirements: ["O3.subject-prefix"],
      checks: [check("O3.subject-prefix", false, "no prefix")],
    });
    const both = computeVerdicts(runOf([...wholeRegistry(["O8.answer-ok", "O3.subject-prefix"]), broken, failing]));
    expect(both.verdict).toBe("NON_CONFORMANT");
    expect(both.unjudged.map((u) => u.id)).toEqual(["O8.answer-ok"]);
    expect(both.gate.exitCode).toBe(1); // a failure outweighs what could not be judged
    expect(both.gate.reasons).toEqual([
      expect.stringMatching(/^1 MUST requirement failed outside the expected-failures baseline: O3.subject-prefix$/),
      expect.stringMatching(/could not be judged \(ERROR\): O8.answer-ok/),
    ]);
  });

  it("an expected failure is still NON_CONFORMANT, named with the baseline's reason; the gate passes", () => {
    const failing = scenarioResult("reply", {
      requirements: ["O3.subject-prefix"],
      checks: [check("O3.subject-prefix", false, "no prefix")],
    });
    const v = computeVerdicts(runOf([...wholeRegistry(["O3.subject-prefix"]), failing]), {
      expected: [{ id: "O3.subject-prefix", reason: "JIRA-12" }],
      today: "2026-01-02",
    });
    expect(v.verdict).toBe("NON_CONFORMANT");
    expect(v.verdictReason).toBe(
      "1 MUST requirement failed: O3.subject-prefix; all expected by the baseline (O3.subject-prefix: JIRA-12)",
    );
    expect(v.gate).toEqual({
      exitCode: 0,
      reasons: [expect.stringMatching(/1 MUST failure expected by the baseline \(verdict NON_CONFORMANT\)$/)],
    });
  });

  it("a harness error is gate 2 whatever the verdicts; verdictFromStatuses recomputes the verdict from statuses alone", () => {
    const v = computeVerdicts(runOf(wholeRegistry()), { harnessError: "the test runner failed: boom" });
    expect(v.gate).toEqual({ exitCode: 2, reasons: ["harness error: the test runner failed: boom"] });
    for (const run of [
      runOf(wholeRegistry()),
      runOf([]),
      runOf(wholeRegistry(), { shard: "1/2", scenarios: wholeRegistry().slice(3) }),
    ]) {
      const w = computeVerdicts(run);
      expect(verdictFromStatuses(w.requirements, run.runErrors)).toBe(w.verdict);
    }
  });
});

describe("run verdict, counts and the expected-failures baseline", () => {
  const failing = [
    scenarioResult("accept", { requirements: ["O1.answer-ok"], checks: [check("O1.answer-ok", true)] }),
    scenarioResult("reply", { requirements: ["O3.subject-prefix"], checks: [check("O3.subject-prefix", false)] }),
    scenarioResult("reject", { requirements: ["O2.answer-ok"], checks: [check("O2.answer-ok", false)] }),
  ];
  // Only what these scenarios judge is selected, so coverage does not decide the verdict here.
  const run = runOf(failing, { filter: { only: ["O1.answer-ok", "O3.subject-prefix", "O2.answer-ok"] } });

  it("counts add up to the registry; a FAIL is NON_CONFORMANT (exit 1); WARN alone fails nothing (exit 0), though a selection is PARTIAL", () => {
    const v = computeVerdicts(run);
    expect(Object.values(v.counts).reduce((a, b) => a + b, 0)).toBe(registry.requirements.length);
    expect(v.counts).toMatchObject({ PASS: 1, FAIL: 1, WARN: 1 });
    expect(v.verdict).toBe("NON_CONFORMANT");
    expect(exitCodeOf(v)).toBe(1);
    const warnOnly = computeVerdicts({ ...run, filter: { only: ["O1.answer-ok", "O2.answer-ok"] } });
    expect(warnOnly.verdict).toBe("PARTIAL");
    expect(exitCodeOf(warnOnly)).toBe(0);
  });

  it("a run error (a suite file that did not load) makes an otherwise clean run INCOMPLETE", () => {
    const v = computeVerdicts({
      ...run,
      filter: { only: ["O1.answer-ok"] },
      runErrors: ["suites/x.test.ts: SyntaxError"],
    });
    expect(v.verdict).toBe("INCOMPLETE");
    expect(exitCodeOf(v)).toBe(3);
  });

  it("listed FAIL and WARN are expected: they do not fail the gate and are counted apart; the verdict stays NON_CONFORMANT", () => {
    const v = computeVerdicts(run, {
      expected: [
        { id: "O3.subject-prefix", reason: "JIRA-12" },
        { id: "O2.answer-ok", reason: "Reject unsupported" },
      ],
      today: "2026-01-02",
    });
    expect(verdictOf(v, "O3.subject-prefix")).toMatchObject({ status: "FAIL", expectedFailure: "JIRA-12" });
    expect(v.expected).toEqual({ FAIL: 1, WARN: 1 });
    expect(v.baselineProblems).toEqual([]);
    expect(v.verdict).toBe("NON_CONFORMANT");
    expect(exitCodeOf(v)).toBe(0);
  });

  it("a listed requirement that now passes, or an expired entry, makes the baseline stale: the gate fails, the verdict is about the target", () => {
    const passes = computeVerdicts(run, {
      expected: [
        { id: "O3.subject-prefix", reason: "JIRA-12" },
        { id: "O1.answer-ok", reason: "was broken" },
      ],
      today: "2026-01-02",
    });
    expect(passes.baselineProblems).toEqual([
      "O1.answer-ok: listed as an expected failure (was broken) but now passes: remove it from the baseline",
    ]);
    expect(passes.verdict).toBe("NON_CONFORMANT"); // O3 failed (expected)
    expect(passes.gate.exitCode).toBe(1);
    expect(passes.gate.reasons).toContain("the expected-failures baseline is stale (1 entry)");
    const expired = computeVerdicts(run, {
      expected: [{ id: "O3.subject-prefix", reason: "JIRA-12", expires: "2026-01-01" }],
      today: "2026-01-02",
    });
    expect(expired.baselineProblems).toEqual([
      "O3.subject-prefix: the expected-failure entry expired on 2026-01-01 (JIRA-12)",
    ]);
    expect(expired.gate.exitCode).toBe(1);
    const lastDay = computeVerdicts(run, {
      expected: [{ id: "O3.subject-prefix", reason: "JIRA-12", expires: "2026-01-02" }],
      today: "2026-01-02",
    });
    expect(lastDay.gate.exitCode).toBe(0);
    // A stale entry whose requirement passes: the target is fine on it, only the baseline is wrong.
    const clean = computeVerdicts(runOf(wholeRegistry()), {
      expected: [{ id: "O1.answer-ok", reason: "was broken" }],
      today: "2026-01-02",
    });
    expect(clean.verdict).toBe("CONFORMANT");
    expect(clean.gate.exitCode).toBe(1);
  });
});
