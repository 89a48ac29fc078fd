/**
 * Content hashes that tie a certificate to what judged it and to what it judged: the contract
 * (every file under schemas/, and schemas/requirements.json on its own) and the run's transcript.
 * They let a reader tell which contract edition judged a run and let `gws-conformance verify`
 * check that a certificate, its transcript and the installed suite belong together. They are
 * fingerprints, not signatures: anyone can recompute them after a change (docs/decisions.md).
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { SCHEMAS_DIR } from "../contract/schemas.js";

export interface ContractFingerprint {
  /**
   * SHA-256 of the sha256sum listing of schemas/:
   * `find schemas -type f | LC_ALL=C sort | xargs sha256sum | sha256sum`.
   */
  schemasSha256: string;
  /** SHA-256 of schemas/requirements.json. */
  requirementsSha256: string;
  /** SHA-256 of each file, keyed by its path (schemas/...). */
  files: Record<string, string>;
}

export const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

/** SHA-256 of a file, or undefined when it does not exist. */
export function fileSha256(path: string): string | undefined {
  return existsSync(path) ? sha256(readFileSync(path)) : undefined;
}

/** Byte order of UTF-8 paths, as `LC_ALL=C sort` orders them. */
const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The fingerprint of a schemas folder (default: the installed suite's). */
export function contractFingerprint(schemasDir = SCHEMAS_DIR): ContractFingerprint {
  const root = dirname(schemasDir);
  const paths: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) paths.push(relative(root, full).split(sep).join("/"));
    }
  };
  walk(schemasDir);
  paths.sort(byBytes);
  const files: Record<string, string> = {};
  for (const p of paths) files[p] = sha256(readFileSync(join(root, p)));
  // The same text sha256sum prints: "<hex>  <path>\n" per file.
  const listing = paths.map((p) => `${files[p]}  ${p}\n`).join("");
  const registryPath = `${relative(root, schemasDir).split(sep).join("/")}/requirements.json`;
  const requirementsSha256 = files[registryPath];
  if (!requirementsSha256) throw new Error(`no requirements.json in ${schemasDir}`);
  return { schemasSha256: sha256(listing), requirementsSha256, files };
}

let installed: ContractFingerprint | undefined;
/** The installed suite's contract fingerprint (computed once per process). */
export function installedContract(): ContractFingerprint {
  installed ??= contractFingerprint();
  return installed;
}

/** The files whose hashes differ between two fingerprints (added, removed or changed), by path. */
export function contractDifferences(
  recorded: Pick<ContractFingerprint, "files">,
  actual: Pick<ContractFingerprint, "files">,
): string[] {
  const out: string[] = [];
  for (const [p, h] of Object.entries(recorded.files)) {
    if (!(p in actual.files)) out.push(`${p} (missing from the installed suite)`);
    else if (actual.files[p] !== h) out.push(`${p} (content differs)`);
  }
  for (const p of Object.keys(actual.files))
    if (!(p in recorded.files)) out.push(`${p} (not in the contract that judged the run)`);
  return out.sort(byBytes);
}
