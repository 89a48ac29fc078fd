/**
 * A mutating HTTP proxy between the suite and the reference server, for the derived mutants
 * (mutants.ts): REST answers and Bayeux long-poll responses pass through, and the one mutation
 * of the run is applied to them — a field dropped, a const changed, a capability removed or
 * duplicated, a notification duplicated, delayed past the budget, withheld or reordered, or the
 * answer envelope swapped. Everything else is relayed byte for byte.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Mutation } from "./mutants.js";

type Json = Record<string, unknown>;
type BayeuxMessage = { channel?: string; data?: Json } & Json;

export interface MutatingProxy {
  /** The proxy's origin, e.g. http://127.0.0.1:PORT (paths are the upstream's). */
  origin: string;
  /** How many times the mutation was applied. */
  applied(): number;
  close(): Promise<void>;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

function at(o: Json, path: string[]): Json | undefined {
  let node: unknown = o;
  for (const p of path.slice(0, -1)) node = node && typeof node === "object" ? (node as Json)[p] : undefined;
  return node && typeof node === "object" ? (node as Json) : undefined;
}

export async function startMutatingProxy(upstream: string, mutation: Mutation): Promise<MutatingProxy> {
  const up = new URL(upstream);
  let applied = 0;
  const sockets = new Set<import("node:net").Socket>();
  /** reorder: subjects of e-mails injected with a revoke hint, and their held Invited by id. */
  const revokeSubjects = new Set<string>();
  const heldInvited = new Map<string, BayeuxMessage>();

  /** Applies the mutation to one notification; returns the messages to deliver in its place. */
  const mutateNotification = (m: BayeuxMessage): BayeuxMessage[] => {
    const d = m.data ?? {};
    const state = d.state;
    switch (mutation.kind) {
      case "drop-field":
      case "change-const": {
        if (state !== mutation.state) return [m];
        const copy = structuredClone(m);
        const parent = at(copy.data!, mutation.path);
        const key = mutation.path[mutation.path.length - 1];
        if (!parent || !(key in parent)) return [m];
        if (mutation.kind === "drop-field") delete parent[key];
        else parent[key] = mutation.value;
        applied++;
        return [copy];
      }
      case "remove-capability":
      case "duplicate-capability": {
        if (state !== mutation.state || !Array.isArray(d.capabilities)) return [m];
        const copy = structuredClone(m);
        const caps = copy.data!.capabilities as string[];
        copy.data!.capabilities =
          mutation.kind === "remove-capability"
            ? caps.filter((c) => c !== mutation.capability)
            : [...caps, mutation.capability];
        applied++;
        return [copy];
      }
      case "duplicate-notification":
        if (state !== mutation.state) return [m];
        applied++;
        return [m, structuredClone(m)];
      case "withhold-notification":
        if (state !== mutation.state) return [m];
        applied++;
        return [];
      case "reorder-notifications": {
        const id = String(d.id);
        const subject = String((d.email_object as Json | undefined)?.subject ?? "");
        if (state === mutation.first && revokeSubjects.has(subject)) {
          heldInvited.set(id, m);
          return [];
        }
        const held = heldInvited.get(id);
        if (!held) return [m];
        heldInvited.delete(id);
        applied++;
        return [m, held]; // the held first notification now comes second
      }
      default:
        return [m];
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = await readAll(req);
      const path = req.url ?? "/";
      if (mutation.kind === "reorder-notifications" && path.startsWith("/control/inbound-emails")) {
        try {
          const e = JSON.parse(body.toString("utf8")) as { subject?: string; revokeAfterMs?: number };
          if (e.revokeAfterMs && e.subject) revokeSubjects.add(e.subject);
        } catch {
          /* relayed as is: the server judges bad bodies */
        }
      }
      const headers = { ...req.headers, host: up.host };
      const upstreamRes = await new Promise<IncomingMessage>((resolve, reject) => {
        const r = httpRequest({ host: up.hostname, port: up.port, method: req.method, path, headers }, resolve);
        r.on("error", reject);
        r.end(body);
      });
      let out = await readAll(upstreamRes);
      let delay = 0;
      const isJson = /json/.test(String(upstreamRes.headers["content-type"] ?? ""));
      if (isJson && path.startsWith("/api/v2/notifications")) {
        try {
          const messages = JSON.parse(out.toString("utf8")) as BayeuxMessage[];
          if (Array.isArray(messages)) {
            const next: BayeuxMessage[] = [];
            for (const m of messages) {
              if (m.channel !== "/me/interactions") next.push(m);
              else {
                if (mutation.kind === "delay-notification" && m.data?.state === mutation.state) {
                  // The behaviour under test is the delay: past the declared budget.
                  delay = mutation.delayMs;
                  applied++;
                }
                next.push(...mutateNotification(m));
              }
            }
            out = Buffer.from(JSON.stringify(next));
          }
        } catch {
          /* not a Bayeux batch: relayed */
        }
      } else if (isJson && mutation.kind === "status-code-envelope" && path.startsWith("/api/v2/me/")) {
        try {
          const a = JSON.parse(out.toString("utf8")) as Json;
          if (a.status === "ok") {
            out = Buffer.from(JSON.stringify({ statusCode: 0 }));
            applied++;
          } else if (a.status === "error")
            out = Buffer.from(JSON.stringify({ statusCode: 2, statusMessage: a.errorDescription }));
        } catch {
          /* relayed */
        }
      }
      const resHeaders = { ...upstreamRes.headers, "content-length": String(out.length) };
      delete resHeaders["transfer-encoding"];
      const send = (): void => {
        if (res.destroyed) return;
        res.writeHead(upstreamRes.statusCode ?? 502, resHeaders);
        res.end(out);
      };
      if (delay > 0) setTimeout(send, delay);
      else send();
    })().catch((e: Error) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "error", errorDescription: `mutating proxy: ${e.message}` }));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    applied: () => applied,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
