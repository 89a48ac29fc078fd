/**
 * Fair to servers that offer differently (interpretation.md, Deployment data and routing): a run
 * with one offer variation on, limited to the requirements it touches, flags nothing, and what
 * the variation exercises was judged, not passed by default:
 *   - ring-all: one e-mail Invited to every Ready agent at once (each Invited an offer, T6; the
 *     first Accept holds it; T8's intruder is an agent not offered it);
 *   - reoffer-revoked: a Revoked invitation offered again to the same agent (N5's probe taken on
 *     that new offer is no failure);
 *   - capacity: the server declares its capacity, and T7 is also judged at full capacity.
 */
import { describe, expect, it } from "vitest";
import { readSummary, runCli, tempDir } from "../cli/run-cli.js";

const ONLY = {
  "ring-all": "T6.no-leak,T7.not-ready-not-offered,T7.ready-offered,T8.foreign-refused,T8.foreign-no-effect",
  "reoffer-revoked": "T6.no-leak,N5.sent-on-timeout,N5.operations-fail-after,N7.no-duplicates,N7.legal-transition",
  capacity: "T7.not-ready-not-offered,T7.ready-offered,T6.no-leak",
} as const;

async function runWith(variation: keyof typeof ONLY) {
  const out = tempDir(`gws-offers-${variation}-`);
  const run = await runCli(["run", "--out", out, "--no-allure", "--only", ONLY[variation]], {
    GWS_REFERENCE_VARIATIONS: variation,
  });
  const summary = readSummary(out);
  const flagged = summary.requirements
    .filter((r) => ["FAIL", "WARN", "ERROR"].includes(r.status))
    .map((r) => `${r.id}=${r.status}: ${r.message.split("\n")[0]}`);
  return { run, summary, flagged };
}

describe("offer variations: nothing flagged, the variation judged", () => {
  it("ring-all", async () => {
    const { run, summary, flagged } = await runWith("ring-all");
    expect(flagged, run.stdout.slice(-3000)).toEqual([]);
    expect(run.code).toBe(0);
    for (const id of ["T6.no-leak", "T8.foreign-refused", "T7.not-ready-not-offered"])
      expect(summary.requirements.find((r) => r.id === id)?.status, id).toBe("PASS");
  });

  it("reoffer-revoked", async () => {
    const { run, summary, flagged } = await runWith("reoffer-revoked");
    expect(flagged, run.stdout.slice(-3000)).toEqual([]);
    expect(run.code).toBe(0);
    expect(summary.requirements.find((r) => r.id === "N5.sent-on-timeout")?.status).toBe("PASS");
  });

  it("capacity: declared to the suite, T7 judged at full capacity", async () => {
    const { run, flagged } = await runWith("capacity");
    expect(flagged, run.stdout.slice(-3000)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PASS .*T7 at full capacity/m);
  });
});
