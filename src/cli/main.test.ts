/** Subcommand dispatch without running a target: help, unknown commands, the drift module when it is missing. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registry } from "../contract/registry.js";
import { REPO_ROOT } from "../contract/schemas.js";
import { loadDriftCli, main, withDrift } from "./main.js";
import type { CliIo } from "./command-line.js";

function capture(): CliIo & { lines: { out: string[]; err: string[] } } {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, out: (l) => lines.out.push(l), err: (l) => lines.err.push(l), color: false };
}

describe("main", () => {
  it("help and --help print the usage (exit 0); merge --help its own", async () => {
    for (const argv of [["help"], ["--help"], ["run", "--help"]]) {
      const io = capture();
      expect(await main(argv, io)).toBe(0);
      expect(io.lines.out.join("\n")).toMatch(/^usage: gws-conformance run/);
    }
    const io = capture();
    expect(await main(["merge", "--help"], io)).toBe(0);
    expect(io.lines.out.join("\n")).toMatch(/^usage: gws-conformance merge DIR/);
  });

  it("an unknown command or flag exits 2 naming it", async () => {
    const io = capture();
    expect(await main(["teleport"], io)).toBe(2);
    expect(io.lines.err.join("\n")).toMatch(/unknown command teleport/);
    expect(await main(["run", "--frobnicate"], io)).toBe(2);
    expect(io.lines.err.join("\n")).toMatch(/unknown flag --frobnicate/);
    expect(await main(["merge", "--frobnicate"], io)).toBe(2);
    expect(io.lines.err.join("\n")).toMatch(/merge: unknown flag --frobnicate/);
  });

  it("did you mean: a misspelt command or flag gets the nearest one", async () => {
    const io = capture();
    expect(await main(["rn"], io)).toBe(2);
    expect(io.lines.err.at(-1)).toMatch(/unknown command rn \(did you mean run\?\)/);
    expect(await main(["run", "--ony", "O3"], io)).toBe(2);
    expect(io.lines.err.at(-1)).toMatch(/unknown flag --ony \(did you mean --only\?\)/);
    expect(await main(["run", "--base-ulr", "http://x"], io)).toBe(2);
    expect(io.lines.err.at(-1)).toMatch(/unknown flag --base-ulr \(did you mean --base-url\?\)/);
  });

  it("--version and version print the package's version (exit 0)", async () => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
    for (const argv of [["--version"], ["version"], ["-V"]]) {
      const io = capture();
      expect(await main(argv, io)).toBe(0);
      expect(io.lines.out).toEqual([`gws-conformance ${version}`]);
    }
  });

  it("requirements lists every registry ID with level, area and text; --json the same as data", async () => {
    const io = capture();
    expect(await main(["requirements"], io)).toBe(0);
    const table = io.lines.out.join("\n");
    for (const r of registry.requirements) {
      const row = io.lines.out.find((l) => l.startsWith(`${r.id} `));
      expect(row, r.id).toBeDefined();
      expect(row).toContain(r.level);
      expect(row).toContain(r.area);
      expect(row).toContain(r.text);
    }
    expect(table).toMatch(/^ID +LEVEL +AREA +TEXT$/m);
    const json = capture();
    expect(await main(["requirements", "--json"], json)).toBe(0);
    const rows = JSON.parse(json.lines.out.join("\n")) as Array<{ id: string; level: string; area: string }>;
    expect(rows.map((r) => r.id)).toEqual(registry.requirements.map((r) => r.id));
    expect(rows[0]).toMatchObject({ id: registry.requirements[0].id, level: registry.requirements[0].level });
    expect(await main(["requirements", "--jsn"], json)).toBe(2);
    expect(json.lines.err.at(-1)).toMatch(/did you mean --json/);
  });

  it("merge of a directory that is no run's output exits 2", async () => {
    const io = capture();
    expect(await main(["merge", "/nonexistent-gws-dir"], io)).toBe(2);
    expect(io.lines.err.join("\n")).toMatch(/has no results.json/);
  });
});

describe("the drift subcommands", () => {
  it("print through the command's io (its redaction), not straight to the process's streams", async () => {
    for (const [argv, message] of [
      [["diff-schemas", "a", "b", "--bogus"], /^gws-conformance diff-schemas: unknown flag --bogus/],
      [["rejudge"], /^gws-conformance rejudge: expected 1 argument\(s\), got 0/],
      [["drift", "--out"], /^gws-conformance drift: --out needs a value/],
      [["drift", "--transcript", "t.jsonl", "--base-url", "x"], /^gws-conformance drift: unknown flag --base-url/],
    ] as const) {
      const io = capture();
      expect(await main([...argv], io), argv.join(" ")).toBe(2);
      expect(io.lines.err.join("\n")).toMatch(message);
    }
    const help = capture();
    expect(await main(["drift", "--help"], help)).toBe(0);
    expect(help.lines.out.join("\n")).toMatch(/^usage: gws-conformance drift/);
  });

  it("load src/drift/cli.ts when it is there", async () => {
    expect(typeof (await loadDriftCli())).toBe("function");
  });

  it("are 'not available' (exit 2) when the drift module is missing; other import failures are not hidden", async () => {
    const missing = Object.assign(
      new Error("Cannot find module '/repo/src/drift/cli.js' imported from /repo/src/cli/main.ts"),
      { code: "ERR_MODULE_NOT_FOUND" },
    );
    expect(await loadDriftCli(() => Promise.reject(missing))).toBeUndefined();
    const io = capture();
    const code = await withDrift(
      io,
      "rejudge",
      async () => 0,
      async () => undefined,
    );
    expect(code).toBe(2);
    expect(io.lines.err).toEqual([
      "gws-conformance: rejudge: not available (the drift tooling, src/drift/cli.ts, is not installed)",
    ]);
    const inner = Object.assign(
      new Error("Cannot find module '/repo/node_modules/x/index.js' imported from /repo/src/drift/cli.ts"),
      { code: "ERR_MODULE_NOT_FOUND" },
    );
    await expect(loadDriftCli(() => Promise.reject(inner))).rejects.toThrow(/node_modules\/x/);
  });
});
