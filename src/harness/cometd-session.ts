/**
 * One agent's Bayeux (CometD) session on the real `cometd` client (T5): long-polling,
 * the agent's Basic credentials and REST session cookie on every CometD request, a
 * subscription to /me/interactions confirmed by /meta/subscribe before anything is
 * triggered, and a log of every message received (with arrival time) to wait on.
 */
import { CometD, type Message } from "cometd";
import { adapt } from "cometd-nodejs-client";
import { BUDGETS, waitForItem, type Waitable } from "./budgets.js";
import { basicAuthHeader } from "./http-client.js";
import type { AgentCredentials } from "./settings.js";

export const INTERACTIONS_CHANNEL = "/me/interactions";

let adapted = false;

/**
 * Bayeux cookies (e.g. BAYEUX_BROWSER, which cometd servers tie sessions to) kept per identity
 * instead of in cometd-nodejs-client's one jar per host (toolchain trap 2): two agents in one
 * process must not look like one browser. The client gives the store hook only the request
 * (whose headers carry the agent's Authorization), so jars are keyed by that header.
 */
const jars = new Map<string, Map<string, string>>();
const ANONYMOUS = "(no credentials)";
function jarKeyOf(headers: Record<string, unknown> | undefined): string {
  const auth = headers?.Authorization ?? headers?.authorization;
  return typeof auth === "string" ? auth : ANONYMOUS;
}

/**
 * What one session's requests need beyond the URL, handed to every request of its transport
 * (cometd copies the transport's `context` into each XMLHttpRequest before open()).
 */
interface TransportContext {
  /** This identity's Bayeux cookie jar (see adaptCometdOnce). */
  jarKey: string;
  /** --tls-insecure: accept a certificate that does not verify (self-signed). */
  tlsInsecure?: boolean;
  /** Connect to this address instead of resolving the URL's host (a local proxy); the name stays for Host and SNI. */
  connectHost?: string;
}

/**
 * cometd-nodejs-client's XMLHttpRequest hands the URL object to node's http/https.request with its
 * own keep-alive agent. A URL given to open() is used as is, with its extra properties as request
 * options: that is where a session's TLS choice (rejectUnauthorized) and a proxy's address (lookup)
 * go in. Certificates in NODE_EXTRA_CA_CERTS are trusted by node's default TLS settings already.
 */
type XhrClass = new (...args: unknown[]) => { open(method: string, uri: string | URL): void };

function withTransportContext(Base: XhrClass): unknown {
  return class extends Base {
    open(method: string, uri: string | URL): void {
      const ctx = (this as unknown as { context?: TransportContext }).context;
      const url = new URL(String(uri));
      const options = url as URL & Record<string, unknown>;
      if (ctx?.tlsInsecure) options.rejectUnauthorized = false;
      const to = ctx?.connectHost;
      if (to) {
        options.lookup = (_host: string, opts: { all?: boolean } | undefined, cb: (...a: unknown[]) => void): void =>
          opts?.all ? cb(null, [{ address: to, family: 4 }]) : cb(null, to, 4);
      }
      super.open(method, url);
    }
  };
}

/** adapt() patches globals (window, console.debug): once per process (toolchain trap 4). */
export function adaptCometdOnce(): void {
  if (adapted) return;
  const debug = console.debug;
  adapt({
    cookies: {
      storeCookie(uri: { headers?: Record<string, unknown> }, header: string, callback: (failure: Error | null, cookie: unknown) => void) {
        const key = jarKeyOf(uri.headers);
        const jar = jars.get(key) ?? new Map<string, string>();
        jars.set(key, jar);
        const nameValue = header.split(";")[0].trim();
        const eq = nameValue.indexOf("=");
        if (eq > 0) jar.set(nameValue.slice(0, eq), nameValue);
        callback(null, nameValue);
      },
      retrieveCookies(context: { jarKey?: string } | undefined, _uri: unknown, callback: (failure: Error | null, cookies: string[]) => void) {
        callback(null, [...(jars.get(context?.jarKey ?? ANONYMOUS)?.values() ?? [])]);
      },
    },
  });
  console.debug = debug;
  const w = (globalThis as unknown as { window: { XMLHttpRequest: XhrClass } }).window;
  w.XMLHttpRequest = withTransportContext(w.XMLHttpRequest) as XhrClass;
  adapted = true;
}

