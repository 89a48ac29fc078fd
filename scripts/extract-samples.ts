/**
 * npm run samples — what is generated from the spec folder (../shared/spec): the page's JSON
 * samples (src/contract/page-samples.ts) with their repairs, the doc-defect evidence and the
 * page's hash in src/generated/page-samples.json; each schema's `examples` (the repaired samples
 * that are evidence for it); the contract's sentences with their levels
 * (src/contract/contract-sentences.ts) in src/generated/contract-sentences.json. `--check` only
 * compares (the spec-sync tests do the same).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseFlags, runProgram, type CliIo } from "../src/cli/command-line.js";
import { isEntryModule } from "../src/cli/entry.js";
import { REPO_ROOT } from "../src/contract/schemas.js";
import { SpecFolderMissing } from "../src/contract/spec-sync-folder.js";
import { generatedFromSpec } from "./lib/page-generation.js";

async function main(argv: string[], io: CliIo): Promise<number> {
  const check = parseFlags(argv, { check: { type: "boolean" } }).flags.check === true;
  let generated: ReturnType<typeof generatedFromSpec>;
  try {
    generated = generatedFromSpec();
  } catch (e) {
    if (e instanceof SpecFolderMissing) {
      io.err(`npm run samples: ${e.message}`);
      return 2;
    }
    throw e;
  }
  for (const source of generated.sources) io.out(`from ${source}`);
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
    if (check) io.err(`stale: ${path} (run npm run samples)`);
    else {
      writeFileSync(full, text);
      io.out(`wrote ${path}`);
    }
  }
  return check && stale ? 1 : 0;
}

if (isEntryModule(import.meta.url)) await runProgram("samples", main);
