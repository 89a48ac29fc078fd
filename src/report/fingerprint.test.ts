/** Contract fingerprints: the documented shell recipe gives the same hash; one changed byte changes it and is named. */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, SCHEMAS_DIR } from "../contract/schemas.js";
import { contractDifferences, contractFingerprint, installedContract, sha256 } from "./fingerprint.js";

/** A copy of the suite's schemas/ in a fresh folder (tests change it). */
function schemasCopy(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "gws-fp-")), "schemas");
  cpSync(SCHEMAS_DIR, dir, { recursive: true });
  return dir;
}

describe("contract fingerprint", () => {
  it("covers every file under schemas/, and requirements.json on its own", () => {
    const fp = installedContract();
    expect(Object.keys(fp.files)).toContain("schemas/requirements.json");
    expect(Object.keys(fp.files)).toContain("schemas/reports/summary.schema.json");
    expect(Object.keys(fp.files)).toContain("schemas/lifecycle.json");
    expect(fp.requirementsSha256).toBe(sha256(readFileSync(join(SCHEMAS_DIR, "requirements.json"))));
    expect(contractFingerprint(schemasCopy())).toEqual(fp); // where the folder lies does not matter
  });

  it("equals `find schemas -type f | LC_ALL=C sort | xargs sha256sum | sha256sum`, the recipe the summary schema documents", () => {
    let shell: string;
    try {
      shell = execFileSync("sh", ["-c", "find schemas -type f | LC_ALL=C sort | xargs sha256sum | sha256sum"], {
        cwd: REPO_ROOT,
        encoding: "utf8",
      });
    } catch {
      return; // no sha256sum on this machine: the recipe cannot be run here
    }
    expect(shell.split(/\s/)[0]).toBe(installedContract().schemasSha256);
  });

  it("one changed byte in one schema changes the hash, and the differences name that file", () => {
    const dir = schemasCopy();
    const file = join(dir, "answers", readdirFirst(join(dir, "answers")));
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace(/"/, "'"));
    const changed = contractFingerprint(dir);
    const original = installedContract();
    expect(changed.schemasSha256).not.toBe(original.schemasSha256);
    expect(changed.requirementsSha256).toBe(original.requirementsSha256);
    expect(contractDifferences(original, changed)).toEqual([
      `schemas/answers/${readdirFirst(join(dir, "answers"))} (content differs)`,
    ]);
    writeFileSync(join(dir, "extra.json"), "{}");
    expect(contractDifferences(original, contractFingerprint(dir))).toContain(
      "schemas/extra.json (not in the contract that judged the run)",
    );
  });
});

const readdirFirst = (dir: string): string => readdirSync(dir).sort()[0];
