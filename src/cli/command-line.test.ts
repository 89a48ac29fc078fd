/** The one command-line layer: every bad flag is a UsageError naming it; values are converted or named. */
import { describe, expect, it } from "vitest";
import { SettingsError } from "../harness/settings.js";
import {
  commaList,
  ConfigError,
  durationMs,
  oneOf,
  parseFlags,
  partitionFlags,
  positiveNumber,
  reportCliError,
  settingsFromFlags,
  SETTING_FLAGS,
  shardOf,
  UsageError,
  wholeNumber,
  type CliIo,
} from "./command-line.js";

const FLAGS = {
  help: { type: "boolean", short: "h" },
  out: { type: "string" },
  json: { type: "boolean" },
  insecure: { type: "boolean", optionalValue: true },
} as const;

describe("parseFlags", () => {
  it("reads --flag VALUE, --flag=VALUE, switches, short aliases and positionals", () => {
    expect(parseFlags(["--out", "a", "--json", "-h"], FLAGS).flags).toEqual({ out: "a", json: true, help: true });
    expect(parseFlags(["--out=b"], FLAGS).flags).toEqual({ out: "b" });
    expect(parseFlags(["x", "--out", "a", "y"], FLAGS, { positionals: true })).toEqual({
      flags: { out: "a" },
      positionals: ["x", "y"],
    });
    expect(parseFlags(["--", "--out"], FLAGS, { positionals: true }).positionals).toEqual(["--out"]);
  });

  it("a boolean with an optional value: alone means true, or takes the value that follows", () => {
    expect(parseFlags(["--insecure"], FLAGS).flags).toEqual({ insecure: "true" });
    expect(parseFlags(["--insecure", "--out", "a"], FLAGS).flags).toEqual({ insecure: "true", out: "a" });
    expect(parseFlags(["--insecure", "false"], FLAGS).flags).toEqual({ insecure: "false" });
    expect(parseFlags(["--insecure=0"], FLAGS).flags).toEqual({ insecure: "0" });
  });

  it.each([
    [["--bogus"], "unknown flag --bogus"],
    [["-x"], "unknown flag -x"],
    [["--out"], "--out needs a value"],
    [["--out", "--json"], "--out needs a value"],
    [["--out="], "--out needs a value"],
    [["--json=yes"], "--json takes no value"],
    [["--out", "a", "--out=b"], "--out is given twice"],
    [["stray"], "unexpected argument stray"],
  ])("%j is a usage error naming the flag: %s", (argv, message) => {
    expect(() => parseFlags(argv, FLAGS)).toThrow(UsageError);
    expect(() => parseFlags(argv, FLAGS)).toThrow(message);
  });

  it("the setting flags come from the settings table, as strings by setting key", () => {
    const { flags } = parseFlags(["--base-url", "http://x/api/v2", "--tls-insecure"], SETTING_FLAGS);
    expect(settingsFromFlags(flags)).toEqual({ baseUrl: "http://x/api/v2", tlsInsecure: "true" });
  });
});

describe("value converters name the flag and the value", () => {
  it.each([
    [() => wholeNumber("--lanes", "x", 1), '--lanes: "x" is not a whole number ≥ 1'],
    [() => wholeNumber("--lanes", "0", 1), '--lanes: "0" is not a whole number ≥ 1'],
    [() => wholeNumber("--runs", "1.5"), '--runs: "1.5" is not a whole number'],
    [() => positiveNumber("--rate", "0"), '--rate: "0" is not a positive number'],
    [() => positiveNumber("--rate", "NaN"), '--rate: "NaN" is not a positive number'],
    [() => oneOf("--level", "may", ["must", "should"]), '--level: "may" is not must or should'],
    [() => commaList("--only", " , "), "--only needs a comma-separated list"],
    [() => shardOf("--shard", "3/2"), '--shard: "3/2" is not i/n'],
    [() => durationMs("--duration", "soon"), '--duration: "soon" is not a duration'],
    [() => durationMs("--duration", "50ms"), '--duration: "50ms" is shorter than 100ms'],
  ])("%#: %s", (convert, message) => {
    expect(convert).toThrow(UsageError);
    expect(convert).toThrow(message);
  });

  it("and convert what is right", () => {
    const numbers = [wholeNumber("--n", "12", 1), positiveNumber("--r", "0.5"), durationMs("--d", "2m")];
    expect(numbers).toEqual([12, 0.5, 120_000]);
    expect([commaList("--only", "O3, security,"), shardOf("--shard", "2/3")]).toEqual([
      ["O3", "security"],
      { index: 2, count: 3 },
    ]);
  });
});

describe("partitionFlags", () => {
  it("splits the named flags (with their values, either form) from the rest, keeping the order", () => {
    const named = { out: { type: "string" }, baseline: { type: "string" } } as const;
    const argv = ["--base-url", "http://x", "--out", "r", "--agents=a:b", "--baseline=b.json"];
    expect(partitionFlags(argv, named)).toEqual({
      named: ["--out", "r", "--baseline=b.json"],
      rest: ["--base-url", "http://x", "--agents=a:b"],
    });
  });
});

describe("reportCliError", () => {
  const capture = (): CliIo & { lines: string[] } => {
    const lines: string[] = [];
    return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l) };
  };

  it("one line and exit 2 for a usage, configuration or settings error; the help hint for a usage error only", () => {
    const io = capture();
    expect(reportCliError(io, "x", new UsageError("--out needs a value"), "(see x --help)")).toBe(2);
    expect(reportCliError(io, "x", new ConfigError("b.json: not JSON"))).toBe(2);
    expect(reportCliError(io, "x", new SettingsError("GWS_AGENTS", "is required"))).toBe(2);
    expect(io.lines).toEqual([
      "x: --out needs a value (see x --help)",
      "x: b.json: not JSON",
      "x: GWS_AGENTS: is required",
    ]);
  });

  it("anything else is not its business: rethrown", () => {
    expect(() => reportCliError(capture(), "x", new TypeError("bug"))).toThrow(TypeError);
  });
});
