/**
 * npm run reference -- --port 8080 --agents agent1:secret1,agent2:secret2 [--invite-timeout-ms N] [--fault NAME]
 *   [--variations all|NAME,NAME] [--tls-cert FILE --tls-key FILE] [--help]
 * Prints the URLs it serves and the agents (never their passwords), runs until SIGINT/SIGTERM,
 * then shuts down gracefully: the process ends by itself, exit 0. A bad flag or value: a message
 * naming it, exit 2.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
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
  --fault              switch on one bug (src/reference/faults/faults.json; --list-faults prints them)
  --variations         switch on allowed variations, each conforming: all, or names (--list-variations prints them)
  --tls-cert, --tls-key  serve HTTPS with this PEM certificate and key (both needed)
  --notify-budget-ms   the client's notification budget, exceeded by the late-notification fault (default 5000)
  --bayeux             Bayeux implementation: cometd (default) or faye
  --list-faults        print the faults and exit
  --list-variations    print the allowed variations and exit
  --help               print this and exit`;

export class UsageError extends Error {}

/** How long the process may take to end by itself after close() before it reports what holds it. */
const SHUTDOWN_BUDGET_MS = 3_000;

type ReferenceArgs = ReferenceServerOptions & {
  help?: boolean;
  listFaults?: boolean;
  listVariations?: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
};

export function parseReferenceArgs(argv: string[]): ReferenceArgs {
  const out: ReferenceArgs = { port: 8080 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const int = (v: string): number => {
      if (!/^\d+$/.test(v)) throw new UsageError(`${flag}: "${v}" is not a whole number`);
      return Number(v);
    };
    switch (flag) {
      case "--help":
      case "-h":
        out.help = true;
        break;
      case "--list-faults":
        out.listFaults = true;
        break;
      case "--list-variations":
        out.listVariations = true;
        break;
      case "--variations":
        try {
          out.variations = parseVariations(value());
        } catch (e) {
          throw new UsageError(`--variations: ${(e as Error).message}`);
        }
        break;
      case "--tls-cert":
        out.tlsCertFile = value();
        break;
      case "--tls-key":
        out.tlsKeyFile = value();
        break;
      case "--port": {
        const p = int(value());
        if (p > 65535) throw new UsageError(`--port: ${p} is not a TCP port`);
        out.port = p;
        break;
      }
      case "--host":
        out.host = value();
        break;
      case "--agents":
        out.agents = value()
          .split(",")
          .map((pair) => {
            const c = pair.indexOf(":");
            if (c <= 0 || c === pair.length - 1) throw new UsageError(`--agents: "${pair.split(":")[0]}" is not user:pass`);
            return { username: pair.slice(0, c), password: pair.slice(c + 1) };
          });
        for (const [i, a] of out.agents.entries()) {
          if (out.agents.findIndex((b) => b.username === a.username) !== i) throw new UsageError(`--agents: ${a.username} is listed twice`);
        }
        break;
      case "--invite-timeout-ms": {
        const n = int(value());
        if (n <= 0) throw new UsageError("--invite-timeout-ms must be positive");
        out.inviteTimeoutMs = n;
        break;
      }
      case "--notify-budget-ms": {
        const n = int(value());
        if (n <= 0) throw new UsageError("--notify-budget-ms must be positive");
        out.notifyBudgetMs = n;
        break;
      }
      case "--fault": {
        const name = value();
        if (!FAULTS.some((f) => f.name === name)) throw new UsageError(`--fault: unknown fault "${name}" (--list-faults prints them)`);
        out.fault = name;
        break;
      }
      case "--bayeux": {
        const b = value();
        if (b !== "cometd" && b !== "faye") throw new UsageError(`--bayeux: "${b}" is not cometd or faye`);
        out.bayeux = b;
        break;
      }
      default:
        throw new UsageError(`unknown flag ${flag}`);
    }
  }
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
  }
  return out;
}

async function main(): Promise<void> {
  let opts: ReturnType<typeof parseReferenceArgs>;
  try {
    opts = parseReferenceArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`reference: ${e.message}\n${USAGE}`);
      process.exit(2);
    }
    throw e;
  }
  if (opts.help) return void console.log(USAGE);
  if (opts.listFaults) {
    for (const f of FAULTS) console.log(`${f.name.padEnd(36)} ${f.level.padEnd(6)} ${f.rule.padEnd(4)} ${f.description}`);
    return;
  }
  if (opts.listVariations) {
    for (const v of VARIATIONS) console.log(`${v.name.padEnd(20)} ${v.rule.padEnd(4)} ${v.description}`);
    return;
  }
  let server: Awaited<ReturnType<typeof startReferenceServer>>;
  try {
    server = await startReferenceServer(opts);
  } catch (e) {
    console.error(`reference: cannot start: ${(e as Error).message}`);
    process.exit(1);
  }
  const variations = server.variations.length ? ` (variations: ${server.variations.join(", ")})` : "";
  console.log(`GWS e-mail reference server${server.fault ? ` (fault: ${server.fault})` : ""}${variations}`);
  console.log(`  API root   ${server.baseUrl}`);
  console.log(`  CometD     ${server.cometdUrl}`);
  console.log(`  control    ${server.controlUrl}/inbound-emails`);
  console.log(`  agents     ${server.agents.map((a) => a.username).join(", ")} (passwords as given; not printed)`);
  console.log("ready; Ctrl-C to stop");
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    server.close().then(
      () => {
        // Graceful: the process ends by itself once the server has closed everything (sessions,
        // held long-polls, sweeper, timers). Should anything still hold it, say so and exit 1.
        process.exitCode = 0;
        setTimeout(() => {
          console.error(`reference: still running ${SHUTDOWN_BUDGET_MS} ms after close; open resources: ${process.getActiveResourcesInfo().join(", ")}`);
          process.exit(1);
        }, SHUTDOWN_BUDGET_MS).unref();
      },
      (e: Error) => {
        console.error(`shutdown failed: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

// Run when invoked as a program (npm run reference), not when imported by its tests.
if (isEntryModule(import.meta.url)) await main();
