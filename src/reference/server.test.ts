/**
 * The reference server over real HTTP (undici) and the real cometd client (test-support/client.ts):
 * every operation end to end with the fields its notifications carry, routing and channel state,
 * revocation, several agents and sessions at once, isolation, bad input, CometD authentication,
 * the SMTP intake, the faye Bayeux host, and a shutdown that leaves nothing open.
 * Waits are on conditions with named budgets (BUDGET); "nothing came" is checked with barriers.
 */
import { createServer } from "node:net";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentedCapabilities, notificationSchemaFor } from "../contract/lifecycle.js";
import { contractValidator, formatViolations } from "../contract/validators.js";
import { startReferenceServer, type ReferenceServer } from "./server.js";
import { startSmtpGateway } from "./smtp-gateway.js";
import {
  BayeuxClient,
  BUDGET,
  call,
  inject,
  TestAgent,
  waitFor,
  type Answer,
  type Json,
} from "./test-support/client.js";
import { quote } from "./world.js";

let tokens = 0;
const token = (prefix: string): string => `${prefix}-${++tokens}`;
const email = (tok: string, extra: Json = {}): Json => ({
  to: "support@cc.example",
  from: "pat@example.org",
  subject: `Order 42 [${tok}]`,
  text: "Hello,\nwhere is my order?",
  ...extra,
});
const SEND = {
  operationName: "Send",
  email_object: {
    toAddress: "pat@example.org",
    fromAddress: "support@cc.example",
    subject: "Re: order",
    text: "On its way.",
  },
};

/** The notification is valid against its state's schema (schemas/notifications/, N1–N5). */
function expectSchema(n: Json): void {
  const v = contractValidator().validate(notificationSchemaFor(String(n.state))!, n);
  expect(v.ok, formatViolations(v.violations)).toBe(true);
}
function expectError(a: Answer, status: number, description: RegExp): void {
  expect(a.status, a.text).toBe(status);
  expect(a.body).toEqual({ status: "error", errorDescription: expect.stringMatching(description) });
}
const expectOk = (a: Answer, extra: Json = {}): void => {
  expect(a.status, a.text).toBe(200);
  expect(a.body).toEqual({ status: "ok", ...extra });
};
/** The first notification arriving on `agent` after position `mark` that matches. */
const after = (agent: TestAgent, mark: number, pred: (n: Json) => boolean, what: string): Promise<Json> =>
  agent.waitFor((n) => agent.received.indexOf(n) >= mark && pred(n), what);
/** Which of `agents` receives a matching notification first. */
const whoGets = (agents: TestAgent[], pred: (n: Json) => boolean, what: string): Promise<TestAgent> =>
  waitFor(
    () => agents.find((a) => a.received.some(pred)),
    BUDGET.notifyMs,
    what,
    agents.map((a) => a.bayeux.received),
  );

async function connectAll(server: ReferenceServer, count: number, ready = true): Promise<TestAgent[]> {
  return Promise.all(server.agents.slice(0, count).map((a) => TestAgent.connect(server, a, { ready })));
}

