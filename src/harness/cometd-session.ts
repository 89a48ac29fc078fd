/**
 * One agent's Bayeux (CometD) session on the real `cometd` client (T5): long-polling,
 * the agent's Basic credentials and REST session cookie on every CometD request, a
 * subscription to /me/interactions confirmed by /meta/subscribe before anything is
 * triggered, and a log of every message received (with arrival time) to wait on.
 *
 * A server MAY tell the client to handshake again at any time (Deployment data and routing:
 * advice reconnect "handshake", unknown client after a sweep or a node restart). The cometd client
 * handshakes again by itself and clears its subscriptions on every handshake, so the session
 * subscribes from its /meta/handshake listener, after every handshake, and counts as subscribed
 * only once /meta/subscribe confirms. Every handshake goes to the transcript; every gap (from the
 * last sign of life of the old session to the confirmed new subscription) is kept, so that a wait
 * that missed a notification across one is an ERROR naming the gap, never a FAIL.
 */
import { CometD, type Message } from "cometd";
import { adapt } from "cometd-nodejs-client";
import { BUDGETS, waitForItem, type Waitable } from "./budgets.js";
import { CappedXMLHttpRequest, jarKeyOf, TOO_LARGE_PREFIX, type BayeuxTransportContext } from "./capped-xhr.js";
import { basicAuthHeader } from "./http-client.js";
import type { AgentCredentials } from "./settings.js";
import { clock, describeGap, type SubscriptionGap } from "./gaps.js";
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
  /** Re-handshake gaps in time order (a client that cannot tell keeps none). */
  protected readonly gapList: SubscriptionGap[] = [];

  gaps(): readonly SubscriptionGap[] {
    return this.gapList;
  }

  /** The gaps that overlap [from, to] (an open gap lasts until now). */
  gapsDuring(from: number, to: number): SubscriptionGap[] {
    return this.gapList.filter((g) => g.from <= to && (g.to ?? Date.now()) >= from);
  }

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

/** A subscription that failed without a refusal (no answer, aborted) is sent again, this often at most. */
const SUBSCRIBE_ATTEMPTS = 3;
/** The wait before the next attempt grows by this much each time (the client's own backoff step). */
const SUBSCRIBE_RETRY_MS = 100;

/** One /meta/subscribe outcome, for the handshake (1, 2, …) it followed. */
interface SubscribeEvent {
  at: number;
  handshake: number;
  ok: boolean;
  reason?: string;
}

