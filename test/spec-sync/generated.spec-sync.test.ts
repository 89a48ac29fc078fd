/**
 * spec-sync (`npm run spec-sync`, run by CI beside the spec folder): what the repository derived
 * from the normative page and interpretation.md is current. `npm run samples` regenerates it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/contract/schemas.js";
import { generatedFromSpec } from "../../scripts/lib/page-generation.js";

describe("the data generated from the spec folder", () => {
  const generated = generatedFromSpec();
  it(`is current with ${generated.sources.join(" and ")}: page-samples.json, every schema's examples, contract-sentences.json (npm run samples)`, () => {
    for (const [path, text] of generated.files)
      expect(readFileSync(join(REPO_ROOT, path), "utf8"), `${path} is stale: npm run samples`).toBe(text);
  });
});
