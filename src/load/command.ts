/**
 * `gws-conformance load`: drives the e-mail lifecycle for N agents at R e-mails per second
 * against a target (the embedded reference server by default, which then creates the agents),
 * judges every notification as a conformance run does, and writes load.json and load.html.
 * Exit codes: 0 every declared objective met; 1 one missed; 2 a bad flag or setting (named).
 * `gws-conformance merge` over load outputs adds their histograms (mergeLoadCommand).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  redactedSettings,
  resolveSettings,
  secretsOf,
  SETTING_DEFINITIONS,
  SettingsError,
  type TargetSettings,
} from "../harness/settings.js";
import { setRecording, setSecrets } from "../harness/transcript.js";
import type { ResolvedTarget } from "../harness/target.js";
import { resolveTarget } from "../harness/global-setup.js";
import type { CliIo } from "../cli/run.js";
import {
  buildLoadReport,
  loadSummaryLines,
  mergeLoadReports,
  readLoadReport,
  writeLoadReports,
  type Objectives,
} from "./report.js";
import { runLoad } from "./runner.js";

export class LoadUsageError extends Error {}

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
}

export const DEFAULT_EMBEDDED_AGENTS = 10;

const settingLine = (d: (typeof SETTING_DEFINITIONS)[number]): string =>
  `  ${(d.kind === "boolean" ? d.flag : `${d.flag} VALUE`).padEnd(22)} [${d.env}]`;

export const LOAD_USAGE = `usage: gws-conformance load [--agent-count N] [--rate R] [--duration 30s] [--out DIR] ...

Drives inject → Invited → Accept → Reply → Send → StopProcessing for N agents at R e-mails per
second, judging every notification as a conformance run does (T6 leaks, N7 duplicates, N8
lateness, schemas), and writes load.json and load.html (latency and throughput over time).

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
${SETTING_DEFINITIONS.map(settingLine).join("\n")}

Exit codes: 0 every objective met; 1 an objective missed; 2 a bad flag or setting.`;

function wholeNumber(flag: string, v: string, min = 0): number {
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new LoadUsageError(`${flag}: "${v}" is not a whole number${min ? ` ≥ ${min}` : ""}`);
  return Number(v);
}

/** "30s", "2m", "500ms", "1.5s" or a bare number of seconds. */
export function parseDuration(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v);
  if (!m) throw new LoadUsageError(`${flag}: "${v}" is not a duration like 30s, 2m or 500ms`);
  const ms = Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "m" ? 60_000 : 1000);
  if (ms < 100) throw new LoadUsageError(`${flag}: "${v}" is shorter than 100ms`);
  return Math.round(ms);
}

export function parseLoadArgs(argv: string[]): LoadArgs {
  const out: LoadArgs = {
    flags: {},
    rate: 10,
    durationMs: 30_000,
    out: "reports/load",
    objectives: { maxViolations: 0, maxErrors: 0 },
    help: false,
  };
  const settingFlags = new Map(SETTING_DEFINITIONS.map((d) => [d.flag, d]));
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) [arg, inline] = [arg.slice(0, eq), arg.slice(eq + 1)];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined || (v.startsWith("--") && v.length > 2)) throw new LoadUsageError(`${arg} needs a value`);
      return v;
    };
    const def = settingFlags.get(arg);
    if (def) {
      out.flags[def.key] =
        def.kind === "boolean" && inline === undefined && (argv[i + 1] === undefined || argv[i + 1].startsWith("--"))
          ? "true"
          : value();
      continue;
    }
    switch (arg) {
      case "--help":
      case "-h":
        out.help = true;
        break;
      case "--config":
        out.config = value();
        break;
      case "--agent-count":
        out.agentCount = wholeNumber(arg, value(), 1);
        break;
      case "--rate": {
        const v = value();
        if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0)
          throw new LoadUsageError(`--rate: "${v}" is not a positive number of e-mails per second`);
        out.rate = Number(v);
        break;
      }
      case "--duration":
        out.durationMs = parseDuration(arg, value());
        break;
      case "--out":
        out.out = value();
        break;
      case "--shard": {
        const v = value();
        const m = /^(\d+)\/(\d+)$/.exec(v);
        if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
          throw new LoadUsageError(`--shard: "${v}" is not i/n with 1 ≤ i ≤ n`);
        out.shard = { index: Number(m[1]), count: Number(m[2]) };
        break;
      }
      case "--max-p99-ms":
        out.objectives.maxP99Ms = wholeNumber(arg, value(), 1);
        break;
      case "--max-violations":
        out.objectives.maxViolations = wholeNumber(arg, value());
        break;
      case "--max-errors":
        out.objectives.maxErrors = wholeNumber(arg, value());
        break;
      default:
        throw new LoadUsageError(`unknown flag ${arg}`);
    }
  }
  return out;
}

export async function loadCommand(argv: string[], io: CliIo): Promise<number> {
  let args: LoadArgs;
  let settings: TargetSettings;
  try {
    args = parseLoadArgs(argv);
    if (args.help) {
      io.out(LOAD_USAGE);
      return 0;
    }
    settings = resolveSettings({ env: process.env, flags: args.flags, configFile: args.config });
    if (settings.baseUrl && args.agentCount !== undefined && args.agentCount > settings.agents.length) {
      throw new LoadUsageError(
        `--agent-count: ${args.agentCount} agents asked, but GWS_AGENTS lists ${settings.agents.length}`,
      );
    }
  } catch (e) {
    if (e instanceof LoadUsageError || e instanceof SettingsError) {
      io.err(`gws-conformance load: ${e.message}${e instanceof LoadUsageError ? " (see load --help)" : ""}`);
      return 2;
    }
    throw e;
  }
  setSecrets(secretsOf(settings));
  // Load mode keeps no transcript (src/harness/transcript.ts): it would only cost the generator time.
  setRecording(false);

  let target: ResolvedTarget;
  let close = async (): Promise<void> => undefined;
  try {
    const resolved = await resolveTarget(process.env, settings, {
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
      throw new LoadUsageError(
        `--shard: shard ${shard?.index}/${shard?.count} gets no agent of ${target.agents.length}`,
      );
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
    if (e instanceof LoadUsageError) {
      io.err(`gws-conformance load: ${e.message}`);
      return 2;
    }
    throw e;
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
  let merged;
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
