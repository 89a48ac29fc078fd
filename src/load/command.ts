/**
 * `gws-conformance load`: drives the e-mail lifecycle for N agents at R e-mails per second
 * against a target (the embedded reference server by default, which then creates the agents),
 * judges every notification as a conformance run does, and writes load.json and load.html.
 * Exit codes: 0 every declared objective met; 1 one missed; 2 a bad flag or setting (named).
 * `gws-conformance merge` over load outputs adds their histograms (mergeLoadCommand).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { redactedSettings, resolveSettings, secretsOf, type TargetSettings } from "../harness/settings.js";
import { setRecording, setSecrets } from "../harness/transcript.js";
import type { ResolvedTarget } from "../harness/target.js";
import { resolveTarget, type EmbeddedOptions } from "../harness/global-setup.js";
import {
  embeddedOptionsOf,
  REFERENCE_FLAGS,
  REFERENCE_USAGE,
  referenceFlagsOf,
  type ReferenceFlags,
} from "../cli/args.js";
import {
  ConfigError,
  durationMs,
  parseFlags,
  positiveNumber,
  reportCliError,
  SETTING_FLAGS,
  settingFlagLines,
  settingsFromFlags,
  shardOf,
  wholeNumber,
  type CliIo,
} from "../cli/command-line.js";
import {
  buildLoadReport,
  loadSummaryLines,
  mergeLoadReports,
  readLoadReport,
  writeLoadReports,
  type Objectives,
} from "./report.js";
import { runLoad } from "./runner.js";

export interface LoadArgs {
  flags: Partial<Record<keyof TargetSettings, string>>;
  config?: string;
  agentCount?: number;
  rate: number;
  durationMs: number;
  out: string;
  shard?: { index: number; count: number };
  objectives: Objectives;
  help: boolean;
  /** The embedded reference server's switches (as for run). */
  reference: ReferenceFlags;
}

export const DEFAULT_EMBEDDED_AGENTS = 10;

export const LOAD_USAGE = `usage: gws-conformance load [--agent-count N] [--rate R] [--duration 30s] [--out DIR] ...

Drives inject → Invited → Accept → Reply → Send → StopProcessing for N agents at R e-mails per
second, judging every notification as a conformance run does (T6 leaks, N7 duplicates, N8
lateness, schemas), and writes load.json and load.html (latency and throughput over time).
It sends a conformance run's requests (the configured queues) and finishes every interaction it
opened; an e-mail not offered within twice the offer budget is an error, not a violation.

  --agent-count N        agents to drive: the embedded server creates N (default ${DEFAULT_EMBEDDED_AGENTS});
                         against a real target, the first N of --agents (default all)
  --rate R               e-mails injected per second, all runners together (default 10)
  --duration D           how long to inject: 30s, 2m, 500ms (default 30s)
  --out DIR              where load.json and load.html go (default reports/load)
  --shard i/n            drive every n-th agent from the i-th, at R/n e-mails per second;
                         combine the runners' outputs with gws-conformance merge DIR...
  --max-p99-ms N         objective: p99 notification latency ≤ N ms (not judged unless given)
  --max-violations N     objective: at most N violations of the contract (default 0)
  --max-errors N         objective: at most N errors (no answer, refusals; default 0)
  --config FILE          JSON file of target settings
  --help                 this text
Target settings as for run (flag, else environment variable, else --config):
${settingFlagLines(22, false)}

${REFERENCE_USAGE}

Exit codes: 0 every objective met; 1 an objective missed; 2 a bad flag or setting.`;

const LOAD_FLAGS = {
  ...SETTING_FLAGS,
  ...REFERENCE_FLAGS,
  help: { type: "boolean", short: "h" },
  config: { type: "string" },
  "agent-count": { type: "string" },
  rate: { type: "string" },
  duration: { type: "string" },
  out: { type: "string" },
  shard: { type: "string" },
  "max-p99-ms": { type: "string" },
  "max-violations": { type: "string" },
  "max-errors": { type: "string" },
} as const;

export function parseLoadArgs(argv: readonly string[]): LoadArgs {
  const { flags } = parseFlags(argv, LOAD_FLAGS);
  const { rate, "agent-count": agentCount, "max-p99-ms": maxP99 } = flags;
  return {
    flags: settingsFromFlags(flags),
    ...(flags.config !== undefined ? { config: flags.config } : {}),
    ...(agentCount !== undefined ? { agentCount: wholeNumber("--agent-count", agentCount, 1) } : {}),
    rate: rate === undefined ? 10 : positiveNumber("--rate", rate),
    durationMs: flags.duration === undefined ? 30_000 : durationMs("--duration", flags.duration),
    out: flags.out ?? "reports/load",
    ...(flags.shard !== undefined ? { shard: shardOf("--shard", flags.shard) } : {}),
    objectives: {
      ...(maxP99 !== undefined ? { maxP99Ms: wholeNumber("--max-p99-ms", maxP99, 1) } : {}),
      maxViolations: wholeNumber("--max-violations", flags["max-violations"] ?? "0"),
      maxErrors: wholeNumber("--max-errors", flags["max-errors"] ?? "0"),
    },
    help: flags.help === true,
    reference: referenceFlagsOf(flags),
  };
}

