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
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import cometdServerLib from "cometd-nodejs-server";
import type { ServerSession } from "cometd-nodejs-server";
import { startReferenceServer } from "../src/reference/server.js";
import { BayeuxClient, inject, TestAgent } from "../src/reference/test-support/client.js";

const args = process.argv.slice(2);
const at = args.indexOf("--iterations");
const N = at >= 0 ? Number(args[at + 1]) : 200;
if (!Number.isInteger(N) || N < 1) {
  console.error(`bench: --iterations needs a positive whole number, got ${JSON.stringify(args[at + 1])}`);
  process.exit(2);
}
/** Budget of each awaited notification. */
const WAIT_MS = 5_000;
/** Rounds run first and not counted (JIT, connection pools). */
const WARMUP = 20;

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const fmt = (ms: number): string => `${ms.toFixed(2)} ms`.padStart(9);

/** The floor: bare cometd-nodejs-server, session.deliver → the client's subscription callback. */
async function rawFloor(): Promise<number[]> {
  const cometd = cometdServerLib.createCometDServer({ maxSessionsPerBrowser: -1 } as never);
  let session: ServerSession | undefined;
  cometd.policy = { canHandshake: (s, _m, cb) => ((session = s), cb(undefined, true)) };
  const http: Server = createServer((req, res) => cometd.handle(req, res));
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const client = new BayeuxClient(`http://127.0.0.1:${(http.address() as AddressInfo).port}/cometd`, { username: "raw", password: "raw" });
  const c = await client.connect();
  if (!c.ok || !session) throw new Error(`raw floor: ${c.reason}`);
  const times: number[] = [];
  for (let i = -WARMUP; i < N; i++) {
    const t0 = performance.now();
    session.deliver(null, "/me/interactions", { i });
    await client.waitFor((n) => n.i === i, WAIT_MS, `raw message #${i}`);
    if (i >= 0) times.push(performance.now() - t0);
  }
  await client.close();
  cometd.close();
  http.closeAllConnections();
  await new Promise<void>((r) => http.close(() => r()));
  return times;
}

/** Accept request sent → Accepted notification received, through the reference server. */
async function acceptRoundTrip(): Promise<number[]> {
  const server = await startReferenceServer();
  const agent = await TestAgent.connect(server, server.agents[0]);
  const times: number[] = [];
  for (let i = -WARMUP; i < N; i++) {
    const subject = `bench-${i}`;
    const id = await inject(server.controlUrl, { to: "support@contact-center.example", from: "pat@example.org", subject, text: "t", agent: agent.name });
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

const raw = await rawFloor();
const rt = await acceptRoundTrip();
console.log(`loopback, ${N} iterations each (after ${WARMUP} warm-up rounds)`);
console.log(`raw CometD deliver → callback     p50 ${fmt(pct(raw, 50))}   p99 ${fmt(pct(raw, 99))}`);
console.log(`Accept → Accepted (reference)     p50 ${fmt(pct(rt, 50))}   p99 ${fmt(pct(rt, 99))}`);
const ratio = pct(rt, 50) / pct(raw, 50);
console.log(`ratio of p50s: ${ratio.toFixed(2)}× the raw floor (target ≤ 1.5×)${ratio <= 1.5 ? "" : " — NOT MET"}`);
