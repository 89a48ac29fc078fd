/**
 * The specification folder beside the repository (../shared/spec: the normative page,
 * related-facts.md, interpretation.md). Only the generators (`npm run samples`) and the
 * spec-sync checks (`npm run spec-sync`) read it; nothing the product ships or `npm test` needs
 * does — what the product needs from the page is committed as generated data (src/generated/).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./schemas.js";

export const SPEC_DIR = join(REPO_ROOT, "..", "shared", "spec");
export const PAGE_FILE = "interactions-on-email.txt";
export const INTERPRETATION_FILE = "interpretation.md";

export class SpecFolderMissing extends Error {
  constructor(readonly path: string) {
    super(
      `no specification folder at ${path}: the spec-sync checks and the generators compare the repository with ../shared/spec beside it`,
    );
    this.name = "SpecFolderMissing";
  }
}

export function specFolderPresent(): boolean {
  return existsSync(join(SPEC_DIR, PAGE_FILE));
}

/** A file of the spec folder, with its SHA-256 (recorded in the generated data made from it). */
export function readSpecFile(name: string): { path: string; text: string; sha256: string } {
  const path = join(SPEC_DIR, name);
  if (!existsSync(path)) throw new SpecFolderMissing(SPEC_DIR);
  const text = readFileSync(path, "utf8");
  return { path, text, sha256: sha256(text) };
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
