/**
 * A fast proof, inside `npm test`, that the suite bites: a handful of the reference server's
 * faults, one per area, each judged by the compiled command on the suites that exercise it, must
 * turn its requirement FAIL (MUST) or WARN (SHOULD) — and the same suites against the clean
 * server must pass. The full proof over every fault and derived mutant is `npm run mutation`.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/contract/schemas.js";
import { FAULTS } from "../../src/reference/faults/index.js";
import { judgeCleanRun, judgeFaultRun } from "../../scripts/mutation.js";
import { runCli } from "../cli/run-cli.js";

/** fault → the compiled suites that exercise it: one fault per area of the suite. */
const SAMPLE: Record<string, string> = {
  "accepted-missing-receivedAt": "notifications", // N3, notification shape
  "duplicate-accepted": "notifications", // N7, a SHOULD: WARN
  "error-without-description": "answers", // R1, answer envelope
  "foreign-operation-accepted": "security/ownership.test.js", // T8, ownership
  "rest-without-auth": "security/authentication.test.js", // T4, authentication
  "reply-ignores-prefix": "operations/reply.test.js", // O3, an operation's effect
  "send-allowed-twice": "lifecycle", // O6, the lifecycle
};

async function judge(fault: string | undefined, suites: string) {
  const out = mkdtempSync(join(tmpdir(), `gws-bite-${fault ?? "clean"}-`));
  const suitesDir = join(REPO_ROOT, "dist", "suites", suites);
  const faultFlag = fault ? ["--reference-fault", fault] : [];
  const run = await runCli(["run", "--suites", suitesDir, "--out", out, "--no-allure", ...faultFlag]);
  let summary:
    | { requirements: Array<{ id: string; level: string; status: string; message?: string; tests: string[] }> }
    | undefined;
  try {
    summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
  } catch {
    summary = undefined;
  }
  return { exitCode: run.code, summary, stderr: run.stderr };
}

describe("the suite bites (a sample of faults, one per area)", () => {
  it.concurrent.each(Object.entries(SAMPLE))("%s is caught by %s", async (name, suites) => {
    const fault = FAULTS.find((f) => f.name === name);
    expect(fault, `${name} is a fault of the catalog`).toBeDefined();
    const run = await judge(name, suites);
    const verdict = judgeFaultRun(fault!, run);
    expect(verdict.killed, `${verdict.expected}; observed ${verdict.observed}\n${run.stderr.slice(-500)}`).toBe(true);
  });

  it.concurrent.each([...new Set(Object.values(SAMPLE))])("the clean server passes %s", async (suites) => {
    const run = await judge(undefined, suites);
    // A scoped run leaves the requirements of other suites unjudged: only those it judged must pass.
    const judged = {
      ...run,
      summary: run.summary && {
        ...run.summary,
        requirements: run.summary.requirements.filter((r: { tests: string[] }) => r.tests.length > 0),
      },
    };
    const verdict = judgeCleanRun({ ...judged, exitCode: 0 });
    expect(verdict.killed, verdict.observed).toBe(true);
  });
});
