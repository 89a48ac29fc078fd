/**
 * Command-line parsing of `gws-conformance run` (src/cli/command-line.ts is the parser). The
 * target-setting flags come from SETTING_DEFINITIONS (src/harness/settings.ts), the one definition
 * of the settings.
 */
import type { EmbeddedOptions } from "../harness/global-setup.js";
import type { TargetSettings } from "../harness/settings.js";
import { FAULT_ENV, FAULTS } from "../reference/faults/index.js";
import { parseVariations, VARIATIONS_ENV } from "../reference/variations.js";
import {
  commaList,
  ConfigError,
  oneOf,
  parseFlags,
  SETTING_FLAGS,
  settingFlagLines,
  settingsFromFlags,
  shardOf,
  UsageError,
} from "./command-line.js";

export interface RunArgs {
  flags: Partial<Record<keyof TargetSettings, string>>;
  config?: string;
  only?: string[];
  /** `--last-failed DIR`: judge what was FAIL, WARN or ERROR in that run's summary.json (src/cli/last-failed.ts). */
  lastFailed?: string;
  skip?: string[];
  level?: "must" | "should";
  expectedFailures?: string;
  out: string;
  shard?: string;
  help: boolean;
  /** Advanced (used by the project's own tests): run the scenarios of another directory. */
  suites?: string;
  noAllure: boolean;
  /** The embedded reference server's switches (development, self-verification): see ReferenceFlags. */
  reference: ReferenceFlags;
}

/** `--reference-fault NAME`, `--reference-variations all|NAME,NAME`: only for the embedded reference server. */
export interface ReferenceFlags {
  fault?: string;
  variations?: string;
}

/** The flags of the embedded reference server's switches, shared by run and load. */
export const REFERENCE_FLAGS = {
  "reference-fault": { type: "string" },
  "reference-variations": { type: "string" },
} as const;

/** The switches given as flags (parsed with REFERENCE_FLAGS among a command's flags). */
export function referenceFlagsOf(flags: {
  "reference-fault"?: string;
  "reference-variations"?: string;
}): ReferenceFlags {
  const { "reference-fault": fault, "reference-variations": variations } = flags;
  return { ...(fault !== undefined ? { fault } : {}), ...(variations !== undefined ? { variations } : {}) };
}

export const REFERENCE_USAGE = `Embedded reference server (development and the project's own checks; no --base-url):
  --reference-fault NAME       switch on one of its faults (npm run reference -- --list-faults) [${FAULT_ENV}]
  --reference-variations LIST  switch on allowed variations: all, or names [${VARIATIONS_ENV}]`;

/**
 * The embedded server's switches from the flags, else the environment, checked: an unknown fault or
 * variation, or a switch with a target of one's own (--base-url), is named and refused (exit 2).
 */
export function embeddedOptionsOf(
  flags: ReferenceFlags,
  env: Readonly<Record<string, string | undefined>>,
  settings: Pick<TargetSettings, "baseUrl">,
): EmbeddedOptions {
  const fault = flags.fault ?? (env[FAULT_ENV] || undefined);
  const variationsText = flags.variations ?? (env[VARIATIONS_ENV] || undefined);
  const faultFrom = flags.fault !== undefined ? "--reference-fault" : FAULT_ENV;
  const variationsFrom = flags.variations !== undefined ? "--reference-variations" : VARIATIONS_ENV;
  if (settings.baseUrl) {
    const given = [fault && faultFrom, variationsText && variationsFrom].filter(Boolean);
    if (given.length)
      throw new ConfigError(`${given.join(", ")}: only for the embedded reference server, not with a --base-url`);
    return {};
  }
  if (fault !== undefined && !FAULTS.some((f) => f.name === fault))
    throw new ConfigError(`${faultFrom}: unknown fault "${fault}" (npm run reference -- --list-faults prints them)`);
  let variations: EmbeddedOptions["variations"];
  try {
    variations = parseVariations(variationsText);
  } catch (e) {
    throw new ConfigError(`${variationsFrom}: ${(e as Error).message}`);
  }
  return { ...(fault ? { fault } : {}), ...(variations ? { variations } : {}) };
}

