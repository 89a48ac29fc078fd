/** Small HTTP helpers of the reference server: bounded body reading, JSON answers, Basic auth, cookies. */
import type { IncomingMessage, ServerResponse } from "node:http";

export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLarge extends Error {}

/** Reads the request body, refusing more than 1 MiB (→ 413). */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLarge(`body over ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => !failed && resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", (e) => !failed && reject(e));
  });
}

/** Deepest JSON nesting a request may have: the contract's bodies nest 3 levels; validators recurse. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether `text` nests arrays/objects deeper than `max` (strings skipped): checked before parsing,
 * so a deeply nested body is a 400, never a stack overflow in the parser or a validator (R2).
 */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * The answer to a request Node's HTTP parser refused (overlong URL or headers → 431, bad
 * syntax → 400, slow request → 408), in R1 form, instead of Node's bare status line.
 */
export function clientErrorResponse(err: NodeJS.ErrnoException): string {
  const [status, text] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large"]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout"]
        : [400, "Bad Request"];
  const why = `the HTTP request could not be parsed (${err.code ?? "parse error"})`;
  const body = JSON.stringify({ status: "error", errorDescription: why });
  const length = `content-length: ${Buffer.byteLength(body)}`;
  const head = [`HTTP/1.1 ${status} ${text}`, "content-type: application/json", length];
  return `${[...head, "connection: close"].join("\r\n")}\r\n\r\n${body}`;
}

export interface JsonAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Writes a JSON answer; `then` runs once the answer is flushed (notifications follow the answer). */
export function writeJson(res: ServerResponse, answer: JsonAnswer, then?: () => void): void {
  // An undefined body is an empty answer (R1 MAY: Accept's empty 200).
  const text = answer.body === undefined ? "" : JSON.stringify(answer.body);
  const type = text ? { "content-type": "application/json" } : {};
  res.writeHead(answer.status, { ...type, "content-length": Buffer.byteLength(text), ...answer.headers });
  res.end(text, then);
}

export function errorAnswer(status: number, description: string, headers?: Record<string, string>): JsonAnswer {
  return { status, body: { status: "error", errorDescription: description }, headers };
}

export function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(header ?? "");
  if (!m) return undefined;
  const text = Buffer.from(m[1], "base64").toString("utf8");
  const colon = text.indexOf(":");
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
