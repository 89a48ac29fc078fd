/**
 * Attribution and held state (interpretation.md, Deployment data and routing): a conformance run
 * against the embedded reference server with the `end-states` variation (the former holder is told
 * Completed / Sent / Cancelled) and with `notify-first` on top (every notification before its
 * call's answer, the answer 20–120 ms later) is CONFORMANT with nothing flagged, on the
 * requirements whose watches and transitions those forms touch. Before attribution, the end state
 * that the suite's own clean-up caused was blamed on an earlier refused request (T4, T8 FAIL;
 * R3, O2, O6, O7, O9 WARN) and ReplyCreated → Sent WARNed N7.
 */
import { describe, expect, it } from "vitest";
import { readSummary, runCli, tempDir } from "../cli/run-cli.js";

/**
 * The requirements the end states and the early notifications touch: watches, after-checks, N7
 * (R3.no-effect too, but its scenarios are many: the every-variation run judges it).
 */
const AFFECTED = [
  "T4.unauthenticated-no-effect",
  "T8.foreign-no-effect",
  "O2.loses-interaction",
  "O6.leaves-agent",
  "O7.send-after-cancel",
  "O9.loses-interaction",
  "N7.legal-transition",
];

async function flagged(variations: string): Promise<{ bad: string[]; judged: number; stdout: string }> {
  const out = tempDir("gws-attrib-");
  const run = await runCli(["run", "--out", out, "--no-allure", "--only", AFFECTED.join(",")], {
    GWS_REFERENCE_VARIATIONS: variations,
  });
  const summary = readSummary(out);
  const bad = summary.requirements
    .filter((r) => ["FAIL", "WARN", "ERROR"].includes(r.status))
    .map((r) => `${r.id}=${r.status}: ${r.message.split("\n")[0]}`);
  const judged = summary.requirements.filter((r) => AFFECTED.includes(r.id) && r.status === "PASS").length;
  return { bad, judged, stdout: run.stdout };
}

describe.concurrent("attribution: end states and notifications before the answer are the suite's own", () => {
  it("end-states: nothing flagged on the watches, the after-checks and N7", async () => {
    const r = await flagged("end-states");
    expect(r.bad, r.stdout.slice(-2000)).toEqual([]);
    expect(r.judged).toBeGreaterThanOrEqual(6);
  });

  it("notify-first with end-states: nothing flagged (the end state arrives before the answer)", async () => {
    const r = await flagged("notify-first,end-states");
    expect(r.bad, r.stdout.slice(-2000)).toEqual([]);
    expect(r.judged).toBeGreaterThanOrEqual(6);
  });
});
