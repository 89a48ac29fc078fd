/**
 * TEST SUPPORT: one HTTP/1.1 request written byte for byte on a fresh TCP connection, so a test
 * can send what no well-behaved client library would (invalid bytes in the path, overlong
 * headers, a body that does not match its content type). Reads the answer until the server
 * closes the connection; bounded by a budget.
 */
import { connect } from "node:net";

export interface RawAnswer {
  /** undefined when no status line came (connection refused, reset, budget ran out). */
  status?: number;
  headers: Record<string, string>;
  body: Buffer;
  error?: string;
}

export interface RawRequest {
  method: string;
  /** The request target exactly as written on the request line. */
  path: string;
  headers: Array<[string, string]>;
  body?: Buffer;
}

function decodeChunked(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i < buf.length) {
    const eol = buf.indexOf("\r\n", i);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(i, eol).toString("latin1"), 16);
    if (!size) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

export function rawRequest(port: number, req: RawRequest, budgetMs = 5_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const timer = setTimeout(() => {
      error = `no complete answer within ${budgetMs} ms`;
      socket.destroy();
    }, budgetMs);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    socket.on("close", () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const head = all.indexOf("\r\n\r\n");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(all.subarray(0, 20).toString("latin1"));
      if (!m || head < 0) return resolve({ headers: {}, body: Buffer.alloc(0), error: error ?? "no status line" });
      const headers: Record<string, string> = {};
      for (const line of all.subarray(0, head).toString("latin1").split("\r\n").slice(1)) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let body: Buffer = all.subarray(head + 4);
      if (/chunked/i.test(headers["transfer-encoding"] ?? "")) body = decodeChunked(body);
      else if (headers["content-length"]) body = body.subarray(0, Number(headers["content-length"]));
      resolve({ status: Number(m[1]), headers, body });
    });
    socket.on("connect", () => {
      const lines = [
        `${req.method} ${req.path} HTTP/1.1`,
        "host: 127.0.0.1",
        "connection: close",
        ...req.headers.map(([k, v]) => `${k}: ${v}`),
      ];
      if (req.body) lines.push(`content-length: ${req.body.length}`);
      socket.write(
        Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), req.body ?? Buffer.alloc(0)]),
      );
    });
  });
}
