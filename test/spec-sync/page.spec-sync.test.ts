/**
 * spec-sync (`npm run spec-sync`, run by CI beside the spec folder): what the repository derived
 * from the normative page is current. `npm run samples` regenerates it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/contract/schemas.js";
import { generatedFromPage } from "../../scripts/lib/page-generation.js";

describe("the page's generated data", () => {
  const generated = generatedFromPage();
  it(`is current with ${generated.page}: page-samples.json and every schema's examples (npm run samples)`, () => {
    for (const [path, text] of generated.files) expect(readFileSync(join(REPO_ROOT, path), "utf8"), `${path} is stale: npm run samples`).toBe(text);
  });
});
