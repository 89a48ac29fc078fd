/**
 * The embedded reference server: the contract (interpretation.md), runnable. One port serves
 *   {root} = /api/v2               REST, HTTP Basic + JSESSIONID session cookie (T1–T4, T7)
 *   /api/v2/notifications          Bayeux long-polling, per-agent /me/interactions (T5, T6)
 *   /control/inbound-emails        test control: queue an inbound e-mail ("Test control", http adapter)
 * Domain behaviour lives in world.ts; faults (faults/) are a separate layer switched on by name.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createCometdHost, INTERACTIONS_CHANNEL, REFERENCE_SESSION_SWEEP, type BayeuxHost } from "./bayeux.js";
import { faultHooks, type FaultHooks } from "./faults/index.js";
import { BodyTooLarge, clientErrorResponse, errorAnswer, jsonTooDeep, MAX_JSON_DEPTH } from "./http-io.js";
import { parseBasic, parseCookies, readBody, writeJson, type JsonAnswer } from "./http-io.js";
import { VARIATIONS, variationSwitches, type VariationSwitches } from "./variations.js";
import { answerWithVendorFields, withVendorFields } from "./vendor-fields.js";
import { World, type AgentAccount, type Delivery, type OpenInteraction, type Outcome } from "./world.js";

export interface ReferenceServerOptions {
  /** 0 (default): an ephemeral port. */
  port?: number;
  host?: string;
  agents?: AgentAccount[];
  /** Revoke unanswered invitations after this long (N5). The per-e-mail revokeAfterMs hint wins. */
  inviteTimeoutMs?: number;
  /** A fault of the catalog (faults/catalog.ts) to switch on. */
  fault?: string;
  /** The suite's notification budget: the late-notification fault exceeds it, the late-effect faults act within it. */
  notifyBudgetMs?: number;
  /** Instead of `agents`: this many agents, agent1/secret1 … agentN/secretN (load runs). */
  agentCount?: number;
  /** Allowed variations to switch on (variations.ts): names, or "all". Each one conforming. */
  variations?: readonly string[] | "all";
  /** Serve HTTPS with this certificate and key (PEM): every URL becomes https://. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Which Bayeux implementation serves /notifications: cometd-nodejs-server (default) or faye. */
  bayeux?: "cometd" | "faye";
  /** Log unexpected errors (never client mistakes) here; default console.error. */
  log?: (line: string) => void;
}

export interface ReferenceServer {
  baseUrl: string;
  cometdUrl: string;
  controlUrl: string;
  agents: AgentAccount[];
  fault?: string;
  /** The variations switched on, by name. */
  variations: string[];
  /** How many interactions it offers one agent at once, when it caps that (its declared capacity). */
  capacity?: number;
  port: number;
  /**
   * What agents hold now (Invited, Accepted, ReplyCreated): after a run, what the suite left open
   * — a client that fills a capped agent starves its own later offers (Deployment data, capacity).
   */
  openInteractions(): OpenInteraction[];
  close(): Promise<void>;
}

/**
 * How late the late-effect faults act: 1.5 s, or 3/4 of the declared notification budget when
 * that is shorter — after the suite's short quiet window, within the watch it keeps (N8).
 */
export function lateEffectDelayMs(notifyBudgetMs: number): number {
  return Math.min(1500, Math.round(notifyBudgetMs * 0.75));
}

export const DEFAULT_AGENTS: AgentAccount[] = [
  { username: "agent1", password: "secret1" },
  { username: "agent2", password: "secret2" },
  { username: "agent3", password: "secret3" },
];

/** Agents must have distinct, non-empty usernames without ":" (HTTP Basic splits on the first one) and a password. */
function checkAgents(agents: AgentAccount[]): AgentAccount[] {
  if (agents.length === 0) throw new Error("startReferenceServer: at least one agent is needed");
  const seen = new Set<string>();
  for (const a of agents) {
    if (!a.username || a.username.includes(":"))
      throw new Error(
        `startReferenceServer: agent username ${JSON.stringify(a.username)} must be non-empty and without ":"`,
      );
    if (!a.password) throw new Error(`startReferenceServer: agent ${a.username} has no password`);
    if (seen.has(a.username)) throw new Error(`startReferenceServer: agent ${a.username} is listed twice`);
    seen.add(a.username);
  }
  return agents;
}

