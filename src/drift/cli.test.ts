/** The drift CLI: flags, exit codes, inputs. */
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs, runDriftCli } from "./cli.js";
import { fixturePath, memoryIo } from "./test-helpers.js";

describe("runDriftCli", () => {
  it("a bad flag: exit 2 with a message naming it", async () => {
    for (const [sub, argv, named] of [
      ["drift", ["--transcript", "x", "--bogus"], "--bogus"],
      ["drift", ["--out"], "--out"],
      ["rejudge", ["t.jsonl", "--verbose"], "--verbose"],
      ["diff-schemas", ["a", "b", "--json=yes"], "--json"],
    ] as const) {
      const io = memoryIo();
      expect(await runDriftCli(sub, [...argv], io), `${sub} ${argv.join(" ")}`).toBe(2);
      expect(io.stderr.join("\n")).toContain(named);
      expect(io.stderr.join("\n")).toContain(`usage: gws-conformance ${sub}`);
    }
  });

  it("--help: the usage, exit 0", async () => {
    const io = memoryIo();
    expect(await runDriftCli("drift", ["--help"], io)).toBe(0);
    expect(io.text()).toContain("--save-baseline FILE");
  });

  it("drift without a transcript, or with both sources: exit 2", async () => {
    const none = memoryIo();
    expect(await runDriftCli("drift", [], none)).toBe(2);
    expect(none.stderr.join("")).toContain("gws-conformance run");
    expect(await runDriftCli("drift", ["--transcript", "a", "--from-run", "b"], memoryIo())).toBe(2);
    const missing = memoryIo();
    expect(await runDriftCli("drift", ["--transcript", "/no/such/file.jsonl"], missing)).toBe(2);
    expect(missing.stderr.join("")).toContain("no such transcript");
  });

  it("a line that is not a transcript entry: exit 2 naming the line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drift-bad-"));
    writeFileSync(join(dir, "t.jsonl"), '{"kind":"http","seq":1,"ts":1}\nnot json\n');
    const io = memoryIo();
    expect(await runDriftCli("drift", ["--transcript", join(dir, "t.jsonl"), "--out", dir], io)).toBe(2);
    expect(io.stderr.join("")).toContain("t.jsonl:2");
  });

  it("--from-run DIR reads DIR/transcript.jsonl and writes drift.json and drift.md to --out", async () => {
    const run = mkdtempSync(join(tmpdir(), "drift-run-"));
    copyFileSync(fixturePath("drifted"), join(run, "transcript.jsonl"));
    const out = join(run, "reports");
    const io = memoryIo();
    expect(await runDriftCli("drift", ["--from-run", run, `--out=${out}`], io)).toBe(0);
    expect(io.text()).toContain("server drift 6");
    expect(existsSync(join(out, "drift.json")) && existsSync(join(out, "drift.md"))).toBe(true);
  });

  it("parses values, switches and positionals", () => {
    expect(parseArgs("diff-schemas", ["HEAD~1", "schemas", "--json"])).toMatchObject({
      positionals: ["HEAD~1", "schemas"],
      switches: new Set(["--json"]),
    });
    expect(() => parseArgs("diff-schemas", ["only-one"])).toThrow(/expected 2 argument/);
    expect(() => parseArgs("drift", ["--out", "a", "--out", "b"])).toThrow(/given twice/);
  });
});
