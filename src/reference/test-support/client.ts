/**
 * TEST SUPPORT for the reference server's own tests (and scripts/bench-roundtrip.ts): a small
 * client over real HTTP (undici) and the real cometd client. It is not the conformance harness
 * (src/harness/, which talks to any target and judges it); it only drives this server.
 *
 * - `call()`: one HTTP request, JSON in and out, Basic auth and cookies as asked.
 * - `BayeuxClient`: one cometd client (long-polling) subscribed to /me/interactions; every
 *   message received is kept in arrival order in a `Stream` one can wait on.
 * - `TestAgent`: an agent = REST calls with its credentials and session cookie + its BayeuxClient.
 * - `waitFor()`: waits on a condition with a named, bounded budget; on timeout it says what it
 *   awaited and what arrived instead. There are no fixed sleeps: a "nothing came" check uses a
 *   barrier (`TestAgent.sync()`: a notification caused after it, which arrives after anything
 *   caused before it, Bayeux delivering each session's messages in order).
 */
import { CometD, type Message } from "cometd";
import { adaptCometdOnce } from "../../harness/cometd-session.js";
import { request } from "undici";
import { REFERENCE_QUEUES } from "../deployment.js";

/** Named budgets of every wait in the server's tests (generous: loopback answers in ms). */
export const BUDGET = { httpMs: 5_000, connectMs: 5_000, notifyMs: 3_000 } as const;

export interface Account {
  username: string;
  password: string;
}
// biome-ignore lint/suspicious/noExplicitAny: test support reads answers and notifications of any shape
export type Json = Record<string, any>;
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined when the body is not JSON). */
  body: Json | undefined;
  text: string;
}

export const basicAuth = (a: Account): string =>
  `Basic ${Buffer.from(`${a.username}:${a.password}`).toString("base64")}`;

/** One HTTP request. `json` is sent as JSON, `raw` as is; no auth unless `auth` is given. */
export async function call(
  url: string,
  opts: { method?: string; json?: unknown; raw?: string; auth?: Account; cookie?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (opts.auth) headers.authorization = basicAuth(opts.auth);
  if (opts.cookie) headers.cookie = opts.cookie;
  const body = opts.raw ?? (opts.json === undefined ? undefined : JSON.stringify(opts.json));
  const res = await request(url, {
    method: (opts.method ?? "POST") as "POST",
    headers,
    body,
    headersTimeout: BUDGET.httpMs,
    bodyTimeout: BUDGET.httpMs,
  });
  const text = await res.body.text();
  let parsed: Json | undefined;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, headers: res.headers, body: parsed, text };
}

/** Queues an inbound e-mail through the control API; returns the interaction id the server gave. */
export async function inject(controlUrl: string, email: Json): Promise<string> {
  const a = await call(`${controlUrl}/inbound-emails`, { json: email });
  if (a.status !== 202) throw new Error(`injection refused: ${a.status} ${a.text}`);
  return String(a.body?.interactionId);
}

