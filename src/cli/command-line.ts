/**
 * The one command-line layer of the product. Every command (`gws-conformance run | merge | verify |
 * load | drift | diff-schemas | rejudge`, `npm run reference`) and every script (scripts/*.ts)
 * parses its flags with parseFlags (node:util parseArgs underneath), prints through a CliIo, and
 * turns a bad flag into a UsageError: one message naming the flag, exit 2. The target-setting
 * flags come from SETTING_DEFINITIONS (src/harness/settings.ts), the one definition of the settings.
 * A module tells whether it is the program being run with isEntryModule (./entry.ts).
 */
import { parseArgs } from "node:util";
import { SETTING_DEFINITIONS, SettingsError, type TargetSettings } from "../harness/settings.js";
import { didYouMean } from "../harness/suggest.js";

/** Where a command prints: its result lines (out) and its diagnostics (err). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** ANSI colours and the live status line (an interactive terminal); absent: plain text. */
  color?: boolean;
  /** Rewrites the live status line in place; absent: no live line (plain output). "" clears it. */
  live?(line: string): void;
  /** The terminal's width in characters; absent: not a terminal (tables use DEFAULT_COLUMNS). */
  columns?: number;
}

/** The width tables are fitted to when the output is not a terminal (a CI log, a pipe, a file). */
export const DEFAULT_COLUMNS = 120;

/** The process's stdout and stderr, one line per call, unredacted (scripts; the command uses terminalIo). */
export const processIo: CliIo = {
  out: (line) => void process.stdout.write(line.endsWith("\n") ? line : `${line}\n`),
  err: (line) => void process.stderr.write(line.endsWith("\n") ? line : `${line}\n`),
};

/** A bad command line: an unknown flag, a flag without its value, a value the flag cannot take. Exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * The command line parses, but what it names cannot be used: an unreadable or invalid baseline, an
 * unknown requirement ID, shards that do not belong together. Exit 2 like a UsageError, but the
 * message points at the file or value, not at --help (the usage is not what went wrong).
 * (A target setting that is bad — from a flag, the environment or --config — is a SettingsError of
 * src/harness/settings.ts, the library's own error; the commands treat it as a ConfigError.)
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Prints a usage, configuration or settings error as one line and returns 2, the exit code of
 * each; rethrows anything else (a harness error: the caller's own handling). `help` is appended to
 * a usage error only, e.g. "(see merge --help)" (after a space) or "\n\n" and the usage text.
 */
export function reportCliError(io: CliIo, prefix: string, e: unknown, help = "(see --help)"): 2 {
  const hint = !help || help.startsWith("\n") ? help : ` ${help}`;
  if (e instanceof UsageError) io.err(`${prefix}: ${e.message}${hint}`);
  else if (e instanceof ConfigError || e instanceof SettingsError) io.err(`${prefix}: ${e.message}`);
  else throw e;
  return 2;
}

export interface FlagDefinition {
  /** "string": takes a value (`--out DIR` or `--out=DIR`); "boolean": a switch, which takes no value. */
  readonly type: "string" | "boolean";
  /** A one-letter alias (`-h`). */
  readonly short?: string;
  /** A boolean that may also be given a value (`--tls-insecure`, `--tls-insecure false`): the settings' booleans. */
  readonly optionalValue?: true;
}
export type FlagDefinitions = Readonly<Record<string, FlagDefinition>>;
type FlagValue<D extends FlagDefinition> = D["type"] extends "string"
  ? string
  : D extends { optionalValue: true }
    ? string
    : boolean;
/** The flags given, by name (without the dashes); a flag not given is absent. */
export type FlagValues<S extends FlagDefinitions> = { -readonly [K in keyof S]?: FlagValue<S[K]> };

export interface ParsedCommandLine<S extends FlagDefinitions> {
  flags: FlagValues<S>;
  positionals: string[];
}

/**
 * node:util parseArgs' tokens of `argv`. Not strict: every problem is reported by parseFlags, in
 * one wording, naming the flag. An optional-value boolean is a boolean here (parseFlags takes the
 * value that follows it).
 */
function tokenize(argv: readonly string[], definitions: FlagDefinitions) {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [name, d] of Object.entries(definitions)) {
    options[name] = { type: d.optionalValue ? "boolean" : d.type, ...(d.short ? { short: d.short } : {}) };
  }
  return parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true }).tokens;
}

/**
 * Parses `argv` against the flags a command knows (names without the dashes, as node:util parseArgs
 * takes them). Refused, each a UsageError naming the flag: a flag the command does not know, a
 * flag given twice, a value flag with no value (or followed by another flag: `--out --only x`), a
 * switch given a value (`--json=yes`), and any positional argument unless `positionals` allows them.
 */
export function parseFlags<S extends FlagDefinitions>(
  argv: readonly string[],
  definitions: S,
  opts: { positionals?: boolean } = {},
): ParsedCommandLine<S> {
  const tokens = tokenize(argv, definitions);
  const flags: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    // After "--" every argument is a positional one (parseArgs gives them as such).
    if (t.kind === "option-terminator") continue;
    if (t.kind === "positional") {
      if (!opts.positionals) throw new UsageError(`unexpected argument ${t.value}`);
      positionals.push(t.value);
      continue;
    }
    const d = Object.hasOwn(definitions, t.name) ? definitions[t.name] : undefined;
    if (!d)
      throw new UsageError(
        `unknown flag ${t.rawName}${didYouMean(
          `--${t.name}`,
          Object.keys(definitions).map((n) => `--${n}`),
        )}`,
      );
    const flag = `--${t.name}`;
    if (t.name in flags) throw new UsageError(`${flag} is given twice`);
    if (d.optionalValue) {
      // `--flag VALUE` (VALUE not a flag) or `--flag=VALUE`; alone, the flag means true.
      const next = tokens[i + 1];
      if (t.inlineValue) flags[t.name] = t.value ?? "";
      else if (next?.kind === "positional" && next.index === t.index + 1) {
        flags[t.name] = next.value;
        i++;
      } else flags[t.name] = "true";
    } else if (d.type === "boolean") {
      if (t.inlineValue) throw new UsageError(`${flag} takes no value`);
      flags[t.name] = true;
    } else {
      if (t.value === undefined || t.value === "" || (!t.inlineValue && t.value.startsWith("--") && t.value.length > 2))
        throw new UsageError(`${flag} needs a value`);
      flags[t.name] = t.value;
    }
  }
  return { flags: flags as FlagValues<S>, positionals };
}

