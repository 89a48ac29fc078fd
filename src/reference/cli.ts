/**
 * npm run reference -- --port 8080 --agents agent1:secret1,agent2:secret2 [--invite-timeout-ms N] [--fault NAME]
 *   [--variations all|NAME,NAME] [--tls-cert FILE --tls-key FILE] [--help]
 * Prints the URLs it serves and the agents (never their passwords), runs until SIGINT/SIGTERM,
 * then shuts down gracefully: the process ends by itself, exit 0. A bad flag or value: a message
 * naming it, exit 2.
 */
import { readFileSync } from "node:fs";
import { oneOf, parseFlags, runProgram, UsageError, wholeNumber, type CliIo } from "../cli/command-line.js";
import { isEntryModule } from "../cli/entry.js";
import { FAULTS } from "./faults/index.js";
import { parseVariations, VARIATIONS } from "./variations.js";
import { startReferenceServer, DEFAULT_AGENTS, type ReferenceServerOptions } from "./server.js";

const USAGE = `usage: npm run reference -- [--port N] [--host H] [--agents user:pass,user:pass] [--invite-timeout-ms N]
       [--fault NAME] [--variations all|NAME,NAME] [--tls-cert FILE --tls-key FILE] [--notify-budget-ms N]
       [--bayeux cometd|faye] [--list-faults] [--list-variations] [--help]
  --port               TCP port (default 8080; 0 = any free port)
  --host               address to listen on (default 127.0.0.1)
  --agents             agent credentials (default ${DEFAULT_AGENTS.map((a) => a.username).join(", ")} with their demo passwords)
  --invite-timeout-ms  revoke unanswered invitations after N ms (N5; an e-mail's revokeAfterMs hint wins)
  --fault              switch on one bug (src/reference/faults/catalog.ts; --list-faults prints them)
  --variations         switch on allowed variations, each conforming: all, or names (--list-variations prints them)
  --tls-cert, --tls-key  serve HTTPS with this PEM certificate and key (both needed)
  --notify-budget-ms   the client's notification budget, exceeded by the late-notification fault (default 5000)
  --bayeux             Bayeux implementation: cometd (default) or faye
  --list-faults        print the faults and exit
  --list-variations    print the allowed variations and exit
  --help               print this and exit`;

/** How long the process may take to end by itself after close() before it reports what holds it. */
const SHUTDOWN_BUDGET_MS = 3_000;

type ReferenceArgs = ReferenceServerOptions & {
  help?: boolean;
  listFaults?: boolean;
  listVariations?: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
};

