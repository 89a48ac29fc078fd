/**
 * An independently written Bayeux server (faye) hosting the GWS per-agent channel
 * /me/interactions: the second peer the transport scenarios run against, so a pass cannot come
 * from our CometD client and our CometD server sharing one library's quirks (issue: "prove the
 * suite bites", independent Bayeux peers).
 *
 * Per-agent delivery (T6): faye fans a publication out to every subscriber, so notifications are
 * not published; they are handed to the engine for each client id of the agent, the way
 * cometd-nodejs-server's session.deliver() does. Authentication (T5): the handshake's HTTP
 * request must carry a Basic header (or session cookie) that `authenticate` accepts.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import faye from "faye";

export interface BayeuxHost {
  /** Whether this HTTP request is for the Bayeux endpoint. */
  handles(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  /** Sends `data` on `channel` to every session of `agent` only. */
  deliver(agent: string, channel: string, data: unknown): number;
  sessionCount(agent?: string): number;
  close(): Promise<void>;
}

type FayeMessage = {
  channel: string;
  clientId?: string;
  id?: string;
  error?: string;
  successful?: boolean;
  subscription?: string | string[];
  ext?: unknown;
};
type Callback = (m: FayeMessage) => void;

interface FayeAdapter {
  addExtension(ext: {
    incoming?: (m: FayeMessage, req: unknown, cb: Callback) => void;
    outgoing?: (m: FayeMessage, req: unknown, cb: Callback) => void;
  }): void;
  handle(req: IncomingMessage, res: ServerResponse): void;
  attach(server: Server): void;
  on(event: string, listener: (clientId: string) => void): void;
  close(): void;
  _server: {
    _engine: {
      flushConnection(clientId: string): void;
      _engine: { _messages: Map<string, unknown[]>; emptyQueue(clientId: string): void };
    };
  };
}

const AGENT = Symbol("gws-agent");

export function createFayeHost(opts: {
  mount: string;
  authenticate: (req: IncomingMessage, ext: unknown) => string | undefined;
  timeoutSec?: number;
}): BayeuxHost {
  const adapter = new (faye as unknown as { NodeAdapter: new (o: object) => FayeAdapter }).NodeAdapter({
    mount: opts.mount,
    timeout: opts.timeoutSec ?? 20,
  });
  const agentOf = new Map<string, string>();

  adapter.addExtension({
    incoming(message, request, callback) {
      const req = request as (IncomingMessage & { [AGENT]?: string }) | null;
      if (message.channel === "/meta/handshake") {
        const agent = req ? opts.authenticate(req, message.ext) : undefined;
        if (!agent) message.error = "403::authentication failed";
        else if (req) req[AGENT] = agent;
      } else if (message.channel === "/meta/subscribe") {
        const subs = ([] as string[]).concat(message.subscription ?? []);
        if (!message.clientId || !agentOf.has(message.clientId)) message.error = "403::unknown client";
        else if (subs.some((s) => s !== "/me/interactions"))
          message.error = "403::only /me/interactions may be subscribed";
      } else if (message.channel === "/meta/disconnect" && message.clientId) {
        agentOf.delete(message.clientId);
      } else if (!message.channel.startsWith("/meta/")) {
        // Clients do not publish in GWS: notifications come from the server only.
        message.error = "403::publishing is not allowed";
      }
      callback(message);
    },
    outgoing(message, request, callback) {
      const req = request as (IncomingMessage & { [AGENT]?: string }) | null;
      if (message.channel === "/meta/handshake" && message.successful && message.clientId && req?.[AGENT])
        agentOf.set(message.clientId, req[AGENT]);
      callback(message);
    },
  });
  adapter.on("disconnect", (clientId) => agentOf.delete(clientId));

  const path = opts.mount.replace(/\/$/, "");
  return {
    handles: (req) => {
      const p = (req.url ?? "").split("?")[0];
      return p === path || p.startsWith(`${path}/`);
    },
    handle: (req, res) => adapter.handle(req, res),
    deliver(agent, channel, data) {
      // Queue for each of the agent's clients in faye's memory engine, as its publish() would for
      // a subscriber, then flush: held until the client's next /meta/connect if none is pending.
      const memory = adapter._server._engine._engine;
      let n = 0;
      for (const [clientId, a] of agentOf) {
        if (a !== agent) continue;
        const queue = memory._messages.get(clientId) ?? [];
        queue.push({ channel, data });
        memory._messages.set(clientId, queue);
        memory.emptyQueue(clientId);
        n++;
      }
      return n;
    },
    sessionCount: (agent) => [...agentOf.values()].filter((a) => agent === undefined || a === agent).length,
    async close() {
      for (const clientId of agentOf.keys()) adapter._server._engine.flushConnection(clientId);
      agentOf.clear();
      adapter.close();
    },
  };
}
