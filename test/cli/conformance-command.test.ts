/**
 * The conformance command end to end, as CI and vendors use it: exit codes, the files it writes,
 * verdicts of each kind, configuration errors, a dead target, the expected-failures baseline,
 * shards and merge, and that no secret reaches any output.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractValidator } from "../../src/contract/validators.js";
import { REFERENCE_QUEUE_ENV } from "../../src/reference/deployment.js";
import { startReferenceServer, type ReferenceServer } from "../../src/reference/server.js";
import { targetEnvAt } from "../support/hostile-targets.js";
import { FIXTURE_SUITES, readSummary, runCli, runFixtures, tempDir } from "./run-cli.js";
import { REPO_ROOT } from "../../src/contract/schemas.js";

const PASSWORD = "pw-Sup3r-s3cret-77";
let server: ReferenceServer;
let foreign: Record<string, string>;

const SECRETS = (): string[] => [PASSWORD, `${PASSWORD}-2`, Buffer.from(`solo:${PASSWORD}`).toString("base64")];

/** Every file under `dir` (and the given output text) is free of the configured secrets, also base64-encoded Allure content. */
function expectNoSecrets(dir: string, output = ""): number {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }))
      e.isDirectory() ? walk(join(d, e.name)) : files.push(join(d, e.name));
  };
  walk(dir);
  for (const f of files) {
    const text = readFileSync(f, "latin1");
    for (const secret of SECRETS()) expect(text.includes(secret), `${secret.slice(0, 4)}… in ${f}`).toBe(false);
    // Allure attachments are base64-encoded in places (the single-file HTML report): decode those too.
    for (const m of text.matchAll(/"content":"([A-Za-z0-9+/=]{16,})"/g))
      for (const secret of SECRETS())
        expect(Buffer.from(m[1], "base64").toString("latin1").includes(secret)).toBe(false);
  }
  for (const secret of SECRETS()) expect(output).not.toContain(secret);
  return files.length;
}
const statusOf = (out: string, id: string): string | undefined =>
  readSummary(out).requirements.find((r) => r.id === id)?.status;

beforeAll(async () => {
  // A "foreign" target with one agent: the fixture's second-agent scenario must SKIP.
  server = await startReferenceServer({
    agents: [
      { username: "solo", password: PASSWORD },
      { username: "other", password: `${PASSWORD}-2` },
    ],
  });
  foreign = {
    GWS_BASE_URL: server.baseUrl,
    GWS_AGENTS: `solo:${PASSWORD}`,
    GWS_CONTROL_URL: server.controlUrl,
    ...REFERENCE_QUEUE_ENV,
  };
});
afterAll(() => server.close());

