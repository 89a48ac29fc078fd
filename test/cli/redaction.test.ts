/**
 * Redaction end to end: the command judges a reference server whose agents have known passwords
 * (one with a quote and a backslash, which JSON escapes), through the security and transport
 * suites (wrong credentials, missing credentials, CometD handshakes with and without them), with
 * the Allure report on; then every file under --out, stdout and stderr are scanned for the
 * passwords and the Basic tokens, raw, JSON-escaped and inside base64 Allure content.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REFERENCE_QUEUE_ENV } from "../../src/reference/deployment.js";
import { startReferenceServer, type ReferenceServer } from "../../src/reference/server.js";
import { runCli, type CliRun } from "./run-cli.js";

const AGENTS = [
  { username: "alice", password: 'Al1ce-"quoted"\\pw' },
  { username: "bob", password: "b0b-secret-Pa55" },
];
let server: ReferenceServer;
let out: string;
let run: CliRun;

beforeAll(async () => {
  server = await startReferenceServer({ agents: AGENTS });
  out = mkdtempSync(join(tmpdir(), "gws-redaction-"));
  run = await runCli(["run", "--suites", "suites/security", "--out", out], {
    GWS_BASE_URL: server.baseUrl,
    GWS_AGENTS: AGENTS.map((a) => `${a.username}:${a.password}`).join(","),
    GWS_CONTROL_URL: server.controlUrl,
    ...REFERENCE_QUEUE_ENV,
  });
});
afterAll(() => server.close());

it("no password or Basic token appears in any output file, in stdout or in stderr", () => {
  expect(run.code, run.stderr).not.toBe(2);
  const secrets = AGENTS.flatMap((a) => [a.password, Buffer.from(`${a.username}:${a.password}`).toString("base64")]);
  const forms = secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]);
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }))
      e.isDirectory() ? walk(join(d, e.name)) : files.push(join(d, e.name));
  };
  walk(out);
  // the run really produced what is scanned: reports, transcript, Allure results and HTML
  for (const f of [
    "summary.json",
    "results.json",
    "certificate.md",
    "junit.xml",
    "transcript.jsonl",
    "allure-report/index.html",
  ])
    expect(files).toContain(join(out, f));
  expect(files.filter((f) => f.includes("allure-results")).length).toBeGreaterThan(3);
  const transcript = readFileSync(join(out, "transcript.jsonl"), "utf8");
  expect(transcript).toMatch(/"authorization":"REDACTED"/i);

  for (const f of files) {
    const text = readFileSync(f, "latin1");
    const utf8 = readFileSync(f, "utf8");
    for (const s of forms)
      expect(text.includes(s) || utf8.includes(s), `a secret (${s.slice(0, 3)}…) in ${f}`).toBe(false);
    for (const m of text.matchAll(/[A-Za-z0-9+/]{24,}={0,2}/g)) {
      const decoded = Buffer.from(m[0], "base64").toString("utf8");
      for (const s of forms) expect(decoded.includes(s), `a base64-encoded secret in ${f}`).toBe(false);
    }
  }
  for (const s of forms) expect(run.stdout + run.stderr).not.toContain(s);
});
