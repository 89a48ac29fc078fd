/**
 * spec-sync (`npm run spec-sync`): the requirement registry against the contract beside the
 * repository (../shared/spec/interpretation.md).
 */
import { describe, expect, it } from "vitest";
import { registry } from "../../src/contract/registry.js";
import { INTERPRETATION_FILE, readSpecFile } from "../../src/contract/spec-folder.js";

const { path, text: interpretation } = readSpecFile(INTERPRETATION_FILE);

describe(`requirement registry against ${path}`, () => {
  it("covers every rule of interpretation.md, and names no rule it does not have", () => {
    const rules = new Set([...interpretation.matchAll(/^- ([TRNO]\d+) \((MUST|SHOULD|MAY)\)|^- (O12) /gm)].map((m) => m[1] ?? m[3]));
    expect(rules.size).toBe(31); // T1–T8, R1–R3, N1–N8, O1–O12
    const covered = new Set(registry.requirements.map((r) => r.rule));
    for (const rule of rules) expect(covered.has(rule), `rule ${rule} has no requirement`).toBe(true);
    for (const rule of covered) if (rule !== "TC") expect(rules.has(rule), `registry names unknown rule ${rule}`).toBe(true);
  });

  it("a rule whose text is SHOULD only never yields a MUST requirement", () => {
    const shouldOnly = [...interpretation.matchAll(/^- ([TRNO]\d+) \(SHOULD\)/gm)].map((m) => m[1]);
    for (const r of registry.requirements) if (shouldOnly.includes(r.rule)) expect(r.level, r.id).not.toBe("MUST");
  });

});
