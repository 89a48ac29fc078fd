/**
 * The reference server over real HTTP and the real cometd client: bad input, routing and channel
 * state, revocation, two agents at once, isolation, both Bayeux implementations, the injection
 * adapters, and a graceful shutdown that leaves nothing open. (The conformance suites, run by
 * test/self-verification, judge every rule end to end against it.)
 */
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpClient } from "../harness/http-client.js";
import { CometdSession } from "../harness/cometd-session.js";
import { Target } from "../harness/target.js";
import { CommandInjector } from "../harness/inject/command.js";
import { SmtpInjector } from "../harness/inject/smtp.js";
import { startReferenceServer, type ReferenceServer } from "./server.js";
import { startSmtpGateway } from "./smtp-gateway.js";
import { quote } from "./world.js";

const WAIT = 3000;

async function connect(server: ReferenceServer, count = 2): Promise<Target> {
  return Target.connect({ baseUrl: server.baseUrl, cometdUrl: server.cometdUrl, controlUrl: server.controlUrl, agents: server.agents.slice(0, count), inject: "http", notifyBudgetMs: WAIT, tlsInsecure: false, embedded: true, label: "test" });
}

describe("reference server: bad input", () => {
  let server: ReferenceServer;
  let http: HttpClient;
  beforeAll(async () => {
    server = await startReferenceServer();
    http = new HttpClient(server.baseUrl, server.agents[0]);
  });
  afterAll(() => server.close());

  const expectError = (x: { status?: number; body: unknown }, status: number, text: RegExp): void => {
    expect(x.status).toBe(status);
    expect(x.body).toMatchObject({ status: "error" });
    expect((x.body as { errorDescription: string }).errorDescription).toMatch(text);
  };

  it("malformed JSON → 400 naming the problem", async () => {
    expectError(await http.post("/me/interactions/X", undefined, { rawBody: "{nope" }), 400, /malformed JSON/);
  });
  it("a body over 1 MiB → 413", async () => {
    expectError(await http.post("/me/interactions/X", undefined, { rawBody: JSON.stringify({ operationName: "Reply", subjectPrefix: "x".repeat(1024 * 1024 + 10) }) }), 413, /1 MiB/);
  });
  it("unknown path → 404; wrong method → 405 with Allow", async () => {
    expectError(await http.post("/me/nothing", {}), 404, /no such resource/);
    const get = await http.send("GET", "/me/interactions/X", undefined);
    expectError(get, 405, /use POST/);
    expect(get.headers.allow).toBe("POST");
  });
  it("no or wrong credentials → 401 with WWW-Authenticate, whatever the body", async () => {
    const none = await http.post("/me/interactions/X", { operationName: "Accept" }, { auth: "none", noCookies: true });
    expectError(none, 401, /authentication required/);
    expect(none.headers["www-authenticate"]).toMatch(/Basic/);
    expectError(await http.post("/me/channels/email", { operationName: "Ready" }, { auth: { username: "agent1", password: "x" }, noCookies: true }), 401, /T4/);
  });
  it("sets a session cookie and accepts it back (T4 MAY)", async () => {
    const c = new HttpClient(server.baseUrl, server.agents[0]);
    await c.post("/me/channels/email", { operationName: "Ready" });
    expect(c.cookieHeader()).toMatch(/^JSESSIONID=/);
    const byCookie = await c.post("/me/channels/email", { operationName: "Ready" }, { auth: "none" });
    expect(byCookie.status).toBe(200);
  });
  it("missing / unknown operationName, wrong types, missing fields → 400 naming the field and the rule", async () => {
    expectError(await http.post("/me/interactions/X", {}), 400, /operationName is missing/);
    expectError(await http.post("/me/interactions/X", { operationName: "Teleport" }), 400, /unknown operationName "Teleport"/);
    expectError(await http.post("/me/interactions/X", { operationName: "Reply", quoteOriginal: "yes" }), 400, /\$\.quoteOriginal: expected type boolean, got "yes" \(rule O3/);
    expectError(await http.post("/me/interactions", { operationName: "CreateEmail" }), 400, /\$\.queueName: expected a value \(required field\)/);
    expectError(await http.post("/me/interactions", { operationName: "Reply" }), 400, /POST \/me\/interactions\/\{id\}/);
    expectError(await http.post("/me/channels/email", { operationName: "Sleepy" }), 400, /invalid channel request/);
    expectError(await http.post("/me/channels/sms", { operationName: "Ready" }), 404, /unknown channel sms/);
  });
  it("unknown interaction → 404; a bad injection → 400", async () => {
    expectError(await http.post("/me/interactions/NOPE", { operationName: "Accept" }), 404, /no interaction NOPE/);
    const bad = await new HttpClient(server.controlUrl, undefined).post("/inbound-emails", { to: "x" });
    expectError(bad, 400, /invalid inbound e-mail: \$\.from: expected a value/);
  });
});

describe("reference server: behaviour", () => {
  let server: ReferenceServer;
  let t: Target;
  beforeAll(async () => {
    server = await startReferenceServer();
    t = await connect(server, 3);
  });
  afterAll(async () => {
    await t.close();
    await server.close();
  });
  const invitedOn = (agent: number, token: string) => t.agents[agent].session.waitFor((n) => n.data.state === "Invited" && JSON.stringify(n.data).includes(token), `Invited ${token}`, WAIT);

  it("routes an e-mail to its agent hint; wrong state, foreign agent and unknown ids are refused with the reason", async () => {
    await t.injector.inject({ to: "a@x", from: "b@y", subject: "route-1", text: "t", agent: "agent2" });
    const inv = await invitedOn(1, "route-1");
    const id = String(inv.data.id);
    const foreign = await t.agents[0].http.post(`/me/interactions/${id}`, { operationName: "Accept" });
    expect(foreign.status).toBe(403);
    expect((foreign.body as { errorDescription: string }).errorDescription).toMatch(/not offered to or owned by agent1 \(T8\)/);
    const wrongState = await t.agents[1].http.post(`/me/interactions/${id}`, { operationName: "Send", email_object: { toAddress: "a", fromAddress: "b", subject: "c", text: "d" } });
    expect(wrongState.status).toBe(409);
    expect((wrongState.body as { errorDescription: string }).errorDescription).toMatch(/Send is not allowed .* in state Invited \(allowed: Accept, Reject/);
  });

  it("a NotReady agent is not offered e-mails; they are held until an agent is Ready", async () => {
    for (const a of t.agents) expect((await a.http.post("/me/channels/email", { operationName: "NotReady" })).status).toBe(200);
    await t.injector.inject({ to: "a@x", from: "b@y", subject: "held-1", text: "t", agent: "agent3" });
    // Nobody is Ready: the e-mail is held. Make agent3 Ready: it is offered now.
    expect(t.agents.some((a) => a.session.items().some((n) => JSON.stringify(n.data).includes("held-1")))).toBe(false);
    await t.agents[2].http.post("/me/channels/email", { operationName: "Ready" });
    await invitedOn(2, "held-1");
    for (const a of t.agents) await a.http.post("/me/channels/email", { operationName: "Ready" });
  });

  it("two agents work at once without seeing each other's notifications (T6)", async () => {
    await Promise.all(
      [0, 1].map(async (i) => {
        const token = `iso-${i}`;
        await t.injector.inject({ to: "a@x", from: "b@y", subject: token, text: "t", agent: t.agents[i].name });
        const inv = await invitedOn(i, token);
        await t.agents[i].http.post(`/me/interactions/${inv.data.id}`, { operationName: "Accept" });
        await t.agents[i].session.waitFor((n) => n.data.id === inv.data.id && n.data.state === "Accepted", "Accepted", WAIT);
      }),
    );
    expect(t.agents[0].session.items().some((n) => JSON.stringify(n.data).includes("iso-1"))).toBe(false);
    expect(t.agents[1].session.items().some((n) => JSON.stringify(n.data).includes("iso-0"))).toBe(false);
  });

  it("revokes an unanswered invitation after the revokeAfterMs hint (N5), then refuses Accept", async () => {
    await t.injector.inject({ to: "a@x", from: "b@y", subject: "revoke-1", text: "t", agent: "agent1", revokeAfterMs: 30 });
    const inv = await invitedOn(0, "revoke-1");
    const revoked = await t.agents[0].session.waitFor((n) => n.data.id === inv.data.id && n.data.state === "Revoked", "Revoked", WAIT);
    expect(revoked.data).toEqual({ messageTypeName: "InteractionStateMessage", id: inv.data.id, channel: "email", email_object: { subject: "revoke-1" }, state: "Revoked", capabilities: [] });
    expect((await t.agents[0].http.post(`/me/interactions/${inv.data.id}`, { operationName: "Accept" })).status).toBe(403);
  });

  it("CancelReply (the operations table's name) is accepted as an alias of CancelReplyEmail", async () => {
    await t.injector.inject({ to: "a@x", from: "b@y", subject: "alias-1", text: "t", agent: "agent1" });
    const inv = await invitedOn(0, "alias-1");
    await t.agents[0].http.post(`/me/interactions/${inv.data.id}`, { operationName: "Accept" });
    const r = await t.agents[0].http.post(`/me/interactions/${inv.data.id}`, { operationName: "ReplyAll" });
    const id = (r.body as { replyInteractionId: string }).replyInteractionId;
    expect((await t.agents[0].http.post(`/me/interactions/${id}`, { operationName: "CancelReply" })).status).toBe(200);
  });

  it("quotes per O3: start line, then each line indented", () => {
    expect(quote("a\nb", "On Monday:", "> ")).toBe("On Monday:\n> a\n> b");
    expect(quote("a\nb")).toBe("a\nb");
  });
});

describe("reference server: injection adapters", () => {
  it("smtp: a real SMTP conversation (nodemailer → smtp-server gateway) queues the e-mail with its CC, Reply-To and attachment", async () => {
    const server = await startReferenceServer();
    const gateway = await startSmtpGateway({ controlUrl: server.controlUrl, auth: { username: "mailer", password: "mail-pass" } });
    const t = await connect(server, 1);
    const smtp = new SmtpInjector(gateway.url, "support@cc.example");
    try {
      await smtp.inject({ to: "support@cc.example", from: "pat@example.org", replyTo: "r@example.org", cc: "boss@example.org", subject: "smtp-1", text: "hello\nthere", agent: "agent1", attachments: [{ name: "a.txt", mimetype: "text/plain", contentBase64: "aGk=" }] });
      const inv = await t.agents[0].session.waitFor((n) => n.data.state === "Invited" && JSON.stringify(n.data).includes("smtp-1"), "Invited via SMTP", WAIT);
      await t.agents[0].http.post(`/me/interactions/${inv.data.id}`, { operationName: "Accept" });
      const acc = await t.agents[0].session.waitFor((n) => n.data.id === inv.data.id && n.data.state === "Accepted", "Accepted", WAIT);
      expect(acc.data.email_object).toMatchObject({ ToAddress: "support@cc.example", FromAddress: "pat@example.org", CCAddresses: "boss@example.org", Subject: "smtp-1", Text: "hello\nthere" });
      expect((acc.data.email_object as { attachments: unknown[] }).attachments).toEqual([expect.objectContaining({ name: "a.txt", mimetype: "text/plain", size: 2 })]);
      expect(gateway.received).toEqual([{ subject: "smtp-1", queued: true }]);
    } finally {
      await smtp.close();
      await t.close();
      await gateway.close();
      await server.close();
    }
  });

  it("command: the e-mail as JSON on standard input of a command that posts it", async () => {
    const server = await startReferenceServer();
    const t = await connect(server, 1);
    const script = `let s="";process.stdin.on("data",d=>s+=d).on("end",async()=>{const r=await fetch(${JSON.stringify(`${server.controlUrl}/inbound-emails`)},{method:"POST",headers:{"content-type":"application/json"},body:s});process.stdout.write(await r.text());process.exit(r.ok?0:1)})`;
    const cmd = new CommandInjector(`${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)}`);
    try {
      const r = await cmd.inject({ to: "a@x", from: "b@y", subject: "cmd-1", text: "t", agent: "agent1" });
      expect(r.interactionId).toMatch(/^[0-9A-F]{16}$/);
      await t.agents[0].session.waitFor((n) => n.data.id === r.interactionId && n.data.state === "Invited", "Invited via command", WAIT);
      await expect(new CommandInjector("exit 3").inject({ to: "a", from: "b", subject: "c", text: "d" })).rejects.toThrow(/precondition "injection \(command adapter\)" failed: the command exited 3/);
    } finally {
      await t.close();
      await server.close();
    }
  });
});

describe("reference server: Bayeux implementations and shutdown", () => {
  it("serves /me/interactions through faye too (--bayeux faye)", async () => {
    const server = await startReferenceServer({ bayeux: "faye" });
    const t = await connect(server, 2);
    try {
      await t.injector.inject({ to: "a@x", from: "b@y", subject: "faye-1", text: "t", agent: "agent2" });
      await t.agents[1].session.waitFor((n) => JSON.stringify(n.data).includes("faye-1"), "Invited via faye", WAIT);
      expect(t.agents[0].session.items()).toEqual([]);
    } finally {
      await t.close();
      await server.close();
    }
  });

  it("closes gracefully with a client holding a long-poll: close() resolves, the port is free, no timer is left", async () => {
    const server = await startReferenceServer({ inviteTimeoutMs: 60_000 });
    const session = new CometdSession(server.cometdUrl, "agent1", server.agents[0]);
    expect(await session.connect()).toEqual({ ok: true });
    await new HttpClient(server.baseUrl, server.agents[0]).post("/me/channels/email", { operationName: "Ready" });
    await new HttpClient(server.controlUrl, undefined).post("/inbound-emails", { to: "a", from: "b", subject: "pending", text: "t" }); // arms a revoke timer
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2000);
    // The port can be bound again at once: nothing is listening or lingering on it.
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once("error", reject);
      probe.listen(server.port, "127.0.0.1", () => probe.close(() => resolve()));
    });
    await session.close(200);
  });
});
