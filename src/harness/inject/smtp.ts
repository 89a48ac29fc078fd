/**
 * smtp adapter: delivers the e-mail to the target's mailbox through an SMTP server (nodemailer),
 * for deployments fed by a real mail server. Fields with no SMTP header of their own travel as
 * X-GWS-* headers (agent hint, revoke hint); a target may ignore them.
 */
import nodemailer from "nodemailer";
import SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { BUDGETS } from "../budgets.js";
import { PreconditionError } from "../checks.js";
import { recordInjection, type InboundEmail, type InjectResult, type Injector } from "./adapter.js";

export const SMTP_HEADER_AGENT = "X-GWS-Agent";
export const SMTP_HEADER_REVOKE_AFTER_MS = "X-GWS-Revoke-After-Ms";

export class SmtpInjector implements Injector {
  readonly kind = "smtp" as const;
  private readonly transport: nodemailer.Transporter;

  constructor(
    smtpUrl: string,
    readonly mailbox: string,
    tlsInsecure = false,
  ) {
    // The transport itself, not createTransport(url, options): there the second argument holds
    // defaults of each message, and the connection would keep nodemailer's own timeouts and TLS checks.
    this.transport = nodemailer.createTransport(
      new SMTPTransport({
        url: smtpUrl,
        connectionTimeout: BUDGETS.injectMs,
        greetingTimeout: BUDGETS.injectMs,
        socketTimeout: BUDGETS.injectMs,
        ...(tlsInsecure ? { tls: { rejectUnauthorized: false } } : {}),
      }),
    );
  }

  async inject(email: InboundEmail): Promise<InjectResult> {
    const headers: Record<string, string> = {};
    if (email.agent) headers[SMTP_HEADER_AGENT] = email.agent;
    if (email.revokeAfterMs) headers[SMTP_HEADER_REVOKE_AFTER_MS] = String(email.revokeAfterMs);
    try {
      await this.transport.sendMail({
        // The envelope goes to the target's mailbox; the headers keep the e-mail's own addresses.
        envelope: { from: email.from, to: [this.mailbox] },
        from: email.from,
        to: email.to,
        cc: email.cc,
        replyTo: email.replyTo,
        subject: email.subject,
        text: email.text,
        html:
          email.structuredText && /html/i.test(email.structuredTextMimeType ?? "text/html")
            ? email.structuredText
            : undefined,
        attachments: email.attachments?.map((a) => ({
          filename: a.name,
          contentType: a.mimetype,
          content: Buffer.from(a.contentBase64, "base64"),
        })),
        headers,
      });
    } catch (e) {
      const reason = `SMTP delivery to ${this.mailbox} failed: ${(e as Error).message}`;
      recordInjection("smtp", email, false, reason);
      throw new PreconditionError("injection (smtp adapter)", reason);
    }
    recordInjection("smtp", email, true);
    return {};
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