describe("gws-conformance run", () => {
  let out: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    out = tempDir();
    run = await runCli(["run", "--suites", FIXTURE_SUITES, "--out", out], foreign);
  });

  it("gives each kind of verdict, exits 1, and writes every report", () => {
    expect(run.code).toBe(1);
    expect(statusOf(out, "O1.answer-ok")).toBe("PASS");
    expect(statusOf(out, "O3.subject-prefix")).toBe("FAIL");
    expect(statusOf(out, "O2.answer-ok")).toBe("WARN");
    expect(statusOf(out, "O8.answer-ok")).toBe("ERROR");
    expect(statusOf(out, "O9.target-invited")).toBe("SKIP");
    expect(statusOf(out, "O12.place-in-workbin")).toBe("NOT_TESTABLE");
    // a requirement no scenario judged is visible as an ERROR, not silently passed
    expect(readSummary(out).requirements.find((r) => r.id === "O4.cc")).toMatchObject({
      status: "ERROR",
      message: "not covered by any scenario",
    });
    for (const f of [
      "summary.json",
      "certificate.md",
      "junit.xml",
      "transcript.jsonl",
      "results.json",
      "allure-report/index.html",
    ])
      expect(statSync(join(out, f)).size, f).toBeGreaterThan(0);
    expect(readdirSync(join(out, "allure-results")).length).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/^FAIL {2}.*fails a MUST on purpose/m);
    expect(run.stdout).toMatch(/^verdict: NON_CONFORMANT — 1 MUST requirement failed: O3\.subject-prefix$/m);
    expect(run.stdout).toMatch(/^gate: exit 1 — /m);
    for (const f of ["certificate.html"]) expect(statSync(join(out, f)).size, f).toBeGreaterThan(0);
  });

  it("ends with the paths of certificate, Allure and summary, and the first failing row's link", () => {
    const tail = run.stdout.trimEnd().split("\n").slice(-4);
    expect(tail).toEqual([
      `certificate: ${join(out, "certificate.html")}`,
      `allure:      ${join(out, "allure-report", "index.html")}`,
      `summary:     ${join(out, "summary.json")}`,
      `first failing row: ${pathToFileURL(join(out, "certificate.html")).href}#O3.subject-prefix`,
    ]);
  });

  it("--last-failed DIR judges again what was FAIL, WARN or ERROR there, and only that", async () => {
    const again = tempDir();
    const rerun = await runCli(
      ["run", "--suites", FIXTURE_SUITES, "--out", again, "--no-allure", "--last-failed", out],
      foreign,
    );
    const before = readSummary(out).requirements.filter((r) => ["FAIL", "WARN", "ERROR"].includes(r.status));
    expect(before.map((r) => r.id)).toEqual(
      expect.arrayContaining(["O3.subject-prefix", "O2.answer-ok", "O8.answer-ok"]),
    );
    expect(rerun.stdout).toMatch(
      new RegExp(`^gws-conformance: --last-failed .*judging again ${before.length} requirement`, "m"),
    );
    expect(readSummary(again).filter?.only).toEqual(before.map((r) => r.id));
    expect(statusOf(again, "O3.subject-prefix")).toBe("FAIL");
    expect(statusOf(again, "O1.answer-ok")).toBe("SKIP"); // passed before: not judged again
    expect(rerun.code).toBe(1);
  });

  it("summary.json matches its schema and names the reason of each non-pass", () => {
    const s = readSummary(out);
    expect(contractValidator().validate("reports/summary.schema.json", s).violations).toEqual([]);
    const byId = new Map(s.requirements.map((r) => [r.id, r]));
    expect(byId.get("O9.target-invited")?.message).toMatch(/needs a second agent/);
    expect(byId.get("O8.answer-ok")?.message).toMatch(/prerequisite "fixture prerequisite"/);
    expect(byId.get("O3.subject-prefix")?.message).toMatch(/deliberate fixture failure/);
  });

  it("certificate.md separates MUST failures from SHOULD warnings", () => {
    const cert = readFileSync(join(out, "certificate.md"), "utf8");
    expect(cert.split("\n")[0]).toBe("# Conformance statement: NON_CONFORMANT — GWS Interactions On E-mail Channel");
    const fails = cert.slice(cert.indexOf("## MUST failures"), cert.indexOf("## SHOULD warnings"));
    const warns = cert.slice(cert.indexOf("## SHOULD warnings"), cert.indexOf("## Errors"));
    expect(fails).toContain("O3.subject-prefix");
    expect(fails).not.toContain("O2.answer-ok");
    expect(warns).toContain("O2.answer-ok");
    expect(cert).toMatch(/## Not testable[\s\S]*O12\.place-in-workbin/);
  });

  it("junit.xml carries requirement IDs as properties, failures, errors, skips and visible warnings", () => {
    const xml = readFileSync(join(out, "junit.xml"), "utf8");
    expect(xml).toContain('<property name="requirement" value="O3.subject-prefix"/>');
    expect(xml).toContain('<property name="level:O3.subject-prefix" value="MUST"/>');
    expect(xml).toMatch(/<failure message="O3.subject-prefix failed"/);
    expect(xml).toMatch(/<error message="prerequisite fixture prerequisite/);
    expect(xml).toMatch(/<skipped message="needs a second agent"\/>/);
    expect(xml).toMatch(/<property name="warning" value="O2.answer-ok: deliberate fixture warning"\/>/);
    expect(xml).toMatch(/<system-out>WARN O2.answer-ok \(SHOULD\)/);
  });

  it("transcript.jsonl holds the run's exchanges and notifications, attributed to scenarios", () => {
    const lines = readFileSync(join(out, "transcript.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(
      lines.some(
        (e) => e.kind === "http" && e.operation === "Accept" && e.scenario?.includes("passes: accept an e-mail"),
      ),
    ).toBe(true);
    expect(lines.some((e) => e.kind === "notification" && e.data.state === "Accepted")).toBe(true);
    expect(lines.some((e) => e.kind === "check" && e.requirement === "O3.subject-prefix" && e.passed === false)).toBe(
      true,
    );
  });

  it("no secret reaches any file of the run, its output or its logs", () => {
    expect(expectNoSecrets(out, run.stdout + run.stderr)).toBeGreaterThan(5);
    // the settings are in the summary, with the password replaced
    expect(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).settings.agents).toEqual([
      { username: "solo", password: "REDACTED" },
    ]);
  });

  it("prints one plain progress line per scenario in CI (no ANSI colours)", () => {
    expect(run.stdout).not.toContain(`${String.fromCharCode(27)}[`);
    for (const title of [
      "passes: accept an e-mail",
      "fails a MUST on purpose",
      "warns on a SHOULD on purpose",
      "breaks a precondition on purpose",
      "needs a second agent",
    ]) {
      expect(
        run.stdout
          .split("\n")
          .filter((l) => /^(PASS|FAIL|WARN|SKIP|ERROR) +\S+ > /.test(l) && l.includes(` > ${title}`)),
      ).toHaveLength(1);
    }
    expect(run.stdout).toMatch(/^SKIP {2}.*needs a second agent \(needs a second agent\)/m);
    expect(run.stdout).toMatch(/^ERROR .*breaks a precondition on purpose \(prerequisite fixture prerequisite\)/m);
  });
});