describe("operations end to end (three Ready agents)", () => {
  let server: ReferenceServer;
  let a1: TestAgent, a2: TestAgent, a3: TestAgent;
  beforeAll(async () => {
    server = await startReferenceServer();
    [a1, a2, a3] = await connectAll(server, 3);
  });
  afterAll(async () => {
    await Promise.all([a1, a2, a3].map((a) => a?.close()));
    await server?.close();
  });

  /** Injects an e-mail for `agent`, accepts it and returns its id and Accepted notification. */
  async function accepted(agent: TestAgent, extra: Json = {}): Promise<{ id: string; tok: string; accepted: Json }> {
    const tok = token("e2e");
    const id = await inject(server.controlUrl, email(tok, { agent: agent.name, ...extra }));
    await agent.invited(tok);
    expectOk(await agent.op(id, { operationName: "Accept" }));
    return { id, tok, accepted: await agent.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted") };
  }
  /** Runs a Reply-like operation and returns its answer and the ReplyCreated it announced. */
  async function replyOf(agent: TestAgent, id: string, body: Json): Promise<{ answer: Answer; created: Json }> {
    const answer = await agent.op(id, body);
    expect(answer.status, answer.text).toBe(200);
    const rid = String(answer.body?.replyInteractionId);
    return {
      answer,
      created: await agent.waitFor((n) => n.id === rid && n.state === "ReplyCreated", `ReplyCreated ${rid}`),
    };
  }

  it("O1, N2, N3: inject → Invited with every field → Accept answers ok → Accepted carrying the e-mail, attachments, receivedAt", async () => {
    const tok = token("accept");
    const id = await inject(
      server.controlUrl,
      email(tok, {
        agent: "agent1",
        replyTo: "replies@example.org",
        cc: "boss@example.org",
        structuredText: "<p>Hello</p>",
        structuredTextMimeType: "text/html",
        attachments: [{ name: "order.txt", mimetype: "text/plain", contentBase64: "aGVsbG8=" }],
      }),
    );
    const invited = await a1.invited(tok);
    expectSchema(invited);
    expect(invited).toEqual({
      messageTypeName: "InteractionStateMessage",
      id,
      channel: "email",
      email_object: { subject: `Order 42 [${tok}]`, interactionId: id },
      interactionType: "Email",
      interactionSubType: "InboundNew",
      userData: expect.any(Object),
      currentQueue: expect.any(String),
      state: "Invited",
      capabilities: ["Accept", "Reject"],
    });

    const mark = a1.received.length;
    expectOk(await a1.op(id, { operationName: "Accept" }));
    const acc = await a1.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted");
    expectSchema(acc);
    expect(acc).toMatchObject({
      messageTypeName: "InteractionStateMessage",
      channel: "email",
      interactionType: "Email",
      interactionSubType: "InboundNew",
      userData: expect.any(Object),
      currentQueue: expect.any(String),
    });
    expect(acc.email_object).toMatchObject({
      ToAddress: "support@cc.example",
      FromAddress: "pat@example.org",
      CCAddresses: "boss@example.org",
      Subject: `Order 42 [${tok}]`,
      Text: "Hello,\nwhere is my order?",
      MimeType: "text/plain",
      StructuredText: "<p>Hello</p>",
      StructuredTextMimeType: "text/html",
    });
    expect(acc.email_object.attachments).toEqual([
      { id: expect.any(String), name: "order.txt", size: 5, mimetype: "text/plain" },
    ]);
    expect(new Date(acc.receivedAt).toISOString()).toBe(acc.receivedAt);
    expect(acc.capabilities).toEqual([...documentedCapabilities("Accepted")]);
    // N7: exactly one Accepted (the barrier proves nothing else was on its way).
    await a1.sync();
    expect(
      a1
        .seen()
        .slice(mark)
        .filter((n) => n.id === id)
        .map((n) => n.state),
    ).toEqual(["Accepted"]);
  });

  it("O3: Reply → To = Reply-To, From = inbound To, Subject = prefix + subject, Text empty; then O6 Send: ok, and the reply has left the agent", async () => {
    const { id, tok } = await accepted(a1, { replyTo: "replies@example.org", cc: "boss@example.org" });
    const { answer, created } = await replyOf(a1, id, {
      operationName: "Reply",
      subjectPrefix: "Re: ",
      queueName: "drafts",
    });
    expect(answer.body).toEqual({ status: "ok", replyInteractionId: created.id }); // R1: Reply MAY carry it
    expectSchema(created);
    expect(created.id).not.toBe(id); // N4: a new interaction
    expect(created).toMatchObject({
      interactionType: "Email",
      interactionSubType: "OutboundReply",
      state: "ReplyCreated",
      capabilities: [...documentedCapabilities("ReplyCreated")],
    });
    expect(created.email_object).toEqual({
      ToAddress: "replies@example.org",
      FromAddress: "support@cc.example",
      Subject: `Re: Order 42 [${tok}]`,
      Text: "",
      MimeType: "text/plain",
    });

    expectOk(await a1.op(created.id, SEND));
    expectError(
      await a1.op(created.id, SEND),
      409,
      /Send is not allowed on interaction \w+ in state Sent; agent1 no longer holds it/,
    );
    // The inbound interaction stays Accepted with the agent (O3): another Reply works.
    expect((await a1.op(id, { operationName: "Reply" })).status).toBe(200);
  });

  it("O3 quoting: start line first, then each inbound line indented; without Reply-To the reply goes to From", async () => {
    const { id } = await accepted(a1);
    const quoted = await replyOf(a1, id, {
      operationName: "Reply",
      quoteOriginal: true,
      replyToStartLine: "Pat wrote:",
      indentCharacter: "> ",
    });
    expect(quoted.created.email_object).toMatchObject({
      ToAddress: "pat@example.org",
      FromAddress: "support@cc.example",
      Text: "Pat wrote:\n> Hello,\n> where is my order?",
    });
    const plain = await replyOf(a1, id, { operationName: "Reply", quoteOriginal: true });
    expect(plain.created.email_object.Text).toBe("Hello,\nwhere is my order?");
    expect(quote("a\r\nb", "On Monday:", "| ")).toBe("On Monday:\n| a\n| b");
  });

  it("O4: ReplyAll copies CC, quotes by default, and answers the id of the ReplyCreated that follows", async () => {
    const { id, tok } = await accepted(a1, {
      replyTo: "replies@example.org",
      cc: "boss@example.org, desk@example.org",
    });
    const { answer, created } = await replyOf(a1, id, {
      operationName: "ReplyAll",
      subjectPrefix: "RE: ",
      indentCharacter: ">",
    });
    expect(answer.body).toEqual({ status: "ok", replyInteractionId: created.id });
    expectSchema(created);
    expect(created.email_object).toEqual({
      ToAddress: "replies@example.org",
      FromAddress: "support@cc.example",
      CCAddresses: "boss@example.org, desk@example.org",
      Subject: `RE: Order 42 [${tok}]`,
      Text: ">Hello,\n>where is my order?",
      MimeType: "text/plain",
    });
    const unquoted = await replyOf(a1, id, { operationName: "ReplyAll", quoteOriginal: false });
    expect(unquoted.created.email_object.Text).toBe("");
  });

  it("O5: Forward answers ok with replyInteractionId; its ReplyCreated has an empty To, set by Send (O6); Send without toAddress fails and changes nothing", async () => {
    const { id } = await accepted(a1);
    const { answer, created } = await replyOf(a1, id, { operationName: "Forward" });
    expect(answer.body).toEqual({ status: "ok", replyInteractionId: created.id });
    expectSchema(created);
    expect(created.email_object.ToAddress).toBe("");
    const { toAddress: _drop, ...noTo } = SEND.email_object;
    expectError(
      await a1.op(created.id, { operationName: "Send", email_object: noTo }),
      400,
      /\$\.email_object\.toAddress: expected a value \(required field\)/,
    );
    expectOk(await a1.op(created.id, SEND)); // the failure changed nothing
  });

  it("O7: CancelReplyEmail answers ok, then Send fails; the inbound stays Accepted; CancelReply is accepted as an alias (MAY)", async () => {
    const { id } = await accepted(a1);
    const first = await replyOf(a1, id, { operationName: "ReplyAll" });
    expectOk(await a1.op(first.created.id, { operationName: "CancelReplyEmail" }));
    expectError(await a1.op(first.created.id, SEND), 409, /in state Cancelled/);
    const second = await replyOf(a1, id, { operationName: "Reply" });
    expectOk(await a1.op(second.created.id, { operationName: "CancelReply" }));
  });

  it("O8: CreateEmail (also with a trailing slash) → ReplyCreated of the requested subtype, else OutboundReply, owned by the agent", async () => {
    const subtype = token("OutboundNew");
    expectOk(
      await a2.post("/me/interactions", {
        operationName: "CreateEmail",
        queueName: "outbound",
        interactionType: "Outbound",
        interactionSubType: subtype,
      }),
    );
    const created = await a2.waitFor((n) => n.interactionSubType === subtype, "ReplyCreated of the requested subtype");
    expectSchema(created);
    expect(created).toMatchObject({
      state: "ReplyCreated",
      interactionType: "Email",
      capabilities: [...documentedCapabilities("ReplyCreated")],
    });
    const mark = a2.received.length;
    expectOk(await a2.post("/me/interactions/", { operationName: "CreateEmail", queueName: "outbound" }));
    const plain = await after(
      a2,
      mark,
      (n) => n.state === "ReplyCreated",
      "ReplyCreated of CreateEmail without a subtype",
    );
    expect(plain.interactionSubType).toBe("OutboundReply");
    expectOk(await a2.op(plain.id, SEND));
  });

  it("O9: Transfer to agent2 → agent1 loses it, agent2 is Invited for the same id and can Accept; Transfer to a queue → lost", async () => {
    const { id, tok } = await accepted(a1);
    expectOk(await a1.op(id, { operationName: "Transfer", targetAgent: "agent2" }));
    const inv = await a2.waitFor((n) => n.id === id && n.state === "Invited", "Invited after Transfer");
    expect(inv.email_object).toEqual({ subject: `Order 42 [${tok}]`, interactionId: id });
    expectError(await a1.op(id, { operationName: "StopProcessing" }), 403, /not offered to or owned by agent1 \(T8\)/);
    expectOk(await a2.op(id, { operationName: "Accept" }));
    await a2.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted by the transfer target");
    expectOk(await a2.op(id, { operationName: "Transfer", queueName: "Tier2" }));
    expectError(await a2.op(id, { operationName: "Reply" }), 409, /in state Transferred; agent2 no longer holds it/);
  });

  it("openInteractions: what agents hold (Invited, Accepted, ReplyCreated), not what they finished (a run's leftovers)", async () => {
    const held = (id: string) => server.openInteractions().find((o) => o.id === id);
    const { id } = await accepted(a1);
    expect(held(id)).toEqual({ id, agent: "agent1", state: "Accepted" });
    const { answer } = await replyOf(a1, id, { operationName: "Reply" });
    const rid = String(answer.body?.replyInteractionId);
    expect(held(rid)).toEqual({ id: rid, agent: "agent1", state: "ReplyCreated" });
    expectOk(await a1.op(id, { operationName: "StopProcessing" }));
    expect([held(id), held(rid)?.state]).toEqual([undefined, "ReplyCreated"]); // a stopped e-mail's reply stays open
    expectOk(await a1.op(rid, { operationName: "CancelReplyEmail" }));
    expect(held(rid)).toBeUndefined();
  });

  it("O10, O11: StopProcessing and PlaceInQueue answer ok; later operations fail naming the state", async () => {
    const stopped = await accepted(a1);
    expectOk(await a1.op(stopped.id, { operationName: "StopProcessing", reason: "done" }));
    expectError(
      await a1.op(stopped.id, { operationName: "Reply" }),
      409,
      /Reply is not allowed on interaction \w+ in state Stopped.*\(allowed: none; capabilities: none\)/,
    );
    const queued = await accepted(a1);
    expectOk(await a1.op(queued.id, { operationName: "PlaceInQueue", queueName: "later" }));
    expectError(await a1.op(queued.id, { operationName: "StopProcessing" }), 409, /in state Queued/);
  });

  it("O2: Reject → offered to another Ready agent (same id), never back to one that rejected; with nobody left it stays Rejected", async () => {
    const tok = token("reject");
    const id = await inject(server.controlUrl, email(tok, { agent: "agent1" }));
    await a1.invited(tok);
    expectOk(await a1.op(id, { operationName: "Reject" }));
    const second = await whoGets([a2, a3], (n) => n.id === id && n.state === "Invited", "the re-offer after Reject");
    expectError(await a1.op(id, { operationName: "Accept" }), 403, /T8/);
    expectOk(await second.op(id, { operationName: "Reject" }));
    const third = second === a2 ? a3 : a2;
    await third.waitFor((n) => n.id === id && n.state === "Invited", "the second re-offer");
    expectOk(await third.op(id, { operationName: "Reject" }));
    expectError(await third.op(id, { operationName: "Accept" }), 409, /in state Rejected/);
    await Promise.all([a1, a2, a3].map((a) => a.sync()));
    // Each agent was offered it once; nobody got it a second time.
    expect(
      [a1, a2, a3].map((a) =>
        a
          .seen()
          .filter((n) => n.id === id)
          .map((n) => n.state),
      ),
    ).toEqual([["Invited"], ["Invited"], ["Invited"]]);
  });

  it("N5: an unanswered invitation is revoked after its revokeAfterMs hint; Accept then fails; it is not offered again", async () => {
    const tok = token("revoke");
    const id = await inject(server.controlUrl, email(tok, { agent: "agent3", revokeAfterMs: 30 }));
    await a3.invited(tok);
    const revoked = await a3.waitFor((n) => n.id === id && n.state === "Revoked", "Revoked");
    expectSchema(revoked);
    expect(revoked).toEqual({
      messageTypeName: "InteractionStateMessage",
      id,
      channel: "email",
      email_object: { subject: `Order 42 [${tok}]` },
      state: "Revoked",
      capabilities: [],
    });
    expectError(await a3.op(id, { operationName: "Accept" }), 409, /in state Revoked; agent3 no longer holds it/);
    await Promise.all([a1, a2, a3].map((a) => a.sync()));
    expect(
      [a1, a2, a3].flatMap((a) =>
        a
          .seen()
          .filter((n) => n.id === id)
          .map((n) => `${a.name}:${n.state}`),
      ),
    ).toEqual(["agent3:Invited", "agent3:Revoked"]);
  });

  it("several CometD sessions of one agent all receive its notifications", async () => {
    const extra = new BayeuxClient(server.cometdUrl, server.agents[0]);
    try {
      expect(await extra.connect()).toEqual({ ok: true });
      const tok = token("two-sessions");
      const id = await inject(server.controlUrl, email(tok, { agent: "agent1" }));
      await a1.invited(tok);
      await extra.waitFor(
        (n) => n.id === id && n.state === "Invited",
        BUDGET.notifyMs,
        "Invited on the second session",
      );
    } finally {
      await extra.close();
    }
  });

  it("T6, T8: two agents work at once; neither sees the other's notifications; another agent's operation is refused (403) and changes nothing", async () => {
    const runs = await Promise.all([a1, a2].map((a) => accepted(a)));
    for (const [i, mine] of runs.entries()) {
      const other = [a2, a1][i];
      const mark = other.received.length;
      expectError(
        await other.op(mine.id, { operationName: "StopProcessing" }),
        403,
        new RegExp(`not offered to or owned by ${other.name} \\(T8\\)`),
      );
      await other.sync();
      expect(other.received.slice(mark).filter((n) => n.id === mine.id)).toEqual([]);
    }
    expect(a1.seen().some((n) => n.id === runs[1].id)).toBe(false);
    expect(a2.seen().some((n) => n.id === runs[0].id)).toBe(false);
    // The owner's interaction is untouched: it can still be replied to.
    expect((await a1.op(runs[0].id, { operationName: "Reply" })).status).toBe(200);
  });
});

describe("routing and channel state (T7): agents start NotReady", () => {
  let server: ReferenceServer;
  let a1: TestAgent, a2: TestAgent, a3: TestAgent;
  beforeAll(async () => {
    server = await startReferenceServer();
    [a1, a2, a3] = await connectAll(server, 3, false);
  });
  afterAll(async () => {
    await Promise.all([a1, a2, a3].map((a) => a?.close()));
    await server?.close();
  });

  it("with nobody Ready an e-mail is held; the first agent to turn Ready is offered it, even if the hint named another", async () => {
    const tok = token("held");
    const id = await inject(server.controlUrl, email(tok, { agent: "agent1" }));
    await Promise.all([a1, a2, a3].map((a) => a.sync()));
    expect([a1, a2, a3].some((a) => a.seen().some((n) => n.id === id))).toBe(false);
    await a3.setReady(true);
    await a3.invited(tok);
  });

  it("the hint wins when its agent is Ready; a NotReady agent is never offered; without a hint Ready agents take turns", async () => {
    await a2.setReady(true); // Ready: a2, a3; NotReady: a1
    const hinted = token("hint");
    await inject(server.controlUrl, email(hinted, { agent: "agent2" }));
    await a2.invited(hinted);
    const toNotReady = token("not-ready");
    const id = await inject(server.controlUrl, email(toNotReady, { agent: "agent1" }));
    const got = await whoGets([a2, a3], (n) => n.id === id, "the offer of an e-mail hinted to a NotReady agent");
    expect(got).not.toBe(a1);
    const turns: string[] = [];
    for (let i = 0; i < 4; i++) {
      const tok = token("rr");
      const rid = await inject(server.controlUrl, email(tok));
      turns.push((await whoGets([a1, a2, a3], (n) => n.id === rid, `the offer of ${tok}`)).name);
    }
    expect(new Set(turns)).toEqual(new Set(["agent2", "agent3"]));
    await a1.sync();
    expect(a1.seen()).toEqual([]);
  });

  it("NotReady stops new offers (T7); Transfer to a NotReady agent holds the e-mail for that agent only", async () => {
    const tok = token("transfer-held");
    const id = await inject(server.controlUrl, email(tok, { agent: "agent2" }));
    await a2.invited(tok);
    expectOk(await a2.op(id, { operationName: "Accept" }));
    await a2.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted");
    expectOk(await a2.op(id, { operationName: "Transfer", targetAgent: "agent1" })); // a1 is NotReady
    await a3.setReady(false);
    await a3.setReady(true); // another agent turning Ready does not take it
    await Promise.all([a1, a3].map((a) => a.sync()));
    expect([a1, a3].some((a) => a.seen().some((n) => n.id === id))).toBe(false);
    await a1.setReady(true);
    await a1.waitFor((n) => n.id === id && n.state === "Invited", "Invited once the transfer target is Ready");
  });
});

describe("bad input: precise failure answers, never a 5xx, no state change", () => {
  let server: ReferenceServer;
  let a1: TestAgent;
  const url = (path: string): string => `${server.baseUrl}${path}`;
  beforeAll(async () => {
    server = await startReferenceServer();
    [a1] = await connectAll(server, 1);
  });
  afterAll(async () => {
    await a1?.close();
    await server?.close();
  });

  it("malformed JSON → 400 'malformed JSON: …' (operations, channel, control)", async () => {
    expectError(await a1.post("/me/interactions/X", undefined, { raw: "{nope" }), 400, /^malformed JSON: /);
    expectError(await a1.post("/me/channels/email", undefined, { raw: "" }), 400, /^malformed JSON: /);
    expectError(await call(`${server.controlUrl}/inbound-emails`, { raw: "[1," }), 400, /^malformed JSON: /);
  });

  it("a body over 1 MiB → 413", async () => {
    expectError(
      await a1.post("/me/interactions/X", undefined, {
        raw: JSON.stringify({ operationName: "Reply", subjectPrefix: "x".repeat(1024 * 1024) }),
      }),
      413,
      /over 1 MiB/,
    );
  });

  it("unknown path → 404; wrong method → 405 with Allow: POST", async () => {
    expectError(await a1.post("/me/nothing", {}), 404, /no such resource: \/api\/v2\/me\/nothing/);
    expectError(await call(`${server.controlUrl}/elsewhere`, { json: {} }), 404, /no such resource/);
    for (const [method, path] of [
      ["GET", "/me/interactions/X"],
      ["PUT", "/me/interactions"],
      ["DELETE", "/me/channels/email"],
    ]) {
      const a = await a1.post(path, undefined, { method });
      expectError(a, 405, new RegExp(`${method} is not allowed`));
      expect(a.headers.allow).toBe("POST");
    }
    const get = await call(`${server.controlUrl}/inbound-emails`, { method: "GET" });
    expect([get.status, get.headers.allow]).toEqual([405, "POST"]);
  });

  it("T4: no, wrong or unknown credentials → 401 with WWW-Authenticate; nothing changes, no notification", async () => {
    const tok = token("auth");
    const id = await inject(server.controlUrl, email(tok, { agent: "agent1" }));
    await a1.invited(tok);
    const attempts = [
      await call(url(`/me/interactions/${id}`), { json: { operationName: "Accept" } }),
      await call(url(`/me/interactions/${id}`), {
        json: { operationName: "Accept" },
        auth: { username: "agent1", password: "wrong" },
      }),
      await call(url(`/me/interactions/${id}`), {
        json: { operationName: "Accept" },
        auth: { username: "nobody", password: "secret1" },
      }),
      await call(url("/me/channels/email"), { json: { operationName: "Ready" }, cookie: "JSESSIONID=forged" }),
    ];
    for (const a of attempts) {
      expectError(a, 401, /authentication required/);
      expect(a.headers["www-authenticate"]).toMatch(/^Basic realm=/);
    }
    await a1.sync();
    expect(
      a1
        .seen()
        .filter((n) => n.id === id)
        .map((n) => n.state),
    ).toEqual(["Invited"]);
    expectOk(await a1.op(id, { operationName: "Accept" })); // still Invited: the refused calls changed nothing
  });

  it("T4 MAY: the server sets JSESSIONID and accepts it back alone; wrong Basic credentials are refused even with it", async () => {
    expect(a1.cookie).toMatch(/^JSESSIONID=\w+$/);
    expectOk(await call(url("/me/channels/email"), { json: { operationName: "Ready" }, cookie: a1.cookie }));
    expectError(
      await call(url("/me/channels/email"), {
        json: { operationName: "Ready" },
        cookie: a1.cookie,
        auth: { username: "agent1", password: "x" },
      }),
      401,
      /authentication/,
    );
  });

  it("R3: missing or unknown operationName, non-object bodies, wrong types, missing fields, wrong path → 400 naming the field, the expectation and the rule", async () => {
    expectError(await a1.post("/me/interactions/X", {}), 400, /^operationName is missing \(R3\)$/);
    expectError(
      await a1.post("/me/interactions/X", { operationName: 7 }),
      400,
      /operationName must be a string, got 7/,
    );
    expectError(
      await a1.post("/me/interactions/X", { operationName: "Teleport" }),
      400,
      /unknown operationName "Teleport"; known: Accept, Reject/,
    );
    for (const body of [[], null, "Accept", 42])
      expectError(await a1.post("/me/interactions/X", body), 400, /must be a JSON object/);
    expectError(
      await a1.post("/me/interactions/X", { operationName: "Reply", quoteOriginal: "yes" }),
      400,
      /invalid Reply request: \$\.quoteOriginal: expected type boolean, got "yes" \(rule O3/,
    );
    expectError(
      await a1.post("/me/interactions/X", { operationName: "Transfer" }),
      400,
      /invalid Transfer request: .*targetAgent|queueName/,
    );
    expectError(
      await a1.post("/me/interactions", { operationName: "CreateEmail" }),
      400,
      /\$\.queueName: expected a value \(required field\)/,
    );
    expectError(
      await a1.post("/me/interactions", { operationName: "Reply" }),
      400,
      /Reply is an operation on one interaction: POST \/me\/interactions\/\{id\} \(T2\)/,
    );
    expectError(
      await a1.post("/me/interactions/X", { operationName: "CreateEmail", queueName: "q" }),
      400,
      /posted on \/me\/interactions, not on an interaction \(T3\)/,
    );
    expectError(await a1.post("/me/channels/email", { operationName: "Sleepy" }), 400, /invalid channel request/);
    expectError(await a1.post("/me/channels/sms", { operationName: "Ready" }), 404, /unknown channel sms/);
  });

  it("R3: unknown interaction → 404; an operation its state does not allow → 409 listing what the state allows; Transfer to an unknown agent → 400", async () => {
    expectError(await a1.op("NOPE", { operationName: "Accept" }), 404, /^no interaction NOPE \(R3\)$/);
    const tok = token("state");
    const id = await inject(server.controlUrl, email(tok, { agent: "agent1" }));
    await a1.invited(tok);
    expectError(
      await a1.op(id, SEND),
      409,
      new RegExp(
        `^Send is not allowed on interaction ${id} in state Invited \\(allowed: Accept, Reject; capabilities: Accept, Reject\\) \\(R3\\)$`,
      ),
    );
    expectError(await a1.op(id, { operationName: "Forward" }), 409, /state Invited/);
    expectOk(await a1.op(id, { operationName: "Accept" }));
    await a1.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted");
    expectError(
      await a1.op(id, { operationName: "Accept" }),
      409,
      /allowed: Transfer, Reply, ReplyAll, StopProcessing, PlaceInQueue, Forward; capabilities: Transfer, Reply/,
    );
    expectError(
      await a1.op(id, { operationName: "Transfer", targetAgent: "ghost" }),
      400,
      /targetAgent "ghost" is not an agent of this server \(O9\)/,
    );
    expectOk(await a1.op(id, { operationName: "StopProcessing" })); // none of the failures changed its state
  });

  it("the control API: a bad injection → 400 naming the field", async () => {
    expectError(
      await call(`${server.controlUrl}/inbound-emails`, { json: { to: "x" } }),
      400,
      /^invalid inbound e-mail: \$\.from: expected a value \(required field\)/,
    );
    expectError(
      await call(`${server.controlUrl}/inbound-emails`, { json: { ...email("x"), revokeAfterMs: "soon" } }),
      400,
      /\$\.revokeAfterMs: expected type integer/,
    );
    expectError(
      await call(`${server.controlUrl}/inbound-emails`, { json: { ...email("x"), priority: 1 } }),
      400,
      /priority/,
    );
    // Addresses are addresses (schemas/control/inbound-email.schema.json $defs/address).
    const injectWith = (extra: Record<string, unknown>) =>
      call(`${server.controlUrl}/inbound-emails`, { json: { ...email("x"), ...extra } });
    expectError(await injectWith({ replyTo: "not an address" }), 400, /\$\.replyTo: .*pattern/);
    expectError(await injectWith({ from: "pat@" }), 400, /\$\.from/);
    expectError(await injectWith({ cc: "boss@example.org; x" }), 400, /\$\.cc/);
    const badAttachment = { name: "a", mimetype: "text", contentBase64: "!!" };
    expectError(await injectWith({ attachments: [badAttachment] }), 400, /mimetype|contentBase64/);
  });

  it("R2: odd requests never get a 5xx", async () => {
    const odd: Array<[string, string]> = [
      ["/me/interactions/%", '{"operationName":"Accept"}'],
      ["/me/interactions/%E0%A4%A", '{"operationName":"Accept"}'],
      ["/me/interactions/X", '{"operationName":"Send","email_object":"text"}'],
      ["/me/interactions/X", '{"operationName":"Reply","__proto__":{"x":1}}'],
      ["/me/interactions", '{"operationName":"CreateEmail","queueName":{}}'],
      ["/me/interactions/X", "\u0000"],
      ["/me/interactions/X", "null"],
      ["/me/channels/email", '{"operationName":["Ready"]}'],
    ];
    for (const [path, raw] of odd) {
      const a = await a1.post(path, undefined, { raw });
      expect(a.status, `${path} ${raw}: ${a.text}`).toBeLessThan(500);
      expect(a.body?.status, `${path} ${raw}`).toBe("error");
    }
  });
});

describe("CometD authentication (T5)", () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await startReferenceServer();
  });
  afterAll(() => server?.close());

  it("refuses a handshake without or with wrong credentials; accepts the agent's Basic credentials or REST session cookie", async () => {
    const clients = [
      new BayeuxClient(server.cometdUrl),
      new BayeuxClient(server.cometdUrl, { username: "agent1", password: "wrong" }),
      new BayeuxClient(server.cometdUrl, { cookie: "JSESSIONID=forged" }),
    ];
    try {
      for (const c of clients) expect(await c.connect()).toEqual({ ok: false, reason: "403::handshake_denied" });
      const rest = await TestAgent.connect(server, server.agents[1]);
      const byCookie = new BayeuxClient(server.cometdUrl, { cookie: rest.cookie! });
      clients.push(byCookie, rest.bayeux);
      expect(await byCookie.connect()).toEqual({ ok: true });
      const tok = token("cookie");
      const id = await inject(server.controlUrl, email(tok, { agent: "agent2" }));
      await byCookie.waitFor((n) => n.id === id, BUDGET.notifyMs, "Invited on the cookie-authenticated session");
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it("a session may subscribe to /me/interactions only", async () => {
    const c = new BayeuxClient(server.cometdUrl, server.agents[0]);
    try {
      expect(await c.connect("/me/other")).toEqual({ ok: false, reason: "403::subscribe_denied" });
    } finally {
      await c.close();
    }
  });
});

describe("inbound e-mail through SMTP and Bayeux through faye", () => {
  it("smtp: a real SMTP conversation (nodemailer → the smtp-server gateway) queues the e-mail with its CC, Reply-To and attachment", async () => {
    const server = await startReferenceServer();
    const gateway = await startSmtpGateway({
      controlUrl: server.controlUrl,
      auth: { username: "mailer", password: "mail-pass" },
    });
    const [a1] = await connectAll(server, 1);
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: gateway.port,
      secure: false,
      ignoreTLS: true,
      auth: { user: "mailer", pass: "mail-pass" },
    });
    try {
      const tok = token("smtp");
      await transport.sendMail({
        from: "pat@example.org",
        to: "support@cc.example",
        cc: "boss@example.org",
        replyTo: "r@example.org",
        subject: tok,
        text: "hello\nthere",
        headers: { "X-GWS-Agent": "agent1" },
        attachments: [{ filename: "a.txt", contentType: "text/plain", content: "hi" }],
      });
      const inv = await a1.invited(tok);
      expectOk(await a1.op(inv.id, { operationName: "Accept" }));
      const acc = await a1.waitFor((n) => n.id === inv.id && n.state === "Accepted", "Accepted");
      expect(acc.email_object).toMatchObject({
        ToAddress: "support@cc.example",
        FromAddress: "pat@example.org",
        CCAddresses: "boss@example.org",
        Subject: tok,
        Text: "hello\nthere",
      });
      expect(acc.email_object.attachments).toEqual([
        expect.objectContaining({ name: "a.txt", mimetype: "text/plain", size: 2 }),
      ]);
      expect(gateway.received).toEqual([{ subject: tok, queued: true }]);
      const reply = await a1.op(inv.id, { operationName: "Reply" });
      const created = await a1.waitFor((n) => n.id === reply.body?.replyInteractionId, "ReplyCreated");
      expect(created.email_object.ToAddress).toBe("r@example.org");
    } finally {
      transport.close();
      await a1.close();
      await gateway.close();
      await server.close();
    }
  });

  it("faye: /me/interactions served by the faye Bayeux host, per agent (bayeux: 'faye')", async () => {
    const server = await startReferenceServer({ bayeux: "faye" });
    const [a1, a2] = await connectAll(server, 2);
    try {
      const tok = token("faye");
      const id = await inject(server.controlUrl, email(tok, { agent: "agent2" }));
      await a2.invited(tok);
      expectOk(await a2.op(id, { operationName: "Accept" }));
      await a2.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted via faye");
      await a1.sync();
      expect(a1.seen()).toEqual([]);
    } finally {
      await Promise.all([a1.close(), a2.close()]);
      await server.close();
    }
  });
});

