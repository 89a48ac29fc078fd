#!/usr/bin/env node
// gws-conformance (npx gws-conformance): runs src/cli/main.ts through tsx, since the command,
// the harness and the suites are TypeScript. The exit code is the command's (0 conformant,
// 1 not conformant or incomplete, 2 configuration or harness error). SIGINT/SIGTERM (Ctrl-C,
// a cancelled CI job) are passed on so the command can stop its target and children.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// tsx resolved from this package, not from the caller's directory (npx may run it from anywhere).
const tsx = import.meta.resolve("tsx");
const child = spawn(process.execPath, ["--import", tsx, join(root, "src", "cli", "main.ts"), ...process.argv.slice(2)], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("error", (e) => {
  console.error(`gws-conformance: cannot start node with tsx: ${e.message}`);
  process.exit(2);
});
child.on("exit", (code, signal) => {
  if (code !== null) process.exit(code);
  // Killed by a signal: the shell convention, 128 + signal number.
  process.exit(signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 2);
});