const REFERENCE_FLAGS = {
  help: { type: "boolean", short: "h" },
  "list-faults": { type: "boolean" },
  "list-variations": { type: "boolean" },
  variations: { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  agents: { type: "string" },
  "invite-timeout-ms": { type: "string" },
  "notify-budget-ms": { type: "string" },
  fault: { type: "string" },
  bayeux: { type: "string" },
} as const;

function agentsOf(text: string): ReferenceServerOptions["agents"] {
  const agents = text.split(",").map((pair) => {
    const c = pair.indexOf(":");
    if (c <= 0 || c === pair.length - 1) throw new UsageError(`--agents: "${pair.split(":")[0]}" is not user:pass`);
    return { username: pair.slice(0, c), password: pair.slice(c + 1) };
  });
  for (const [i, a] of agents.entries()) {
    if (agents.findIndex((b) => b.username === a.username) !== i)
      throw new UsageError(`--agents: ${a.username} is listed twice`);
  }
  return agents;
}

const positive = (flag: string, value: string): number => {
  const n = wholeNumber(flag, value);
  if (n <= 0) throw new UsageError(`${flag} must be positive`);
  return n;
};

export function parseReferenceArgs(argv: readonly string[]): ReferenceArgs {
  const { flags } = parseFlags(argv, REFERENCE_FLAGS);
  const out: ReferenceArgs = { port: 8080 };
  if (flags.help) out.help = true;
  if (flags["list-faults"]) out.listFaults = true;
  if (flags["list-variations"]) out.listVariations = true;
  if (flags.variations !== undefined) {
    try {
      out.variations = parseVariations(flags.variations);
    } catch (e) {
      throw new UsageError(`--variations: ${(e as Error).message}`);
    }
  }
  if (flags.port !== undefined) {
    const p = wholeNumber("--port", flags.port);
    if (p > 65535) throw new UsageError(`--port: ${p} is not a TCP port`);
    out.port = p;
  }
  if (flags.host !== undefined) out.host = flags.host;
  if (flags.agents !== undefined) out.agents = agentsOf(flags.agents);
  const { "invite-timeout-ms": inviteTimeout, "notify-budget-ms": notifyBudget } = flags;
  if (inviteTimeout !== undefined) out.inviteTimeoutMs = positive("--invite-timeout-ms", inviteTimeout);
  if (notifyBudget !== undefined) out.notifyBudgetMs = positive("--notify-budget-ms", notifyBudget);
  if (flags.fault !== undefined) {
    if (!FAULTS.some((f) => f.name === flags.fault))
      throw new UsageError(`--fault: unknown fault "${flags.fault}" (--list-faults prints them)`);
    out.fault = flags.fault;
  }
  if (flags.bayeux !== undefined) out.bayeux = oneOf("--bayeux", flags.bayeux, ["cometd", "faye"]);
  out.tlsCertFile = flags["tls-cert"];
  out.tlsKeyFile = flags["tls-key"];
  if ((out.tlsCertFile === undefined) !== (out.tlsKeyFile === undefined)) {
    const [missing, given] = out.tlsCertFile ? ["--tls-key", "--tls-cert"] : ["--tls-cert", "--tls-key"];
    throw new UsageError(`${missing} is needed with ${given}`);
  }
  if (out.tlsCertFile && out.tlsKeyFile) {
    const read = (flag: string, file: string): Buffer => {
      try {
        return readFileSync(file);
      } catch (e) {
        throw new UsageError(`${flag}: cannot read ${file}: ${(e as Error).message}`);
      }
    };
    out.tls = { cert: read("--tls-cert", out.tlsCertFile), key: read("--tls-key", out.tlsKeyFile) };
  } else {
    delete out.tlsCertFile;
    delete out.tlsKeyFile;
  }
  return out;
}

/** The faults, one line each: name, level, rule, description (--list-faults). */
export function faultListing(): string[] {
  return FAULTS.map((f) => `${f.name.padEnd(36)} ${f.level.padEnd(6)} ${f.rule.padEnd(4)} ${f.description}`);
}

/** Serves until SIGINT/SIGTERM (no exit code: the process ends by itself); --help and the lists exit 0. */
async function main(argv: string[], io: CliIo): Promise<number | undefined> {
  const opts = parseReferenceArgs(argv);
  if (opts.help) {
    io.out(USAGE);
    return 0;
  }
  if (opts.listFaults) {
    for (const line of faultListing()) io.out(line);
    return 0;
  }
  if (opts.listVariations) {
    for (const v of VARIATIONS) io.out(`${v.name.padEnd(20)} ${v.rule.padEnd(4)} ${v.description}`);
    return 0;
  }
  let server: Awaited<ReturnType<typeof startReferenceServer>>;
  try {
    server = await startReferenceServer(opts);
  } catch (e) {
    io.err(`reference: cannot start: ${(e as Error).message}`);
    return 1;
  }
  const variations = server.variations.length ? ` (variations: ${server.variations.join(", ")})` : "";
  io.out(`GWS e-mail reference server${server.fault ? ` (fault: ${server.fault})` : ""}${variations}`);
  io.out(`  API root   ${server.baseUrl}`);
  io.out(`  CometD     ${server.cometdUrl}`);
  io.out(`  control    ${server.controlUrl}/inbound-emails`);
  io.out(`  agents     ${server.agents.map((a) => a.username).join(", ")} (passwords as given; not printed)`);
  io.out("ready; Ctrl-C to stop");
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    io.out(`${signal}: shutting down`);
    server.close().then(
      () => {
        // Graceful: the process ends by itself once the server has closed everything (sessions,
        // held long-polls, sweeper, timers). Should anything still hold it, say so and exit 1.
        process.exitCode = 0;
        setTimeout(() => {
          const open = process.getActiveResourcesInfo().join(", ");
          io.err(`reference: still running ${SHUTDOWN_BUDGET_MS} ms after close; open resources: ${open}`);
          process.exit(1);
        }, SHUTDOWN_BUDGET_MS).unref();
      },
      (e: Error) => {
        io.err(`shutdown failed: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

// Run when invoked as a program (npm run reference), not when imported by its tests.
if (isEntryModule(import.meta.url)) await runProgram("reference", main, `\n${USAGE}`);