const RUN_FLAGS = {
  ...SETTING_FLAGS,
  ...REFERENCE_FLAGS,
  help: { type: "boolean", short: "h" },
  config: { type: "string" },
  only: { type: "string" },
  "last-failed": { type: "string" },
  skip: { type: "string" },
  level: { type: "string" },
  "expected-failures": { type: "string" },
  out: { type: "string" },
  shard: { type: "string" },
  suites: { type: "string" },
  "no-allure": { type: "boolean" },
} as const;

/** The names of run's own flags and the setting flags (`drift` passes these on to a live run). */
export const RUN_FLAG_NAMES: readonly string[] = Object.keys(RUN_FLAGS);

const SELECTION = "requirement IDs, rules, areas or tags";

export function parseRunArgs(argv: readonly string[]): RunArgs {
  const { flags } = parseFlags(argv, RUN_FLAGS);
  const shard = flags.shard;
  if (shard !== undefined) shardOf("--shard", shard);
  if (flags.only !== undefined && flags["last-failed"] !== undefined)
    throw new UsageError("--only and --last-failed: one or the other (--last-failed is an --only of what failed)");
  return {
    flags: settingsFromFlags(flags),
    ...(flags.config !== undefined ? { config: flags.config } : {}),
    ...(flags.only !== undefined ? { only: commaList("--only", flags.only, SELECTION) } : {}),
    ...(flags["last-failed"] !== undefined ? { lastFailed: flags["last-failed"] } : {}),
    ...(flags.skip !== undefined ? { skip: commaList("--skip", flags.skip, SELECTION) } : {}),
    ...(flags.level !== undefined ? { level: oneOf("--level", flags.level, ["must", "should"]) } : {}),
    ...(flags["expected-failures"] !== undefined ? { expectedFailures: flags["expected-failures"] } : {}),
    out: flags.out ?? "reports",
    ...(shard !== undefined ? { shard } : {}),
    help: flags.help === true,
    ...(flags.suites !== undefined ? { suites: flags.suites } : {}),
    noAllure: flags["no-allure"] === true,
    reference: referenceFlagsOf(flags),
  };
}

export function runUsage(): string {
  return `usage: gws-conformance run [options]
       gws-conformance merge DIR... [--out DIR] [--expected-failures FILE] [--no-allure]
       gws-conformance verify DIR   (does a run's certificate match its transcript and the installed contract?)
       gws-conformance load [--agent-count N] [--rate R] [--duration 30s] [--out DIR] ...   (see load --help)
       gws-conformance drift | diff-schemas | rejudge ...   (see gws-conformance drift --help)
       gws-conformance requirements [--json]   (the requirement IDs, with level, area and text)
       gws-conformance --version

Runs the conformance suites against a target (by default the embedded reference server) and
writes summary.json, certificate.md, certificate.html, junit.xml, transcript.jsonl and an Allure
report. The verdict (CONFORMANT, NON_CONFORMANT, PARTIAL, INCOMPLETE) says what is true of the
target; the exit code is the CI gate.

Target settings (flag, else environment variable, else --config file):
${settingFlagLines(28, true)}

Run options:
  --config FILE                JSON file of target settings (keys: setting names or env names)
  --only LIST                  judge only these requirement IDs, rules (O3), areas or tags
  --last-failed DIR            judge again what was FAIL, WARN or ERROR in DIR/summary.json (a previous run)
  --skip LIST                  do not judge these requirement IDs, rules, areas or tags
  --level must|should          must: judge only MUST requirements
  --expected-failures FILE     baseline of known failures [{id, reason, expires?}]
  --out DIR                    where the reports go (default reports/)
  --shard i/n                  run slice i of n; merge the slices with gws-conformance merge
  --no-allure                  no Allure results or HTML report (faster; the other reports are written)
  --help                       this text

${REFERENCE_USAGE}

Exit codes: 0 pass, 1 fail, 2 configuration or harness error, 3 could not judge the target.
They are the CI gate, not the verdict:
  0  nothing the run was asked to judge failed or errored, and the baseline is fresh (also when
     the verdict is PARTIAL, or NON_CONFORMANT by expected failures only)
  1  a MUST failed outside the baseline, or the baseline is stale
  2  a bad flag or setting (named, before any test), or the harness broke
  3  INCOMPLETE: something could not be judged (ERROR: an unreachable target, a broken
     precondition) and nothing failed outside the baseline
Reading the reports: docs/reports.md. CI, shards and merge: docs/ci.md.`;
}