export class CometdSession extends NotificationStream {
  readonly cometd: CometD;
  /** Meta-channel replies (/meta/connect, /meta/handshake, failures), waitable: the transport suite waits on reconnection with it. */
  readonly meta = new EventLog<MetaEvent>(
    (e) => `${e.channel} ${e.successful ? "ok" : `failed${e.error ? `: ${e.error}` : ""}`}`,
  );
  /** Every /meta/subscribe outcome, waitable (connect() and subscribe() wait on it). */
  readonly subscriptions = new EventLog<SubscribeEvent>(
    (e) => `subscription after handshake #${e.handshake} ${e.ok ? "confirmed" : `refused: ${e.reason}`}`,
  );
  /** Successful handshakes so far (the first one and every re-handshake). */
  private handshakes = 0;
  /** The handshake whose subscription /meta/subscribe confirmed (0: none yet). */
  private subscribedFor = 0;
  /** The handshake a subscription was sent for (not sent twice for one handshake). */
  private subscribeSentFor = 0;
  /** Whether this session keeps /me/interactions subscribed (set by connect() or subscribe(), cleared by close()). */
  private wanted = false;
  /** The last sign of life of the session: a successful /meta/connect or subscription. */
  private aliveAt = 0;
  private openGap: SubscriptionGap | undefined;
  private readonly retries = new Set<NodeJS.Timeout>();

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
    this.cometd.addListener("/meta/handshake", (m: Message) => this.onHandshake(m));
    this.cometd.addListener("/meta/connect", (m: Message) => this.onConnect(m));
  }

  /** Handshake, then subscribe to /me/interactions and wait for the /meta/subscribe confirmation. */
  async connect(budgetMs: number = BUDGETS.cometdConnectMs): Promise<ConnectResult> {
    const deadline = Date.now() + budgetMs;
    // Subscribed from the /meta/handshake listener, as after every later handshake.
    this.wanted = true;
    const hs = await this.handshake(budgetMs);
    if (!hs.ok) return hs;
    return this.subscribe(Math.max(1, deadline - Date.now()));
  }

  /** The first handshake only (connect() subscribes too). */
  handshake(budgetMs: number): Promise<ConnectResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.stopRetrying();
        const reason = `no handshake reply within ${budgetMs} ms (cometdConnect budget)`;
        resolve({ ok: false, answered: false, reason });
      }, budgetMs);
      // The client calls this callback again on every re-handshake: only the first reply is its answer.
      let answered = false;
      this.cometd.handshake((reply: Message) => {
        if (answered) return;
        answered = true;
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

  /**
   * Subscribes to /me/interactions (from now on after every handshake too) and waits for the
   * /meta/subscribe confirmation of the current handshake.
   */
  async subscribe(budgetMs: number): Promise<ConnectResult> {
    this.wanted = true;
    const handshake = this.handshakes;
    if (this.subscribeSentFor < handshake) this.subscribeNow();
    try {
      const e = await waitForItem(this.subscriptions, (x) => x.handshake >= handshake, {
        what: "the /meta/subscribe confirmation",
        budgetName: "cometdConnect",
        budgetMs,
      });
      return e.ok ? { ok: true } : { ok: false, reason: `subscribe refused: ${e.reason}` };
    } catch {
      return { ok: false, reason: `no /meta/subscribe confirmation within ${budgetMs} ms` };
    }
  }

  /** Every successful handshake: recorded; a later one opens a gap (if none is open) and subscribes again. */
  private onHandshake(m: Message): void {
    const now = Date.now();
    if (!m.successful) {
      const why = m.error ?? (m as unknown as { failure?: { reason?: string } }).failure?.reason ?? "no reason given";
      if (this.handshakes > 0) this.event(`CometD re-handshake failed: ${why}`);
      return;
    }
    this.handshakes++;
    const again = this.handshakes > 1;
    this.event(`CometD handshake #${this.handshakes}${again ? " (re-handshake)" : ""} at ${clock(now)}`);
    if (again && this.subscribedFor > 0) this.beginGap(now, "the server had the client handshake again");
    if (this.wanted && !this.cometd.isDisconnected()) this.subscribeNow();
  }

  private onConnect(m: Message): void {
    const now = Date.now();
    if (m.successful !== false) {
      this.aliveAt = now;
      // A connection lost and found again without a re-handshake: the session (and its subscription) held.
      if (this.openGap && this.subscribedFor === this.handshakes) this.endGap(now);
      return;
    }
    // Before the first subscription there is nothing to lose; after close() the end is ours.
    if (this.subscribedFor === 0 || !this.wanted) return;
    const why = m.error ?? (m as unknown as { failure?: { reason?: string } }).failure?.reason ?? "no answer";
    const advice = (m.advice as { reconnect?: string } | undefined)?.reconnect;
    this.beginGap(now, `/meta/connect failed: ${why}${advice ? `, advice reconnect ${advice}` : ""}`);
  }

  /** Sends /meta/subscribe for the current handshake; the reply is recorded (and closes an open gap). */
  private subscribeNow(attempt = 1): void {
    const handshake = this.handshakes;
    this.subscribeSentFor = handshake;
    this.cometd.subscribe(
      INTERACTIONS_CHANNEL,
      (m: Message) => this.onMessage(m),
      (reply: Message) => {
        const at = Date.now();
        if (reply.successful) {
          this.subscribedFor = Math.max(this.subscribedFor, handshake);
          this.aliveAt = at;
          if (handshake > 1)
            this.event(`CometD subscribed again to ${INTERACTIONS_CHANNEL} after handshake #${handshake}`);
          if (this.openGap && handshake === this.handshakes) this.endGap(at);
          this.subscriptions.push({ at, handshake, ok: true });
        } else {
          const failure = (reply as unknown as { failure?: { reason?: string } }).failure;
          const reason = reply.error ?? failure?.reason ?? JSON.stringify(reply).slice(0, 300);
          this.event(`CometD subscription after handshake #${handshake} failed: ${reason}`);
          // A subscription lost to the network (or to a re-handshake in flight) is tried again a few
          // times for the same handshake; a new handshake subscribes by itself; a refusal is final.
          const retry = !reply.error && attempt < SUBSCRIBE_ATTEMPTS && this.wanted && handshake === this.handshakes;
          if (retry && !this.cometd.isDisconnected()) {
            const t = setTimeout(() => {
              this.retries.delete(t);
              if (this.wanted && handshake === this.handshakes && this.subscribedFor < handshake) {
                this.subscribeNow(attempt + 1);
              }
            }, SUBSCRIBE_RETRY_MS * attempt);
            this.retries.add(t);
            return;
          }
          this.subscriptions.push({ at, handshake, ok: false, reason });
        }
      },
    );
  }

  private beginGap(noticedAt: number, reason: string): void {
    if (this.openGap) return;
    this.openGap = { from: this.aliveAt || noticedAt, noticedAt, reason };
    this.gapList.push(this.openGap);
    this.event(`CometD subscription gap begins (last sign of life ${clock(this.openGap.from)}): ${reason}`);
  }

  private endGap(at: number): void {
    const gap = this.openGap;
    if (!gap) return;
    gap.to = at;
    this.openGap = undefined;
    this.event(`CometD subscription gap ends: ${describeGap(gap)}`);
  }

  private event(message: string): void {
    record({ kind: "event", agent: this.agentName, message });
  }

  private onMessage(m: Message): void {
    const data = (m.data && typeof m.data === "object" ? m.data : { value: m.data }) as Record<string, unknown>;
    this.receive(m.channel, data);
  }

  /** Subscribed for the current handshake and not disconnected. */
  get isConnected(): boolean {
    return this.subscribedFor > 0 && this.subscribedFor === this.handshakes && !this.cometd.isDisconnected();
  }

  /** The session's client id (while handshaken), e.g. to have the server forget it (T5.reconnect). */
  get clientId(): string | undefined {
    return this.cometd.getClientId() ?? undefined;
  }

  /** Successful handshakes so far (1 after connect(); more after each re-handshake). */
  get handshakeCount(): number {
    return this.handshakes;
  }

  private stopRetrying(): void {
    this.wanted = false;
    try {
      this.cometd.disconnect();
    } catch {
      /* already down */
    }
  }

  /** Disconnects, waiting at most the connect budget for the server's reply. */
  async close(budgetMs = 2_000): Promise<void> {
    this.wanted = false;
    for (const t of this.retries) clearTimeout(t);
    this.retries.clear();
    if (this.cometd.isDisconnected()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, budgetMs);
      this.cometd.disconnect(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
