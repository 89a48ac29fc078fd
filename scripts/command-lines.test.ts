/**
 * The scripts' command lines (scripts/*.ts use the one CLI layer, src/cli/command-line.ts): a bad
 * flag is a usage error naming it — never a NaN that runs on — and the script exits 2.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/cli/command-line.js";
import { REPO_ROOT } from "../src/contract/schemas.js";
import { parseBenchLoadArgs } from "./bench-load.js";
import { parseRoundtripArgs } from "./bench-roundtrip.js";
import { parseBenchRunArgs } from "./bench-run.js";
import { parseMutationArgs } from "./mutation.js";
import { parseStabilityArgs } from "./stability.js";

/** Budget for a script to start, refuse its command line and exit. */
const SCRIPT_EXIT_MS = 30_000;

function runScript(file: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "scripts", file), ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), SCRIPT_EXIT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe("script command lines", () => {
  it.each([
    [() => parseMutationArgs(["--lanes", "x"]), '--lanes: "x" is not a whole number ≥ 1'],
    [() => parseMutationArgs(["--lanes", "0"]), '--lanes: "0" is not a whole number ≥ 1'],
    [() => parseMutationArgs(["--only", "no-such-fault"]), '--only: no fault or derived mutant named "no-such-fault"'],
    [() => parseMutationArgs(["--only", "accepted-extra-field"]), "selects nothing to judge"],
    [() => parseMutationArgs(["--derived-only", "--no-derived"]), "exclude each other"],
    [() => parseMutationArgs(["--parallel", "2"]), "unknown flag --parallel"],
    [() => parseStabilityArgs(["--runs", "x"]), '--runs: "x" is not a whole number ≥ 2'],
    [() => parseStabilityArgs(["--runs", "1"]), '--runs: "1" is not a whole number ≥ 2'],
    [() => parseRoundtripArgs(["--iterations", "many"]), '--iterations: "many" is not a whole number ≥ 1'],
    [() => parseBenchRunArgs(["--runs", "x"]), '--runs: "x" is not a whole number ≥ 1'],
    [() => parseBenchLoadArgs(["--start-rate", "fast"]), '--start-rate: "fast" is not a positive number'],
    [() => parseBenchLoadArgs(["--agents", "-3"]), '--agents: "-3" is not a whole number ≥ 1'],
    [() => parseBenchLoadArgs(["--step-duration", "1h"]), '--step-duration: "1h" is not a duration'],
    [() => parseBenchLoadArgs(["--out"]), "--out needs a value"],
  ])("%#: %s", (parse, message) => {
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });

  it("good command lines: defaults and values", () => {
    const m = parseMutationArgs(["--only", "never-revoke,duplicate-accepted", "--no-derived", "--lanes", "2"]);
    expect([m.lanes, m.faults.map((f) => f.name).sort(), m.derived]).toEqual([
      2,
      ["duplicate-accepted", "never-revoke"],
      [],
    ]);
    expect(parseStabilityArgs([]).runs).toBe(20);
    expect(parseRoundtripArgs(["--iterations", "5"])).toEqual({ iterations: 5 });
    expect(parseBenchRunArgs([])).toEqual({ runs: 5 });
    expect(parseBenchLoadArgs(["--step-duration", "2s", "--refine", "0"])).toMatchObject({
      stepMs: 2000,
      refine: 0,
      agents: 200,
    });
  });

  // One script run end to end is enough to prove the wiring (runProgram: message on stderr, exit 2);
  // the parse functions above are each script's own, and importing them here proves that no script
  // starts work on import (isEntryModule).
  it("a script run with a bad flag exits 2 naming it", async () => {
    const run = await runScript("bench-run.ts", ["--runs", "x"]);
    expect(run.stderr).toMatch(/^bench:run: --runs: "x" is not a whole number ≥ 1 \(see --help\)$/m);
    expect(run.code).toBe(2);
  });
});