describe("gws-conformance run: selection, baseline, configuration", () => {
  it("the package bin (npx gws-conformance) runs the command: --help exits 0 and lists every target setting", async () => {
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "gws-conformance.js"), "--help"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status).toBe(0);
    for (const flag of [
      "--base-url",
      "--cometd-url",
      "--agents",
      "--inject",
      "--control-url",
      "--invite-timeout-ms",
      "--notify-budget-ms",
      "--only",
      "--shard",
      "--expected-failures",
    ])
      expect(r.stdout).toContain(flag);
  });

  it("--only selects scenarios by tag; everything else is SKIP 'filtered out'; a clean selection exits 0 but is PARTIAL", async () => {
    const out = tempDir();
    const run = await runFixtures(out, foreign, ["--only", "fixture-pass"]);
    expect(run.code).toBe(0);
    expect(statusOf(out, "O1.answer-ok")).toBe("PASS");
    expect(readSummary(out).requirements.find((r) => r.id === "O3.subject-prefix")).toMatchObject({
      status: "SKIP",
      message: "filtered out by --only fixture-pass",
    });
    expect(readSummary(out).verdict).toBe("PARTIAL");
  });

  it("--level must: SHOULD requirements are SKIP 'filtered out by --level must' and their scenarios do not run", async () => {
    const out = tempDir();
    const run = await runFixtures(out, foreign, ["--only", "fixture-pass,fixture-warn", "--level", "must"]);
    expect(run.code).toBe(0);
    expect(readSummary(out).requirements.find((r) => r.id === "O2.answer-ok")).toMatchObject({
      status: "SKIP",
      message: "filtered out by --level must",
    });
    expect(statusOf(out, "O1.answer-ok")).toBe("PASS");
    expect(run.stdout).toMatch(/^SKIP {2}.*warns on a SHOULD on purpose \(filtered out by --level must\)/m);
  });

  it("an expected failure does not fail the gate (the verdict stays NON_CONFORMANT); a stale entry does; an unknown ID is a configuration error", async () => {
    const dir = tempDir();
    const baseline = join(dir, "expected.json");
    writeFileSync(baseline, JSON.stringify([{ id: "O3.subject-prefix", reason: "known bug #12" }]));
    const expectedFailuresRun = ["--only", "fixture-pass,fixture-fail", "--expected-failures", baseline];
    const ok = await runFixtures(join(dir, "a"), foreign, expectedFailuresRun);
    expect(ok.code).toBe(0);
    expect(readSummary(join(dir, "a")).requirements.find((r) => r.id === "O3.subject-prefix")).toMatchObject({
      status: "FAIL",
      expectedFailure: "known bug #12",
    });
    expect(ok.stdout).toMatch(/^requirements: 2 PASS, 1 FAIL \(1 expected\), /m);
    expect(ok.stdout).toMatch(
      /^verdict: NON_CONFORMANT — 1 MUST requirement failed: O3\.subject-prefix; all expected by the baseline \(O3\.subject-prefix: known bug #12\)$/m,
    );
    expect(readFileSync(join(dir, "a", "certificate.md"), "utf8")).toMatch(
      /## MUST failures\n\n- \[O3.subject-prefix\]\(#O3.subject-prefix\) \(O3, MUST\): .* — \*\*expected by the baseline\*\*: known bug #12/,
    );
    expect(readFileSync(join(dir, "a", "junit.xml"), "utf8")).toContain(
      '<skipped message="expected failure (baseline): O3.subject-prefix: known bug #12"/>',
    );

    writeFileSync(
      baseline,
      JSON.stringify([
        { id: "O1.answer-ok", reason: "was broken" },
        { id: "O3.subject-prefix", reason: "old", expires: "2020-01-01" },
      ]),
    );
    const stale = await runFixtures(join(dir, "b"), foreign, expectedFailuresRun);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/BASELINE O1.answer-ok: listed as an expected failure \(was broken\) but now passes/);
    expect(stale.stdout).toMatch(/BASELINE O3.subject-prefix: the expected-failure entry expired on 2020-01-01/);

    writeFileSync(baseline, JSON.stringify([{ id: "O99.nope", reason: "x" }]));
    const bad = await runCli(
      ["run", "--suites", FIXTURE_SUITES, "--out", join(dir, "c"), "--expected-failures", baseline],
      foreign,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown requirement ID\(s\) O99.nope/);
  });

  // Independent command runs: side by side.
  it.concurrent.each([
    [["run", "--bogus"], {}, /unknown flag --bogus/],
    [["run", "--shard", "3/2"], {}, /--shard: "3\/2" is not i\/n/],
    [
      ["run"],
      { GWS_BASE_URL: "http://127.0.0.1:9/api/v2" },
      /GWS_AGENTS \(--agents\): is required when GWS_BASE_URL is set/,
    ],
    [
      ["run", "--base-url", "http://127.0.0.1:9/api/v2", "--agents", "a:b"],
      {},
      /GWS_CONTROL_URL \(--control-url\): inject is http by default; set GWS_CONTROL_URL \(--control-url\) or choose --inject smtp\|command/,
    ],
    [
      ["run", "--base-url", "http://127.0.0.1:9/api/v2", "--agents", "a:b", "--control-url", "http://127.0.0.1:9/c"],
      {},
      /GWS_QUEUE \(--queue\): is required when GWS_BASE_URL is set/,
    ],
    [
      ["run"],
      { GWS_MAX_OPEN_PER_AGENT: "none" },
      /GWS_MAX_OPEN_PER_AGENT \(environment\): "none" is not a positive whole number/,
    ],
    [
      ["run"],
      { GWS_NOTIFY_BUDGET_MS: "soon" },
      /GWS_NOTIFY_BUDGET_MS \(environment\): "soon" is not a positive whole number/,
    ],
    [["teleport"], {}, /unknown command teleport/],
    [["run", "--only", "O33"], {}, /--only\/--skip: "O33" is not a requirement ID, rule, area or scenario tag/],
    [["run", "--only", "O3.subject-prefx"], {}, /"O3.subject-prefx" is not .* \(did you mean O3.subject-prefix\?\)/],
    [["run", "--only", "reply"], {}, /"reply" is not .* \(did you mean O3\? the suites title it "O3 Reply"\)/],
    [["run", "--only", "Security"], {}, /"Security" is not .* \(did you mean security\?\)/],
    [
      ["run", "--base-url", "http://127.0.0.1:9/api/v2", "--only", "O33"],
      { GWS_NOTIFY_BUDGET_MS: "soon" },
      /2 problems to fix before a run:\n {2}- 4 settings to fix[\s\S]*GWS_NOTIFY_BUDGET_MS[\s\S]*GWS_AGENTS[\s\S]*GWS_CONTROL_URL[\s\S]*GWS_QUEUE[\s\S]*\n {2}- --only\/--skip: "O33"/,
    ],
    [["run", "--only", "O3", "--last-failed", "/tmp"], {}, /--only and --last-failed: one or the other/],
    [["run", "--last-failed", "/nonexistent-gws"], {}, /--last-failed: \/nonexistent-gws has no summary.json/],
    [["run", "--config", "/nonexistent/gws.json"], {}, /--config: cannot read \/nonexistent\/gws.json/],
  ])("configuration errors exit 2 before any test, naming the setting: %j %j", async (args, env, message) => {
    const run = await runCli(args as string[], env as Record<string, string>);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message as RegExp);
    expect(run.stdout).not.toMatch(/^(PASS|FAIL) /m);
  });

  it("a dead target ends as ERROR verdicts with the reason, exit 3 (could not judge), reports written, within a bounded time", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const out = tempDir();
    const run = await runFixtures(out, targetEnvAt(port));
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^gate: exit 3 — /m);
    expect(readSummary(out).verdict).toBe("INCOMPLETE");
    expect(readSummary(out).gate.exitCode).toBe(3);
    expect(readSummary(out).requirements.find((r) => r.id === "O1.answer-ok")?.message).toMatch(
      /prerequisite "target answers HTTP".*ECONNREFUSED/,
    );
    expect(run.wallMs).toBeLessThan(60_000);
  });

  it("shards run slices; merge gives the same verdicts as one run", async () => {
    const dir = tempDir();
    const whole = await runCli(
      ["run", "--suites", "suites/answers", "--out", join(dir, "whole"), "--no-allure"],
      foreign,
    );
    const s1 = await runCli(
      ["run", "--suites", "suites/answers", "--out", join(dir, "s1"), "--shard", "1/2", "--no-allure"],
      foreign,
    );
    const s2 = await runCli(
      ["run", "--suites", "suites/answers", "--out", join(dir, "s2"), "--shard", "2/2", "--no-allure"],
      foreign,
    );
    expect([whole.code, s1.code, s2.code].every((c) => c === 0 || c === 1 || c === 3)).toBe(true);
    const merged = await runCli(["merge", join(dir, "s1"), join(dir, "s2"), "--out", join(dir, "merged")]);
    expect(merged.code).toBe(whole.code);
    const statuses = (o: string): Record<string, string> =>
      Object.fromEntries(readSummary(o).requirements.map((r) => [r.id, r.status]));
    expect(statuses(join(dir, "merged"))).toEqual(statuses(join(dir, "whole")));
    expect(readFileSync(join(dir, "merged", "junit.xml"), "utf8")).toContain("suites/answers/envelopes.test.ts");
    expect(statSync(join(dir, "merged", "allure-report", "index.html")).size).toBeGreaterThan(0);
    expect(readSummary(join(dir, "merged")).mergedFrom).toEqual([join(dir, "s1"), join(dir, "s2")]);
    expectNoSecrets(dir, [whole, s1, s2, merged].map((r) => r.stdout + r.stderr).join("\n"));
  });
});
