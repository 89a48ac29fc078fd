/**
 * Test support: runs the gws-conformance command as a child process with a bounded budget — the
 * compiled command a user runs (bin/gws-conformance.js → dist/, built by `npm test`'s pretest).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../../src/contract/schemas.js";

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

export const CLI_BUDGET_MS = 90_000;

export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const started = Date.now();
  const cleanEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GWS_") && v !== undefined) cleanEnv[k] = v;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) cleanEnv[k] = v;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "gws-conformance.js"), ...args], { cwd: REPO_ROOT, env: { ...cleanEnv, CI: "true" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), CLI_BUDGET_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, wallMs: Date.now() - started });
    });
  });
}
