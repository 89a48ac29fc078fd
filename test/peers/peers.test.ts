/**
 * Independent Bayeux peers, so that a pass cannot come from our client and our server sharing
 * one library's quirks:
 *  - the transport (and CometD authentication) scenarios run against the reference server with
 *    its Bayeux endpoint served by faye instead of cometd-nodejs-server, and must give the same
 *    verdicts as against the cometd-hosted one;
 *  - faye's own client, subscribed as an agent to the reference (cometd) server, must receive
 *    exactly the notifications our cometd client receives.
 * Differences are written to reports/peers.md and fail the test; they are never hidden.
 */
import { REFERENCE_QUEUE_ENV, referenceTarget } from "../../src/reference/deployment.js";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/contract/schemas.js";
import { Target } from "../../src/harness/target.js";
import { FayeAgentSession } from "../../src/peers/faye-client.js";
import { startReferenceServer, type ReferenceServer } from "../../src/reference/server.js";
import { runCli } from "../cli/run-cli.js";

const TRANSPORT_SUITES = ["suites/transport", "suites/security/authentication.test.ts"];
const peersReport: string[] = ["# Independent Bayeux peers", ""];

function writePeersReport(): void {
  mkdirSync(join(REPO_ROOT, "reports"), { recursive: true });
  writeFileSync(join(REPO_ROOT, "reports", "peers.md"), `${peersReport.join("\n")}\n`);
}

async function transportVerdicts(bayeux: "cometd" | "faye"): Promise<Record<string, string>> {
  const server: ReferenceServer = await startReferenceServer({ bayeux });
  try {
    const env = {
      GWS_BASE_URL: server.baseUrl,
      GWS_AGENTS: server.agents.map((a) => `${a.username}:${a.password}`).join(","),
      GWS_CONTROL_URL: server.controlUrl,
      ...REFERENCE_QUEUE_ENV,
    };
    const statuses: Record<string, string> = {};
    for (const suites of TRANSPORT_SUITES) {
      const out = mkdtempSync(join(tmpdir(), `gws-peer-${bayeux}-`));
      const run = await runCli(["run", "--suites", suites, "--out", out, "--no-allure"], env);
      // A run limited to some suites leaves the others' requirements unjudged: INCOMPLETE (exit 3) is judged too.
      expect([0, 1, 3], run.stderr).toContain(run.code);
      const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
        requirements: Array<{ id: string; status: string; tests: string[] }>;
      };
      for (const r of summary.requirements) if (r.tests.length) statuses[r.id] = r.status;
    }
    return statuses;
  } finally {
    await server.close();
  }
}

describe("independent Bayeux peers", () => {
  it("the transport scenarios give the same verdicts against a faye-hosted /me/interactions as against cometd-nodejs-server", async () => {
    const cometd = await transportVerdicts("cometd");
    const faye = await transportVerdicts("faye");
    const ids = [...new Set([...Object.keys(cometd), ...Object.keys(faye)])].sort();
    const diffs = ids
      .filter((id) => cometd[id] !== faye[id])
      .map((id) => `${id}: cometd-nodejs-server ${cometd[id] ?? "-"}, faye ${faye[id] ?? "-"}`);
    peersReport.push(
      "## Transport scenarios, two Bayeux servers",
      "",
      "| requirement | cometd-nodejs-server | faye |",
      "|---|---|---|",
      ...ids.map((id) => `| ${id} | ${cometd[id] ?? "-"} | ${faye[id] ?? "-"} |`),
      "",
    );
    peersReport.push(diffs.length ? `Differences:\n${diffs.map((d) => `- ${d}`).join("\n")}` : "No differences.", "");
    writePeersReport();
    expect(cometd["T5.handshake"]).toBe("PASS");
    expect(cometd["T5.reconnect"]).toBe("PASS");
    expect(diffs).toEqual([]);
  });

  it("faye's client, as an agent of the reference server, receives exactly what the cometd client receives", async () => {
    const server = await startReferenceServer();
    const target = await Target.connect(
      referenceTarget(
        { ...server, agents: server.agents.slice(0, 1) },
        { notifyBudgetMs: 5000, inboundBudgetMs: 5000, label: "peers" },
      ),
    );
    const faye = new FayeAgentSession(server.cometdUrl, "agent1", server.agents[0]);
    try {
      expect(await faye.connect()).toEqual({ ok: true });
      const agent = target.agents[0];
      await target.injector.inject({
        to: "support@cc.example",
        from: "pat@example.org",
        subject: "peer-1",
        text: "hi",
        agent: "agent1",
      });
      const invited = await faye.waitFor((n) => n.data.state === "Invited", "Invited on the faye client", 5000);
      await agent.http.post(`/me/interactions/${invited.data.id}`, { operationName: "Accept" });
      await faye.waitFor((n) => n.data.state === "Accepted", "Accepted on the faye client", 5000);
      await agent.session.waitFor((n) => n.data.state === "Accepted", "Accepted on the cometd client", 5000);
      const viaFaye = faye.items().map((n) => n.data);
      const viaCometd = agent.session.items().map((n) => n.data);
      peersReport.push(
        "## One server, two Bayeux clients",
        "",
        `faye client received ${viaFaye.length} notification(s), the cometd client ${viaCometd.length}; ${JSON.stringify(viaFaye) === JSON.stringify(viaCometd) ? "identical" : "DIFFERENT"}.`,
        "",
      );
      writePeersReport();
      expect(viaFaye).toEqual(viaCometd);
      expect(viaFaye.map((d) => d.state)).toEqual(["Invited", "Accepted"]);
    } finally {
      await faye.close();
      await target.close();
      await server.close();
    }
  });
});
