/**
 * The registry and the suites agree: every requirement ID a suite cites exists, and every
 * testable requirement (not excluded in schemas/requirements.json) is cited by some suite.
 * (tsc already rejects an unknown ID where it is typed; this also catches untyped strings.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isRequirementId, testableRequirements } from "../../src/contract/registry.js";
import { REPO_ROOT } from "../../src/contract/schemas.js";

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourcesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const ID_LITERAL = /["'`]((?:T|R|N|O)\d+\.[a-z0-9-]+)["'`]/g;
const suiteFiles = sourcesUnder(join(REPO_ROOT, "suites"));
const cited = new Map<string, string[]>();
for (const f of suiteFiles)
  for (const m of readFileSync(f, "utf8").matchAll(ID_LITERAL)) cited.set(m[1], [...(cited.get(m[1]) ?? []), f]);

describe("registry ↔ suites", () => {
  it("suites exist and cite requirements", () => {
    expect(suiteFiles.length).toBeGreaterThan(5);
    expect(cited.size).toBeGreaterThan(50);
  });

  it("every ID a suite cites is in the registry", () => {
    const unknown = [...cited.keys()].filter((id) => !isRequirementId(id));
    expect(unknown, `unknown IDs: ${unknown.map((id) => `${id} in ${cited.get(id)?.join(", ")}`).join("; ")}`).toEqual(
      [],
    );
  });

  it("every testable requirement is cited by a suite (or excluded with a reason in the registry)", () => {
    const uncovered = testableRequirements()
      .map((r) => r.id)
      .filter((id) => !cited.has(id));
    expect(uncovered).toEqual([]);
  });
});
