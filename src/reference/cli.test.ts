/**
 * The reference server's command, spawned compiled (as `npm run reference` runs it): prints what it serves (never passwords),
 * serves, and on SIGINT shuts down so that its process ends by itself (exit 0) even with a
 * client holding a long-poll and a revoke timer armed: nothing is left open. Bad flags exit 2.
 */
import { spawn } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../contract/schemas.js";
import { UsageError } from "../cli/command-line.js";
import { parseReferenceArgs } from "./cli.js";
import { inject, Stream, TestAgent, waitFor } from "./test-support/client.js";

const CLI = join(REPO_ROOT, "dist", "src", "reference", "cli.js");
/** Budgets: the command's start and its exit. */
const START_MS = 20_000;
const EXIT_MS = 10_000;

function startCli(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const output = new Stream<string>((chunk) => JSON.stringify(chunk.slice(-200)));
  child.stdout.on("data", (c: Buffer) => output.push(c.toString()));
  child.stderr.on("data", (c: Buffer) => output.push(c.toString()));
  const exit = new Stream<number | null>((code) => `exit ${code}`);
  child.on("close", (code) => exit.push(code));
  const text = (): string => output.items.join("");
  return {
    child,
    text,
    /** Waits until the output matches `re`; returns the first capture group (or the match). */
    line: (re: RegExp): Promise<string> =>
      waitFor(
        () => {
          const m = re.exec(text());
          return m ? (m[1] ?? m[0]) : undefined;
        },
        START_MS,
        `output matching ${re}`,
        [output],
      ),
    exited: (): Promise<number | null> =>
      waitFor(() => (exit.items.length ? { code: exit.items[0] } : undefined), EXIT_MS, "the command's exit", [
        exit,
      ]).then((e) => e.code),
  };
}

describe("reference server command", () => {
  it("prints its URLs and agents without passwords, serves, and on SIGINT ends by itself with exit 0 (held long-poll, armed timer)", async () => {
    const cli = startCli([
      "--port",
      "0",
      "--agents",
      "alice:pw-alice-123,bob:pw-bob-456",
      "--invite-timeout-ms",
      "60000",
    ]);
    const baseUrl = await cli.line(/API root\s+(http:\/\/127\.0\.0\.1:\d+\/api\/v2)/);
    const cometdUrl = await cli.line(/CometD\s+(\S+)/);
    const control = await cli.line(/control\s+(\S+)\/inbound-emails/);
    await cli.line(/ready; Ctrl-C to stop/);
    expect(cli.text()).toMatch(/agents\s+alice, bob/);
    expect(cli.text()).not.toMatch(/pw-alice-123|pw-bob-456/);

    const alice = await TestAgent.connect({ baseUrl, cometdUrl }, { username: "alice", password: "pw-alice-123" }); // holds a long-poll
    const email = { to: "support@contact-center.example", from: "pat@example.org", subject: "cli-1", text: "t" };
    await inject(control, { ...email, agent: "alice" }); // arms a revoke timer
    await alice.invited("cli-1");
    cli.child.kill("SIGINT");
    expect(await cli.exited()).toBe(0);
    expect(cli.text()).toMatch(/SIGINT: shutting down/);
    expect(cli.text()).not.toMatch(/still running/);
    await alice.close();
  });

  it("--help prints the usage and exits 0", async () => {
    const cli = startCli(["--help"]);
    expect(await cli.exited()).toBe(0);
    expect(cli.text()).toMatch(/usage: npm run reference -- .*--invite-timeout-ms N/);
  });

  it.each([
    [["--bogus"], /unknown flag --bogus/],
    [["--port", "x"], /--port: "x" is not a whole number/],
    [["--port"], /--port needs a value/],
    [["--fault", "nope"], /--fault: unknown fault "nope"/],
    [["--agents", "alice"], /--agents: "alice" is not user:pass/],
    [["--invite-timeout-ms", "0"], /--invite-timeout-ms must be positive/],
    [["--agents", "ann:1,ann:2"], /--agents: ann is listed twice/],
  ])("exits 2 naming the bad flag: %j", async (args, message) => {
    const cli = startCli(args as string[]);
    expect(await cli.exited()).toBe(2);
    expect(cli.text()).toMatch(message as RegExp);
  });

  it("a port already in use: says so and exits 1", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const cli = startCli(["--port", String((taken.address() as AddressInfo).port)]);
      expect(await cli.exited()).toBe(1);
      expect(cli.text()).toMatch(/reference: cannot start: listen EADDRINUSE/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("parses every option", () => {
    expect(
      parseReferenceArgs([
        "--port",
        "0",
        "--invite-timeout-ms",
        "500",
        "--fault",
        "never-revoke",
        "--notify-budget-ms",
        "800",
        "--bayeux",
        "faye",
        "--host",
        "127.0.0.1",
      ]),
    ).toMatchObject({
      port: 0,
      inviteTimeoutMs: 500,
      fault: "never-revoke",
      notifyBudgetMs: 800,
      bayeux: "faye",
      host: "127.0.0.1",
    });
    expect(parseReferenceArgs([]).port).toBe(8080);
    expect(() => parseReferenceArgs(["--bayeux", "ws"])).toThrow(UsageError);
  });

  it("switches allowed variations on (all, or names) and serves TLS with a certificate and key, naming a bad one", () => {
    expect(parseReferenceArgs(["--variations", "all"]).variations).toBe("all");
    expect(parseReferenceArgs(["--variations", "empty-accept,capacity"]).variations).toEqual([
      "empty-accept",
      "capacity",
    ]);
    expect(() => parseReferenceArgs(["--variations", "lenient"])).toThrow(/--variations: unknown variation "lenient"/);
    expect(() => parseReferenceArgs(["--tls-cert", "c.pem"])).toThrow(/--tls-key is needed with --tls-cert/);
    expect(() => parseReferenceArgs(["--tls-cert", "/no/such/cert.pem", "--tls-key", "/no/such/key.pem"])).toThrow(
      /--tls-cert: cannot read \/no\/such\/cert.pem/,
    );
  });
});
