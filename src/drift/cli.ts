/**
 * The drift tooling's command line, dispatched to by `gws-conformance drift | diff-schemas |
 * rejudge` (src/cli/) and runnable alone: `npx tsx src/drift/cli.ts drift --transcript FILE`.
 * Exit codes: 0 fine; 1 a baseline changed, verdicts differ, or (--fail-on-breaking) breaking
 * schema changes; 2 usage or input errors.
 */
import { join } from "node:path";
import {
  parseFlags,
  processIo,
  reportCliError,
  runProgram,
  UsageError,
  type CliIo,
  type FlagDefinitions,
} from "../cli/command-line.js";
import { isEntryModule } from "../cli/entry.js";
import {
  buildShapeBaseline,
  compareShapeBaselines,
  formatShapeChange,
  readShapeBaseline,
  writeShapeBaseline,
} from "./baseline.js";
import { DRIFT_FLAGS } from "./flags.js";
import { buildDriftReport, writeDriftOutputs } from "./report.js";
import { baselineComparison } from "./report-sections.js";
import { formatRejudge, rejudgeTranscript } from "./rejudge.js";
import { diffSchemas, formatSchemaDiff, loadSchemaSet, type SchemaSet } from "./schema-diff.js";
import { readTranscript, type TranscriptEntry } from "../report/transcript-io.js";

export type DriftSubcommand = "drift" | "diff-schemas" | "rejudge";

/** The command line's one io type (src/cli/command-line.ts), under the name this module exported. */
export type { CliIo };

export const USAGE: Record<DriftSubcommand, string> = {
  drift: `usage: gws-conformance drift (--transcript FILE | --from-run DIR) [--out DIR] [--save-baseline FILE] [--baseline FILE]

  What a server sends that the contract does not say (docs/drift.md).
  --transcript FILE      a saved transcript (JSONL; a directory of worker-*.jsonl also works)
  --from-run DIR         the output of \`gws-conformance run\`: reads DIR/transcript.jsonl
                         (a live drift run is \`gws-conformance run\` followed by \`drift --from-run\`)
  --out DIR              where drift.json and drift.md go (default: reports)
  --save-baseline FILE   record this server's shapes (release CI)
  --baseline FILE        compare with a saved baseline: exit 1 and list every shape added or gone
  --help                 this text`,
  "diff-schemas": `usage: gws-conformance diff-schemas OLD NEW [--json] [--fail-on-breaking]

  Breaking and non-breaking changes between two versions of the schemas, per direction
  (notification consumer, request producer, ...), and the resulting generated-type changes.
  OLD, NEW               a directory of schemas (or one holding schemas/), or a git ref (e.g. HEAD~1, v1.2.0)
  --json                 print the diff as JSON
  --fail-on-breaking     exit 1 when a change is breaking
  --help                 this text`,
  rejudge: `usage: gws-conformance rejudge TRANSCRIPT [--json]

  Re-runs the schema and invariant checks (R1, R2, N1-N7, T6) over a stored transcript with
  today's suite, without contacting the server, and lists where verdicts differ from the stored
  ones. Exit 0 when the same, 1 when different.
  TRANSCRIPT             a transcript file, a run directory (DIR/transcript.jsonl) or a directory of *.jsonl
  --json                 print the comparison as JSON
  --help                 this text`,
};

/** Each subcommand's flags (src/cli/command-line.ts parses them) and how many positional arguments it takes. */
const SPECS: Record<DriftSubcommand, { flags: FlagDefinitions; positionals: number }> = {
  drift: { flags: DRIFT_FLAGS, positionals: 0 },
  "diff-schemas": {
    flags: {
      help: { type: "boolean", short: "h" },
      json: { type: "boolean" },
      "fail-on-breaking": { type: "boolean" },
    },
    positionals: 2,
  },
  rejudge: { flags: { help: { type: "boolean", short: "h" }, json: { type: "boolean" } }, positionals: 1 },
};

interface Parsed {
  /** Value flags given, by "--name". */
  values: Map<string, string>;
  /** Switches given, by "--name". */
  switches: Set<string>;
  positionals: string[];
}

/** Parses `--flag value`, `--flag=value` and switches; anything unknown is a UsageError naming it. */
export function parseArgs(subcommand: DriftSubcommand, argv: readonly string[]): Parsed {
  const spec = SPECS[subcommand];
  const { flags, positionals } = parseFlags(argv, spec.flags, { positionals: spec.positionals > 0 });
  const parsed: Parsed = { values: new Map(), switches: new Set(), positionals };
  for (const [name, value] of Object.entries(flags)) {
    if (typeof value === "string") parsed.values.set(`--${name}`, value);
    else if (value) parsed.switches.add(`--${name}`);
  }
  if (!parsed.switches.has("--help") && spec.positionals > 0 && positionals.length !== spec.positionals) {
    throw new UsageError(`expected ${spec.positionals} argument(s), got ${positionals.length}`);
  }
  return parsed;
}

