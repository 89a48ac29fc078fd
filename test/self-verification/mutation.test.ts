/**
 * The suite bites: the mutation run (scripts/mutation.ts) — the full suite against the clean
 * reference server (every requirement PASS) and against each fault (FAIL or WARN on the rule the
 * fault violates) — must score 100%. Its report is reports/mutation.md.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/contract/schemas.js";

/** The bound for the whole mutation run; a hung run is killed here and fails. */
const MUTATION_BUDGET_MS = 8 * 60_000;

describe("mutation run", () => {
  it("kills every fault and passes clean (score 100%)", async () => {
    const out = process.env.CI ? join(REPO_ROOT, "reports") : mkdtempSync(join(tmpdir(), "gws-mutation-"));
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "scripts", "mutation.ts"), "--out", out], { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "inherit"] });
      const timer = setTimeout(() => child.kill("SIGKILL"), MUTATION_BUDGET_MS);
      child.on("close", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    const report = JSON.parse(readFileSync(join(out, "mutation.json"), "utf8")) as { score: number; wallMs: number; results: Array<{ fault: string; killed: boolean; observed: string }> };
    const survivors = report.results.filter((r) => !r.killed).map((r) => `${r.fault}: ${r.observed}`);
    expect(survivors).toEqual([]);
    expect(report.score).toBe(1);
    expect(report.results.length).toBeGreaterThanOrEqual(26);
    expect(code).toBe(0);
  });
});
