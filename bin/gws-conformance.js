#!/usr/bin/env node
// gws-conformance (npx gws-conformance): the compiled command in dist/ (`npm run build`, which
// `npm ci` runs through `prepare`; a packed package ships dist/). Exit codes: 0 conformant,
// 1 not conformant or incomplete, 2 configuration or harness error.
import { existsSync } from "node:fs";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  console.error("gws-conformance: the command is not built (no dist/): run `npm run build` (`npm ci` runs it)");
  process.exit(2);
}
const { runFromCommandLine } = await import(entry.href);
await runFromCommandLine(process.argv.slice(2));
