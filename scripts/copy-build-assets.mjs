// Part of `npm run build`: copies the JSON data files that compiled modules read beside
// themselves (e.g. src/reference/faults/faults.json) from src/ into dist/src/.
import { cpSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function copyJson(from, to) {
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    if (statSync(source).isDirectory()) copyJson(source, join(to, name));
    else if (name.endsWith(".json")) cpSync(source, join(to, name));
  }
}

copyJson("src", join("dist", "src"));
