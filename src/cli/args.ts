/**
 * Command-line parsing of gws-conformance. The target-setting flags come from
 * SETTING_DEFINITIONS (src/harness/settings.ts), the one definition of the settings.
 */
import { SETTING_DEFINITIONS, type TargetSettings } from "../harness/settings.js";

export class UsageError extends Error {}

export interface RunArgs {
  flags: Partial<Record<keyof TargetSettings, string>>;
  config?: string;
  only?: string[];
  skip?: string[];
  level?: "must" | "should";
  expectedFailures?: string;
  out: string;
  shard?: string;
  help: boolean;
  /** Advanced (used by the project's own tests): run the scenarios of another directory. */
  suites?: string;
  noAllure: boolean;
}

const list = (flag: string, v: string): string[] => {
  const items = v.split(",").map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag} needs a comma-separated list of requirement IDs, rules, areas or tags`);
  return items;
};

export function parseRunArgs(argv: string[]): RunArgs {
  const out: RunArgs = { flags: {}, out: "reports", help: false, noAllure: false };
  const settingFlags = new Map(SETTING_DEFINITIONS.map((d) => [d.flag, d]));
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) [arg, inline] = [arg.slice(0, eq), arg.slice(eq + 1)];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined || (v.startsWith("--") && v.length > 2)) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    const def = settingFlags.get(arg);
    if (def) {
      out.flags[def.key] = def.kind === "boolean" && inline === undefined && (argv[i + 1] === undefined || argv[i + 1].startsWith("--")) ? "true" : value();
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
      case "--only":
        out.only = list(arg, value());
        break;
      case "--skip":
        out.skip = list(arg, value());
        break;
      case "--level": {
        const v = value();
        if (v !== "must" && v !== "should") throw new UsageError(`--level: "${v}" is not must or should`);
        out.level = v;
        break;
      }
      case "--expected-failures":
        out.expectedFailures = value();
        break;
      case "--out":
        out.out = value();
        break;
      case "--shard": {
        const v = value();
        const m = /^(\d+)\/(\d+)$/.exec(v);
        if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard: "${v}" is not i/n with 1 ≤ i ≤ n`);
        out.shard = v;
        break;
      }
      case "--suites":
        out.suites = value();
        break;
      case "--no-allure":
        out.noAllure = true;
        break;
      default:
        throw new UsageError(`unknown flag ${arg}`);
    }
  }
  return out;
}

export function runUsage(): string {
  const settings = SETTING_DEFINITIONS.map((d) => `  ${`${d.flag}${d.kind === "boolean" ? "" : " VALUE"}`.padEnd(28)} ${d.help} [${d.env}]`).join("\n");
  return `usage: gws-conformance run [options]
       gws-conformance merge DIR... [--out DIR] [--expected-failures FILE] [--no-allure]
       gws-conformance verify DIR   (does a run's certificate match its transcript and the installed contract?)
       gws-conformance load [--agent-count N] [--rate R] [--duration 30s] [--out DIR] ...   (see load --help)
       gws-conformance drift | diff-schemas | rejudge ...   (see gws-conformance drift --help)

Runs the conformance suites against a target (by default the embedded reference server) and
writes summary.json, certificate.md, certificate.html, junit.xml, transcript.jsonl and an Allure
report. The verdict (CONFORMANT, NON_CONFORMANT, PARTIAL, INCOMPLETE) says what is true of the
target; the exit code is the CI gate.

Target settings (flag, else environment variable, else --config file):
${settings}

Run options:
  --config FILE                JSON file of target settings (keys: setting names or env names)
  --only LIST                  judge only these requirement IDs, rules (O3), areas or tags
  --skip LIST                  do not judge these requirement IDs, rules, areas or tags
  --level must|should          must: judge only MUST requirements
  --expected-failures FILE     baseline of known failures [{id, reason, expires?}]
  --out DIR                    where the reports go (default reports/)
  --shard i/n                  run slice i of n; merge the slices with gws-conformance merge
  --no-allure                  no Allure results or HTML report (faster; the other reports are written)
  --help                       this text

Exit codes: 0 pass, 1 fail, 2 configuration or harness error. They are the CI gate, not the verdict:
  0  nothing the run was asked to judge failed or errored, and the baseline is fresh (also when
     the verdict is PARTIAL, or NON_CONFORMANT by expected failures only)
  1  a MUST failed outside the baseline, something could not be judged (ERROR), or the baseline is stale
Reading the reports: docs/reports.md. CI, shards and merge: docs/ci.md.`;
}
