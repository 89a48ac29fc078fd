/** The run's coordination: leases across workers (first come, first served, bounded) and attribution of unclaimed replies. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CoordinationState,
  localCoordination,
  remoteCoordination,
  startCoordinationService,
  type CoordinationService,
} from "./coordination.js";

const AGENTS = ["a1", "a2"];

describe("leases", () => {
  it("reserve on the agent with the most room, in rotation among equals, never over the limit", () => {
    const s = new CoordinationState();
    expect(s.tryAcquire(undefined, AGENTS, 4, 2)?.agent).toBe("a1");
    expect(s.tryAcquire(undefined, AGENTS, 4, 2)?.agent).toBe("a2");
    expect(s.tryAcquire(undefined, AGENTS, 4, 2)).toBeDefined();
    expect(s.tryAcquire(undefined, AGENTS, 4, 2)).toBeDefined();
    expect(s.tryAcquire(undefined, AGENTS, 4, 1)).toBeUndefined();
    expect(s.used("a1") + s.used("a2")).toBe(8);
  });

  it("a waiter is served when room frees, strictly in order: a larger reservation is not overtaken", () => {
    const s = new CoordinationState();
    s.tryAcquire("a1", ["a1"], 2, 2);
    const got: string[] = [];
    s.acquire(undefined, ["a1"], 2, 2, () => got.push("big"));
    s.acquire(undefined, ["a1"], 2, 1, () => got.push("small"));
    s.release("a1", 1); // room for the small one, not for the big one: the small one waits its turn
    expect(got).toEqual([]);
    s.release("a1", 1);
    expect(got).toEqual(["big"]);
  });

  it("what the target routed or re-offered is counted at once, over the limit", () => {
    const s = new CoordinationState();
    s.tryAcquire("a1", AGENTS, 1, 1);
    s.force("a1");
    expect(s.used("a1")).toBe(2);
  });

  it("room beside: one slot on each of that many other agents, granted with the rest or not at all", () => {
    const s = new CoordinationState();
    expect(s.tryAcquire("a1", AGENTS, 2, 2, 1)).toEqual({ agent: "a1", besides: ["a2"] });
    expect([s.used("a1"), s.used("a2")]).toEqual([2, 1]);
    // a2 has room for 1 but not for a home of 2 with a1 (full) beside it: nothing is taken.
    expect(s.tryAcquire(undefined, AGENTS, 2, 1, 1)).toBeUndefined();
    expect([s.used("a1"), s.used("a2")]).toEqual([2, 1]);
    const got: string[] = [];
    s.acquire(undefined, AGENTS, 2, 1, (lease) => got.push(`${lease.agent}+${lease.besides.join()}`), 1);
    s.release("a1");
    expect(got).toEqual(["a1+a2"]);
  });

  it("a bounded wait gives up, and its place in the queue", async () => {
    const c = localCoordination();
    expect((await c.acquire("a1", AGENTS, 1, 1, 1000))?.agent).toBe("a1");
    expect(await c.acquire("a1", AGENTS, 1, 1, 30)).toBeUndefined();
    c.release("a1");
    expect(await c.acquire(undefined, AGENTS, 1, 1, 30)).toBeDefined();
  });
});

describe("attribution of a ReplyCreated nobody claims", () => {
  it("claimed somewhere: not an effect; one covering watch: that watch's; several: nobody's", () => {
    const s = new CoordinationState();
    s.claim(["R1"]);
    s.cover({ key: "w1", agents: ["a1"], since: 100 });
    s.cover({ key: "w2", agents: ["a2"], since: 100 });
    expect(s.attribute("w1", "R1", "a1", 200)).toBe("claimed");
    expect(s.attribute("w1", "R2", "a1", 200)).toBe("yours");
    expect(s.attribute("w2", "R2", "a1", 200)).toBe("ambiguous");
    s.cover({ key: "w3", agents: ["a1"], since: 150 });
    expect(s.attribute("w1", "R2", "a1", 200)).toBe("ambiguous");
    // A watch opened after the reply arrived does not cover it.
    expect(s.attribute("w1", "R3", "a1", 120)).toBe("yours");
  });
});

describe("the service over HTTP", () => {
  let service: CoordinationService;
  beforeAll(async () => {
    service = await startCoordinationService();
  });
  afterAll(() => service.close(1000));

  it("leases, claims and attribution reach one state; its close waits for registered workers (bounded)", async () => {
    const errors: string[] = [];
    const w1 = remoteCoordination(service.url, (m) => errors.push(m));
    const w2 = remoteCoordination(service.url, (m) => errors.push(m));
    await w1.workerStarted("w1");
    expect((await w1.acquire(undefined, AGENTS, 1, 1, 1000))?.agent).toBe("a1");
    expect((await w2.acquire(undefined, AGENTS, 1, 1, 1000))?.agent).toBe("a2");
    expect(await w2.acquire(undefined, AGENTS, 1, 1, 50)).toBeUndefined();
    w1.release("a1");
    expect((await w2.acquire(undefined, AGENTS, 1, 1, 1000))?.agent).toBe("a1");
    w2.release("a1");
    w2.release("a2");
    // Room beside, over HTTP too: the lease names the other agent.
    expect(await w2.acquire("a1", AGENTS, 1, 1, 1000, 1)).toEqual({ agent: "a1", besides: ["a2"] });
    w2.release("a1");
    w2.release("a2");
    w1.claim("R9");
    w1.cover({ key: "w1#1", agents: ["a2"], since: 0 });
    await w1.flush();
    expect(
      await w2.attribute([
        { watchKey: "w1#1", id: "R9", agent: "a2", receivedAt: 5 },
        { watchKey: "w1#1", id: "R8", agent: "a2", receivedAt: 5 },
      ]),
    ).toEqual(["claimed", "yours"]);
    await w1.workerDone("w1");
    await w2.workerDone("w2");
    expect(errors).toEqual([]);
  });

  it("a release is not held up by the same worker's waiting acquires, however many wait", async () => {
    // Regression: waits and releases shared one pool capped at 4 connections; 4 scenarios of one
    // worker waiting for room held every connection, and the release that frees the room waited
    // behind them until their budgets ran out (ERROR "a free interaction slot" after the whole wait).
    const errors: string[] = [];
    const w = remoteCoordination(service.url, (m) => errors.push(m));
    await w.workerStarted("w");
    expect((await w.acquire(undefined, AGENTS, 1, 1, 1000))?.agent).toBeDefined();
    expect((await w.acquire(undefined, AGENTS, 1, 1, 1000))?.agent).toBeDefined();
    const budgetMs = 8000;
    const waiting = Array.from({ length: 8 }, () => w.acquire(undefined, AGENTS, 1, 1, budgetMs));
    const startedAt = Date.now();
    // Each release grants the waiter at the head, which gives its slot back at once: all served.
    const served = waiting.map((p) =>
      p.then((lease) => {
        if (lease) w.release(lease.agent);
        return lease;
      }),
    );
    w.release("a1");
    w.release("a2");
    const leases = await Promise.all(served);
    expect(leases.every((l) => l !== undefined)).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(budgetMs);
    await w.workerDone("w");
    expect(errors).toEqual([]);
  }, 20_000);
});
