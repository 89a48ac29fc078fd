/**
 * The XMLHttpRequest the `cometd` client sends its Bayeux requests with (long-polling, T5),
 * in place of cometd-nodejs-client's, which buffers whatever a server sends. This one:
 *   - reads a response body up to the transport context's maxAnswerBytes; past it the socket is
 *     destroyed (nothing more is buffered) and the request fails with "answer larger than …";
 *   - keeps a cookie jar per identity (the transport context's jarKey): two agents in one
 *     process must not look like one browser (cometd-nodejs-client keeps one jar per host, and a
 *     server that allows one session per browser cookie answers a second with
 *     "multiple-clients" advice and slow polling);
 *   - honours the session's TLS choice (--tls-insecure) and a proxy's address (the T5.reconnect
 *     proxy keeps the URL's host name for the Host header, SNI and the certificate check);
 *   - reports a request that got no HTTP answer with status 0 and the network error as
 *     statusText, so a caller can tell "never answered" from "answered but not Bayeux".
 * cometd reads status, statusText and responseText, and calls open, setRequestHeader, send
 * and abort (cometd LongPollingTransport.xhrSend): that is the whole surface here.
 */
import * as http from "node:http";
import * as https from "node:https";
import { DEFAULT_MAX_ANSWER_BYTES } from "./settings.js";

/** What a CometD transport carries to each of its requests (see CometdSession). */
export interface BayeuxTransportContext {
  jarKey?: string;
  maxAnswerBytes?: number;
  /** --tls-insecure: accept a certificate that does not verify (self-signed); NODE_EXTRA_CA_CERTS works by default. */
  tlsInsecure?: boolean;
  /** Connect to this address instead of resolving the URL's host (a local proxy); the name stays for Host and SNI. */
  connectHost?: string;
}

const ANONYMOUS_JAR = "(no credentials)";
const jars = new Map<string, Map<string, string>>();
const httpAgent = new http.Agent({ keepAlive: true });
const httpsAgent = new https.Agent({ keepAlive: true });

/** The prefix of statusText for an answer past the cap (CometdSession recognises it). */
export const TOO_LARGE_PREFIX = "answer larger than";

export class CappedXMLHttpRequest {
  static readonly UNSENT = 0;
  static readonly OPENED = 1;
  static readonly HEADERS_RECEIVED = 2;
  static readonly LOADING = 3;
  static readonly DONE = 4;

  readyState = CappedXMLHttpRequest.UNSENT;
  status = 0;
  statusText = "";
  responseText = "";
  withCredentials = false;
  context?: BayeuxTransportContext;
  onload?: () => void;
  onerror?: (e?: unknown) => void;
  onabort?: () => void;

  private url?: URL;
  private method = "POST";
  private readonly headers: Record<string, string> = {};
  private request?: http.ClientRequest;
  private finished = false;

  open(method: string, uri: string | URL): void {
    this.url = uri instanceof URL ? uri : new URL(uri);
    this.method = method;
    this.readyState = CappedXMLHttpRequest.OPENED;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  send(data?: string): void {
    const url = this.url;
    if (!url) throw new Error("CappedXMLHttpRequest: send() before open()");
    const jar = jarOf(this.context?.jarKey);
    const given = Object.entries(this.headers).find(([k]) => /^cookie$/i.test(k))?.[1];
    const headers: Record<string, string> = Object.fromEntries(
      Object.entries(this.headers).filter(([k]) => !/^cookie$/i.test(k)),
    );
    const cookie = [given, ...jar.values()].filter(Boolean).join("; ");
    if (cookie) headers.Cookie = cookie;
    const max = this.context?.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    const secure = url.protocol === "https:";
    const lib = secure ? https : http;
    const options: https.RequestOptions = { method: this.method, headers, agent: secure ? httpsAgent : httpAgent };
    if (this.context?.tlsInsecure) options.rejectUnauthorized = false;
    const to = this.context?.connectHost;
    if (to) {
      options.lookup = ((_host: string, opts: { all?: boolean } | undefined, cb: (...a: unknown[]) => void): void =>
        opts?.all
          ? cb(null, [{ address: to, family: 4 }])
          : cb(null, to, 4)) as unknown as https.RequestOptions["lookup"];
    }
    const req = lib.request(url, options, (res) => {
      this.status = res.statusCode ?? 0;
      this.statusText = res.statusMessage ?? "";
      this.readyState = CappedXMLHttpRequest.HEADERS_RECEIVED;
      for (const c of res.headers["set-cookie"] ?? []) storeCookie(jar, c);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (this.finished) return;
        size += chunk.length;
        if (size > max) {
          // Stop reading: drop the connection so the rest is never buffered.
          this.fail(`${TOO_LARGE_PREFIX} ${max} bytes (--max-answer-bytes); reading stopped`);
          res.destroy();
          req.destroy();
          return;
        }
        this.readyState = CappedXMLHttpRequest.LOADING;
        chunks.push(chunk);
      });
      res.on("end", () => {
        if (this.finished) return;
        this.finished = true;
        this.responseText = Buffer.concat(chunks).toString("utf8");
        this.readyState = CappedXMLHttpRequest.DONE;
        this.onload?.();
      });
      res.on("close", () => this.fail(this.statusText || "connection closed before the answer was complete"));
    });
    req.on("error", (e: NodeJS.ErrnoException) => this.fail(`${e.code ?? e.name}: ${e.message}`));
    this.request = req;
    req.end(data);
  }

  abort(): void {
    if (this.finished) return;
    this.fail("abort");
    this.request?.destroy();
  }

  private fail(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.statusText = reason;
    this.readyState = CappedXMLHttpRequest.DONE;
    this.onerror?.();
  }
}

function jarOf(key: string | undefined): Map<string, string> {
  const k = key ?? ANONYMOUS_JAR;
  let jar = jars.get(k);
  if (!jar) {
    jar = new Map();
    jars.set(k, jar);
  }
  return jar;
}

function storeCookie(jar: Map<string, string>, header: string): void {
  const nameValue = header.split(";")[0].trim();
  const eq = nameValue.indexOf("=");
  if (eq > 0) jar.set(nameValue.slice(0, eq), nameValue);
}

/** The jar key of a set of request headers: the identity's Authorization, else anonymous. */
export function jarKeyOf(authorization: string | undefined): string {
  return authorization ?? ANONYMOUS_JAR;
}
