/** The smtp adapter: a real SMTP conversation, and the connection settings it gives nodemailer. */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { BUDGETS } from "../budgets.js";
import { SMTP_HEADER_AGENT, SmtpInjector } from "./smtp.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** An SMTP server on 127.0.0.1 that keeps what it receives (envelope recipients and the raw message). */
async function mailServer(): Promise<{ url: string; received: Array<{ to: string[]; raw: string }> }> {
  const received: Array<{ to: string[]; raw: string }> = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    onAuth: (auth, _session, cb) => cb(null, { user: auth.username }),
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `smtp://mailer:secret@127.0.0.1:${(server.server.address() as AddressInfo).port}`, received };
}

/** The options nodemailer's SMTP transport connects with (what the adapter handed it). */
function connectionOptions(injector: SmtpInjector): Record<string, unknown> {
  const transport = (injector as unknown as { transport: { transporter: { options: Record<string, unknown> } } })
    .transport;
  return transport.transporter.options;
}

describe("SmtpInjector", () => {
  it("delivers the e-mail to the target's mailbox, with the agent hint as a header", async () => {
    const server = await mailServer();
    const injector = new SmtpInjector(server.url, "support@target.example");
    closers.push(() => injector.close());
    await injector.inject({
      from: "pat@example.org",
      to: "support@example.org",
      subject: "gws-0123456789",
      text: "hello",
      agent: "agent2",
    });
    expect(server.received).toHaveLength(1);
    expect(server.received[0].to).toEqual(["support@target.example"]);
    expect(server.received[0].raw).toMatch(/^Subject: gws-0123456789\r?$/m);
    // Header names are case-insensitive (RFC 5322); nodemailer writes X-Gws-Agent.
    expect(server.received[0].raw.toLowerCase()).toContain(`${SMTP_HEADER_AGENT.toLowerCase()}: agent2`);
  });

  it("connects within the injection budget, and accepts a self-signed certificate only when told to", () => {
    const strict = connectionOptions(new SmtpInjector("smtp://u:p@mail.example:2525", "box@example"));
    expect(strict).toMatchObject({
      host: "mail.example",
      port: 2525,
      connectionTimeout: BUDGETS.injectMs,
      greetingTimeout: BUDGETS.injectMs,
      socketTimeout: BUDGETS.injectMs,
    });
    expect(strict.tls).toBeUndefined();
    const insecure = connectionOptions(new SmtpInjector("smtp://u:p@mail.example:2525", "box@example", true));
    expect(insecure.tls).toEqual({ rejectUnauthorized: false });
  });
});
