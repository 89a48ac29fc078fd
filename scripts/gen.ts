/**
 * npm run gen — regenerates src/generated/ from schemas/:
 *   contract-types.ts   TypeScript types of every schema (json-schema-to-typescript)
 *   requirement-ids.ts  the requirement IDs of schemas/requirements.json, so tests cite them type-checked
 * `--check` writes nothing and exits 1 when a committed file differs from a fresh generation
 * (the type drift gate, also run by test/contract/generated.test.ts).
 */
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parseFlags, runProgram, type CliIo } from "../src/cli/command-line.js";
import { isEntryModule } from "../src/cli/entry.js";
import { generateAll, GENERATED_DIR } from "../src/contract/generate.js";

async function main(argv: string[], io: CliIo): Promise<number> {
  const check = parseFlags(argv, { check: { type: "boolean" } }).flags.check === true;
  const files = await generateAll();
  let stale = 0;
  for (const [name, text] of Object.entries(files)) {
    const path = join(GENERATED_DIR, name);
    const current = existsSync(path) ? readFileSync(path, "utf8") : "";
    if (current === text) continue;
    if (check) {
      stale++;
      io.err(`stale: src/generated/${name} differs from a fresh generation (run npm run gen)`);
    } else {
      writeFileSync(path, text);
      io.out(`wrote src/generated/${name}`);
    }
  }
  if (check && stale > 0) return 1;
  if (check) io.out("generated files are up to date");
  return 0;
}

if (isEntryModule(import.meta.url)) await runProgram("gen", main);
