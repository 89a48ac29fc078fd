/**
 * Nothing may hang: a target that accepts connections but never answers (a black-holing
 * firewall, a stuck server). Its own file so that it waits out the budget beside the other CLI tests.
 */
import { statSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const FIXTURES = "test/fixtures/report-suites";
const tmp = (): string => mkdtempSync(join(tmpdir(), "gws-cli-"));
const summaryOf = (out: string): { verdict: string; requirements: Array<{ id: string; message: string }> } =>
  JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));

it("a target that accepts connections but never answers ends within the HTTP budget as ERROR, reports written", async () => {
  // A firewall that black-holes requests: the harness's answer budget (BUDGETS.httpAnswerMs) bounds it.
  const sockets = new Set<Socket>();
  const blackHole = createServer((socket) => {
    sockets.add(socket);
    socket.on("data", () => undefined);
  });
  const port = await new Promise<number>((resolve) =>
    blackHole.listen(0, "127.0.0.1", () => resolve((blackHole.address() as { port: number }).port)),
  );
  try {
    const out = tmp();
    const run = await runCli(["run", "--suites", FIXTURES, "--out", out, "--no-allure"], {
      GWS_BASE_URL: `http://127.0.0.1:${port}/api/v2`,
      GWS_AGENTS: "a:b",
      GWS_CONTROL_URL: `http://127.0.0.1:${port}/control`,
      GWS_QUEUE: "Email",
    });
    expect(run.code).toBe(1);
    expect(summaryOf(out).verdict).toBe("INCOMPLETE");
    expect(summaryOf(out).requirements.find((r) => r.id === "O1.answer-ok")?.message).toMatch(
      /prerequisite "target answers HTTP"/,
    );
    expect(statSync(join(out, "junit.xml")).size).toBeGreaterThan(0);
    // The pre-flight says it once; no scenario waits out the budget again.
    expect(run.stdout).toMatch(/^gws-conformance: pre-flight: .*no answer.*nothing can be judged \(INCOMPLETE\)$/m);
    expect(run.stdout).not.toMatch(/^(PASS|FAIL|ERROR|SKIP|WARN) +\S+ > /m);
    expect(run.wallMs).toBeLessThan(30_000);
  } finally {
    for (const s of sockets) s.destroy();
    blackHole.close();
  }
});
