/**
 * Issue 18, "done when": the reproduction a run's reports give for a MUST failure, run by hand —
 * curl in a shell, with the variables set as a person would — against a reference server started
 * standalone (`npm run reference`, src/reference/cli.ts) with that fault, shows the failure; the
 * same commands against a standalone server without the fault do not. The commands come from
 * summary.json's evidence (src/report/reproduce.ts); certificate.md shows them too.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/contract/schemas.js";
import { readSummary, runCli, tempDir } from "./run-cli.js";

const FAULT = "error-without-description";
const ID = "R1.error-envelope";
const AGENTS = "agent1:pw-one,agent2:pw-two,agent3:pw-three";
/** How long the standalone server may take to print its URLs (a process start, under load). */
const START_BUDGET_MS = 30_000;

interface Standalone {
  child: ChildProcess;
  apiRoot: string;
  control: string;
}

/** `npm run reference -- --port 0 …`: waits (bounded) for the URLs it prints. */
function startStandalone(fault?: string): Promise<Standalone> {
  const args = [join(REPO_ROOT, "dist", "src", "reference", "cli.js"), "--port", "0", "--agents", AGENTS];
  if (fault) args.push("--fault", fault);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the standalone reference server printed no URLs within ${START_BUDGET_MS} ms: ${text}`));
    }, START_BUDGET_MS);
    child.stdout?.on("data", (c: Buffer) => {
      text += c.toString();
      const api = /API root\s+(\S+)/.exec(text)?.[1];
      const control = /control\s+(\S+)\/inbound-emails/.exec(text)?.[1];
      if (api && control && text.includes("ready")) {
        clearTimeout(timer);
        resolve({ child, apiRoot: api, control });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the standalone reference server exited (${code}): ${text}`));
    });
  });
}

function stop(s: Standalone | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    s.child.once("exit", () => resolve());
    s.child.kill("SIGTERM");
  });
}

/** Runs each curl line in bash (the id assignments before each), as a person pastes them; the answers in order. */
function runByHand(lines: readonly string[], s: Standalone): string[] {
  const assignments = lines.filter((l) => /^ID_\d+=/.test(l));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    GWS_BASE_URL: s.apiRoot,
    GWS_CONTROL_URL: s.control,
  };
  for (const [i, pair] of AGENTS.split(",").entries()) env[`GWS_AGENT${i + 1}`] = pair;
  return lines
    .filter((l) => l.startsWith("curl "))
    .map((l) =>
      execFileSync("bash", ["--norc", "--noprofile", "-c", [...assignments, `${l} --max-time 10`].join("\n")], {
        env,
        encoding: "utf8",
      }),
    );
}

describe(`the reproduction of ${ID} under the fault ${FAULT}, run by hand`, () => {
  const out = tempDir("gws-repro-");
  let faulty: Standalone | undefined;
  let clean: Standalone | undefined;
  beforeAll(async () => {
    const run = await runCli(["run", "--out", out, "--only", ID, "--no-allure"], { GWS_REFERENCE_FAULT: FAULT });
    expect(run.code, run.stderr).toBe(1);
    [faulty, clean] = await Promise.all([startStandalone(FAULT), startStandalone()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([stop(faulty), stop(clean)]);
  });

  it("the commands hold no credential, only variables; the certificate shows the same commands", () => {
    const evidence = readSummary(out).requirements.find((r) => r.id === ID)?.evidence;
    expect(evidence?.curl.some((l) => l.startsWith("curl "))).toBe(true);
    const text = evidence?.curl.join("\n") ?? "";
    expect(text).toContain('-u "$GWS_AGENT');
    expect(text).not.toMatch(/secret\d|REDACTED|127\.0\.0\.1/);
    const certificate = readFileSync(join(out, "certificate.md"), "utf8");
    for (const l of evidence?.curl ?? []) expect(certificate).toContain(l);
    expect(certificate).toContain(`npx gws-conformance run --only ${ID}`);
  });

  it("against the faulty server the last answer is the failure (no errorDescription); against a clean one it is not", () => {
    const evidence = readSummary(out).requirements.find((r) => r.id === ID)?.evidence;
    if (!evidence || !faulty || !clean) throw new Error("no evidence or no server: see beforeAll");
    const last = (answers: string[]): Record<string, unknown> => JSON.parse(answers.at(-1) ?? "null");
    const broken = last(runByHand(evidence.curl, faulty));
    expect(broken).toEqual({ status: "error" });
    const fine = last(runByHand(evidence.curl, clean));
    expect(fine.status).toBe("error");
    expect(typeof fine.errorDescription === "string" && fine.errorDescription.length > 0).toBe(true);
  });
});