/**
 * Splits `argv` into the arguments of the flags `definitions` names (each with its value, as
 * `--x v` or `--x=v`) and the rest, both in their order: a command that hands part of its command
 * line to another (`drift` live: its own flags, the rest to `run`) parses each part in one way.
 */
export function partitionFlags(
  argv: readonly string[],
  definitions: FlagDefinitions,
): { named: string[]; rest: string[] } {
  const tokens = tokenize(argv, definitions);
  const mine = new Set<number>();
  for (const t of tokens) {
    if (t.kind !== "option" || !Object.hasOwn(definitions, t.name)) continue;
    mine.add(t.index);
    if (t.value !== undefined && !t.inlineValue) mine.add(t.index + 1);
  }
  return { named: argv.filter((_, i) => mine.has(i)), rest: argv.filter((_, i) => !mine.has(i)) };
}

// Values: each converter names the flag and the value it refuses.

/** A whole number ≥ min ("12"; not "1.5", "x", ""). */
export function wholeNumber(flag: string, value: string, min = 0): number {
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`${flag}: "${value}" is not a whole number${min ? ` ≥ ${min}` : ""}`);
  return Number(value);
}

/** A number > 0 ("2", "0.5"). */
export function positiveNumber(flag: string, value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0)
    throw new UsageError(`${flag}: "${value}" is not a positive number`);
  return Number(value);
}

/** One of a few words. */
export function oneOf<const T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`${flag}: "${value}" is not ${choices.slice(0, -1).join(", ")} or ${choices.at(-1)}`);
  return value as T;
}

/** A comma-separated list of at least one item ("O3, security,smoke" → ["O3", "security", "smoke"]). */
export function commaList(flag: string, value: string, what = "names"): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag} needs a comma-separated list of ${what}`);
  return items;
}

/** A shard "i/n" with 1 ≤ i ≤ n. */
export function shardOf(flag: string, value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
    throw new UsageError(`${flag}: "${value}" is not i/n with 1 ≤ i ≤ n`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** A duration: "30s", "2m", "500ms", "1.5s" or a bare number of seconds; at least 100 ms. */
export function durationMs(flag: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
  if (!m) throw new UsageError(`${flag}: "${value}" is not a duration like 30s, 2m or 500ms`);
  const ms = Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "m" ? 60_000 : 1000);
  if (ms < 100) throw new UsageError(`${flag}: "${value}" is shorter than 100ms`);
  return Math.round(ms);
}

// The target-setting flags, from the one definition of the settings.

const settingFlagName = (flag: string): string => flag.replace(/^--/, "");

/** Every target setting as a flag definition (`--base-url URL`, `--tls-insecure [true|false]`). */
export const SETTING_FLAGS: FlagDefinitions = Object.fromEntries(
  SETTING_DEFINITIONS.map((d) => [
    settingFlagName(d.flag),
    d.kind === "boolean" ? { type: "boolean", optionalValue: true } : { type: "string" },
  ]),
);

/** The target settings given as flags, by setting key (resolveSettings reads them before env and --config). */
export function settingsFromFlags(
  flags: Readonly<Record<string, string | boolean | undefined>>,
): Partial<Record<keyof TargetSettings, string>> {
  const out: Partial<Record<keyof TargetSettings, string>> = {};
  for (const d of SETTING_DEFINITIONS) {
    const v = flags[settingFlagName(d.flag)];
    if (typeof v === "string") out[d.key] = v;
  }
  return out;
}

/** The usage lines of the setting flags: `  --base-url VALUE   help [GWS_BASE_URL]`. */
export function settingFlagLines(width: number, withHelp: boolean): string {
  return SETTING_DEFINITIONS.map((d) => {
    const flag = `${d.flag}${d.kind === "boolean" ? "" : " VALUE"}`.padEnd(width);
    return `  ${flag} ${withHelp ? `${d.help} ` : ""}[${d.env}]`;
  }).join("\n");
}

/**
 * Runs a script's or a command's `main` as the program: a UsageError, ConfigError or SettingsError
 * is one line on stderr and exit 2; any other error its stack and exit 2 (a harness error). A
 * numeric result is the exit code; none (a server that runs until a signal) leaves the process up.
 * Callers guard it with isEntryModule(import.meta.url) so that tests can import the module.
 */
export async function runProgram(
  name: string,
  /** The exit code; undefined: the program ends by itself (a server stopped by a signal). */
  main: (argv: string[], io: CliIo) => Promise<number | undefined> | number | undefined,
  help = "(see --help)",
): Promise<void> {
  let code: number | undefined;
  try {
    code = await main(process.argv.slice(2), processIo);
  } catch (e) {
    try {
      code = reportCliError(processIo, name, e, help);
    } catch {
      processIo.err(`${name}: ${(e as Error).stack ?? String(e)}`);
      code = 2;
    }
  }
  if (typeof code === "number") process.exit(code);
}
