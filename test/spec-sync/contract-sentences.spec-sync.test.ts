/**
 * SPEC SYNC (reads ../shared/spec): the committed contract sentences
 * (src/generated/contract-sentences.json, which the registry test reads) are those of
 * interpretation.md as it is now. A difference means the contract changed: run `npm run samples`
 * and review the registry's levels and sources.
 */
import { describe, expect, it } from "vitest";
import {
  committedSentences,
  contractSentencesFileText,
  hashOf,
  parseContractSentences,
} from "../../src/contract/contract-sentences.js";
import { INTERPRETATION_FILE, readSpecFile } from "../../src/contract/spec-sync-folder.js";

const { path, text: markdown } = readSpecFile(INTERPRETATION_FILE);

describe(`contract sentences ↔ ${path}`, () => {
  it("the committed file was generated from the current interpretation.md (npm run samples)", () => {
    expect(committedSentences().sourceHash, "interpretation.md changed since npm run samples").toBe(hashOf(markdown));
    expect(`${JSON.stringify(committedSentences(), null, 2)}\n`).toBe(contractSentencesFileText(markdown));
  });

  it("finds every rule with its level, and the level changes inside a rule (O3, R1)", () => {
    const sentences = parseContractSentences(markdown);
    const levelOf = (quote: string): string | null | undefined => sentences.find((s) => s.text.includes(quote))?.level;
    expect(levelOf("Every path is relative to a configurable API root")).toBe("MUST");
    expect(levelOf("These get a failure answer, change nothing")).toBe("SHOULD");
    expect(levelOf("Accept's success may be an empty HTTP 200")).toBe("MAY");
    expect(levelOf("its From address when it had none")).toBe("SHOULD");
    expect(levelOf("FromAddress = the inbound ToAddress")).toBe("MUST");
    expect(levelOf("The inbound interaction stays Accepted with the agent.")).toBe("SHOULD");
    expect(levelOf("Queue names are deployment data.")).toBeNull();
  });
});
