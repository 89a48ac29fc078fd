/**
 * The requirement registry covers every rule of interpretation.md, with unique, well-formed IDs,
 * and no requirement is stronger than the sentence it comes from ("Levels"). It reads the
 * contract's sentences as committed in src/generated/contract-sentences.json (npm run samples);
 * contract-sentences.spec-sync.test.ts checks that file against ../shared/spec.
 */
import { describe, expect, it } from "vitest";
import { registry, requirement, type Level } from "./registry.js";
import { contractValidator } from "./validators.js";
import { atMost, committedSentences, sourceCeiling } from "./contract-sentences.js";

const { sentences } = committedSentences();

describe("requirement registry", () => {
  it("matches its schema", () => {
    expect(contractValidator().validate("requirements.schema.json", registry).violations).toEqual([]);
  });

  it("has no duplicate ID", () => {
    const ids = registry.requirements.map((r) => r.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it("covers every rule of interpretation.md, and names no rule it does not have", () => {
    const rules = new Set(sentences.map((s) => s.rule).filter((r): r is string => r !== null));
    expect(rules.size).toBe(31); // T1–T8, R1–R3, N1–N8, O1–O12
    const covered = new Set(registry.requirements.map((r) => r.rule));
    for (const rule of rules) expect(covered.has(rule), `rule ${rule} has no requirement`).toBe(true);
    for (const rule of covered)
      if (rule !== "TC") expect(rules.has(rule), `registry names unknown rule ${rule}`).toBe(true);
  });

  it("each ID starts with its rule, each exclusion gives a reason, each MAY is an allowed variation", () => {
    for (const r of registry.requirements) {
      expect(r.id.startsWith(`${r.rule}.`), r.id).toBe(true);
      if (r.level === "MAY") expect(r.excluded, r.id).toBeTruthy();
    }
  });

  it("every requirement quotes the sentence it comes from, and is no stronger than it (a SHOULD sentence never yields a MUST)", () => {
    for (const r of registry.requirements) {
      const { found, ceiling } = sourceCeiling(r.source, sentences);
      expect(
        found.length,
        `${r.id}: its source is not a sentence of interpretation.md: ${JSON.stringify(r.source)}`,
      ).toBeGreaterThan(0);
      expect(
        atMost(r.level, ceiling!),
        `${r.id} is ${r.level}, but its sentence is at most ${ceiling}: ${found[0].text}`,
      ).toBe(true);
      // A rule's requirement quotes its own rule, or says what the file leaves unstated (at most SHOULD).
      const own = found.some((s) => s.rule === r.rule || s.rule === null);
      expect(own, `${r.id} quotes rule ${found.map((s) => s.rule).join(", ")}`).toBe(true);
    }
  });

  it("the level check bites: a MUST quoting a SHOULD sentence, or a sentence that states no level, is refused", () => {
    const should = sourceCeiling("The inbound interaction stays Accepted with the agent.", sentences);
    expect(should.ceiling).toBe("SHOULD");
    expect(atMost("MUST", should.ceiling!)).toBe(false);
    // O3 mixes levels: the inline SHOULD about the From fallback is not the MUST around it.
    expect(sourceCeiling("its From address when it had none", sentences).ceiling).toBe("SHOULD");
    expect(sourceCeiling("ToAddress = the inbound e-mail's Reply-To address", sentences).ceiling).toBe("MUST");
    // O12 states no level.
    expect(sourceCeiling("advertised but undocumented", sentences).ceiling).toBe<Level>("SHOULD");
    expect(sourceCeiling("no such sentence anywhere", sentences).found).toEqual([]);
  });

  it("rejects an unknown ID", () => {
    expect(() => requirement("O3.made-up")).toThrow(/unknown requirement/);
  });
});
