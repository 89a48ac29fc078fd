/**
 * npm run gen — regenerates src/generated/ from schemas/:
 *   contract-types.ts   TypeScript types of every schema (json-schema-to-typescript)
 *   requirement-ids.ts  the requirement IDs of schemas/requirements.json, so tests cite them type-checked
 * `--check` writes nothing and exits 1 when a committed file differs from a fresh generation
 * (the type drift gate, also run by test/contract/generated.test.ts).
 */
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { generateAll, GENERATED_DIR } from "../src/contract/generate.js";

const check = process.argv.includes("--check");
const files = await generateAll();
let stale = 0;
for (const [name, text] of Object.entries(files)) {
  const path = join(GENERATED_DIR, name);
  const current = existsSync(path) ? readFileSync(path, "utf8") : "";
  if (current === text) continue;
  if (check) {
    stale++;
    console.error(`stale: src/generated/${name} differs from a fresh generation (run npm run gen)`);
  } else {
    writeFileSync(path, text);
    console.log(`wrote src/generated/${name}`);
  }
}
if (check && stale > 0) process.exit(1);
if (check) console.log("generated files are up to date");
