/**
 * `gws-conformance load` end to end: against the embedded reference server, against a "real"
 * target (a reference server started here, reached by URL) with a fault that leaks only under
 * load, sharded over two runners and merged, and with bad flags.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contractValidator } from "../../src/contract/validators.js";
import { LEAK_UNDER_LOAD_OFFERS_PER_SECOND } from "../../src/reference/faults/index.js";
import { REFERENCE_QUEUE_ENV } from "../../src/reference/deployment.js";
import { startReferenceServer, type ReferenceServer } from "../../src/reference/server.js";
import type { LoadReport } from "../../src/load/report.js";
import { runCli, tempDir } from "./run-cli.js";

const tmp = (): string => tempDir("gws-load-");
const loadOf = (dir: string): LoadReport => JSON.parse(readFileSync(join(dir, "load.json"), "utf8")) as LoadReport;
const targetEnv = (s: ReferenceServer): Record<string, string> => ({
  GWS_BASE_URL: s.baseUrl,
  GWS_CONTROL_URL: s.controlUrl,
  GWS_AGENTS: s.agents.map((a) => `${a.username}:${a.password}`).join(","),
  ...REFERENCE_QUEUE_ENV,
});

describe("gws-conformance load", () => {
  it("against the embedded server: every e-mail through the lifecycle, no violation (exit 0)", async () => {
    const out = tmp();
    const run = await runCli([
      "load",
      "--agent-count",
      "6",
      "--rate",
      "20",
      "--duration",
      "2s",
      "--out",
      out,
      "--max-p99-ms",
      "2000",
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const r = loadOf(out);
    expect(contractValidator().validate("reports/load.schema.json", r).violations).toEqual([]);
    expect(r.agents).toEqual({ configured: 6, connected: 6 });
    expect(r.counts).toMatchObject({ injected: 40, completed: 40, violations: 0, errors: 0 });
    expect(r.counts.checks).toBeGreaterThan(40 * 5);
    expect(r.latency.offer.count).toBe(40);
    expect(r.latency.notification.Accept.count).toBe(40);
    expect(r.latency.notification.Reply.count).toBe(40);
    expect(r.latency.notification.all.count).toBe(80);
    expect(r.latency.answer.StopProcessing.count).toBe(40);
    expect(r.timeline.reduce((a, t) => a + t.injected, 0)).toBe(40);
    expect(r.verdict).toBe("MET");
    expect(run.stdout).toMatch(/^load verdict: MET$/m);
    expect(readFileSync(join(out, "load.html"), "utf8")).toContain("uPlot");
  });

  it("every allowed variation at once (GWS_REFERENCE_VARIATIONS=all): the same fair requests as a run, 0 violations, 0 errors (exit 0)", async () => {
    // Queue names required, empty Accept, CRLF text, a capacity per agent, delayed offers, failures as
    // HTTP 200 …: a server doing what the contract allows did nothing wrong (issue 20, item 9).
    const out = tmp();
    const args = ["load", "--agent-count", "6", "--rate", "10", "--duration", "2s", "--out", out];
    const run = await runCli(args, { GWS_REFERENCE_VARIATIONS: "all" });
    const r = loadOf(out);
    expect({ errors: r.errorsByKind, violations: r.violationsByRequirement }, run.stdout).toEqual({
      errors: {},
      violations: {},
    });
    expect(r.counts).toMatchObject({ injected: 20, completed: 20, violations: 0, errors: 0 });
    expect(r.target).toMatch(/variations all/);
    expect(run.code).toBe(0);
  });

  it("catches a leak that only load shows (leak-under-load), with its requirement ID (exit 1)", async () => {
    const server = await startReferenceServer({ fault: "leak-under-load", agentCount: 8 });
    try {
      // A conformance-like trickle does not trigger it…
      const calm = tmp();
      expect((await runCli(["load", "--rate", "10", "--duration", "1s", "--out", calm], targetEnv(server))).code).toBe(
        0,
      );
      // …more than the fault's threshold of offers per second does.
      const out = tmp();
      const rate = LEAK_UNDER_LOAD_OFFERS_PER_SECOND * 2;
      const run = await runCli(["load", "--rate", String(rate), "--duration", "2s", "--out", out], targetEnv(server));
      expect(run.code).toBe(1);
      const r = loadOf(out);
      expect(r.violationsByRequirement["T6.no-leak"]).toBeGreaterThan(0);
      expect(r.violations.find((v) => v.requirement === "T6.no-leak")?.message).toMatch(
        /received a notification of an interaction offered to or owned by/,
      );
      expect(r.objectives.find((o) => o.name === "violations")).toMatchObject({ met: false });
      expect(r.verdict).toBe("MISSED");
      expect(run.stdout).toMatch(/^VIOLATION T6\.no-leak: \d+×/m);
    } finally {
      await server.close();
    }
  });

  // Independent command runs: side by side.
  it.concurrent.each([
    ["duplicate-accepted", "N7.no-duplicates"],
    ["late-accepted-notification", "N8.within-budget"],
    ["accepted-missing-receivedAt", "N3.shape"],
  ])("judges every notification as a conformance run does: %s → %s", async (fault, requirement) => {
    const out = tmp();
    const args = ["load", "--agent-count", "3", "--rate", "10", "--duration", "1s", "--notify-budget-ms", "300"];
    const run = await runCli([...args, "--out", out], { GWS_REFERENCE_FAULT: fault });
    expect(run.code).toBe(1);
    expect(loadOf(out).violationsByRequirement[requirement]).toBeGreaterThan(0);
  });

  it("--shard i/n splits the agents; merge adds the histograms into one verdict", async () => {
    const server = await startReferenceServer({ agentCount: 6 });
    try {
      const dir = tmp();
      const [s1, s2] = await Promise.all(
        [1, 2].map((i) =>
          runCli(
            ["load", "--rate", "20", "--duration", "2s", "--shard", `${i}/2`, "--out", join(dir, `s${i}`)],
            targetEnv(server),
          ),
        ),
      );
      expect([s1.code, s2.code]).toEqual([0, 0]);
      const [r1, r2] = [loadOf(join(dir, "s1")), loadOf(join(dir, "s2"))];
      expect([r1.agents.configured, r2.agents.configured, r1.rate, r1.shard]).toEqual([3, 3, 10, "1/2"]);
      const merged = await runCli(["merge", join(dir, "s1"), join(dir, "s2"), "--out", join(dir, "m")]);
      expect(merged.code, merged.stderr).toBe(0);
      const m = loadOf(join(dir, "m"));
      expect(contractValidator().validate("reports/load.schema.json", m).violations).toEqual([]);
      expect(m.counts.injected).toBe(r1.counts.injected + r2.counts.injected);
      expect(m.latency.notification.all.count).toBe(
        r1.latency.notification.all.count + r2.latency.notification.all.count,
      );
      // The same largest latency, to the histograms' precision (3 significant digits).
      const max = Math.max(r1.latency.notification.all.maxMs, r2.latency.notification.all.maxMs);
      expect(Math.abs(m.latency.notification.all.maxMs - max)).toBeLessThanOrEqual(max / 500);
      expect(m.rate).toBe(20);
      expect(m.mergedFrom).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it("a dead target: said once, the other agents not tried, objectives missed (exit 1), reports written", async () => {
    const out = tmp();
    const dead = {
      GWS_BASE_URL: "http://127.0.0.1:9/api/v2",
      GWS_CONTROL_URL: "http://127.0.0.1:9/c",
      GWS_AGENTS: "a:b,c:d,e:f",
      GWS_QUEUE: "Email",
    };
    const run = await runCli(["load", "--duration", "1s", "--out", out], dead);
    expect(run.code).toBe(1);
    const r = loadOf(out);
    expect(r.agents).toEqual({ configured: 3, connected: 0 });
    expect(Object.entries(r.errorsByKind)).toEqual([
      [expect.stringMatching(/^agent setup: channel Ready got no answer .*ECONNREFUSED/), 1],
    ]);
    expect(run.stdout).toMatch(/the other agents were not tried/);
    expect(r.verdict).toBe("MISSED");
    expect(run.wallMs).toBeLessThan(20_000);
  });

  // Independent command runs: side by side.
  it.concurrent.each([
    [["load", "--rate", "fast"], /--rate: "fast" is not a positive number/],
    [["load", "--duration", "5 minutes"], /--duration: "5 minutes" is not a duration/],
    [["load", "--shard", "3/2"], /--shard: "3\/2" is not i\/n/],
    [["load", "--agent-count", "0"], /--agent-count: "0" is not a whole number ≥ 1/],
    [["load", "--max-violations", "-1"], /--max-violations needs a value|--max-violations: "-1"/],
    [["load", "--bogus"], /unknown flag --bogus/],
    [
      [
        "load",
        "--base-url",
        "http://127.0.0.1:9/api/v2",
        "--agents",
        "a:b",
        "--control-url",
        "http://127.0.0.1:9/c",
        "--queue",
        "Email",
        "--agent-count",
        "3",
      ],
      /--agent-count: 3 agents asked, but GWS_AGENTS lists 1/,
    ],
  ])("a bad flag exits 2 naming it: %j", async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
