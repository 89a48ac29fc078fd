/**
 * npm run samples — extracts the page's JSON samples (src/contract/page-samples.ts) from the spec
 * folder, writes them with their repairs, the doc-defect evidence and the page's hash to
 * src/generated/page-samples.json, and sets each schema's `examples` to the repaired samples
 * that are evidence for it. `--check` only compares (the spec-sync test does the same).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../src/contract/schemas.js";
import { SpecFolderMissing } from "../src/contract/spec-folder.js";
import { generatedFromPage } from "./lib/page-generation.js";

const check = process.argv.includes("--check");
let generated: ReturnType<typeof generatedFromPage>;
try {
  generated = generatedFromPage();
} catch (e) {
  if (e instanceof SpecFolderMissing) {
    console.error(`npm run samples: ${e.message}`);
    process.exit(2);
  }
  throw e;
}
console.log(`page: ${generated.page}`);
let stale = 0;
for (const [path, text] of generated.files) {
  const full = join(REPO_ROOT, path);
  let current = "";
  try {
    current = readFileSync(full, "utf8");
  } catch {
    /* a new file */
  }
  if (current === text) continue;
  stale++;
  if (check) console.error(`stale: ${path} (run npm run samples)`);
  else {
    writeFileSync(full, text);
    console.log(`wrote ${path}`);
  }
}
if (check && stale) process.exit(1);
