/**
 * gws-conformance — the command of the product.
 *   run (default)                 judge a target, write the reports
 *   merge DIR...                  merge shard outputs
 *   drift | diff-schemas | rejudge   spec-drift tooling (src/drift/)
 */
import { parseRunArgs, runUsage, UsageError } from "./args.js";
import { mergeCommand } from "./merge.js";
import { runCommand, type CliIo } from "./run.js";

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  const sub = first && !first.startsWith("-") ? first : "run";
  const args = first && !first.startsWith("-") ? rest : argv;
  switch (sub) {
    case "run": {
      let parsed;
      try {
        parsed = parseRunArgs(args);
      } catch (e) {
        if (e instanceof UsageError) {
          io.err(`gws-conformance: ${e.message} (see --help)`);
          return 2;
        }
        throw e;
      }
      if (parsed.help) {
        io.out(runUsage());
        return 0;
      }
      return runCommand(parsed, io);
    }
    case "merge":
      return mergeCommand(args, io);
    case "drift":
      return driftCommand(args, io);
    case "diff-schemas":
    case "rejudge": {
      const { runDriftCli } = await import("../drift/cli.js");
      return runDriftCli(sub, args);
    }
    case "help":
      io.out(runUsage());
      return 0;
    default:
      io.err(`gws-conformance: unknown command ${sub} (run, merge, drift, diff-schemas, rejudge)`);
      return 2;
  }
}

/** Flags that belong to `drift` itself; the others describe the target of a live run. */
const DRIFT_FLAGS = new Set(["--transcript", "--from-run", "--out", "--save-baseline", "--baseline"]);

/**
 * `drift` on a saved transcript (--transcript / --from-run), or live: with neither, the target
 * (run flags and GWS_* settings) is judged first with `run`, and drift reads that run's transcript.
 */
async function driftCommand(args: string[], io: CliIo): Promise<number> {
  const { runDriftCli } = await import("../drift/cli.js");
  if (args.includes("--transcript") || args.includes("--from-run") || args.includes("--help")) return runDriftCli("drift", args);
  const driftArgs: string[] = [];
  const runArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (DRIFT_FLAGS.has(args[i])) driftArgs.push(args[i], args[++i] ?? "");
    else runArgs.push(args[i]);
  }
  const out = driftArgs.includes("--out") ? driftArgs[driftArgs.indexOf("--out") + 1] : "reports";
  let parsed;
  try {
    parsed = parseRunArgs([...runArgs, "--out", out]);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`gws-conformance drift: ${e.message} (see drift --help)`);
      return 2;
    }
    throw e;
  }
  const runCode = await runCommand(parsed, io);
  if (runCode === 2) return 2;
  return runDriftCli("drift", ["--from-run", out, ...driftArgs]);
}

const invokedDirectly = process.argv[1] !== undefined && /cli[\\/]main\.ts$/.test(process.argv[1]);
if (invokedDirectly) {
  const color = !!process.stdout.isTTY && !process.env.CI && !process.env.NO_COLOR;
  main(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l), color }).then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(`gws-conformance: harness error: ${e.stack ?? e.message}`);
      process.exit(2);
    },
  );
}
