/**
 * npm run bench — Accept → Accepted round trip on loopback against the reference server, next to
 * the raw CometD floor measured in the same run: a bare cometd-nodejs-server delivering to the
 * same client (server-side deliver → client callback). Prints p50/p99 and the ratio; asserts
 * nothing (speed is measured here, never in a timed test). Options: --iterations N (default 200).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import cometdServerLib from "cometd-nodejs-server";
import type { ServerSession } from "cometd-nodejs-server";
import { CometdSession } from "../src/harness/cometd-session.js";
import { Target } from "../src/harness/target.js";
import { startReferenceServer } from "../src/reference/server.js";

const args = process.argv.slice(2);
const N = Number(args.includes("--iterations") ? args[args.indexOf("--iterations") + 1] : 200);

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;

/** Raw floor: cometd-nodejs-server session.deliver → cometd client callback, nothing else. */
async function rawFloor(): Promise<number[]> {
  const cometd = cometdServerLib.createCometDServer({ maxSessionsPerBrowser: -1 } as never);
  let session: ServerSession | undefined;
  cometd.policy = { canHandshake: (s, _m, cb) => ((session = s), cb(undefined, true)) };
  const http: Server = createServer((req, res) => cometd.handle(req, res));
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/cometd`;
  const client = new CometdSession(url, "raw", { username: "raw", password: "raw" });
  const c = await client.connect();
  if (!c.ok || !session) throw new Error(`raw floor: ${c.reason}`);
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    session.deliver(null, "/me/interactions", { i });
    await client.waitFor((n) => n.data.i === i, `raw #${i}`, 5000);
    times.push(performance.now() - t0);
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
  const t = await Target.connect({ baseUrl: server.baseUrl, cometdUrl: server.cometdUrl, controlUrl: server.controlUrl, agents: server.agents.slice(0, 1), inject: "http", notifyBudgetMs: 5000, tlsInsecure: false, embedded: true, label: "bench" });
  const agent = t.agents[0];
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const subject = `bench-${i}`;
    await t.injector.inject({ to: "a@x", from: "b@y", subject, text: "t", agent: agent.name });
    const inv = await agent.session.waitFor((n) => n.data.state === "Invited" && JSON.stringify(n.data).includes(subject), subject, 5000);
    const id = inv.data.id;
    const t0 = performance.now();
    await agent.http.post(`/me/interactions/${id}`, { operationName: "Accept" });
    await agent.session.waitFor((n) => n.data.id === id && n.data.state === "Accepted", `Accepted ${id}`, 5000);
    times.push(performance.now() - t0);
  }
  await t.close();
  await server.close();
  return times;
}

const raw = await rawFloor();
const rt = await acceptRoundTrip();
const ratio = pct(rt, 50) / pct(raw, 50);
console.log(`iterations: ${N} each`);
console.log(`raw CometD deliver → callback   p50 ${fmt(pct(raw, 50))}  p99 ${fmt(pct(raw, 99))}`);
console.log(`Accept → Accepted (reference)   p50 ${fmt(pct(rt, 50))}  p99 ${fmt(pct(rt, 99))}`);
console.log(`ratio p50: ${ratio.toFixed(2)}× the raw floor (target ≤ 1.5×)`);
process.exit(0);
