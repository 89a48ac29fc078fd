import { describe, expect, it } from "vitest";
import { didYouMean, editDistance, nearest } from "./suggest.js";

describe("did you mean", () => {
  it("edit distance counts insertions, deletions and substitutions", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });

  it("suggests the nearest name, case-insensitively, and nothing for a word far from every name", () => {
    expect(nearest("o3", ["O3", "O4.cc", "security"])).toBe("O3");
    expect(nearest("O3.subject-prefx", ["O3.subject-prefix", "O3.answer-ok"])).toBe("O3.subject-prefix");
    expect(nearest("--ony", ["--only", "--out", "--skip"])).toBe("--only");
    expect(nearest("teleport", ["run", "merge", "verify"])).toBeUndefined();
    expect(didYouMean("rn", ["run", "merge"])).toBe(" (did you mean run?)");
    expect(didYouMean("xyzzy", ["run", "merge"])).toBe("");
  });
});
