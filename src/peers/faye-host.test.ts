/**
 * The faye peer on its own, with our real CometD client: authenticated handshake, confirmed
 * subscription, per-agent delivery, refused anonymous handshake.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CometdSession } from "../harness/cometd-session.js";
import { createFayeHost, type BayeuxHost } from "./faye-host.js";

const USERS: Record<string, string> = { agent1: "pw1", agent2: "pw2" };
let server: Server;
let host: BayeuxHost;
let url: string;

beforeAll(async () => {
  host = createFayeHost({
    mount: "/api/v2/notifications",
    authenticate: (req) => {
      const m = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
      if (!m) return undefined;
      const [u, p] = Buffer.from(m[1], "base64").toString().split(":");
      return USERS[u] === p ? u : undefined;
    },
  });
  server = createServer((req, res) => (host.handles(req) ? host.handle(req, res) : res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/api/v2/notifications`;
});

afterAll(async () => {
  await host.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe("faye Bayeux peer", () => {
  it("delivers to the sessions of one agent only, after a confirmed subscription", async () => {
    const a1 = new CometdSession(url, "agent1", { username: "agent1", password: "pw1" });
    const a2 = new CometdSession(url, "agent2", { username: "agent2", password: "pw2" });
    try {
      expect(await a1.connect(5000)).toEqual({ ok: true });
      expect(await a2.connect(5000)).toEqual({ ok: true });
      expect(host.deliver("agent1", "/me/interactions", { id: "x1", state: "Invited" })).toBe(1);
      const got = await a1.waitFor((n) => n.data.id === "x1", "x1 on agent1", 5000);
      expect(got.data).toEqual({ id: "x1", state: "Invited" });
      host.deliver("agent2", "/me/interactions", { id: "x2", state: "Invited" });
      await a2.waitFor((n) => n.data.id === "x2", "x2 on agent2", 5000);
      expect(a2.items().map((n) => n.data.id)).toEqual(["x2"]);
      expect(a1.items().map((n) => n.data.id)).toEqual(["x1"]);
    } finally {
      await a1.close();
      await a2.close();
    }
  });

  it("refuses a handshake without valid credentials", async () => {
    const anon = new CometdSession(url, "anon", undefined);
    const wrong = new CometdSession(url, "agent1", { username: "agent1", password: "nope" });
    try {
      expect((await anon.handshake(5000)).ok).toBe(false);
      expect((await wrong.handshake(5000)).ok).toBe(false);
    } finally {
      await anon.close();
      await wrong.close();
    }
  });
});
