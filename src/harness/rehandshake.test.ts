/**
 * The suite's CometD session survives a server that has it handshake again (Deployment data and
 * routing: re-handshake), with the real cometd client against the reference server's real Bayeux
 * endpoint (cometd-nodejs-server) sweeping sessions: it handshakes and subscribes again by itself,
 * records the gap, and a notification missed across the gap is the ERROR naming it. "Nothing more
 * came" is read after a barrier notification (delivery order is kept), never after a sleep.
 */
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createCometdHost, INTERACTIONS_CHANNEL, type BayeuxHost, type SessionSweep } from "../reference/bayeux.js";
import { BUDGETS, waitForItem } from "./budgets.js";
import { PreconditionError } from "./checks.js";
import { CometdSession } from "./cometd-session.js";
import { missedAcrossGap } from "./gaps.js";

const AGENT = { username: "agent1", password: "pw1" };
let running: { server: Server; host: BayeuxHost; sessions: CometdSession[] } | undefined;

/** A Bayeux endpoint that sweeps every session of agent1 once it is `minAgeMs` old. */
async function sweepingHost(sweep: SessionSweep): Promise<{ host: BayeuxHost; url: string }> {
  const host = createCometdHost({ mount: "/n", authenticate: () => AGENT.username, sweep });
  const server = createServer((req, res) =>
    host.handles(req) ? void host.handle(req, res) : res.writeHead(404).end(),
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  running = { server, host, sessions: [] };
  return { host, url: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/n` };
}

afterEach(async () => {
  if (!running) return;
  await Promise.all(running.sessions.map((s) => s.close()));
  await running.host.close();
  running.server.closeAllConnections();
  await new Promise<void>((r) => running?.server.close(() => r()));
  running = undefined;
});

/** Connects a session; calls `inGap` once, from the listener of the first failed /meta/connect (the client knows the session is gone and has not handshaken again yet). */
async function connectedSession(url: string, inGap: () => void): Promise<CometdSession> {
  const session = new CometdSession(url, AGENT.username, AGENT);
  running?.sessions.push(session);
  let called = false;
  session.meta.onItem((e) => {
    if (called || e.channel !== "/meta/connect" || e.successful) return;
    called = true;
    inGap();
  });
  const c = await session.connect();
  expect(c).toEqual({ ok: true });
  return session;
}

/** The budget for a sweep to hit and the client to subscribe again: the sweep's own figures plus a connect. */
const sweptWithin = (sweep: SessionSweep): number => sweep.minAgeMs + 2 * sweep.everyMs + BUDGETS.cometdConnectMs;

const count = (s: CometdSession, id: string): number => s.items().filter((n) => n.data.id === id).length;

describe("a CometD session the server has handshake again", () => {
  it("handshakes and subscribes again by itself; what the server held for the agent arrives once; the gap is recorded", async () => {
    const sweep = { everyMs: 300, minAgeMs: 200, holdMs: 5_000 };
    const { host, url } = await sweepingHost(sweep);
    const session = await connectedSession(url, () =>
      host.deliver(AGENT.username, INTERACTIONS_CHANNEL, { state: "Invited", id: "in-the-gap" }),
    );
    const again = await waitForItem(session.subscriptions, (e) => e.ok && e.handshake >= 2, {
      what: "a confirmed subscription after a re-handshake",
      budgetName: "sweep",
      budgetMs: sweptWithin(sweep),
    });
    expect(again.handshake).toBeGreaterThanOrEqual(2);
    await session.waitFor((n) => n.data.id === "in-the-gap", "the notification held across the gap", 5_000);
    host.deliver(AGENT.username, INTERACTIONS_CHANNEL, { state: "Accepted", id: "barrier" });
    await session.waitFor((n) => n.data.id === "barrier", "the barrier", 5_000);
    expect(count(session, "in-the-gap")).toBe(1);
    expect(count(session, "barrier")).toBe(1);
    const [gap] = session.gaps();
    expect(gap.reason).toMatch(/402::session_unknown.*advice reconnect handshake/);
    expect(gap.to).toBeGreaterThanOrEqual(gap.noticedAt);
    expect(gap.noticedAt).toBeGreaterThanOrEqual(gap.from);
    expect(session.isConnected).toBe(true);
  });

  it("a notification the server did not hold is lost in the gap, and missing it is the ERROR naming the gap, not a verdict", async () => {
    const sweep = { everyMs: 300, minAgeMs: 200, holdMs: 0 }; // holds nothing: a conforming server MAY lose it
    const { host, url } = await sweepingHost(sweep);
    const before = Date.now();
    const session = await connectedSession(url, () =>
      host.deliver(AGENT.username, INTERACTIONS_CHANNEL, { state: "Invited", id: "lost" }),
    );
    expect(missedAcrossGap([{ name: AGENT.username, session }], before, "Invited lost")).toBeUndefined();
    await waitForItem(session.subscriptions, (e) => e.ok && e.handshake >= 2, {
      what: "a confirmed subscription after a re-handshake",
      budgetName: "sweep",
      budgetMs: sweptWithin(sweep),
    });
    host.deliver(AGENT.username, INTERACTIONS_CHANNEL, { state: "Accepted", id: "barrier" });
    await session.waitFor((n) => n.data.id === "barrier", "the barrier", 5_000);
    expect(count(session, "lost")).toBe(0);
    const error = missedAcrossGap([{ name: AGENT.username, session }], before, "Invited lost");
    expect(error).toBeInstanceOf(PreconditionError);
    expect(error?.message).toMatch(
      /Invited lost on agent1: missed across a re-handshake gap from \d\d:\d\d:\d\d\.\d{3} to \d\d:\d\d:\d\d\.\d{3} \(\/meta\/connect failed: 402::session_unknown/,
    );
    // A wait that began after the gap closed is judged as usual.
    expect(missedAcrossGap([{ name: AGENT.username, session }], Date.now() + 1, "later")).toBeUndefined();
  });
});
