import { describe, expect, it } from "vitest";
import { EventLog } from "./cometd-session.js";
import { declaredBudgets, waitForItem, WaitTimeout, withBudget } from "./budgets.js";

describe("bounded waits", () => {
  it("resolves with an item already there, or one arriving later", async () => {
    const log = new EventLog<number>((n) => `#${n}`);
    log.push(1);
    await expect(waitForItem(log, (n) => n === 1, { what: "one", budgetName: "test", budgetMs: 50 })).resolves.toBe(1);
    const later = waitForItem(log, (n) => n === 2, { what: "two", budgetName: "test", budgetMs: 1000 });
    log.push(2);
    await expect(later).resolves.toBe(2);
  });

  it("a wait that runs out names what it awaited, the budget, and what arrived instead", async () => {
    const log = new EventLog<number>((n) => `#${n}`);
    log.push(7);
    const err = await waitForItem(log, (n) => n === 8, {
      what: "item eight",
      budgetName: "tinyBudget",
      budgetMs: 20,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(WaitTimeout);
    expect(err.message).toMatch(/waited 20 ms \(tinyBudget\) for item eight; instead: #7/);
  });

  it("withBudget rejects a promise that never settles", async () => {
    await expect(withBudget(new Promise(() => undefined), "a hang", "hangBudget", 20)).rejects.toThrow(/hangBudget/);
  });

  it("timeouts grow with what the target declares, not a fixed 60 s", () => {
    const quick = declaredBudgets({ notifyBudgetMs: 1000, inboundBudgetMs: 1000 });
    const slow = declaredBudgets({ notifyBudgetMs: 5000, inboundBudgetMs: 60_000 });
    expect(slow.scenarioTimeoutMs).toBeGreaterThan(quick.scenarioTimeoutMs + 8 * 63_000);
    expect(slow.slotWaitMs).toBeGreaterThan(quick.slotWaitMs);
    // A scenario waits up to eight offers and notifications, a slot, and finishes what it opened.
    expect(quick.scenarioTimeoutMs).toBeGreaterThan(8 * 2000 + quick.slotWaitMs);
    expect(slow.workerTeardownMs).toBeGreaterThan(2 * 5000);
  });
});