export interface ReceivedNotification {
  /** Arrival order on this session. */
  index: number;
  receivedAt: number;
  channel: string;
  data: Record<string, unknown>;
}

export interface MetaEvent {
  at: number;
  channel: string;
  successful: boolean;
  error?: string;
}

/** An append-only list one can wait on (budgets.ts waitForItem). */
export class EventLog<T> implements Waitable<T> {
  private readonly list: T[] = [];
  private readonly listeners = new Set<(item: T) => void>();
  constructor(readonly describe: (item: T) => string) {}
  push(item: T): void {
    this.list.push(item);
    for (const l of this.listeners) l(item);
  }
  items(): readonly T[] {
    return this.list;
  }
  onItem(listener: (item: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** "Accepted id=… subject=…": how a notification is named in "what arrived instead". */
export function describeNotification(n: ReceivedNotification): string {
  const d = n.data;
  const eo = d.email_object as Record<string, unknown> | undefined;
  const subject = eo?.Subject ?? eo?.subject;
  return `${String(d.state)} id=${String(d.id)}${subject !== undefined ? ` subject=${JSON.stringify(subject)}` : ""}`;
}

/** How to reach a URL through a local TCP proxy without changing its host name (tcp-proxy.ts). */
export interface ProxyRoute {
  /** The URL with the proxy's port. */
  url: string;
  /** The address the proxy listens on. */
  connectHost: string;
  /** The target's own host[:port], for the Host header. */
  hostHeader: string;
}

export interface ConnectResult {
  ok: boolean;
  /** Why the handshake or subscription failed (server error/advice, or the budget ran out). */
  reason?: string;
}

/**
 * An agent's notification stream, whichever Bayeux client feeds it: every message received on
 * /me/interactions in arrival order, waitable with a budget.
 */
export abstract class NotificationStream implements Waitable<ReceivedNotification> {
  private readonly stream = new EventLog<ReceivedNotification>(describeNotification);

  items(): readonly ReceivedNotification[] {
    return this.stream.items();
  }

  onItem(listener: (n: ReceivedNotification) => void): () => void {
    return this.stream.onItem(listener);
  }

  describe(n: ReceivedNotification): string {
    return describeNotification(n);
  }

  protected receive(channel: string, data: Record<string, unknown>): void {
    this.stream.push({ index: this.stream.items().length, receivedAt: Date.now(), channel, data });
  }

  /** Waits for a notification (existing or arriving) matching `predicate`. */
  waitFor(predicate: (n: ReceivedNotification) => boolean, what: string, budgetMs: number, budgetName = "notifyBudget"): Promise<ReceivedNotification> {
    return waitForItem(this, predicate, { what, budgetName, budgetMs });
  }
}

export class CometdSession extends NotificationStream {
  readonly cometd: CometD;
  private connected = false;
  /** Meta-channel replies (/meta/connect, /meta/handshake, failures), waitable: the transport suite waits on reconnection with it. */
  readonly meta = new EventLog<MetaEvent>((e) => `${e.channel} ${e.successful ? "ok" : `failed${e.error ? `: ${e.error}` : ""}`}`);

  constructor(
    readonly url: string,
    readonly agentName: string,
    credentials: AgentCredentials | undefined,
    opts: { cookie?: string; label?: string; tlsInsecure?: boolean; via?: ProxyRoute } = {},
  ) {
    super();
    adaptCometdOnce();
    this.cometd = new CometD(opts.label ?? `agent-${agentName}`);
    // Toolchain trap 1: adapt() defines window.WebSocket; GWS offers long-polling only (T5).
    this.cometd.unregisterTransport("websocket");
    const headers: Record<string, string> = {};
    if (credentials) headers.Authorization = basicAuthHeader(credentials);
    // Toolchain trap 2: this identity's own Bayeux cookie jar (see adaptCometdOnce).
    const lp = this.cometd.findTransport("long-polling") as unknown as { context?: TransportContext } | null;
    const context: TransportContext = {
      jarKey: headers.Authorization ?? ANONYMOUS,
      tlsInsecure: opts.tlsInsecure,
      connectHost: opts.via?.connectHost,
    };
    if (lp) lp.context = context;
    if (opts.cookie) headers.Cookie = opts.cookie;
    // Through a local proxy the URL names the proxy's port; Host (and SNI: the URL's host name) stay the target's.
    if (opts.via) headers.Host = opts.via.hostHeader;
    const target = opts.via?.url ?? url;
    const maxNetworkDelay = BUDGETS.cometdConnectMs;
    this.cometd.configure({ url: target, requestHeaders: headers, logLevel: "warn", maxNetworkDelay });
    for (const ch of ["/meta/connect", "/meta/handshake", "/meta/unsuccessful"]) {
      this.cometd.addListener(ch, (m: Message) => {
        this.meta.push({ at: Date.now(), channel: ch, successful: m.successful !== false, error: m.error ?? ((m as unknown as { failure?: { reason?: string } }).failure)?.reason });
      });
    }
  }


  /** Handshake, then subscribe to /me/interactions and wait for the /meta/subscribe confirmation. */
  async connect(budgetMs: number = BUDGETS.cometdConnectMs): Promise<ConnectResult> {
    const deadline = Date.now() + budgetMs;
    const hs = await this.handshake(budgetMs);
    if (!hs.ok) return hs;
    return this.subscribe(Math.max(1, deadline - Date.now()));
  }

  handshake(budgetMs: number): Promise<ConnectResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.stopRetrying();
        resolve({ ok: false, reason: `no handshake reply within ${budgetMs} ms (cometdConnect budget)` });
      }, budgetMs);
      this.cometd.handshake((reply: Message) => {
        clearTimeout(timer);
        if (reply.successful) resolve({ ok: true });
        else {
          // Do not let the client keep re-handshaking with credentials that were refused.
          this.stopRetrying();
          const failure = (reply as unknown as { failure?: { reason?: string; httpCode?: number } }).failure;
          resolve({ ok: false, reason: reply.error ?? failure?.reason ?? (failure?.httpCode ? `HTTP ${failure.httpCode}` : "handshake refused") });
        }
      });
    });
  }

  subscribe(budgetMs: number): Promise<ConnectResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, reason: `no /meta/subscribe confirmation within ${budgetMs} ms` }), budgetMs);
      this.cometd.subscribe(
        INTERACTIONS_CHANNEL,
        (m: Message) => this.onMessage(m),
        (reply: Message) => {
          clearTimeout(timer);
          if (reply.successful) {
            this.connected = true;
            resolve({ ok: true });
          } else resolve({ ok: false, reason: `subscribe refused: ${reply.error ?? "no reason given"}` });
        },
      );
    });
  }

  private onMessage(m: Message): void {
    const data = (m.data && typeof m.data === "object" ? m.data : { value: m.data }) as Record<string, unknown>;
    this.receive(m.channel, data);
  }

  get isConnected(): boolean {
    return this.connected && !this.cometd.isDisconnected();
  }

  private stopRetrying(): void {
    try {
      this.cometd.disconnect();
    } catch {
      /* already down */
    }
  }

  /** Disconnects, waiting at most the connect budget for the server's reply. */
  async close(budgetMs = 2_000): Promise<void> {
    if (this.cometd.isDisconnected()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, budgetMs);
      this.cometd.disconnect(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.connected = false;
  }
}
