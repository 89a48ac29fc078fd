/**
 * Loads the contract's JSON Schemas from schemas/ (the one source of truth for
 * every request, answer, notification and report shape).
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package's root: the nearest folder above this module with a package.json. The same code
 * runs from src/ (development, through vitest or tsx) and compiled from dist/src/ (the command,
 * an installed package); schemas/ and the other data sit at the root in both cases.
 */
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const REPO_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const SCHEMAS_DIR = join(REPO_ROOT, "schemas");
export const SCHEMA_ID_BASE = "https://gws-conformance.dev/schemas/";

export type JsonSchema = Record<string, unknown> & {
  $id?: string;
  title?: string;
  description?: string;
  examples?: unknown[];
};

/** Every `*.schema.json` below schemas/, keyed by its path relative to schemas/ (posix). */
export function loadSchemaFiles(dir = SCHEMAS_DIR): Map<string, JsonSchema> {
  const out = new Map<string, JsonSchema>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".schema.json")) {
        const rel = relative(dir, full).split(sep).join("/");
        out.set(rel, JSON.parse(readFileSync(full, "utf8")) as JsonSchema);
      }
    }
  };
  walk(dir);
  return out;
}

/** Reads a JSON data file below schemas/ (lifecycle.json, requirements.json). */
export function readSchemasJson<T>(name: string, dir = SCHEMAS_DIR): T {
  return JSON.parse(readFileSync(join(dir, name), "utf8")) as T;
}
