/** The pre-flight's judgement of what answered, against real servers (hostile ones from test/support). */
import { describe, expect, it } from "vitest";
import * as hostile from "../../test/support/hostile-targets.js";
import { startReferenceServer } from "../reference/server.js";
import { preflight, preflightResult } from "./preflight.js";
import { referenceTarget } from "../reference/deployment.js";
import type { ResolvedTarget } from "./target.js";

const targetOf = (
  t: { baseUrl: string; cometdUrl: string; controlUrl: string },
  agents = [{ username: "agent1", password: "secret1" }],
): ResolvedTarget => referenceTarget({ ...t, agents }, { notifyBudgetMs: 5000, embedded: false, label: t.baseUrl });

type Served = Parameters<typeof targetOf>[0] & { close(): Promise<void> };

/** Starts a target, runs the pre-flight against it (as `agents`), closes it whatever happened; the outcome. */
async function preflightAgainst<T extends Served>(
  start: Promise<T>,
  agents?: (t: T) => Parameters<typeof targetOf>[1],
): Promise<Awaited<ReturnType<typeof preflight>>> {
  const t = await start;
  try {
    return await preflight(targetOf(t, agents?.(t)));
  } finally {
    await t.close();
  }
}

describe("preflight", () => {
  it("a clean target: ok, nothing added to the results", async () => {
    const o = await preflightAgainst(startReferenceServer(), (s) => s.agents);
    expect(o.kind).toBe("ok");
    expect(preflightResult(o)).toBeUndefined();
  });

  it("JSON in another envelope (statusCode drift) does not stop the run: the scenarios judge R1", async () => {
    expect((await preflightAgainst(startReferenceServer({ fault: "status-code-envelope" }))).kind).toBe("ok");
  });

  it("credentials refused by REST and Bayeux alike: a configuration problem (INCOMPLETE), not T4", async () => {
    const o = await preflightAgainst(startReferenceServer(), () => [{ username: "agent1", password: "typo" }]);
    expect(o).toMatchObject({ kind: "unreachable", prerequisite: "agent agent1 can log in" });
    expect(o.kind === "unreachable" && o.message).toMatch(
      /answered HTTP 401 and the Bayeux handshake was refused too.*check the credentials/,
    );
  });

  it("500 to everything: broken at R2.no-5xx; the result declares every requirement, names the failure", async () => {
    const o = await preflightAgainst(hostile.json500());
    expect(o).toMatchObject({ kind: "broken", failed: { requirement: "R2.no-5xx", passed: false } });
    const r = preflightResult(o, { only: ["fixture-tag"] })!;
    expect(r.meta?.requirements.length).toBeGreaterThan(80);
    expect(r.meta?.tags).toEqual(["fixture-tag"]);
    expect(r.meta?.error?.message).toMatch(
      /^not judged: depends on R2\.no-5xx, which FAILed: POST .* answered HTTP 500/,
    );
  });

  it("an HTML page where the API should be: broken at R1.ok-envelope (not JSON)", async () => {
    const o = await preflightAgainst(hostile.htmlPage());
    expect(o).toMatchObject({ kind: "broken", failed: { requirement: "R1.ok-envelope", passed: false } });
  });

  it("REST refuses credentials the Bayeux handshake accepts: broken at T4.basic-auth", async () => {
    const o = await preflightAgainst(hostile.restRefuses());
    expect(o).toMatchObject({ kind: "broken", failed: { requirement: "T4.basic-auth", passed: false } });
    expect(o.kind === "broken" && o.failed.message).toMatch(/answered HTTP 401, though the Bayeux handshake accepted/);
  });

  it("HTML to the handshake after REST was served: broken at T5.handshake", async () => {
    expect(await preflightAgainst(hostile.htmlHandshake())).toMatchObject({
      kind: "broken",
      failed: { requirement: "T5.handshake", message: expect.stringMatching(/not Bayeux JSON/) },
    });
  });
});
