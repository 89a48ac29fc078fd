/**
 * The requirement registry is well formed, with unique IDs. That it covers every rule of
 * interpretation.md is a spec-sync check (test/spec-sync/registry.spec-sync.test.ts).
 */
import { describe, expect, it } from "vitest";
import { registry, requirement } from "./registry.js";
import { contractValidator } from "./validators.js";

describe("requirement registry", () => {
  it("matches its schema", () => {
    expect(contractValidator().validate("requirements.schema.json", registry).violations).toEqual([]);
  });

  it("has no duplicate ID", () => {
    const ids = registry.requirements.map((r) => r.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it("each ID starts with its rule, each exclusion gives a reason, each MAY is an allowed variation", () => {
    for (const r of registry.requirements) {
      expect(r.id.startsWith(`${r.rule}.`), r.id).toBe(true);
      if (r.level === "MAY") expect(r.excluded, r.id).toBeTruthy();
    }
  });

  it("rejects an unknown ID", () => {
    expect(() => requirement("O3.made-up")).toThrow(/unknown requirement/);
  });
});