describe("options", () => {
  it("refuses an agent list it could not serve, and an unknown fault, before listening", async () => {
    await expect(startReferenceServer({ agents: [] })).rejects.toThrow(/at least one agent/);
    await expect(startReferenceServer({ agents: [{ username: "a:b", password: "x" }] })).rejects.toThrow(/without ":"/);
    await expect(
      startReferenceServer({
        agents: [
          { username: "a", password: "x" },
          { username: "a", password: "y" },
        ],
      }),
    ).rejects.toThrow(/a is listed twice/);
    await expect(startReferenceServer({ fault: "nope" })).rejects.toThrow(/unknown fault "nope"; valid faults: /);
  });

  it("serves its own agents, with the URLs it reports", async () => {
    const server = await startReferenceServer({ agents: [{ username: "zoe", password: "pw-z" }] });
    try {
      expect(server.baseUrl).toBe(`http://127.0.0.1:${server.port}/api/v2`);
      expect(server.cometdUrl).toBe(`${server.baseUrl}/notifications`);
      expect(server.controlUrl).toBe(`http://127.0.0.1:${server.port}/control`);
      const zoe = await TestAgent.connect(server, server.agents[0]);
      await zoe.close();
      expect(
        (
          await call(`${server.baseUrl}/me/channels/email`, {
            json: { operationName: "Ready" },
            auth: { username: "agent1", password: "secret1" },
          })
        ).status,
      ).toBe(401);
    } finally {
      await server.close();
    }
  });
});

describe("graceful shutdown", () => {
  // That nothing at all is left open is proven in cli.test.ts: the command's process must end by
  // itself after close() (no process.exit), with a client holding a long-poll.
  it("close() with a held long-poll and armed timers resolves at once and frees the port; a second close() is a no-op", async () => {
    const server = await startReferenceServer({ inviteTimeoutMs: 60_000 });
    const agent = await TestAgent.connect(server, server.agents[0]); // its /meta/connect is now held
    const tok = token("pending");
    await inject(server.controlUrl, email(tok, { agent: "agent1" })); // arms a revoke timer
    await agent.invited(tok);
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    await server.close();
    await agent.close(); // the client stops retrying
    // The port can be bound again at once.
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once("error", reject);
      probe.listen(server.port, "127.0.0.1", () => probe.close(() => resolve()));
    });
  });
});
