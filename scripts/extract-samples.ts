/**
 * npm run samples — what is generated from ../shared/spec: the page's JSON samples
 * (src/contract/page-samples.ts) with their repairs in src/generated/page-samples.json, each
 * schema's `examples` (the repaired samples that are evidence for it), and the contract's
 * sentences with their levels (src/contract/contract-sentences.ts) in
 * src/generated/contract-sentences.json. `--check` only compares.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pageSamplesFile, schemaExamplesFromPage } from "../src/contract/page-samples-files.js";
import { SCHEMAS_DIR } from "../src/contract/schemas.js";
import { GENERATED_DIR } from "../src/contract/generate.js";
import { CONTRACT_SENTENCES_PATH, contractSentencesFileText } from "../src/contract/contract-sentences.js";

const check = process.argv.includes("--check");
let stale = 0;
const write = (path: string, text: string, label: string): void => {
  let current = "";
  try {
    current = readFileSync(path, "utf8");
  } catch {
    /* new file */
  }
  if (current === text) return;
  if (check) {
    stale++;
    console.error(`stale: ${label} (run npm run samples)`);
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${label}`);
  }
};
write(join(GENERATED_DIR, "page-samples.json"), pageSamplesFile(), "src/generated/page-samples.json");
write(CONTRACT_SENTENCES_PATH, contractSentencesFileText(), "src/generated/contract-sentences.json");
for (const [schemaPath, examples] of schemaExamplesFromPage()) {
  const full = join(SCHEMAS_DIR, schemaPath);
  const schema = JSON.parse(readFileSync(full, "utf8")) as Record<string, unknown>;
  schema.examples = examples;
  write(full, JSON.stringify(schema, null, 2) + "\n", `schemas/${schemaPath} examples`);
}
if (check && stale) process.exit(1);
