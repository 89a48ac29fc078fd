/**
 * npm run bench — the Accept → Accepted round trip on loopback against the reference server
 * (from sending the Accept request to the Accepted notification reaching the client callback),
 * next to the raw CometD floor measured in the same run with the same client: a bare
 * cometd-nodejs-server delivering to it (server-side session.deliver → client callback).
 * Prints p50/p99 and the ratio of the p50s (target ≤ 1.5×); asserts nothing: speed is measured
 * here, never in a timed test. Options: --iterations N (default 200).
 * The client is the reference server's test support (src/reference/test-support/client.ts):
 * the real cometd client over long-polling and undici.
 */
import { parseFlags, runProgram, wholeNumber, type CliIo } from "../src/cli/command-line.js";
import { isEntryModule } from "../src/cli/entry.js";
import { startReferenceServer } from "../src/reference/server.js";
import { inject, TestAgent } from "../src/reference/test-support/client.js";
import { percentile, rawCometdFloor } from "./lib/cometd-floor.js";

/** The command line: --iterations N (default 200, at least 1). */
export function parseRoundtripArgs(argv: readonly string[]): { iterations: number } {
  const { flags } = parseFlags(argv, { iterations: { type: "string" } });
  return { iterations: flags.iterations === undefined ? 200 : wholeNumber("--iterations", flags.iterations, 1) };
}
/** Budget of each awaited notification. */
const WAIT_MS = 5_000;
/** Rounds run first and not counted (JIT, connection pools). */
const WARMUP = 20;

const pct = percentile;
const fmt = (ms: number): string => `${ms.toFixed(2)} ms`.padStart(9);
/** Accept request sent → Accepted notification received, through the reference server. */
async function acceptRoundTrip(N: number): Promise<number[]> {
  const server = await startReferenceServer();
  const agent = await TestAgent.connect(server, server.agents[0]);
  const times: number[] = [];
  for (let i = -WARMUP; i < N; i++) {
    const subject = `bench-${i}`;
    const email = { to: "support@contact-center.example", from: "pat@example.org", subject, text: "t" };
    const id = await inject(server.controlUrl, { ...email, agent: agent.name });
    await agent.invited(subject);
    const t0 = performance.now();
    await agent.op(id, { operationName: "Accept" });
    await agent.waitFor((n) => n.id === id && n.state === "Accepted", `Accepted ${id}`, WAIT_MS);
    if (i >= 0) times.push(performance.now() - t0);
  }
  await agent.close();
  await server.close();
  return times;
}

async function main(argv: string[], io: CliIo): Promise<number> {
  const N = parseRoundtripArgs(argv).iterations;
  const raw = await rawCometdFloor(N, WARMUP);
  const rt = await acceptRoundTrip(N);
  io.out(`loopback, ${N} iterations each (after ${WARMUP} warm-up rounds)`);
  io.out(`raw CometD deliver → callback     p50 ${fmt(pct(raw, 50))}   p99 ${fmt(pct(raw, 99))}`);
  io.out(`Accept → Accepted (reference)     p50 ${fmt(pct(rt, 50))}   p99 ${fmt(pct(rt, 99))}`);
  const ratio = pct(rt, 50) / pct(raw, 50);
  io.out(`ratio of p50s: ${ratio.toFixed(2)}× the raw floor (target ≤ 1.5×)${ratio <= 1.5 ? "" : " — NOT MET"}`);
  return 0;
}

if (isEntryModule(import.meta.url)) await runProgram("bench", main);
