/** The requirement registry covers every rule of interpretation.md, with unique, well-formed IDs. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registry, requirement } from "./registry.js";
import { contractValidator } from "./validators.js";
import { REPO_ROOT } from "./schemas.js";

const interpretation = readFileSync(join(REPO_ROOT, "..", "shared", "spec", "interpretation.md"), "utf8");

describe("requirement registry", () => {
  it("matches its schema", () => {
    expect(contractValidator().validate("requirements.schema.json", registry).violations).toEqual([]);
  });

  it("has no duplicate ID", () => {
    const ids = registry.requirements.map((r) => r.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it("covers every rule of interpretation.md, and names no rule it does not have", () => {
    const rules = new Set([...interpretation.matchAll(/^- ([TRNO]\d+) \((MUST|SHOULD|MAY)\)|^- (O12) /gm)].map((m) => m[1] ?? m[3]));
    expect(rules.size).toBe(31); // T1–T8, R1–R3, N1–N8, O1–O12
    const covered = new Set(registry.requirements.map((r) => r.rule));
    for (const rule of rules) expect(covered.has(rule), `rule ${rule} has no requirement`).toBe(true);
    for (const rule of covered) if (rule !== "TC") expect(rules.has(rule), `registry names unknown rule ${rule}`).toBe(true);
  });

  it("each ID starts with its rule, each exclusion gives a reason, each MAY is an allowed variation", () => {
    for (const r of registry.requirements) {
      expect(r.id.startsWith(`${r.rule}.`), r.id).toBe(true);
      if (r.level === "MAY") expect(r.excluded, r.id).toBeTruthy();
    }
  });

  it("a rule whose text is SHOULD only never yields a MUST requirement", () => {
    const shouldOnly = [...interpretation.matchAll(/^- ([TRNO]\d+) \(SHOULD\)/gm)].map((m) => m[1]);
    for (const r of registry.requirements) if (shouldOnly.includes(r.rule)) expect(r.level, r.id).not.toBe("MUST");
  });

  it("rejects an unknown ID", () => {
    expect(() => requirement("O3.made-up")).toThrow(/unknown requirement/);
  });
});
