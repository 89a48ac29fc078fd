/**
 * Nothing may hang: a target that accepts connections but never answers (a black-holing
 * firewall, a stuck server). Its own file so that it waits out the budget beside the other CLI tests.
 */
import { statSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { expect, it } from "vitest";
import { targetEnvAt } from "../support/hostile-targets.js";
import { readSummary, runFixtures, tempDir } from "./run-cli.js";

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
    const out = tempDir();
    const run = await runFixtures(out, targetEnvAt(port));
    expect(run.code).toBe(3); // EXIT_INCOMPLETE: could not judge the target
    expect(readSummary(out).verdict).toBe("INCOMPLETE");
    expect(readSummary(out).requirements.find((r) => r.id === "O1.answer-ok")?.message).toMatch(
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
