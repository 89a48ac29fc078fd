/**
 * Fair to servers that store and decorate data their own way (interpretation.md, "Deployment data
 * and routing"; N1): a run against the embedded reference server with one of these allowed
 * variations on, limited to the requirements the variation touches, flags nothing.
 *  - cc-compact: CC lists stored as `a,b` (no spaces, reversed): O4.cc and N3.content compare lists.
 *  - vendor-fields: x-vendor-… keys in every notification and answer: no shape check trips on them,
 *    and the drift report names them (drift is where undocumented fields belong).
 */
import { describe, expect, it } from "vitest";
import { buildDriftReport, serverDrift } from "../../src/drift/report.js";
import { readTranscript } from "../../src/report/transcript-io.js";
import { VENDOR_FIELDS } from "../../src/reference/vendor-fields.js";
import { readSummary, runCli, tempDir } from "../cli/run-cli.js";

/** A run with `variation` on, judging only `only`: what it flagged (FAIL, WARN, ERROR) and what it judged. */
async function runWith(
  variation: string,
  only: string,
): Promise<{ out: string; flagged: string[]; passed: string[]; code: number | null; stdout: string }> {
  const out = tempDir(`gws-${variation}-`);
  const run = await runCli(["run", "--out", out, "--no-allure", "--only", only], {
    GWS_REFERENCE_VARIATIONS: variation,
  });
  const requirements = readSummary(out).requirements;
  return {
    out,
    code: run.code,
    stdout: run.stdout,
    flagged: requirements
      .filter((r) => ["FAIL", "WARN", "ERROR"].includes(r.status))
      .map((r) => `${r.id}=${r.status}: ${r.message.split("\n")[0]}`),
    passed: requirements.filter((r) => r.status === "PASS").map((r) => r.id),
  };
}

describe("allowed data variations, each on its own", () => {
  it.concurrent("cc-compact: O4 and N3 judge CC lists as lists — nothing flagged", async () => {
    const r = await runWith("cc-compact", "O4,N3");
    expect(r.flagged, r.stdout.slice(-3000)).toEqual([]);
    expect(r.passed).toEqual(expect.arrayContaining(["O4.cc", "O4.derivation", "N3.content"]));
    expect(r.code).toBe(0);
  });

  it.concurrent("vendor-fields: notification and answer shapes take the vendor's fields — nothing flagged; drift names them", async () => {
    const r = await runWith("vendor-fields", "N1,N2,N3,N4,N5,R1,O4,O5");
    expect(r.flagged, r.stdout.slice(-3000)).toEqual([]);
    expect(r.passed).toEqual(
      expect.arrayContaining(["N1.envelope", "N2.shape", "N3.shape", "N4.shape", "R1.ok-envelope"]),
    );
    expect(r.code).toBe(0);
    const drift = serverDrift(buildDriftReport(readTranscript(r.out)));
    const paths = new Set(drift.filter((f) => f.kind === "undocumented-field").map((f) => f.path));
    for (const key of [VENDOR_FIELDS.notification, VENDOR_FIELDS.notificationNode, VENDOR_FIELDS.answer])
      expect(
        [...paths].some((p) => p?.includes(key)),
        `${key} in ${[...paths].join(", ")}`,
      ).toBe(true);
  });
});
