/**
 * A TCP pass-through on 127.0.0.1 between a client and the target, that can cut every open
 * connection at once: the transport suite uses it to drop a held long-poll (T5 reconnect)
 * whatever the target is, TLS included (bytes are relayed, not parsed; the client keeps the
 * target's host name for Host and SNI, see route()).
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import { EventLog, type ProxyRoute } from "./cometd-session.js";

export class TcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Connections accepted, numbered from 1 (a reconnect shows as a new one); waitable. */
  readonly connections = new EventLog<number>((n) => `connection #${n}`);

  get accepted(): number {
    return this.connections.items().length;
  }

  private constructor(
    readonly targetHost: string,
    readonly targetPort: number,
  ) {
    this.server = createServer((client) => {
      this.connections.push(this.accepted + 1);
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => s.destroy());
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
  }

  /** Starts a proxy to the host and port of `url`; resolves with it listening on an ephemeral port. */
  static async to(url: string): Promise<TcpProxy> {
    const u = new URL(url);
    const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
    const proxy = new TcpProxy(u.hostname, port);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once("error", reject);
      proxy.server.listen(0, "127.0.0.1", () => resolve());
    });
    return proxy;
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === "object" && a ? a.port : 0;
  }

  /**
   * How a client reaches `url` through this proxy: the URL with the proxy's port but the target's
   * host name (so TLS checks the target's certificate, with its SNI), connecting to 127.0.0.1,
   * with the target's own Host header.
   */
  route(url: string): ProxyRoute {
    const u = new URL(url);
    const hostHeader = u.host;
    u.port = String(this.port);
    return { url: u.toString().replace(/\/$/, url.endsWith("/") ? "/" : ""), connectHost: "127.0.0.1", hostHeader };
  }

  /** Cuts every open connection (the held long-poll among them). */
  dropAll(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) s.destroy();
    return n;
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
