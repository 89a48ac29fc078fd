/** The reference server's command: prints what it serves (never passwords), stops on SIGINT with exit 0; bad flags exit 2. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../contract/schemas.js";
import { parseReferenceArgs, UsageError } from "./cli.js";

const CLI = join(REPO_ROOT, "src", "reference", "cli.ts");

function startCli(args: string[]): { child: ReturnType<typeof spawn>; output: () => string; exited: Promise<number | null>; line: (re: RegExp) => Promise<string> } {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const waiters: Array<() => void> = [];
  const onData = (c: Buffer): void => {
    out += c.toString();
    waiters.forEach((w) => w());
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const line = (re: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output matching ${re} within 20 s; got: ${out}`)), 20_000);
      const check = (): void => {
        const m = re.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      };
      waiters.push(check);
      check();
    });
  return { child, output: () => out, exited, line };
}

describe("reference server command", () => {
  it("prints its URLs and agents without passwords, serves, and exits 0 on SIGINT", async () => {
    const cli = startCli(["--port", "0", "--agents", "alice:pw-alice-123,bob:pw-bob-456"]);
    const api = await cli.line(/http:\/\/127\.0\.0\.1:\d+\/api\/v2/);
    await cli.line(/ready; Ctrl-C to stop/);
    const res = await fetch(`${api}/me/channels/email`, { method: "POST", headers: { authorization: `Basic ${Buffer.from("alice:pw-alice-123").toString("base64")}`, "content-type": "application/json" }, body: '{"operationName":"Ready"}' });
    expect(res.status).toBe(200);
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/agents\s+alice, bob/);
    expect(cli.output()).not.toMatch(/pw-alice-123|pw-bob-456/);
  });

  it.each([
    [["--bogus"], /unknown flag --bogus/],
    [["--port", "x"], /--port: "x" is not a whole number/],
    [["--fault", "nope"], /--fault: unknown fault "nope"/],
    [["--agents", "alice"], /--agents: "alice" is not user:pass/],
  ])("exits 2 naming the bad flag: %j", async (args, message) => {
    const cli = startCli(args as string[]);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(message as RegExp);
  });

  it("parses every option", () => {
    expect(parseReferenceArgs(["--port", "0", "--invite-timeout-ms", "500", "--fault", "never-revoke", "--bayeux", "faye", "--host", "127.0.0.1"])).toMatchObject({ port: 0, inviteTimeoutMs: 500, fault: "never-revoke", bayeux: "faye", host: "127.0.0.1" });
    expect(() => parseReferenceArgs(["--bayeux", "ws"])).toThrow(UsageError);
  });
});
