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
