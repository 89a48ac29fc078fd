/**
 * The reference server's Bayeux endpoint on cometd-nodejs-server (T5): long-polling, the
 * handshake authenticated with the agent's Basic credentials or REST session cookie, and
 * per-agent delivery on /me/interactions (T6) with session.deliver() — never a broadcast.
 * The same BayeuxHost surface is offered by the independent faye peer (src/peers/faye-host.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import cometdServerLib from "cometd-nodejs-server";
import type { ServerSession } from "cometd-nodejs-server";
import type { BayeuxHost } from "../peers/faye-host.js";

export type { BayeuxHost };

export const INTERACTIONS_CHANNEL = "/me/interactions";

/**
 * cometd-nodejs-server looks a session up through its BAYEUX_BROWSER cookie, then the clientId;
 * GWS (Java CometD) finds it by clientId alone. A client that shares one cookie jar between its
 * sessions (cometd-nodejs-client does, per host: toolchain trap 2) or keeps no cookies at all
 * would find its session "unknown". So every request is given the same browser id: sessions are
 * found by clientId, and maxSessionsPerBrowser -1 lifts the per-browser limit.
 */
const BROWSER_COOKIE = "BAYEUX_BROWSER";
const ONE_BROWSER = `${BROWSER_COOKIE}=reference-server`;
function withOneBrowser(cookie: string | undefined): string {
  const others = (cookie ?? "").split(";").map((c) => c.trim()).filter((c) => c && !c.startsWith(`${BROWSER_COOKIE}=`));
  return [...others, ONE_BROWSER].join("; ");
}

export function createCometdHost(opts: { mount: string; authenticate: (req: IncomingMessage, ext: unknown) => string | undefined; timeoutMs?: number }): BayeuxHost {
  // Toolchain trap 2: the test harness opens several sessions per agent from one process.
  const server = cometdServerLib.createCometDServer({ maxSessionsPerBrowser: -1, timeout: opts.timeoutMs ?? 20_000 } as never);
  const agentOf = new Map<string, string>();
  const sessions = new Map<string, ServerSession>();

  server.policy = {
    canHandshake(session, message, callback) {
      // The HTTP request of this handshake is available synchronously (toolchain trap 5).
      const req = server.context?.request as IncomingMessage | undefined;
      const agent = req ? opts.authenticate(req, message.ext) : undefined;
      if (!agent) return callback(undefined, false);
      agentOf.set(session.id, agent);
      sessions.set(session.id, session);
      session.addListener("removed", () => {
        agentOf.delete(session.id);
        sessions.delete(session.id);
      });
      callback(undefined, true);
    },
    canSubscribe(session, _message, channel, callback) {
      callback(undefined, agentOf.has(session.id) && channel.name === INTERACTIONS_CHANNEL);
    },
    canPublish(_session, _message, _channel, callback) {
      callback(undefined, false); // notifications come from the server only
    },
    canCreate(session, _message, channelName, callback) {
      callback(undefined, agentOf.has(session.id) && channelName === INTERACTIONS_CHANNEL);
    },
  };

  const path = opts.mount.replace(/\/$/, "");
  return {
    handles: (req) => {
      const p = (req.url ?? "").split("?")[0];
      return p === path || p.startsWith(`${path}/`);
    },
    handle: (req: IncomingMessage, res: ServerResponse) => {
      req.headers.cookie = withOneBrowser(req.headers.cookie);
      server.handle(req, res);
    },
    deliver(agent, channel, data) {
      let n = 0;
      for (const [id, a] of agentOf) {
        if (a !== agent) continue;
        sessions.get(id)?.deliver(null, channel, data);
        n++;
      }
      return n;
    },
    sessionCount: (agent) => [...agentOf.values()].filter((a) => agent === undefined || a === agent).length,
    async close() {
      for (const s of sessions.values()) s.disconnect();
      sessions.clear();
      agentOf.clear();
      server.close(); // stops the sweeper timer (toolchain trap 3)
    },
  };
}
