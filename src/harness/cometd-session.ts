/**
 * One agent's Bayeux (CometD) session on the real `cometd` client (T5): long-polling,
 * the agent's Basic credentials and REST session cookie on every CometD request, a
 * subscription to /me/interactions confirmed by /meta/subscribe before anything is
 * triggered, and a log of every message received (with arrival time) to wait on.
 */
import { CometD, type Message } from "cometd";
import { adapt } from "cometd-nodejs-client";
import { BUDGETS, waitForItem, type Waitable } from "./budgets.js";
import { CappedXMLHttpRequest, jarKeyOf, TOO_LARGE_PREFIX, type BayeuxTransportContext } from "./capped-xhr.js";
import { basicAuthHeader } from "./http-client.js";
import type { AgentCredentials } from "./settings.js";
import { record } from "./transcript.js";

export const INTERACTIONS_CHANNEL = "/me/interactions";

let adapted = false;

/**
 * cometd-nodejs-client's adapt() creates global.window and sets console.debug = console.log, so it
 * runs once per process. Its XMLHttpRequest is then replaced by CappedXMLHttpRequest: bounded
 * answer bodies, one cookie jar per identity (cometd-nodejs-client shares one jar per host, which
 * makes two agents of one process look like one browser to the server), and "never answered" told
 * apart from "answered".
 */
export function adaptCometdOnce(): void {
  if (adapted) return;
  const debug = console.debug;
  adapt();
  const win = (globalThis as unknown as { window: { XMLHttpRequest: unknown; console: unknown } }).window;
  win.XMLHttpRequest = CappedXMLHttpRequest;
  // The client's own log lines ("Could not negotiate transport …") go to the transcript, not the
  // terminal: the failure they follow is reported once, by whoever waited on it.
  const toTranscript = (...args: unknown[]): void =>
    void record({ kind: "event", message: `cometd client: ${args.map(String).join(" ")}` });
  win.console = { ...console, log: toTranscript, info: toTranscript, warn: toTranscript, debug: toTranscript };
  console.debug = debug;
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
  /**
   * For a failure: whether the target answered at all. false: no HTTP answer (refused, reset,
   * timed out); true: it answered, but with a refusal, a non-200 status, or no Bayeux reply.
   */
  answered?: boolean;
  /** HTTP status of the failed request, when one came. */
  httpCode?: number;
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
  waitFor(
    predicate: (n: ReceivedNotification) => boolean,
    what: string,
    budgetMs: number,
    budgetName = "notifyBudget",
  ): Promise<ReceivedNotification> {
    return waitForItem(this, predicate, { what, budgetName, budgetMs });
  }
}

/**
 * Why a handshake failed, and whether the target answered at all (the capped XMLHttpRequest
 * reports "no answer" as HTTP status 0 with the network error as the reason).
 */
export function describeHandshakeFailure(reply: Message): ConnectResult {
  type Failure = { reason?: string; httpCode?: number; exception?: unknown };
  const failure = (reply as unknown as { failure?: Failure }).failure;
  if (reply.error && !failure) return { ok: false, answered: true, reason: `handshake refused: ${reply.error}` };
  const httpCode = failure?.httpCode ?? 0;
  if (!failure || httpCode === 0) {
    return { ok: false, answered: false, reason: failure?.reason || "no answer to the handshake" };
  }
  const exception = failure.exception instanceof Error ? failure.exception.message : undefined;
  let reason: string;
  const said = failure.reason ? ` ${failure.reason}` : "";
  const tooLarge = failure.reason?.startsWith(TOO_LARGE_PREFIX);
  if (tooLarge) reason = `the handshake answer (HTTP ${httpCode}) is an ${failure.reason}`;
  else if (httpCode !== 200) reason = `the handshake answered HTTP ${httpCode}${said}`;
  else if (exception) reason = `the handshake answer (HTTP 200) is not Bayeux JSON: ${exception}`;
  else reason = `the handshake answer (HTTP 200) holds no Bayeux reply${failure.reason ? `: ${failure.reason}` : ""}`;
  return { ok: false, answered: true, httpCode, reason };
}

export class CometdSession extends NotificationStream {
  readonly cometd: CometD;
  private connected = false;
  /** Meta-channel replies (/meta/connect, /meta/handshake, failures), waitable: the transport suite waits on reconnection with it. */
  readonly meta = new EventLog<MetaEvent>(
    (e) => `${e.channel} ${e.successful ? "ok" : `failed${e.error ? `: ${e.error}` : ""}`}`,
  );

  constructor(
    readonly url: string,
    readonly agentName: string,
    credentials: AgentCredentials | undefined,
    opts: { cookie?: string; label?: string; maxAnswerBytes?: number; tlsInsecure?: boolean; via?: ProxyRoute } = {},
  ) {
    super();
    adaptCometdOnce();
    this.cometd = new CometD(opts.label ?? `agent-${agentName}`);
    // adapt() defines window.WebSocket, so the client would try WebSocket first; against a
    // long-polling-only server (GWS, T5) its first handshake fails and a re-handshake drops
    // the subscriptions made after it.
    this.cometd.unregisterTransport("websocket");
    const headers: Record<string, string> = {};
    if (credentials) headers.Authorization = basicAuthHeader(credentials);
    // This identity's own Bayeux cookie jar (not one per host); the answer cap; the TLS choice; a
    // proxy's address (capped-xhr.ts reads them from the transport context on every request).
    const lp = this.cometd.findTransport("long-polling") as unknown as { context?: BayeuxTransportContext } | null;
    const context: BayeuxTransportContext = {
      jarKey: jarKeyOf(headers.Authorization),
      maxAnswerBytes: opts.maxAnswerBytes,
      tlsInsecure: opts.tlsInsecure,
      connectHost: opts.via?.connectHost,
    };
    if (lp) lp.context = context;
    if (opts.cookie) headers.Cookie = opts.cookie;
    // Through a local proxy the URL names the proxy's port; Host (and SNI: the URL's host name) stay the target's.
    if (opts.via) headers.Host = opts.via.hostHeader;
    const target = opts.via?.url ?? url;
    const maxNetworkDelay = BUDGETS.cometdConnectMs;
    // A lost connection is retried after 100 ms, then 200 ms, … (cometd's default first wait is 1 s):
    // the suite's own client may come back as fast as it likes; the target sees ordinary reconnects.
    const backoff = { backoffIncrement: 100, maxBackoff: 2_000 };
    this.cometd.configure({ url: target, requestHeaders: headers, logLevel: "warn", maxNetworkDelay, ...backoff });
    for (const ch of ["/meta/connect", "/meta/handshake", "/meta/unsuccessful"]) {
      this.cometd.addListener(ch, (m: Message) => {
        this.meta.push({
          at: Date.now(),
          channel: ch,
          successful: m.successful !== false,
          error: m.error ?? (m as unknown as { failure?: { reason?: string } }).failure?.reason,
        });
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
        const reason = `no handshake reply within ${budgetMs} ms (cometdConnect budget)`;
        resolve({ ok: false, answered: false, reason });
      }, budgetMs);
      this.cometd.handshake((reply: Message) => {
        clearTimeout(timer);
        if (reply.successful) resolve({ ok: true });
        else {
          // Do not let the client keep re-handshaking with credentials that were refused.
          this.stopRetrying();
          resolve(describeHandshakeFailure(reply));
        }
      });
    });
  }

  subscribe(budgetMs: number): Promise<ConnectResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => resolve({ ok: false, reason: `no /meta/subscribe confirmation within ${budgetMs} ms` }),
        budgetMs,
      );
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
