/**
 * npm run spec-sync — compares the repository with the specification folder beside it
 * (../shared/spec): the committed page data and schema examples against the page, the
 * requirement registry against interpretation.md. Says which files it compared; with no spec
 * folder it says so and exits 2 (nothing the product ships or `npm test` needs reads the folder).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../src/contract/schemas.js";
import {
  INTERPRETATION_FILE,
  PAGE_FILE,
  readSpecFile,
  SPEC_DIR,
  specFolderPresent,
} from "../src/contract/spec-sync-folder.js";

if (!specFolderPresent()) {
  console.error(
    `spec-sync: no specification folder at ${SPEC_DIR} (expected ${PAGE_FILE} and ${INTERPRETATION_FILE} there); nothing compared.`,
  );
  process.exit(2);
}
for (const name of [PAGE_FILE, INTERPRETATION_FILE]) {
  const f = readSpecFile(name);
  console.log(`spec-sync: comparing with ${f.path} (sha256 ${f.sha256.slice(0, 16)}…)`);
}
const vitest = join(REPO_ROOT, "node_modules", "vitest", "vitest.mjs");
const run = spawnSync(process.execPath, [vitest, "run", "--project", "spec-sync", ...process.argv.slice(2)], {
  cwd: REPO_ROOT,
  stdio: "inherit",
});
process.exit(run.status ?? 2);
