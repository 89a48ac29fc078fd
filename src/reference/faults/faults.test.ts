/**
 * The faults are real: every fault in faults.json has hooks (and every hook an entry), names
 * requirements of the registry, and changes what a client observes compared with the clean server.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { isRequirementId } from "../../contract/registry.js";
import { startReferenceServer, type ReferenceServer } from "../server.js";
import { FAULT_HOOKS, FAULTS } from "./index.js";
import { observe } from "./probe.js";

describe("fault catalogue", () => {
  it("has at least 25 faults, each with hooks, a rule, a level and requirements of the registry", () => {
    expect(FAULTS.filter((f) => f.level !== "DRIFT").length).toBeGreaterThanOrEqual(25);
    expect(Object.keys(FAULT_HOOKS).sort()).toEqual(FAULTS.map((f) => f.name).sort());
    for (const f of FAULTS) {
      expect(f.description.length, f.name).toBeGreaterThan(10);
      if (f.level === "DRIFT") continue;
      expect(f.expect.length, f.name).toBeGreaterThan(0);
      for (const id of f.expect) expect(isRequirementId(id), `${f.name}: ${id}`).toBe(true);
    }
  });

  it("covers every rule family", () => {
    const rules = new Set(FAULTS.map((f) => f.rule));
    for (const r of ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "R1", "R2", "R3", "O1", "O3", "O4", "O5", "O6", "O7", "O9", "O10", "T4", "T5", "T6", "T7", "T8"]) {
      expect(rules.has(r), r).toBe(true);
    }
  });

  it("an unknown fault name is refused, listing the valid ones", async () => {
    await expect(startReferenceServer({ fault: "no-such-fault" })).rejects.toThrow(/valid faults: invited-missing-currentQueue/);
  });
});

describe("each fault changes what a client observes", () => {
  let clean: string[];
  beforeAll(async () => {
    const server = await startReferenceServer({ notifyBudgetMs: 200 });
    try {
      clean = await observe(server);
    } finally {
      await server.close();
    }
  });

  it("the clean observation is complete (the probe reached every step)", () => {
    // Only the NotReady agent must see nothing (T7); every other awaited notification came.
    expect(clean.filter((l) => l.endsWith(": none"))).toEqual(["Invited probe-3 on NotReady agent2: none"]);
    expect(clean).toContain("anonymous handshake: false");
  });

  it.concurrent.each(FAULTS.map((f) => [f.name]))("%s", async (name) => {
    const server: ReferenceServer = await startReferenceServer({ fault: name, notifyBudgetMs: 200 });
    try {
      const seen = await observe(server);
      expect(seen, `fault ${name} changed nothing a client sees`).not.toEqual(clean);
    } finally {
      await server.close();
    }
  });
});