/** agent1/secret1 … agentN/secretN: the embedded server's agents for a load run of N agents. */
export function numberedAgents(count: number): AgentAccount[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`startReferenceServer: agentCount must be a positive whole number, got ${count}`);
  }
  return Array.from({ length: count }, (_, i) => ({ username: `agent${i + 1}`, password: `secret${i + 1}` }));
}

const API_ROOT = "/api/v2";
const SESSION_COOKIE = "JSESSIONID";

/** How many events happened within the last `windowMs` (the leak-under-load fault's trigger). */
function slidingCount(windowMs: number): { add(): void; count(): number } {
  const times: number[] = [];
  const prune = (now: number): void => {
    while (times.length && times[0] <= now - windowMs) times.shift();
  };
  return {
    add: () => {
      const now = Date.now();
      prune(now);
      times.push(now);
    },
    count: () => {
      prune(Date.now());
      return times.length;
    },
  };
}

export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const faults: FaultHooks = faultHooks(options.fault); // throws for an unknown fault, naming the valid ones
  const variations: VariationSwitches = variationSwitches(options.variations); // the same for an unknown variation
  const variationNames = options.variations === "all" ? VARIATIONS.map((v) => v.name) : [...(options.variations ?? [])];
  const given = options.agents ?? (options.agentCount ? numberedAgents(options.agentCount) : undefined);
  const agents = checkAgents(given ?? DEFAULT_AGENTS);
  const budgetMs = options.notifyBudgetMs ?? 5000;
  const log = options.log ?? ((line: string) => console.error(line));
  const sessions = new Map<string, string>(); // JSESSIONID → agent
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  const recentOffers = slidingCount(1_000);
  // ----- notifications: after the answer, through the fault layer, to the agent's sessions only (T6)
  let bayeux: BayeuxHost;
  const send = (d: Delivery): void => {
    if (closing) return;
    if (d.delayMs) {
      // The inbound-delay variation: an offer that depends on routing arrives later; the delay is the behaviour.
      const t = setTimeout(() => {
        timers.delete(t);
        send({ ...d, delayMs: undefined });
      }, d.delayMs);
      timers.add(t);
      return;
    }
    // N1 (vendor-fields variation): the vendor's own fields, before any fault changes the message.
    const data = variations.vendorFields ? withVendorFields(d.data) : d.data;
    const out = faults.notification ? faults.notification(data, d.ctx) : [data];
    for (const data of out) {
      const deliver = (): void => {
        if (closing) return;
        if (faults.broadcast) for (const a of world.agentNames()) bayeux.deliver(a, INTERACTIONS_CHANNEL, data);
        else bayeux.deliver(d.agent, INTERACTIONS_CHANNEL, data);
        if (faults.leakUnderLoad?.(data, recentOffers.count())) {
          const names = world.agentNames();
          const other = names[(names.indexOf(d.agent) + 1) % names.length];
          if (other !== d.agent) bayeux.deliver(other, INTERACTIONS_CHANNEL, data);
        }
      };
      if (data.state === "Invited") recentOffers.add();
      const delay = faults.notificationDelayMs?.(data, budgetMs) ?? 0;
      if (delay > 0) {
        // The late-notification fault: the delay is the behaviour.
        const t = setTimeout(() => {
          timers.delete(t);
          deliver();
        }, delay);
        timers.add(t);
      } else deliver();
    }
  };
  const lateEffectMs = lateEffectDelayMs(budgetMs);
  const inviteTimeoutMs = options.inviteTimeoutMs;
  const world = new World({ agents, inviteTimeoutMs, faults, variations, lateEffectMs, notify: send });

  // ----- authentication (T4, T5)
  /** The agent a request authenticates as: Basic credentials, else the session cookie. */
  const authenticate = (req: IncomingMessage): string | undefined => {
    const basic = parseBasic(req.headers.authorization);
    if (basic) {
      if (world.checkCredentials(basic.username, basic.password)) return basic.username;
      if (faults.acceptAnyCredentials && world.hasAgent(basic.username)) return basic.username;
      return faults.acceptAnyCredentials ? agents[0].username : undefined;
    }
    const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (cookie && sessions.has(cookie)) return sessions.get(cookie);
    return faults.acceptAnyCredentials ? agents[0].username : undefined;
  };
  const mount = `${API_ROOT}/notifications`;
  const handshakeAuth = (req: IncomingMessage): string | undefined =>
    authenticate(req) ?? (faults.acceptAnyHandshake ? agents[0].username : undefined);
  // faye (a development dependency, for the peer checks) is loaded only when asked for.
  bayeux =
    options.bayeux === "faye"
      ? (await import("../peers/faye-host.js")).createFayeHost({ mount, authenticate: handshakeAuth })
      : createCometdHost({
          mount,
          authenticate: handshakeAuth,
          // The session-sweep variation (the faye peer has no sweep: it serves the peer checks only).
          sweep: variations.sessionSweep ? REFERENCE_SESSION_SWEEP : undefined,
        });

  // ----- HTTP
  const answerWith = (res: ServerResponse, outcome: Outcome, operation?: string): void => {
    let answer = operation && faults.answer ? faults.answer(operation, outcome.answer) : outcome.answer;
    // R2 MAY (failures-http-200 variation): a failure of an operation or the channel is HTTP 200 with
    // the error envelope; an authentication refusal stays 401 (T4).
    const failure = answer.status >= 400 && answer.status < 500 && answer.status !== 401;
    if (operation && variations.failuresAs200 && failure) answer = { ...answer, status: 200 };
    // N1/R1 (vendor-fields variation): every answer body of the API carries the vendor's request id.
    if (operation && variations.vendorFields) answer = { ...answer, body: answerWithVendorFields(answer.body) };
    const first = variations.notifyFirst;
    if (first) {
      // Deployment data (notify-first variation): the notifications are published first, the answer
      // comes a while later; the delay is the behaviour.
      outcome.deliveries.forEach(send);
      const t = setTimeout(
        () => {
          timers.delete(t);
          if (!closing) writeJson(res, answer);
        },
        first.minMs + Math.random() * (first.maxMs - first.minMs),
      );
      timers.add(t);
      return;
    }
    // The HTTP answer says the request was taken; its notifications follow once it is written.
    writeJson(res, answer, () => outcome.deliveries.forEach(send));
  };
  const refuse = (res: ServerResponse, a: JsonAnswer, operation?: string): void =>
    answerWith(res, { answer: a, deliveries: [] }, operation);

  const readJson = async (
    req: IncomingMessage,
    res: ServerResponse,
    operation?: string,
  ): Promise<{ body: unknown } | undefined> => {
    let text: string;
    try {
      text = await readBody(req);
    } catch (e) {
      if (e instanceof BodyTooLarge) refuse(res, errorAnswer(413, "the request body is over 1 MiB"), operation);
      else refuse(res, errorAnswer(400, `the request body could not be read: ${(e as Error).message}`), operation);
      return undefined;
    }
    if (jsonTooDeep(text)) {
      refuse(res, errorAnswer(400, `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), operation);
      return undefined;
    }
    try {
      return { body: JSON.parse(text) };
    } catch (e) {
      refuse(res, errorAnswer(faults.malformedJsonStatus ?? 400, `malformed JSON: ${(e as Error).message}`), operation);
      return undefined;
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (bayeux.handles(req)) return bayeux.handle(req, res);
    const path = (req.url ?? "/").split("?")[0];

    if (path === "/control/inbound-emails") {
      if (req.method !== "POST") return refuse(res, errorAnswer(405, "use POST", { allow: "POST" }));
      const parsed = await readJson(req, res);
      if (parsed) answerWith(res, world.inject(parsed.body));
      return;
    }

    const channel = /^\/api\/v2\/me\/channels\/([^/]+)$/.exec(path);
    const interaction = /^\/api\/v2\/me\/interactions?\/([^/]+)$/.exec(path); // singular: the page's typo, accepted (T2 MAY)
    const collection = /^\/api\/v2\/me\/interactions\/?$/.test(path);
    if (!channel && !interaction && !collection) return refuse(res, errorAnswer(404, `no such resource: ${path}`));
    if (req.method !== "POST")
      return refuse(res, errorAnswer(405, `${req.method} is not allowed on ${path}; use POST`, { allow: "POST" }));

    const agent = authenticate(req);
    if (!agent) {
      req.resume();
      return refuse(
        res,
        errorAnswer(401, "authentication required: HTTP Basic credentials of an agent (T4)", {
          "www-authenticate": 'Basic realm="GWS"',
        }),
      );
    }
    // Session cookie (T4 MAY): set on the first authenticated call, returned by clients after.
    const cookies = parseCookies(req.headers.cookie);
    if (!cookies[SESSION_COOKIE] || sessions.get(cookies[SESSION_COOKIE]) !== agent) {
      const sid = randomBytes(12).toString("hex");
      sessions.set(sid, agent);
      res.setHeader("set-cookie", `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly`);
    }

    if (channel) {
      if (channel[1] !== "email")
        return refuse(res, errorAnswer(404, `unknown channel ${channel[1]}; this server has the email channel`));
      const parsed = await readJson(req, res, "channel");
      if (parsed) answerWith(res, world.setChannel(agent, parsed.body), "channel");
      return;
    }
    let id: string | null = null;
    if (interaction) {
      try {
        id = decodeURIComponent(interaction[1]);
      } catch {
        req.resume();
        return refuse(
          res,
          errorAnswer(400, `the interaction id in ${path} is not valid percent-encoding`),
          "operation",
        );
      }
    }
    const parsed = await readJson(req, res, "operation");
    if (!parsed) return;
    const operation = String((parsed.body as { operationName?: unknown })?.operationName ?? "");
    answerWith(res, world.operate(agent, id, parsed.body), operation);
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((e: Error) => {
      // Never for a client mistake: those are answered above. Logged, and the server goes on.
      log(`reference server: unexpected error on ${req.method} ${req.url}: ${e.stack ?? e.message}`);
      if (!res.headersSent) writeJson(res, errorAnswer(500, "internal error"));
      else res.destroy();
    });
  };
  const tls = options.tls;
  const server: Server = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, handler) : createServer(handler);
  server.keepAliveTimeout = 5_000;
  // A request Node cannot parse (overlong URL or headers, bad syntax) still gets an R1 answer.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (err.code === "ECONNRESET" || !socket.writable) return socket.destroy();
    socket.end(clientErrorResponse(err));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? "127.0.0.1";
  // A wildcard address is reachable on loopback; an IPv6 literal needs brackets in a URL.
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const origin = `${options.tls ? "https" : "http"}://${urlHost}:${port}`;

  return {
    baseUrl: `${origin}${API_ROOT}`,
    cometdUrl: `${origin}${mount}`,
    controlUrl: `${origin}/control`,
    agents: agents.map((a) => ({ ...a })),
    fault: options.fault,
    variations: variationNames,
    ...(world.capacity !== undefined ? { capacity: world.capacity } : {}),
    port,
    openInteractions: () => world.openInteractions(),
    async close() {
      if (closing) return;
      closing = true;
      world.close();
      for (const t of timers) clearTimeout(t);
      await bayeux.close(); // disconnect sessions, stop the sweeper
      server.closeAllConnections(); // held long-polls: server.close() alone waits for them to end
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
