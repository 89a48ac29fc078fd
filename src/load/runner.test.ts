/**
 * Load mode held to a conformance run's fairness, against the real reference server (real HTTP,
 * real Bayeux, real sockets): it sends the configured queues, finishes what it opened whatever went
 * wrong (the server holds nothing of it at the end), takes every allowed form the server's
 * variations take, and an e-mail not offered in time is an error of the run, not a T7 violation.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ResolvedTarget } from "../harness/target.js";
import { setRecording } from "../harness/transcript.js";
import { referenceTarget } from "../reference/deployment.js";
import { startReferenceServer, type ReferenceServer } from "../reference/server.js";
import { VARIATIONS } from "../reference/variations.js";
import { type LoadOutcome, runLoad } from "./runner.js";

let server: ReferenceServer | undefined;
afterEach(async () => {
  setRecording(true);
  await server?.close();
  server = undefined;
});

const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
const listed = (o: LoadOutcome): string =>
  JSON.stringify({ errors: [...o.errors], violations: o.violations.slice(0, 5) }, null, 1);

async function load(
  opts: Parameters<typeof startReferenceServer>[0],
  overrides: Partial<ResolvedTarget> | ((t: ResolvedTarget) => Partial<ResolvedTarget>) = {},
  rate = 10,
  durationMs = 1_500,
): Promise<LoadOutcome> {
  setRecording(false);
  server = await startReferenceServer({ agentCount: 4, ...opts });
  // Budgets as a foreign target declares them by default (5 s): a busy machine is no late server.
  const base = referenceTarget(server, { notifyBudgetMs: 5_000, inboundBudgetMs: 5_000 });
  const target = { ...base, ...(typeof overrides === "function" ? overrides(base) : overrides) };
  return runLoad({ target, agents: server.agents, rate, durationMs });
}

describe("load mode against the reference server", () => {
  it(`every allowed variation at once (${VARIATIONS.map((v) => v.name).join(", ")}): every e-mail completed, 0 violations, 0 errors, nothing left open`, {
    timeout: 30_000,
  }, async () => {
    const o = await load({ variations: "all" });
    expect(total(o.errors), listed(o)).toBe(0);
    expect(total(o.violationCounts), listed(o)).toBe(0);
    expect(o.injected).toBe(15);
    expect(o.completed).toBe(15);
    expect(server!.openInteractions()).toEqual([]);
  });

  it("a refused Reply (a queue the server does not know): an error of the run, and the accepted e-mail is finished", {
    timeout: 30_000,
  }, async () => {
    const o = await load({ variations: ["require-queue"] }, (t) => ({
      queues: { ...t.queues, compose: { name: "No-Such-Queue", from: "GWS_COMPOSE_QUEUE" } },
    }));
    expect([...o.errors], listed(o)).toEqual([[expect.stringMatching(/^Reply: refused \(HTTP 4\d\d\)$/), 15]]);
    expect(total(o.violationCounts), listed(o)).toBe(0);
    expect(o.completed).toBe(0);
    // Every e-mail it accepted was stopped: an agent with a capacity is not filled by the generator.
    expect(server!.openInteractions()).toEqual([]);
  });

  it("an e-mail offered later than the offer budget: an error (capacity or routing), not T7; the late offer is finished", {
    timeout: 30_000,
  }, async () => {
    // The server delays every offer by 250 ms; the target declares an offer budget of 50 ms (waited twice).
    const o = await load({ variations: ["inbound-delay"] }, { inboundBudgetMs: 50 }, 10, 1_000);
    expect(o.violationCounts.get("T7.ready-offered")).toBeUndefined();
    expect(total(o.violationCounts), listed(o)).toBe(0);
    const kinds = [...o.errors.keys()];
    expect(kinds.length, listed(o)).toBeGreaterThan(0);
    for (const k of kinds) expect(k).toMatch(/^not offered within 100 ms: capacity/);
    // (An offer that came before the wait began, on a slow machine, is taken: that e-mail completes.)
    expect(total(o.errors) + o.completed).toBe(o.injected);
    // Each late Invited was accepted and stopped before the run ended.
    expect(server!.openInteractions()).toEqual([]);
  });
});
