/**
 * gws-conformance — the command of the product.
 *   run (default)                 judge a target, write the reports
 *   merge DIR...                  merge shard outputs (conformance runs, or load runs)
 *   verify DIR                    does a run's certificate match its transcript and the installed contract?
 *   load                          drive the lifecycle under load (src/load/)
 *   drift | diff-schemas | rejudge   spec-drift tooling (src/drift/)
 *   requirements [--json]         the requirement registry (IDs, level, area, text)
 *   --version | version           the suite's version
 */
import { redactText } from "../harness/transcript.js";
import { DRIFT_FLAGS } from "../drift/flags.js";
import { isEntryModule } from "./entry.js";
import { parseRunArgs, type RunArgs, runUsage } from "./args.js";
import { parseFlags, partitionFlags, reportCliError, type CliIo } from "./command-line.js";
import { mergeCommand } from "./merge.js";
import { requirementsCommand } from "./requirements.js";
import { didYouMean } from "../harness/suggest.js";
import { suiteVersion } from "../report/summary.js";
import { runCommand } from "./run.js";
import { terminalIo } from "./terminal.js";
import { verifyCommand } from "./verify.js";

type DriftSubcommand = "drift" | "diff-schemas" | "rejudge";
type DriftCli = (subcommand: DriftSubcommand, argv: string[], io: CliIo) => Promise<number>;

/**
 * The drift tooling (src/drift/cli.ts), loaded only when a drift subcommand is asked
 * for. When it is not there, the subcommand is "not available" (exit 2) and the rest works.
 */
export async function loadDriftCli(
  importer: () => Promise<{ runDriftCli: DriftCli }> = () => import("../drift/cli.js"),
): Promise<DriftCli | undefined> {
  try {
    return (await importer()).runDriftCli;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // Only the drift module itself missing; a module it imports that is missing is a real error.
    const missing = /Cannot find (?:module|package) '([^']+)'/.exec(err.message ?? "")?.[1] ?? "";
    if (err.code === "ERR_MODULE_NOT_FOUND" && /drift[\\/]cli(\.[jt]s)?$/.test(missing)) return undefined;
    throw e;
  }
}

export async function withDrift(
  io: CliIo,
  sub: DriftSubcommand,
  use: (drift: DriftCli) => Promise<number>,
  load: () => Promise<DriftCli | undefined> = () => loadDriftCli(),
): Promise<number> {
  const drift = await load();
  if (!drift) {
    io.err(`gws-conformance: ${sub}: not available (the drift tooling, src/drift/cli.ts, is not installed)`);
    return 2;
  }
  return use(drift);
}

const COMMANDS = [
  "run",
  "merge",
  "verify",
  "load",
  "drift",
  "diff-schemas",
  "rejudge",
  "requirements",
  "version",
  "help",
];

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--version" || first === "-V" || first === "version") {
    io.out(`gws-conformance ${suiteVersion()}`);
    return 0;
  }
  const sub = first && !first.startsWith("-") ? first : "run";
  const args = first && !first.startsWith("-") ? rest : argv;
  switch (sub) {
    case "run": {
      let parsed: RunArgs;
      try {
        parsed = parseRunArgs(args);
      } catch (e) {
        return reportCliError(io, "gws-conformance", e);
      }
      if (parsed.help) {
        io.out(runUsage());
        return 0;
      }
      return runCommand(parsed, io);
    }
    case "merge":
      return mergeCommand(args, io);
    case "verify":
      return verifyCommand(args, io);
    case "load":
      return (await import("../load/command.js")).loadCommand(args, io);
    case "drift":
      return withDrift(io, sub, (drift) => driftCommand(drift, args, io));
    case "diff-schemas":
    case "rejudge":
      return withDrift(io, sub, (drift) => drift(sub, args, io));
    case "requirements":
      return requirementsCommand(args, io);
    case "help":
      io.out(runUsage());
      return 0;
    default:
      io.err(`gws-conformance: unknown command ${sub}${didYouMean(sub, COMMANDS)} (${COMMANDS.join(", ")})`);
      return 2;
  }
}

/**
 * `drift` on a saved transcript (--transcript / --from-run), or live: with neither, the target
 * (run flags and GWS_* settings) is judged first with `run`, and drift reads that run's transcript.
 */
async function driftCommand(runDriftCli: DriftCli, args: string[], io: CliIo): Promise<number> {
  const { named, rest } = partitionFlags(args, DRIFT_FLAGS);
  let drift: ReturnType<typeof parseFlags<typeof DRIFT_FLAGS>>["flags"];
  let run: RunArgs | undefined;
  try {
    drift = parseFlags(named, DRIFT_FLAGS).flags;
    if (drift.transcript === undefined && drift["from-run"] === undefined && !drift.help) {
      run = parseRunArgs([...rest, "--out", drift.out ?? "reports"]);
    }
  } catch (e) {
    return reportCliError(io, "gws-conformance drift", e, "(see drift --help)");
  }
  // On a saved transcript: drift alone (it names any flag of run given with it as unknown).
  if (!run) return runDriftCli("drift", args, io);
  const runCode = await runCommand(run, io);
  if (runCode === 2) return 2;
  return runDriftCli("drift", ["--from-run", run.out, ...named], io);
}

/** Runs the command with the process's arguments and exits with its code (bin/gws-conformance.js calls this). */
export async function runFromCommandLine(argv: string[]): Promise<never> {
  // Every line the command prints passes the run's redaction (secrets are registered once the settings are read).
  const io: CliIo = terminalIo(redactText);
  let code: number;
  try {
    code = await main(argv, io);
  } catch (e) {
    io.err(`gws-conformance: harness error: ${(e as Error).stack ?? String(e)}`);
    code = 2;
  }
  return process.exit(code);
}

if (isEntryModule(import.meta.url)) await runFromCommandLine(process.argv.slice(2));
