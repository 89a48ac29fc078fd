/**
 * TEST SUPPORT: small real servers on 127.0.0.1 that misbehave the way real targets do, for
 * the harness's and the command's tests (judge what answered, bounded memory, nothing hangs).
 *   json500        every request answers 500 with a JSON error envelope
 *   htmlHandshake  REST and control forwarded to a real reference server; the Bayeux endpoint
 *                  answers an HTML page with 200
 *   endlessBody    an answer body that never ends, on REST ("rest") or on the Bayeux endpoint
 *                  ("bayeux", REST forwarded to a reference server)
 *   htmlPage       every request answers an HTML page with 200 (a web server where the API should be)
 *   restRefuses    the REST API answers 401 to the agents' valid credentials; Bayeux (forwarded
 *                  to a reference server) accepts them
 *   deadPort       nothing listens (connection refused)
 *   hung           accepts connections, never answers
 *   garbageBytes   answers every request with bytes that are not HTTP
 *   reset          resets every connection as soon as a request arrives
 * Each gives the URLs a run needs and close().
 */
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { startReferenceServer, type ReferenceServer } from "../../src/reference/server.js";

export interface HostileTarget {
  baseUrl: string;
  cometdUrl: string;
  controlUrl: string;
  /** GWS_* settings that point a run at it. */
  env: Record<string, string>;
  /** Bytes the endless body has written so far (endlessBody only). */
  bytesWritten(): number;
  close(): Promise<void>;
}

const AGENTS = "agent1:secret1,agent2:secret2";

function urlsOf(port: number): Pick<HostileTarget, "baseUrl" | "cometdUrl" | "controlUrl" | "env"> {
  const env = targetEnvAt(port);
  return {
    baseUrl: env.GWS_BASE_URL,
    cometdUrl: `${env.GWS_BASE_URL}/notifications`,
    controlUrl: env.GWS_CONTROL_URL,
    env,
  };
}

/** The settings (environment) that point the command at a target on 127.0.0.1:`port`. */
export function targetEnvAt(
  port: number,
): Record<"GWS_BASE_URL" | "GWS_AGENTS" | "GWS_CONTROL_URL" | "GWS_QUEUE", string> {
  const origin = `http://127.0.0.1:${port}`;
  return {
    GWS_BASE_URL: `${origin}/api/v2`,
    GWS_AGENTS: AGENTS,
    GWS_CONTROL_URL: `${origin}/control`,
    GWS_QUEUE: "Email",
  };
}

async function listen(server: Server | TcpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return (server.address() as AddressInfo).port;
}

function closer(server: Server | TcpServer, sockets: Set<Socket>, extra?: () => Promise<void>): () => Promise<void> {
  return async () => {
    for (const s of sockets) s.destroy();
    if ("closeAllConnections" in server) server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await extra?.();
  };
}

function track(server: Server | TcpServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return sockets;
}

/** Writes an endless body with backpressure until the client goes away. */
function endless(res: ServerResponse, counter: { bytes: number }, contentType: string): void {
  res.writeHead(200, { "content-type": contentType });
  const chunk = Buffer.alloc(64 * 1024, contentType.includes("json") ? " " : "x");
  if (contentType.includes("json")) res.write("[");
  const pump = (): void => {
    let more = true;
    while (!res.destroyed && more) {
      more = res.write(chunk);
      counter.bytes += chunk.length;
    }
    if (!res.destroyed) res.once("drain", pump);
  };
  pump();
}