function loadEntries(path: string, io: CliIo): TranscriptEntry[] | undefined {
  try {
    return readTranscript(path);
  } catch (e) {
    io.err(`cannot read transcript: ${(e as Error).message}`);
    return undefined;
  }
}

async function drift(p: Parsed, io: CliIo): Promise<number> {
  const transcript = p.values.get("--transcript");
  const fromRun = p.values.get("--from-run");
  if (transcript && fromRun) throw new UsageError("give --transcript or --from-run, not both");
  if (!transcript && !fromRun)
    throw new UsageError(
      "no transcript: give --transcript FILE, or run `gws-conformance run` and then drift --from-run DIR",
    );
  const source = transcript ?? join(fromRun!, "transcript.jsonl");
  const entries = loadEntries(source, io);
  if (!entries) return 2;

  const report = buildDriftReport(entries, { transcript: source });
  let rc = 0;
  const current = buildShapeBaseline(entries, { source });
  const baselinePath = p.values.get("--baseline");
  if (baselinePath) {
    let saved: ReturnType<typeof readShapeBaseline>;
    try {
      saved = readShapeBaseline(baselinePath);
    } catch (e) {
      io.err((e as Error).message);
      return 2;
    }
    const changes = compareShapeBaselines(saved, current);
    // The comparison goes into drift.md and drift.json too: the gate's reason is in the reports, not only on stdout.
    report.baseline = baselineComparison(baselinePath, changes);
    rc = report.baseline.exitCode;
    if (changes.length === 0) io.out(`baseline ${baselinePath}: same shapes`);
    else {
      io.out(`baseline ${baselinePath}: ${changes.length} shape change(s) — ${report.baseline.exitReason}`);
      for (const c of changes) io.out(`  ${formatShapeChange(c)}`);
    }
  }
  const written = writeDriftOutputs(report, p.values.get("--out") ?? "reports");
  const s = report.summary;
  io.out(
    `drift: ${s.messages} message(s) of ${s.messageTypes} type(s); server drift ${s.serverDrift}, schema defects ${s.schemaDefects}, doc defects ${s.docDefects}`,
  );
  io.out(`wrote ${written.json} and ${written.markdown}`);
  const savePath = p.values.get("--save-baseline");
  if (savePath) {
    writeShapeBaseline(current, savePath);
    io.out(`saved baseline ${savePath} (${Object.keys(current.messageTypes).length} message type(s))`);
  }
  return rc;
}

async function diffSchemasCommand(p: Parsed, io: CliIo): Promise<number> {
  let sets: readonly [SchemaSet, SchemaSet];
  try {
    sets = [loadSchemaSet(p.positionals[0]), loadSchemaSet(p.positionals[1])] as const;
  } catch (e) {
    io.err(`diff-schemas: ${(e as Error).message}`);
    return 2;
  }
  const diff = await diffSchemas(sets[0], sets[1]);
  io.out(p.switches.has("--json") ? JSON.stringify(diff, null, 2) : formatSchemaDiff(diff));
  return p.switches.has("--fail-on-breaking") && diff.changes.some((c) => c.breaking) ? 1 : 0;
}

async function rejudge(p: Parsed, io: CliIo): Promise<number> {
  const entries = loadEntries(p.positionals[0], io);
  if (!entries) return 2;
  const result = rejudgeTranscript(entries);
  io.out(p.switches.has("--json") ? JSON.stringify(result, null, 2) : formatRejudge(result));
  return result.differences.length === 0 ? 0 : 1;
}

const COMMANDS: Record<DriftSubcommand, (p: Parsed, io: CliIo) => Promise<number>> = {
  drift,
  "diff-schemas": diffSchemasCommand,
  rejudge,
};

/** Entry for `gws-conformance drift | diff-schemas | rejudge`. Returns the exit code. */
export async function runDriftCli(subcommand: DriftSubcommand, argv: string[], io: CliIo = processIo): Promise<number> {
  if (!(subcommand in COMMANDS)) {
    io.err(`unknown subcommand ${String(subcommand)} (drift, diff-schemas, rejudge)`);
    return 2;
  }
  let parsed: Parsed;
  try {
    parsed = parseArgs(subcommand, argv);
    if (parsed.switches.has("--help")) {
      io.out(USAGE[subcommand]);
      return 0;
    }
    return await COMMANDS[subcommand](parsed, io);
  } catch (e) {
    return reportCliError(io, `gws-conformance ${subcommand}`, e, `\n\n${USAGE[subcommand]}`);
  }
}

if (isEntryModule(import.meta.url)) {
  await runProgram("drift", ([sub, ...rest], io) => runDriftCli(sub as DriftSubcommand, rest, io));
}
