/**
 * The raw CometD floor the benches compare against: a bare cometd-nodejs-server delivering to the
 * real cometd client over long-polling on loopback (server-side session.deliver → the client's
 * subscription callback), measured with the reference server's test client.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import cometdServerLib from "cometd-nodejs-server";
import type { ServerSession } from "cometd-nodejs-server";
import { BayeuxClient } from "../../src/reference/test-support/client.js";

/** Budget of each awaited message. */
const WAIT_MS = 5_000;

/** `iterations` deliveries (after `warmup` uncounted ones): each deliver → callback time in ms. */
export async function rawCometdFloor(iterations: number, warmup = 20): Promise<number[]> {
  const cometd = cometdServerLib.createCometDServer({ maxSessionsPerBrowser: -1 });
  let session: ServerSession | undefined;
  cometd.policy = {
    canHandshake: (s, _m, cb) => {
      session = s;
      cb(undefined, true);
    },
  };
  const http: Server = createServer((req, res) => cometd.handle(req, res));
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const client = new BayeuxClient(`http://127.0.0.1:${(http.address() as AddressInfo).port}/cometd`, {
    username: "raw",
    password: "raw",
  });
  const c = await client.connect();
  if (!c.ok || !session) throw new Error(`raw floor: ${c.reason}`);
  const times: number[] = [];
  for (let i = -warmup; i < iterations; i++) {
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

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
