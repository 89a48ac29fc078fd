/**
 * The reference server's mail intake for the smtp adapter: a real SMTP server (smtp-server)
 * that parses each received message (mailparser) and queues it through the reference server's
 * test-control API, as a deployment fed by a real mail server would. The X-GWS-* headers of the
 * smtp adapter carry the routing and revoke hints.
 */
import { SMTPServer } from "smtp-server";
import { simpleParser, type AddressObject } from "mailparser";
import { request } from "undici";
import type { InboundEmailInjection } from "../generated/contract-types.js";
import { SMTP_HEADER_AGENT, SMTP_HEADER_REVOKE_AFTER_MS } from "../harness/inject/smtp.js";

export interface SmtpGateway {
  /** smtp://127.0.0.1:PORT (credentials, when required, go in the URL's user info). */
  url: string;
  port: number;
  /** Messages received, and what became of them (for tests and diagnostics). */
  received: Array<{ subject: string; queued: boolean; error?: string }>;
  close(): Promise<void>;
}

function addresses(a: AddressObject | AddressObject[] | undefined): string | undefined {
  if (!a) return undefined;
  const list = (Array.isArray(a) ? a : [a]).flatMap((x) => x.value.map((v) => v.address).filter(Boolean));
  return list.length ? list.join(", ") : undefined;
}

/** Starts an SMTP server on 127.0.0.1 that feeds `controlUrl`/inbound-emails. */
export async function startSmtpGateway(opts: {
  controlUrl: string;
  port?: number;
  auth?: { username: string; password: string };
}): Promise<SmtpGateway> {
  const received: SmtpGateway["received"] = [];
  const server = new SMTPServer({
    authOptional: !opts.auth,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.username && auth.password === opts.auth.password)
        cb(null, { user: auth.username });
      else cb(new Error("invalid credentials"));
    },
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then(async (mail) => {
          const header = (name: string): string | undefined => {
            const v = mail.headers.get(name.toLowerCase());
            return v === undefined ? undefined : String(v);
          };
          const revoke = header(SMTP_HEADER_REVOKE_AFTER_MS);
          const email: InboundEmailInjection = {
            to: addresses(mail.to) ?? "",
            from: addresses(mail.from) ?? "",
            subject: mail.subject ?? "",
            text: (mail.text ?? "").replace(/\n$/, ""),
            ...(addresses(mail.replyTo) ? { replyTo: addresses(mail.replyTo) } : {}),
            ...(addresses(mail.cc) ? { cc: addresses(mail.cc) } : {}),
            ...(typeof mail.html === "string"
              ? { structuredText: mail.html, structuredTextMimeType: "text/html" }
              : {}),
            ...(mail.attachments.length
              ? {
                  attachments: mail.attachments.map((a) => ({
                    name: a.filename ?? "attachment",
                    mimetype: a.contentType,
                    contentBase64: a.content.toString("base64"),
                  })),
                }
              : {}),
            ...(header(SMTP_HEADER_AGENT) ? { agent: header(SMTP_HEADER_AGENT) } : {}),
            ...(revoke && /^\d+$/.test(revoke) ? { revokeAfterMs: Number(revoke) } : {}),
          };
          const res = await request(`${opts.controlUrl}/inbound-emails`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(email),
            headersTimeout: 10_000,
            bodyTimeout: 10_000,
          });
          const text = await res.body.text();
          if (res.statusCode >= 300) throw new Error(`control API answered ${res.statusCode}: ${text.slice(0, 200)}`);
          received.push({ subject: email.subject, queued: true });
          cb();
        })
        .catch((e: Error) => {
          received.push({ subject: "?", queued: false, error: e.message });
          cb(Object.assign(new Error(`451 not queued: ${e.message}`), { responseCode: 451 }));
        });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = (server as unknown as { server: import("node:net").Server }).server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const userInfo = opts.auth
    ? `${encodeURIComponent(opts.auth.username)}:${encodeURIComponent(opts.auth.password)}@`
    : "";
  return {
    url: `smtp://${userInfo}127.0.0.1:${port}`,
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