/** A forwarding proxy to `upstream`, except for requests `intercept` answers itself. */
async function proxyTo(
  upstream: ReferenceServer,
  intercept: (req: IncomingMessage, res: ServerResponse) => boolean,
  counter = { bytes: 0 },
): Promise<HostileTarget> {
  const up = new URL(upstream.baseUrl);
  const server = createHttpServer((req, res) => {
    if (intercept(req, res)) return;
    const fwd = httpRequest(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    fwd.on("error", () => res.destroy());
    req.pipe(fwd);
  });
  const sockets = track(server);
  const port = await listen(server);
  return { ...urlsOf(port), bytesWritten: () => counter.bytes, close: closer(server, sockets, () => upstream.close()) };
}

const isBayeux = (req: IncomingMessage): boolean => (req.url ?? "").startsWith("/api/v2/notifications");

export async function json500(): Promise<HostileTarget> {
  const server = createHttpServer((req, res) => {
    req.resume();
    const body = JSON.stringify({ status: "error", errorDescription: "internal server error" });
    res.writeHead(500, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  const sockets = track(server);
  return { ...urlsOf(await listen(server)), bytesWritten: () => 0, close: closer(server, sockets) };
}

export async function htmlHandshake(): Promise<HostileTarget> {
  const upstream = await startReferenceServer({
    agents: [
      { username: "agent1", password: "secret1" },
      { username: "agent2", password: "secret2" },
    ],
  });
  return proxyTo(upstream, (req, res) => {
    if (!isBayeux(req)) return false;
    req.resume();
    const page = "<!doctype html><html><body><h1>Welcome</h1></body></html>";
    res.writeHead(200, { "content-type": "text/html", "content-length": Buffer.byteLength(page) });
    res.end(page);
    return true;
  });
}

export async function htmlPage(): Promise<HostileTarget> {
  const server = createHttpServer((req, res) => {
    req.resume();
    const page = "<!doctype html><html><body><h1>It works!</h1></body></html>";
    res.writeHead(200, { "content-type": "text/html", "content-length": Buffer.byteLength(page) });
    res.end(page);
  });
  const sockets = track(server);
  return { ...urlsOf(await listen(server)), bytesWritten: () => 0, close: closer(server, sockets) };
}

export async function restRefuses(): Promise<HostileTarget> {
  const upstream = await startReferenceServer({ agents: [{ username: "agent1", password: "secret1" }] });
  return proxyTo(upstream, (req, res) => {
    if (isBayeux(req) || !(req.url ?? "").startsWith("/api/v2/")) return false;
    req.resume();
    const body = JSON.stringify({ status: "error", errorDescription: "unauthorized" });
    res.writeHead(401, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
    return true;
  });
}

/** An endless answer body on the REST API ("rest") or on the Bayeux endpoint ("bayeux"). */
export async function endlessBody(where: "rest" | "bayeux"): Promise<HostileTarget> {
  const counter = { bytes: 0 };
  if (where === "bayeux") {
    const upstream = await startReferenceServer({
      agents: [
        { username: "agent1", password: "secret1" },
        { username: "agent2", password: "secret2" },
      ],
    });
    return proxyTo(
      upstream,
      (req, res) => {
        if (!isBayeux(req)) return false;
        req.resume();
        endless(res, counter, "application/json");
        return true;
      },
      counter,
    );
  }
  const server = createHttpServer((req, res) => {
    req.resume();
    endless(res, counter, "application/json");
  });
  const sockets = track(server);
  return { ...urlsOf(await listen(server)), bytesWritten: () => counter.bytes, close: closer(server, sockets) };
}

export async function deadPort(): Promise<HostileTarget> {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { ...urlsOf(port), bytesWritten: () => 0, close: async () => undefined };
}

export async function hung(): Promise<HostileTarget> {
  const server = createTcpServer((socket) => socket.on("data", () => undefined));
  const sockets = track(server);
  return { ...urlsOf(await listen(server)), bytesWritten: () => 0, close: closer(server, sockets) };
}

export async function garbageBytes(): Promise<HostileTarget> {
  const server = createTcpServer((socket) =>
    socket.once("data", () => socket.end(Buffer.from("\x00\x13garbage \xff\xfe not http\r\n\r\n", "latin1"))),
  );
  const sockets = track(server);
  return { ...urlsOf(await listen(server)), bytesWritten: () => 0, close: closer(server, sockets) };
}

export async function reset(): Promise<HostileTarget> {
  const server = createTcpServer((socket) => socket.once("data", () => socket.resetAndDestroy()));
  const sockets = track(server);
  return { ...urlsOf(await listen(server)), bytesWritten: () => 0, close: closer(server, sockets) };
}
