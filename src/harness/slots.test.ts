/** One scenario's slots: its admission (room at home and beside), what it binds, what it gives back. */
import { describe, expect, it } from "vitest";
import { CoordinationState, localCoordination } from "./coordination.js";
import { ScenarioSlots } from "./slots.js";

const AGENTS = ["a1", "a2"];

describe("ScenarioSlots", () => {
  it("reserve(): room at home and beside, taken before anything is sent; an e-mail the target routes to either agent uses it", async () => {
    const state = new CoordinationState();
    const slots = new ScenarioSlots(localCoordination(state), AGENTS, 4, 1000, 1, 1);
    await slots.reserve();
    expect([state.used("a1"), state.used("a2")]).toEqual([1, 1]);
    // The target chose a2 for the e-mail (a hint it did not follow): a reserved slot, nothing forced.
    slots.bind("X", "a2");
    expect([state.used("a1"), state.used("a2")]).toEqual([1, 1]);
    slots.releaseAll();
    expect([state.used("a1"), state.used("a2")]).toEqual([0, 0]);
  });

  it("without room beside, the same e-mail on the other agent is counted over the limit (forced) and a home slot given back", async () => {
    const state = new CoordinationState();
    const slots = new ScenarioSlots(localCoordination(state), AGENTS, 4, 1000, 1, 0);
    await slots.reserve();
    const home = state.used("a1") === 1 ? "a1" : "a2";
    const other = home === "a1" ? "a2" : "a1";
    slots.bind("X", other);
    expect([state.used(home), state.used(other)]).toEqual([0, 1]);
    slots.releaseAll();
    expect([state.used("a1"), state.used("a2")]).toEqual([0, 0]);
  });
});
