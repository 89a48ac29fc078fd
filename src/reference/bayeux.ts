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
import { BodyTooLarge, readBody } from "./http-io.js";

export type { BayeuxHost };

export const INTERACTIONS_CHANNEL = "/me/interactions";

/**
 * cometd-nodejs-server looks a session up through its BAYEUX_BROWSER cookie, then the clientId;
 * GWS (Java CometD) finds it by clientId alone. A client that shares one cookie jar between its
 * sessions (cometd-nodejs-client does, one jar per host) or keeps no cookies at all
 * would find its session "unknown". So every request is given the same browser id: sessions are
 * found by clientId, and maxSessionsPerBrowser -1 lifts the per-browser limit.
 */
const BROWSER_COOKIE = "BAYEUX_BROWSER";
const ONE_BROWSER = `${BROWSER_COOKIE}=reference-server`;
function withOneBrowser(cookie: string | undefined): string {
  const others = (cookie ?? "")
    .split(";")
    .map((c) => c.trim())
    .filter((c) => c && !c.startsWith(`${BROWSER_COOKIE}=`));
  return [...others, ONE_BROWSER].join("; ");
}

/** A Bayeux channel name cometd-nodejs-server accepts: "/" segments, a wildcard only last. */
const CHANNEL_NAME = /^(\/[^/*\s]+)+(\/\*{1,2})?$|^\/\*{1,2}$/;

type BayeuxMessage = Record<string, unknown> & { channel: string };

/** A Bayeux error reply (Bayeux 1.0 §3: `error` is "code::args::message"). */
function errorReply(channel: string, why: string, id?: unknown): Record<string, unknown> {
  const echoId = typeof id === "string" || typeof id === "number" ? { id } : {};
  return { channel, successful: false, error: `400::${why}`, ...echoId };
}

function writeBayeux(res: ServerResponse, status: number, replies: unknown[]): void {
  const text = JSON.stringify(replies);
  res.writeHead(status, {
    "content-type": "application/json;charset=UTF-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Checks a batch before cometd-nodejs-server sees it: that library throws (→ 5xx, or an
 * uncaught exception) on messages the protocol does not allow, so they are refused here with
 * Bayeux error replies (R2: a client mistake never gets a 5xx). Returns why the batch is refused.
 */
export function bayeuxBatchProblem(messages: unknown[]): string | undefined {
  if (messages.length === 0) return "empty batch";
  for (const m of messages) {
    if (!m || typeof m !== "object" || Array.isArray(m)) return "a message is not a JSON object";
    const msg = m as Record<string, unknown>;
    if (typeof msg.channel !== "string" || !CHANNEL_NAME.test(msg.channel)) {
      return `invalid channel ${JSON.stringify(msg.channel)?.slice(0, 80)}`;
    }
    const absentOr = (key: string, ok: (v: unknown) => boolean): boolean => msg[key] === undefined || ok(msg[key]);
    const isObject = (v: unknown): boolean => v !== null && typeof v === "object" && !Array.isArray(v);
    if (!absentOr("clientId", (v) => typeof v === "string")) return "clientId must be a string";
    const idLike = (v: unknown): boolean => typeof v === "string" || typeof v === "number";
    if (!absentOr("id", idLike)) return "id must be a string or a number";
    for (const key of ["advice", "ext"]) if (!absentOr(key, isObject)) return `${key} must be an object`;
    if (!absentOr("connectionType", (v) => typeof v === "string")) return "connectionType must be a string";
    const strings = (v: unknown): boolean => Array.isArray(v) && v.every((t) => typeof t === "string");
    if (!absentOr("supportedConnectionTypes", strings)) return "supportedConnectionTypes must be an array of strings";
    if (msg.subscription !== undefined) {
      const subs = Array.isArray(msg.subscription) ? msg.subscription : [msg.subscription];
      const valid = subs.length > 0 && subs.every((c) => typeof c === "string" && CHANNEL_NAME.test(c));
      if (!valid) return "subscription must be a channel name";
    }
    if (msg.channel === "/meta/handshake" && messages.length > 1) return "a handshake must be alone in its batch";
  }
  return undefined;
}

/** Turns a 5xx the library is about to write into a 400 with Bayeux error replies. */
function refuseLibraryFailures(res: ServerResponse, messages: BayeuxMessage[]): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  (res as unknown as { end: (...args: unknown[]) => ServerResponse }).end = (...args: unknown[]) => {
    if (res.statusCode >= 500 && !res.headersSent) {
      const replies = messages.map((m) => errorReply(m.channel, "the request was refused by the Bayeux server", m.id));
      const text = JSON.stringify(replies);
      res.statusCode = 400;
      res.setHeader("content-type", "application/json;charset=UTF-8");
      res.setHeader("content-length", Buffer.byteLength(text));
      return end(text);
    }
    return end(...args);
  };
}

/**
 * The session-sweep variation (Deployment data and routing: a server MAY have a client handshake
 * again): every `everyMs` the oldest session that is subscribed, holds a long-poll and is at least
 * `minAgeMs` old is forgotten, as a session sweep or a node restart would. Its held /meta/connect
 * is answered, so the client's next one is told "402::session_unknown", advice reconnect
 * "handshake". What the server publishes for the agent from then on is also kept, for `holdMs`:
 * every session of that agent born after the sweep gets, when it subscribes, what was published
 * before it existed (later ones reach it live), so a client that subscribes again loses nothing.
 * An agent is swept again only after its hold ended, so no session gets anything twice.
 */
export interface SessionSweep {
  everyMs: number;
  minAgeMs: number;
  holdMs: number;
}

/** The session-sweep variation's figures: it hits a few times in a run of a few seconds. */
export const REFERENCE_SESSION_SWEEP: SessionSweep = { everyMs: 1_500, minAgeMs: 1_000, holdMs: 5_000 };

/** The private parts of cometd-nodejs-server a sweep uses (its own sweeper does the same). */
type SweepableServer = { _removeServerSession(session: ServerSession, timeout: boolean): unknown };
type SweepableSession = ServerSession & { _scheduler?: { resume(): void } | null };

/** A sweep's hold: what was published for `agent` since `since`, until `until`. */
interface Hold {
  agent: string;
  since: number;
  until: number;
  /** In publication order, numbered like sessions' births (one counter). */
  held: Array<{ seq: number; data: unknown }>;
  /** Sessions that got the held notifications already. */
  given: Set<string>;
}

export function createCometdHost(opts: {
  mount: string;
  authenticate: (req: IncomingMessage, ext: unknown) => string | undefined;
  timeoutMs?: number;
  /** Switch on the session-sweep variation. */
  sweep?: SessionSweep;
}): BayeuxHost {
  // The harness opens several sessions per agent from one process; with the default limit of one
  // session per browser cookie, the second would get "multiple-clients" advice and ~2 s latency.
  const server = cometdServerLib.createCometDServer({ maxSessionsPerBrowser: -1, timeout: opts.timeoutMs ?? 20_000 });
  const agentOf = new Map<string, string>();
  const sessions = new Map<string, ServerSession>();
  const bornAt = new Map<string, number>();
  const bornSeq = new Map<string, number>();
  let seq = 0;
  const subscribed = new Set<string>();
  let holds: Hold[] = [];

  server.policy = {
    canHandshake(session, message, callback) {
      // cometd-nodejs-server exposes the handshake's HTTP request (headers, cookies) as
      // server.context.request, synchronously inside this hook only.
      const req = server.context?.request as IncomingMessage | undefined;
      const agent = req ? opts.authenticate(req, message.ext) : undefined;
      if (!agent) return callback(undefined, false);
      agentOf.set(session.id, agent);
      sessions.set(session.id, session);
      bornAt.set(session.id, Date.now());
      bornSeq.set(session.id, ++seq);
      session.addListener("removed", () => {
        agentOf.delete(session.id);
        sessions.delete(session.id);
        bornAt.delete(session.id);
        bornSeq.delete(session.id);
        subscribed.delete(session.id);
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

  // ----- the session-sweep variation
  const liveHolds = (): Hold[] => {
    const now = Date.now();
    holds = holds.filter((h) => h.until > now);
    return holds;
  };
  server.addListener("subscribed", (channel: { name: string }, session: ServerSession) => {
    if (channel.name !== INTERACTIONS_CHANNEL) return;
    subscribed.add(session.id);
    const agent = agentOf.get(session.id);
    const born = bornAt.get(session.id) ?? 0;
    for (const h of liveHolds()) {
      if (h.agent !== agent || born < h.since || h.given.has(session.id)) continue;
      h.given.add(session.id);
      // What was published before this session existed (later ones were delivered to it), after
      // the subscription is answered.
      const birth = bornSeq.get(session.id) ?? 0;
      const held = h.held.filter((x) => x.seq < birth).map((x) => x.data);
      setImmediate(() => {
        for (const data of held) session.deliver(null, INTERACTIONS_CHANNEL, data);
      });
    }
  });
  const sweepOne = (): void => {
    const sweep = opts.sweep;
    if (!sweep) return;
    const now = Date.now();
    let oldest: SweepableSession | undefined;
    // One hold per agent at a time: a session that subscribes later was then never swept while it
    // was given live what an earlier hold of the same agent kept (it would get it twice).
    const holding = new Set(liveHolds().map((h) => h.agent));
    for (const [id, s] of sessions) {
      if (holding.has(agentOf.get(id) ?? "")) continue;
      const born = bornAt.get(id) ?? now;
      const holdsPoll = Boolean((s as SweepableSession)._scheduler);
      if (!subscribed.has(id) || !holdsPoll || now - born < sweep.minAgeMs) continue;
      if (!oldest || born < (bornAt.get(oldest.id) ?? now)) oldest = s as SweepableSession;
    }
    const agent = oldest && agentOf.get(oldest.id);
    if (!oldest || !agent) return;
    holds.push({ agent, since: now, until: now + sweep.holdMs, held: [], given: new Set() });
    const poll = oldest._scheduler;
    (server as unknown as SweepableServer)._removeServerSession(oldest, true);
    poll?.resume(); // the held /meta/connect is answered; the next one finds the session unknown
  };
  const sweeper = opts.sweep ? setInterval(sweepOne, opts.sweep.everyMs) : undefined;
  sweeper?.unref();

  const path = opts.mount.replace(/\/$/, "");
  return {
    handles: (req) => {
      const p = (req.url ?? "").split("?")[0];
      return p === path || p.startsWith(`${path}/`);
    },
    handle: async (req: IncomingMessage, res: ServerResponse) => {
      req.headers.cookie = withOneBrowser(req.headers.cookie);
      // The body is read here, bounded (1 MiB → 413), and checked before the library sees it.
      const refuseAll = (status: number, why: string): void =>
        writeBayeux(res, status, [errorReply("/meta/unknown", why)]);
      if (req.method !== "POST") return refuseAll(400, `use POST, not ${req.method}`);
      let text: string;
      try {
        text = await readBody(req);
      } catch (e) {
        if (e instanceof BodyTooLarge) return refuseAll(413, "the request body is over 1 MiB");
        return refuseAll(400, "the request body could not be read");
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return refuseAll(400, "the body is not JSON");
      }
      const messages = Array.isArray(parsed) ? parsed : [parsed];
      const problem = bayeuxBatchProblem(messages);
      if (problem) {
        const replies = messages.map((m) => {
          const msg = (m && typeof m === "object" ? m : {}) as Partial<BayeuxMessage>;
          const channel = typeof msg.channel === "string" ? msg.channel.slice(0, 200) : "/meta/unknown";
          return errorReply(channel, problem, msg.id);
        });
        return replies.length ? writeBayeux(res, 400, replies) : refuseAll(400, problem);
      }
      // Last line of defence: a batch that still makes the library fail (it answers 500 with an
      // empty body, e.g. for a second concurrent /meta/connect of one session) is a client mistake.
      refuseLibraryFailures(res, messages as BayeuxMessage[]);
      (req as IncomingMessage & { body?: unknown }).body = messages;
      try {
        server.handle(req, res);
      } catch (e) {
        const why = `refused: ${String(e)}`.slice(0, 200);
        const replies = (messages as BayeuxMessage[]).map((m) => errorReply(m.channel, why, m.id));
        if (!res.headersSent) writeBayeux(res, 400, replies);
      }
    },
    deliver(agent, channel, data) {
      for (const h of liveHolds()) {
        if (h.agent === agent) h.held.push({ seq: ++seq, data });
      }
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
      if (sweeper) clearInterval(sweeper);
      holds = [];
      for (const s of sessions.values()) s.disconnect();
      sessions.clear();
      agentOf.clear();
      server.close(); // stops the session sweeper, whose timer would keep Node running
    },
  };
}
