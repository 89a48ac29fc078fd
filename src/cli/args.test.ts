/** Flag parsing of `gws-conformance run`: target-setting flags come from SETTING_DEFINITIONS; bad flags are usage errors naming them. */
import { describe, expect, it } from "vitest";
import { SETTING_DEFINITIONS } from "../harness/settings.js";
import { embeddedOptionsOf, parseRunArgs, runUsage } from "./args.js";
import { ConfigError, UsageError } from "./command-line.js";

describe("parseRunArgs", () => {
  it("accepts every target setting as a flag, from the one definition (--flag VALUE and --flag=VALUE)", () => {
    for (const def of SETTING_DEFINITIONS) {
      const numeric = def.kind === "positiveInt" || def.kind === "bytes";
      const value =
        def.kind === "boolean"
          ? "true"
          : numeric
            ? "1500"
            : def.kind === "agents"
              ? "a:b"
              : def.kind === "inject"
                ? "smtp"
                : "http://x.example/y";
      expect(parseRunArgs([def.flag, value]).flags, def.flag).toEqual({ [def.key]: value });
      expect(parseRunArgs([`${def.flag}=${value}`]).flags, def.flag).toEqual({ [def.key]: value });
    }
  });

  it("a boolean setting flag alone means true", () => {
    const def = SETTING_DEFINITIONS.find((d) => d.kind === "boolean")!;
    expect(parseRunArgs([def.flag, "--out", "x"])).toMatchObject({ flags: { [def.key]: "true" }, out: "x" });
  });

  it("run options: lists, level, shard, out (default reports), expected failures", () => {
    expect(parseRunArgs([])).toMatchObject({ out: "reports", help: false, noAllure: false });
    expect(
      parseRunArgs([
        "--only",
        "O3, security,smoke",
        "--skip",
        "T5.reconnect",
        "--level",
        "must",
        "--shard",
        "2/3",
        "--expected-failures",
        "b.json",
        "--no-allure",
        "--config",
        "c.json",
      ]),
    ).toMatchObject({
      only: ["O3", "security", "smoke"],
      skip: ["T5.reconnect"],
      level: "must",
      shard: "2/3",
      expectedFailures: "b.json",
      noAllure: true,
      config: "c.json",
    });
    expect(parseRunArgs(["-h"]).help).toBe(true);
  });

  it.each([
    [["--bogus"], /unknown flag --bogus/],
    [["--base-url"], /--base-url needs a value/],
    [["--out", "--only", "x"], /--out needs a value/],
    [["--level", "may"], /--level: "may" is not must or should/],
    [["--shard", "0/2"], /--shard: "0\/2" is not i\/n/],
    [["--shard", "3/2"], /--shard: "3\/2" is not i\/n/],
    [["--shard", "half"], /--shard: "half" is not i\/n/],
    [["--only", " , "], /--only needs a comma-separated list/],
  ])("%j is a usage error naming the flag", (argv, message) => {
    expect(() => parseRunArgs(argv)).toThrow(UsageError);
    expect(() => parseRunArgs(argv)).toThrow(message);
  });

  it("--help lists every target setting with its flag and environment variable", () => {
    const usage = runUsage();
    for (const def of SETTING_DEFINITIONS) {
      expect(usage).toContain(def.flag);
      expect(usage).toContain(def.env);
    }
    expect(usage).toMatch(/Exit codes: 0 .*1 .*2 /);
  });
});

describe("the embedded reference server's switches (--reference-fault, --reference-variations)", () => {
  const embedded = { baseUrl: undefined };

  it("come from the flags, else the environment, and are checked", () => {
    const flags = parseRunArgs(["--reference-fault", "never-revoke", "--reference-variations", "all"]).reference;
    expect(embeddedOptionsOf(flags, { GWS_REFERENCE_FAULT: "duplicate-accepted" }, embedded)).toEqual({
      fault: "never-revoke",
      variations: "all",
    });
    const env = { GWS_REFERENCE_FAULT: "duplicate-accepted", GWS_REFERENCE_VARIATIONS: "empty-accept" };
    expect(embeddedOptionsOf({}, env, embedded)).toEqual({ fault: "duplicate-accepted", variations: ["empty-accept"] });
    expect(embeddedOptionsOf({}, {}, embedded)).toEqual({});
  });

  it.each([
    [{ fault: "nope" }, {}, embedded, /--reference-fault: unknown fault "nope"/],
    [{}, { GWS_REFERENCE_FAULT: "nope" }, embedded, /GWS_REFERENCE_FAULT: unknown fault "nope"/],
    [{ variations: "lenient" }, {}, embedded, /--reference-variations: unknown variation "lenient"/],
    [{ fault: "never-revoke" }, {}, { baseUrl: "http://x/api/v2" }, /--reference-fault: only for the embedded/],
  ])("a bad one is named: %j %j", (flags, env, settings, message) => {
    expect(() => embeddedOptionsOf(flags, env, settings)).toThrow(ConfigError);
    expect(() => embeddedOptionsOf(flags, env, settings)).toThrow(message);
  });
});