/** An append-only list of items that one can wait on. */
export class Stream<T> {
  readonly items: T[] = [];
  private readonly listeners = new Set<() => void>();
  constructor(readonly describe: (item: T) => string) {}
  push(item: T): void {
    this.items.push(item);
    for (const l of [...this.listeners]) l();
  }
  onChange(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

/**
 * Resolves with the first non-undefined value of `check()`, re-evaluated whenever one of the
 * streams changes; rejects after `budgetMs` naming what was awaited and what arrived instead.
 */
export function waitFor<R>(
  check: () => R | undefined,
  budgetMs: number,
  what: string,
  // biome-ignore lint/suspicious/noExplicitAny: streams of any item type, only their waits are used here
  streams: Array<Stream<any>> = [],
): Promise<R> {
  const first = check();
  if (first !== undefined) return Promise.resolve(first);
  return new Promise<R>((resolve, reject) => {
    const stops = streams.map((s) =>
      s.onChange(() => {
        const r = check();
        if (r !== undefined) finish(() => resolve(r));
      }),
    );
    const timer = setTimeout(() => {
      const instead = streams.flatMap((s) => s.items.slice(-8).map((i) => s.describe(i)));
      finish(() =>
        reject(new Error(`waited ${budgetMs} ms for ${what}; arrived instead: ${instead.join(" | ") || "nothing"}`)),
      );
    }, budgetMs);
    function finish(then: () => void): void {
      clearTimeout(timer);
      for (const s of stops) s();
      then();
    }
  });
}

/** "Accepted id=… subject=…": a notification as named in timeout messages. */
export function describeNotification(n: Json): string {
  const eo = (n.email_object ?? {}) as Json;
  return `${n.state} id=${n.id}${(eo.Subject ?? eo.subject) ? ` subject=${JSON.stringify(eo.Subject ?? eo.subject)}` : ""}`;
}

/**
 * adapt() patches globals (window, its XMLHttpRequest, console.debug = console.log): once per
 * process, and the same way as the harness does, so that a process using both
 * clients (the benches) has one XMLHttpRequest — the harness's bounded one.
 */
const adaptOnce = adaptCometdOnce;

/** One cometd client (long-polling only) on /me/interactions. */
export class BayeuxClient {
  readonly cometd: CometD;
  readonly received = new Stream<Json>(describeNotification);

  /** `auth`: the agent's Basic credentials, or a Cookie header (e.g. the REST session cookie), or nothing. */
  constructor(url: string, auth?: Account | { cookie: string }) {
    adaptOnce();
    this.cometd = new CometD();
    // adapt() defines window.WebSocket; GWS is long-polling only (T5), and a failed WebSocket
    // attempt would make the client re-handshake and drop later subscriptions.
    this.cometd.unregisterTransport("websocket");
    const headers: Record<string, string> = {};
    if (auth && "cookie" in auth) headers.Cookie = auth.cookie;
    else if (auth) headers.Authorization = basicAuth(auth);
    this.cometd.configure({ url, logLevel: "warn", requestHeaders: headers });
  }

  /** Handshake, then subscribe and wait for the /meta/subscribe confirmation. */
  async connect(
    channel = "/me/interactions",
    budgetMs: number = BUDGET.connectMs,
  ): Promise<{ ok: boolean; reason?: string }> {
    const reply = await this.metaReply((cb) => this.cometd.handshake(cb), budgetMs, "the handshake reply");
    if (!reply.successful) {
      this.cometd.disconnect(); // a refused client must not keep re-handshaking
      return { ok: false, reason: reply.error ?? "handshake refused" };
    }
    const sub = await this.metaReply(
      (cb) => this.cometd.subscribe(channel, (m: Message) => this.received.push(m.data as Json), cb),
      budgetMs,
      "the /meta/subscribe confirmation",
    );
    return sub.successful ? { ok: true } : { ok: false, reason: sub.error ?? "subscribe refused" };
  }

  private metaReply(start: (cb: (m: Message) => void) => void, budgetMs: number, what: string): Promise<Message> {
    const replies = new Stream<Message>((m) => `${m.channel} successful=${m.successful}`);
    start((m) => replies.push(m));
    return waitFor(() => replies.items[0], budgetMs, what, [replies]);
  }

  /** Waits for a received notification matching `predicate`. */
  waitFor(predicate: (n: Json) => boolean, budgetMs: number, what: string): Promise<Json> {
    return waitFor(() => this.received.items.find(predicate), budgetMs, what, [this.received]);
  }

  /** Disconnects, waiting (bounded) for the server's reply when it is still there. */
  async close(budgetMs = 1_000): Promise<void> {
    if (this.cometd.isDisconnected()) return;
    const done = new Stream<boolean>(() => "disconnected");
    this.cometd.disconnect(() => done.push(true));
    await waitFor(() => done.items[0], budgetMs, "the /meta/disconnect reply", [done]).catch(() => undefined);
  }
}

/** An agent of the server: REST with its credentials and session cookie, plus its CometD session. */
export class TestAgent {
  readonly bayeux: BayeuxClient;
  /** JSESSIONID=… as set by the server (T4 MAY), returned on later calls. */
  cookie?: string;
  private syncs = 0;

  constructor(
    readonly urls: { baseUrl: string; cometdUrl: string },
    readonly account: Account,
  ) {
    this.bayeux = new BayeuxClient(urls.cometdUrl, account);
  }

  get name(): string {
    return this.account.username;
  }
  get received(): Json[] {
    return this.bayeux.received.items;
  }

  /** Connects its CometD session (subscription confirmed) and, unless told not to, sets its channel Ready (T7). */
  static async connect(
    urls: { baseUrl: string; cometdUrl: string },
    account: Account,
    opts: { ready?: boolean } = {},
  ): Promise<TestAgent> {
    const agent = new TestAgent(urls, account);
    const c = await agent.bayeux.connect();
    if (!c.ok) throw new Error(`${account.username}: CometD connect failed: ${c.reason}`);
    if (opts.ready !== false) await agent.setReady(true);
    return agent;
  }

  /** POST {baseUrl}{path} as this agent (Basic + session cookie). */
  async post(path: string, json: unknown, opts: { raw?: string; method?: string } = {}): Promise<Answer> {
    const a = await call(`${this.urls.baseUrl}${path}`, { ...opts, json, auth: this.account, cookie: this.cookie });
    const set = a.headers["set-cookie"];
    const jsession = (Array.isArray(set) ? set : set ? [set] : []).find((c) => c.startsWith("JSESSIONID="));
    if (jsession) this.cookie = jsession.split(";")[0];
    return a;
  }

  /** An operation on one interaction (T2). */
  op(id: string, json: Json): Promise<Answer> {
    return this.post(`/me/interactions/${id}`, json);
  }

  async setReady(ready: boolean): Promise<void> {
    const a = await this.post("/me/channels/email", { operationName: ready ? "Ready" : "NotReady" });
    if (a.status !== 200) throw new Error(`${this.name}: channel state refused: ${a.status} ${a.text}`);
  }

  waitFor(predicate: (n: Json) => boolean, what: string, budgetMs: number = BUDGET.notifyMs): Promise<Json> {
    return this.bayeux.waitFor(predicate, budgetMs, `${what} (on ${this.name})`);
  }

  /** Waits for the Invited notification whose subject contains `token`. */
  invited(token: string): Promise<Json> {
    return this.waitFor(
      (n) => n.state === "Invited" && String(n.email_object?.subject).includes(token),
      `Invited "${token}"`,
    );
  }

  /**
   * A barrier: CreateEmail with a unique interactionSubType (O8 echoes it) and wait for its
   * ReplyCreated. Everything the server sent this agent before the call has arrived once it
   * returns, so "no notification came" is checked without sleeping.
   */
  async sync(): Promise<void> {
    const token = `sync-${this.name}-${++this.syncs}`;
    const barrier = { operationName: "CreateEmail", queueName: REFERENCE_QUEUES.create, interactionSubType: token };
    const a = await this.post("/me/interactions", barrier);
    if (a.status !== 200) throw new Error(`${this.name}: barrier CreateEmail refused: ${a.status} ${a.text}`);
    await this.waitFor((n) => n.interactionSubType === token, `barrier ${token}`);
  }

  /** Notifications received, sync barriers left out. */
  seen(): Json[] {
    return this.received.filter((n) => !String(n.interactionSubType).startsWith("sync-"));
  }

  close(): Promise<void> {
    return this.bayeux.close();
  }
}