export async function loadCommand(argv: string[], io: CliIo): Promise<number> {
  let args: LoadArgs;
  let settings: TargetSettings;
  let embedded: EmbeddedOptions;
  try {
    args = parseLoadArgs(argv);
    if (args.help) {
      io.out(LOAD_USAGE);
      return 0;
    }
    settings = resolveSettings({ env: process.env, flags: args.flags, configFile: args.config });
    // The embedded reference server's switches: from the flags or the environment, read here only.
    embedded = embeddedOptionsOf(args.reference, process.env, settings);
    if (settings.baseUrl && args.agentCount !== undefined && args.agentCount > settings.agents.length) {
      throw new ConfigError(
        `--agent-count: ${args.agentCount} agents asked, but GWS_AGENTS lists ${settings.agents.length}`,
      );
    }
  } catch (e) {
    return reportCliError(io, "gws-conformance load", e, "(see load --help)");
  }
  setSecrets(secretsOf(settings));
  // Load mode keeps no transcript (src/harness/transcript.ts): it would only cost the generator time.
  setRecording(false);

  let target: ResolvedTarget;
  let close = async (): Promise<void> => undefined;
  try {
    const resolved = await resolveTarget(settings, {
      ...embedded,
      agentCount: args.agentCount ?? (settings.baseUrl ? undefined : DEFAULT_EMBEDDED_AGENTS),
      log: (l) => io.err(l),
    });
    target = resolved.target;
    close = resolved.close;
  } catch (e) {
    io.err(`gws-conformance load: could not start the embedded reference server: ${(e as Error).message}`);
    return 2;
  }
  setSecrets([...secretsOf(settings), ...secretsOf(target)]);
  const shard = args.shard;
  const agents = shard ? target.agents.filter((_, i) => i % shard.count === shard.index - 1) : target.agents;
  const rate = shard ? args.rate / shard.count : args.rate;
  const out = resolve(args.out);
  const slice = shard ? ` (shard ${shard.index}/${shard.count})` : "";
  io.out(`gws-conformance load: target ${target.label}; ${agents.length} agents${slice}; ${rate} e-mails/s`);
  io.out(`gws-conformance load: for ${args.durationMs / 1000} s; reports in ${out}`);
  try {
    if (agents.length === 0)
      throw new ConfigError(`--shard: shard ${shard?.index}/${shard?.count} gets no agent of ${target.agents.length}`);
    const outcome = await runLoad({ target, agents, rate, durationMs: args.durationMs, progress: (l) => io.out(l) });
    const report = buildLoadReport(outcome, {
      target: target.label,
      settings: redactedSettings(target),
      ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}),
      rate,
      agentsConfigured: agents.length,
      objectives: args.objectives,
    });
    const files = writeLoadReports(out, report);
    for (const l of loadSummaryLines(report)) io.out(l);
    io.out(`wrote ${files.json} and ${files.html}`);
    return report.verdict === "MET" ? 0 : 1;
  } catch (e) {
    return reportCliError(io, "gws-conformance load", e, "(see load --help)");
  } finally {
    await close();
  }
}

/** Whether the directories are load outputs (load.json, no results.json): merge then adds histograms. */
export function areLoadOutputs(dirs: string[]): boolean {
  return dirs.length > 0 && dirs.every((d) => existsSync(join(d, "load.json")) && !existsSync(join(d, "results.json")));
}

/** `gws-conformance merge DIR... --out DIR` over load outputs. */
export function mergeLoadCommand(dirs: string[], outDir: string, io: CliIo): number {
  let merged: ReturnType<typeof mergeLoadReports>;
  try {
    merged = mergeLoadReports(
      dirs.map(readLoadReport),
      dirs.map((d) => resolve(d)),
    );
  } catch (e) {
    io.err(`gws-conformance: ${(e as Error).message}`);
    return 2;
  }
  const files = writeLoadReports(resolve(outDir), merged);
  for (const l of loadSummaryLines(merged)) io.out(l);
  io.out(`wrote ${files.json} and ${files.html}`);
  return merged.verdict === "MET" ? 0 : 1;
}
