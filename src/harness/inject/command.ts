/**
 * command adapter: runs the configured command (through the shell) with the e-mail as JSON on
 * standard input. Exit 0 means queued; a JSON {interactionId} on standard output is optional.
 */
import { spawn } from "node:child_process";
import { BUDGETS } from "../budgets.js";
import { PreconditionError } from "../checks.js";
import { recordInjection, type InboundEmail, type InjectResult, type Injector } from "./adapter.js";

export class CommandInjector implements Injector {
  readonly kind = "command" as const;

  constructor(readonly command: string) {}

  inject(email: InboundEmail): Promise<InjectResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.command, { shell: true, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const fail = (reason: string): void => {
        recordInjection("command", email, false, reason);
        reject(new PreconditionError("injection (command adapter)", reason));
      };
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        fail(`the command did not finish within ${BUDGETS.injectMs} ms (inject budget)`);
      }, BUDGETS.injectMs);
      child.on("error", (e) => {
        clearTimeout(timer);
        fail(`the command could not start: ${e.message}`);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        if (code !== 0) return fail(`the command exited ${code}: ${stderr.trim().slice(0, 300)}`);
        recordInjection("command", email, true);
        try {
          const out = JSON.parse(stdout) as { interactionId?: unknown };
          resolve(typeof out.interactionId === "string" ? { interactionId: out.interactionId } : {});
        } catch {
          resolve({});
        }
      });
      child.stdin.on("error", () => {
        /* the command may exit without reading; its exit code decides */
      });
      child.stdin.end(JSON.stringify(email));
    });
  }

  async close(): Promise<void> {}
}
