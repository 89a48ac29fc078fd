// Part of `npm run build`, after tsc: copies the JSON data files that compiled modules read beside
// themselves (e.g. src/generated/contract-sentences.json) from src/ into dist/src/, and removes compiled
// files whose TypeScript source is gone (a renamed suite must not run twice).
import { cpSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

function copyJson(from, to) {
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    if (statSync(source).isDirectory()) copyJson(source, join(to, name));
    else if (name.endsWith(".json")) cpSync(source, join(to, name));
  }
}

function pruneStale(compiled, source) {
  if (!existsSync(compiled)) return;
  for (const name of readdirSync(compiled)) {
    const out = join(compiled, name);
    if (statSync(out).isDirectory()) {
      pruneStale(out, join(source, name));
      continue;
    }
    const origin = name.endsWith(".js") ? join(source, name.replace(/\.js$/, ".ts")) : join(source, name);
    if (!existsSync(origin)) rmSync(out);
  }
}

copyJson("src", join("dist", "src"));
pruneStale(join("dist", "src"), "src");
pruneStale(join("dist", "suites"), "suites");
