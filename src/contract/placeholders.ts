/**
 * The texts a request must never carry (interpretation.md, "Deployment data and routing": a client
 * never sends the page's placeholder texts): the string values of the request schemas' `examples`
 * and of the page's request samples (src/generated/page-samples.json), operation names aside.
 * The suite's own tests hold every request it sends to this (a full run's transcript included).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { contractValidator } from "./validators.js";
import { REPO_ROOT } from "./schemas.js";

/** Every string in `value`, except operationName values (those are the contract's names, not placeholders). */
export function stringLeaves(value: unknown, key?: string): string[] {
  if (typeof value === "string") return key === "operationName" ? [] : [value];
  if (Array.isArray(value)) return value.flatMap((v) => stringLeaves(v));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, k));
  return [];
}

let cached: Set<string> | undefined;

export function placeholderStrings(): Set<string> {
  if (cached) return cached;
  const out = new Set<string>();
  for (const [path, schema] of contractValidator().files) {
    if (path.startsWith("requests/")) for (const v of stringLeaves(schema.examples ?? [])) out.add(v);
  }
  const page = JSON.parse(readFileSync(join(REPO_ROOT, "src", "generated", "page-samples.json"), "utf8")) as {
    samples: Array<{ schema: string; json: unknown }>;
  };
  for (const s of page.samples) if (s.schema.startsWith("requests/")) for (const v of stringLeaves(s.json)) out.add(v);
  cached = out;
  return out;
}
