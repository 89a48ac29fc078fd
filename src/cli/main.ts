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
