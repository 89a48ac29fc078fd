/**
 * REST access to the target for one identity: undici, HTTP Basic credentials (T4), and a
 * cookie jar of its own so a server session (JSESSIONID) is returned (T4 MAY). Every
 * exchange is written to the transcript. No request can hang: each has the httpAnswer budget.
 * No answer can exhaust memory: a body is read up to maxAnswerBytes, then the connection is
 * dropped and the exchange says how large it was (judged R1, judge-answer.ts).
 */
import { Agent, request, type Dispatcher } from "undici";
import { BUDGETS } from "./budgets.js";
import { record } from "./transcript.js";
import { DEFAULT_MAX_ANSWER_BYTES, type AgentCredentials } from "./settings.js";

export interface HttpExchange {
  method: string;
  url: string;
  requestBody?: unknown;
  /** undefined when the request failed at the network level (see error). */
  status?: number;
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, else the raw text (undefined when empty). */
  body: unknown;
  rawBody: string;
  durationMs: number;
  /** Time the request was sent (epoch ms): a notification it caused cannot come earlier. */
  startedAt: number;
  /** Time the answer was complete (epoch ms): N8 budgets start here. */
  answeredAt: number;
  error?: string;
  /** Set when the body went past the cap: the cap in bytes (reading stopped there). */
  tooLargeAfter?: number;
}

/** How much of an oversized answer is kept for the transcript. */
const OVERSIZED_PREFIX_CHARS = 2_000;

/**
 * Reads an answer body up to `maxBytes`. Past it the stream is destroyed (undici drops the
 * connection), so nothing more is buffered; the result says where it stopped.
 */
export async function readCapped(
  body: AsyncIterable<Buffer | Uint8Array> & { destroy(e?: Error): unknown },
  maxBytes: number,
): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      return { text: Buffer.concat(chunks).toString("utf8").slice(0, OVERSIZED_PREFIX_CHARS), tooLarge: true };
    }
    chunks.push(Buffer.from(chunk));
  }
  return { text: Buffer.concat(chunks).toString("utf8"), tooLarge: false };
}

export type AuthMode = "agent" | "none" | AgentCredentials;

export interface PostOptions {
  auth?: AuthMode;
  /** Send this text as the body instead of JSON.stringify(body) (malformed-JSON tests). */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Do not send or store cookies (unauthenticated probes must not ride on a session). */
  noCookies?: boolean;
  /** Operation name, for the transcript. */
  operation?: string;
}

const insecureDispatcher = new Agent({ connect: { rejectUnauthorized: false } });

export function basicAuthHeader(c: AgentCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
}

export class HttpClient {
  private readonly cookies = new Map<string, string>();
  private readonly dispatcher?: Dispatcher;
  readonly maxAnswerBytes: number;

  constructor(
    readonly baseUrl: string,
    readonly credentials: AgentCredentials | undefined,
    opts: { tlsInsecure?: boolean; maxAnswerBytes?: number } = {},
  ) {
    if (opts.tlsInsecure) this.dispatcher = insecureDispatcher;
    this.maxAnswerBytes = opts.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  }

  /** Cookie header for this identity (also used by the CometD session, T5). */
  cookieHeader(): string | undefined {
    return this.cookies.size ? [...this.cookies.values()].join("; ") : undefined;
  }

  storeSetCookies(setCookie: string | string[] | undefined): void {
    for (const c of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const nameValue = c.split(";")[0].trim();
      const eq = nameValue.indexOf("=");
      if (eq > 0) this.cookies.set(nameValue.slice(0, eq), nameValue);
    }
  }

  /** POST a JSON body to `{baseUrl}{path}`. Never throws for HTTP or network failures: see exchange.error. */
  async post(path: string, body: unknown, opts: PostOptions = {}): Promise<HttpExchange> {
    return this.send("POST", path, body, opts);
  }

  async send(method: string, path: string, body: unknown, opts: PostOptions = {}): Promise<HttpExchange> {
    const url = /^https?:/.test(path) ? path : `${this.baseUrl}${path}`;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json",
      ...opts.headers,
    };
    const auth = opts.auth ?? "agent";
    const creds = auth === "agent" ? this.credentials : auth === "none" ? undefined : auth;
    if (creds) headers.authorization = basicAuthHeader(creds);
    const cookie = opts.noCookies ? undefined : this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    const text = opts.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    const started = performance.now();
    const exchange: HttpExchange = {
      method,
      url,
      requestBody: opts.rawBody ?? body,
      headers: {},
      body: undefined,
      rawBody: "",
      durationMs: 0,
      startedAt: Date.now(),
      answeredAt: 0,
    };
    try {
      const res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: text,
        dispatcher: this.dispatcher,
        headersTimeout: BUDGETS.httpAnswerMs,
        bodyTimeout: BUDGETS.httpAnswerMs,
        signal: AbortSignal.timeout(BUDGETS.httpAnswerMs),
      });
      exchange.status = res.statusCode;
      for (const [k, v] of Object.entries(res.headers))
        if (v !== undefined) exchange.headers[k] = Array.isArray(v) ? v.join(", ") : v;
      if (!opts.noCookies) this.storeSetCookies(res.headers["set-cookie"]);
      const read = await readCapped(res.body, this.maxAnswerBytes);
      exchange.rawBody = read.text;
      if (read.tooLarge) exchange.tooLargeAfter = this.maxAnswerBytes;
      else exchange.body = parseBody(exchange.rawBody);
    } catch (e) {
      exchange.error = `${(e as Error).name}: ${(e as Error).message}`;
    }
    exchange.durationMs = performance.now() - started;
    exchange.answeredAt = Date.now();
    record({
      kind: "http",
      agent: creds?.username,
      method,
      url,
      requestHeaders: headers,
      requestBody: exchange.requestBody,
      status: exchange.status,
      responseHeaders: exchange.headers,
      responseBody: exchange.body,
      durationMs: Math.round(exchange.durationMs * 100) / 100,
      error: exchange.error,
      ...(exchange.tooLargeAfter ? { tooLargeAfter: exchange.tooLargeAfter } : {}),
      operation: opts.operation,
    });
    return exchange;
  }
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
