/**
 * Each allowed variation of the reference server does what it declares, over real HTTP and CometD
 * (that the conformance suite passes with every one of them on is test/self-verification/
 * variations.test.ts). "Nothing came" is read after a barrier (TestAgent.sync), never after a sleep.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  REFERENCE_CAPACITY,
  REFERENCE_INBOUND_DELAY_MS,
  REFERENCE_KNOWN_QUEUES,
  REFERENCE_QUEUES,
} from "./deployment.js";
import { startReferenceServer, type ReferenceServer } from "./server.js";
import { call, inject, TestAgent, type Answer, type Json } from "./test-support/client.js";
import { parseVariations, VARIATIONS, variationSwitches } from "./variations.js";
import { VENDOR_FIELDS } from "./vendor-fields.js";
import { REFERENCE_SESSION_SWEEP } from "./bayeux.js";
import { BUDGETS, waitForItem } from "../harness/budgets.js";
import { CometdSession } from "../harness/cometd-session.js";

let tokens = 0;
const email = (extra: Json = {}): Json => ({
  to: "support@cc.example",
  from: "pat@example.org",
  subject: `variation [v${++tokens}]`,
  text: "line one\nline two",
  agent: "agent1",
  ...extra,
});

/** A server with `variation` on and agents 1–3 connected and Ready. */
async function world(
  variation: string,
  count = 2,
): Promise<{ server: ReferenceServer; agents: TestAgent[]; close: () => Promise<void> }> {
  const server = await startReferenceServer({ variations: [variation] });
  const agents: TestAgent[] = [];
  for (const a of server.agents.slice(0, count)) agents.push(await TestAgent.connect(server, a));
  const close = async (): Promise<void> => {
    await Promise.all(agents.map((a) => a.close()));
    await server.close();
  };
  return { server, agents, close };
}

/** Injects an e-mail hinted to `agent`, returns its id once `agent` (or whoever) is offered it. */
async function offered(server: ReferenceServer, on: TestAgent, extra: Json = {}): Promise<string> {
  const e = email({ agent: on.name, ...extra });
  const id = await inject(server.controlUrl, e);
  await on.waitFor((n) => n.id === id && n.state === "Invited", `Invited ${id}`);
  return id;
}

const isError = (a: Answer): boolean => a.body?.status === "error" && typeof a.body?.errorDescription === "string";

describe("the declared list", () => {
  it("names each variation once with the rule that allows it; `all` switches every one on; an unknown name is refused", () => {
    expect(new Set(VARIATIONS.map((v) => v.name)).size).toBe(VARIATIONS.length);
    for (const v of VARIATIONS) expect(v.description.length, v.name).toBeGreaterThan(20);
    expect(Object.keys(variationSwitches("all")).sort()).toEqual(
      VARIATIONS.flatMap((v) => Object.keys(v.switches)).sort(),
    );
    expect(parseVariations("all")).toBe("all");
    expect(parseVariations(" require-queue , empty-accept ")).toEqual(["require-queue", "empty-accept"]);
    expect(parseVariations("")).toBeUndefined();
    expect(() => parseVariations("relaxed")).toThrow(
      /unknown variation "relaxed"; valid variations: all, require-queue/,
    );
  });
});

describe("require-queue: queueName required where the page does not mark it optional, unknown queues refused", () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => (w = await world("require-queue", 1)));
  afterAll(() => w.close());

  it("Reply without queueName or with an unknown one: a failure answer; with a known one: ok", async () => {
    const [a1] = w.agents;
    const id = await offered(w.server, a1);
    expect((await a1.op(id, { operationName: "Accept" })).status).toBe(200);
    const none = await a1.op(id, { operationName: "Reply" });
    expect([none.status, isError(none)]).toEqual([400, true]);
    const unknown = await a1.op(id, {
      operationName: "Reply",
      queueName: "name-of-the-queue-where-to-place-interaction-while-agent-is-composing-it",
    });
    expect(unknown.body?.errorDescription).toMatch(/unknown queue/);
    expect((await a1.op(id, { operationName: "Reply", queueName: REFERENCE_QUEUES.compose })).body?.status).toBe("ok");
    expect((await a1.op(id, { operationName: "PlaceInQueue", queueName: "Archive" })).status).toBe(400);
    expect((await a1.op(id, { operationName: "PlaceInQueue", queueName: REFERENCE_QUEUES.place })).body?.status).toBe(
      "ok",
    );
    expect(REFERENCE_KNOWN_QUEUES).toContain(REFERENCE_QUEUES.transfer);
  });
});

describe("empty-accept: Accept's success is an empty HTTP 200", () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => (w = await world("empty-accept", 1)));
  afterAll(() => w.close());

  it("an empty body, then Accepted as ever; other answers keep their body", async () => {
    const [a1] = w.agents;
    const id = await offered(w.server, a1);
    const accept = await a1.op(id, { operationName: "Accept" });
    expect([accept.status, accept.text]).toEqual([200, ""]);
    await a1.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted");
    expect((await a1.op(id, { operationName: "StopProcessing" })).body).toEqual({ status: "ok" });
  });
});

describe("crlf-text: Text with CRLF line ends and a final line end", () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => (w = await world("crlf-text", 1)));
  afterAll(() => w.close());

  it("in Accepted and in a quoted reply", async () => {
    const [a1] = w.agents;
    const id = await offered(w.server, a1);
    await a1.op(id, { operationName: "Accept" });
    const acc = await a1.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted");
    expect(acc.email_object.Text).toBe("line one\r\nline two\r\n");
    const rid = (await a1.op(id, { operationName: "Reply", quoteOriginal: true, indentCharacter: "> " })).body
      ?.replyInteractionId;
    const created = await a1.waitFor((n) => n.id === rid, "ReplyCreated");
    expect(created.email_object.Text).toBe("> line one\r\n> line two\r\n");
  });
});

describe(`capacity: at most ${REFERENCE_CAPACITY} interactions offered to an agent at once`, () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => (w = await world("capacity", 2)));
  afterAll(() => w.close());

  it("a full agent's e-mail goes to another with room; with everybody full it waits until one finishes", async () => {
    const [a1, a2] = w.agents;
    const mine: string[] = [];
    for (let i = 0; i < REFERENCE_CAPACITY; i++) mine.push(await offered(w.server, a1));
    // The hint names a full agent: the Ready agent with room is offered it.
    const routed = await offered(w.server, a2, { agent: a1.name });
    const theirs = [routed];
    for (let i = 1; i < REFERENCE_CAPACITY; i++) theirs.push(await offered(w.server, a2));
    // Everybody full: the next e-mail waits.
    const waiting = await inject(w.server.controlUrl, email());
    await a1.sync();
    expect(a1.seen().some((n) => n.id === waiting)).toBe(false);
    expect(a2.seen().some((n) => n.id === waiting)).toBe(false);
    // a1 finishes two (the barrier's reply holds one slot too): the waiting e-mail is offered to it.
    for (const id of mine.slice(0, 2)) {
      expect((await a1.op(id, { operationName: "Accept" })).status).toBe(200);
      expect((await a1.op(id, { operationName: "StopProcessing" })).status).toBe(200);
    }
    await a1.waitFor((n) => n.id === waiting && n.state === "Invited", "the waiting e-mail");
  });
});

describe(`inbound-delay: an offer that depends on routing comes ${REFERENCE_INBOUND_DELAY_MS} ms later`, () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => (w = await world("inbound-delay", 2)));
  afterAll(() => w.close());

  it("inbound e-mails are delayed; O9's Invited for a named agent is not", async () => {
    const [a1, a2] = w.agents;
    const sent = Date.now();
    const id = await offered(w.server, a1);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(REFERENCE_INBOUND_DELAY_MS);
    await a1.op(id, { operationName: "Accept" });
    const before = Date.now();
    expect((await a1.op(id, { operationName: "Transfer", targetAgent: a2.name })).status).toBe(200);
    await a2.waitFor((n) => n.id === id && n.state === "Invited", "the transferred Invited");
    expect(Date.now() - before).toBeLessThan(REFERENCE_INBOUND_DELAY_MS);
  });

  it("a transfer held for its named agent (NotReady) is not delayed once that agent can take it", async () => {
    const [a1, a2] = w.agents;
    const id = await offered(w.server, a1);
    await a1.op(id, { operationName: "Accept" });
    await a2.setReady(false);
    expect((await a1.op(id, { operationName: "Transfer", targetAgent: a2.name })).status).toBe(200);
    const before = Date.now();
    await a2.setReady(true);
    await a2.waitFor((n) => n.id === id && n.state === "Invited", "the held transfer's Invited");
    expect(Date.now() - before).toBeLessThan(REFERENCE_INBOUND_DELAY_MS);
  });
});

describe("reoffer-elsewhere: a queued interaction is offered to another Ready agent", () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => (w = await world("reoffer-elsewhere", 2)));
  afterAll(() => w.close());

  it.each(["PlaceInQueue", "Transfer"])(
    "after %s to a queue: Invited, same id, on the other agent",
    async (operation) => {
      const [a1, a2] = w.agents;
      const id = await offered(w.server, a1);
      await a1.op(id, { operationName: "Accept" });
      const queue = operation === "Transfer" ? REFERENCE_QUEUES.transfer : REFERENCE_QUEUES.place;
      expect((await a1.op(id, { operationName: operation, queueName: queue })).body?.status).toBe("ok");
      await a2.waitFor((n) => n.id === id && n.state === "Invited", "the re-offer");
      // It is the other agent's now: the one who let it go is refused as a foreign agent (T8).
      expect((await a1.op(id, { operationName: "Reply", queueName: REFERENCE_QUEUES.compose })).status).toBe(403);
    },
  );
});

describe("ring-all: an inbound e-mail is offered to every Ready agent with room at once", () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => (w = await world("ring-all", 3)));
  afterAll(() => w.close());

  it("each Ready agent is Invited; the first Accept holds it, the others get Revoked and their operations fail", async () => {
    const [a1, a2, a3] = w.agents;
    const id = await offered(w.server, a1);
    await a2.waitFor((n) => n.id === id && n.state === "Invited", "Invited on agent2");
    await a3.waitFor((n) => n.id === id && n.state === "Invited", "Invited on agent3");
    expect((await a2.op(id, { operationName: "Accept" })).body?.status).toBe("ok");
    await a2.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted on agent2");
    await a1.waitFor((n) => n.id === id && n.state === "Revoked", "Revoked on agent1");
    await a3.waitFor((n) => n.id === id && n.state === "Revoked", "Revoked on agent3");
    for (const other of [a1, a3])
      expect(isError(await other.op(id, { operationName: "Accept" })), other.name).toBe(true);
    expect((await a2.op(id, { operationName: "StopProcessing" })).body?.status).toBe("ok");
  });

  it("a NotReady agent is not rung", async () => {
    const [a1, a2, a3] = w.agents;
    await a3.setReady(false);
    const id = await offered(w.server, a1);
    await a2.waitFor((n) => n.id === id && n.state === "Invited", "Invited on agent2");
    await a3.sync();
    expect(a3.seen().some((n) => n.id === id)).toBe(false);
    await a3.setReady(true);
  });
});

describe("reoffer-revoked: a Revoked invitation is offered once more", () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => (w = await world("reoffer-revoked", 2)));
  afterAll(() => w.close());

  it("to another Ready agent when the hinted one cannot take it; it may accept it, the first one's Accept fails", async () => {
    const [a1, a2] = w.agents;
    // agent3 is not connected (NotReady): the e-mail and its re-offer go round-robin, to a1 and a2 in turn.
    const id = await inject(w.server.controlUrl, email({ agent: "agent3", revokeAfterMs: 250 }));
    const isOffer = (n: Json): boolean => n.id === id && n.state === "Invited";
    const first = await Promise.any([a1, a2].map((a) => a.waitFor(isOffer, "the offer").then(() => a)));
    const other = first === a1 ? a2 : a1;
    await first.waitFor((n) => n.id === id && n.state === "Revoked", "Revoked");
    await other.waitFor(isOffer, "the re-offer on the other agent");
    expect(isError(await first.op(id, { operationName: "Accept" }))).toBe(true);
    expect((await other.op(id, { operationName: "Accept" })).body?.status).toBe("ok");
  });

  it("to the same agent (the hint); revoked again, it is not offered a third time", async () => {
    const [a1] = w.agents;
    const id = await offered(w.server, a1, { revokeAfterMs: 50 });
    await a1.waitFor((n) => n.id === id && n.state === "Revoked", "Revoked on agent1");
    await a1.waitFor(
      (n) => n.id === id && n.state === "Invited" && a1.seen().filter((x) => x.id === id).length >= 3,
      "the re-offer",
    );
    await a1.waitFor(
      (n) => n.id === id && n.state === "Revoked" && a1.seen().filter((x) => x.id === id).length >= 4,
      "Revoked again",
    );
    await a1.sync();
    expect(
      a1
        .seen()
        .filter((n) => n.id === id)
        .map((n) => n.state),
    ).toEqual(["Invited", "Revoked", "Invited", "Revoked"]);
  });
});

describe("the capacity a server declares", () => {
  it("the capacity variation and the capacity-ignores-ready fault declare theirs; the plain server none", async () => {
    for (const [opts, expected] of [
      [{ variations: ["capacity"] }, REFERENCE_CAPACITY],
      [{ fault: "capacity-ignores-ready" }, REFERENCE_CAPACITY],
      [{}, undefined],
    ] as const) {
      const server = await startReferenceServer(opts);
      try {
        expect(server.capacity, JSON.stringify(opts)).toBe(expected);
      } finally {
        await server.close();
      }
    }
  });
});

describe("failures-http-200: failures answer HTTP 200 with the error envelope; authentication refusals stay 401", () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => (w = await world("failures-http-200", 1)));
  afterAll(() => w.close());

  it("an unknown id, an operation the state does not allow; no credentials", async () => {
    const [a1] = w.agents;
    const unknown = await a1.op("FFFFFFFFFFFFFFFF", { operationName: "Accept" });
    expect([unknown.status, isError(unknown)]).toEqual([200, true]);
    const id = await offered(w.server, a1);
    const notAllowed = await a1.op(id, { operationName: "Send" });
    expect([notAllowed.status, isError(notAllowed)]).toEqual([200, true]);
    expect((await call(`${w.server.baseUrl}/me/channels/email`, { json: { operationName: "Ready" } })).status).toBe(
      401,
    );
  });
});

describe("cc-compact: a CC list is stored as `a,b`, without spaces, in the server's own order", () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => (w = await world("cc-compact", 1)));
  afterAll(() => w.close());

  it("Accepted and ReplyAll carry the stored form; a single address is unchanged", async () => {
    const [a1] = w.agents;
    const id = await offered(w.server, a1, { cc: "boss@example.org, team@example.org" });
    await a1.op(id, { operationName: "Accept" });
    const acc = await a1.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted");
    expect(acc.email_object.CCAddresses).toBe("team@example.org,boss@example.org");
    const rid = (await a1.op(id, { operationName: "ReplyAll" })).body?.replyInteractionId;
    const created = await a1.waitFor((n) => n.id === rid, "ReplyCreated");
    expect(created.email_object.CCAddresses).toBe("team@example.org,boss@example.org");
    const one = await offered(w.server, a1, { cc: "boss@example.org" });
    await a1.op(one, { operationName: "Accept" });
    const acc1 = await a1.waitFor((n) => n.id === one && n.state === "Accepted", "Accepted (one CC)");
    expect(acc1.email_object.CCAddresses).toBe("boss@example.org");
  });
});

describe("vendor-fields: undocumented vendor fields in notifications and answers", () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => (w = await world("vendor-fields", 1)));
  afterAll(() => w.close());

  it("at the top of every notification, in email_object and userData; in success and failure answers", async () => {
    const [a1] = w.agents;
    const id = await offered(w.server, a1);
    const invited = a1.seen().find((n) => n.id === id && n.state === "Invited")!;
    expect(invited[VENDOR_FIELDS.notification]).toMatch(/^t-/);
    expect(invited.email_object[VENDOR_FIELDS.emailObject]).toBe("support");
    expect(invited.userData[VENDOR_FIELDS.userData]).toBe("acme");
    const accept = await a1.op(id, { operationName: "Accept" });
    expect(accept.body).toMatchObject({ status: "ok", [VENDOR_FIELDS.answer]: expect.stringMatching(/^r-/) });
    const acc = await a1.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted");
    expect([acc[VENDOR_FIELDS.notificationNode], acc.email_object.ToAddress]).toEqual([
      "gws-node-2",
      "support@cc.example",
    ]);
    expect(acc[VENDOR_FIELDS.notification]).not.toBe(invited[VENDOR_FIELDS.notification]);
    const refused = await a1.op(id, { operationName: "Accept" });
    expect(isError(refused)).toBe(true);
    expect(refused.body?.[VENDOR_FIELDS.answer]).toMatch(/^r-/);
  });
});

describe("session-sweep: sessions are dropped with re-handshake advice; a client that subscribes again loses nothing", () => {
  it("the oldest subscribed session is told 402 unknown, advice handshake; an e-mail injected in the gap is offered once to the re-subscribed session", async () => {
    const server = await startReferenceServer({ variations: ["session-sweep"] });
    const [account] = server.agents;
    const session = new CometdSession(server.cometdUrl, account.username, account);
    try {
      const ready = await call(`${server.baseUrl}/me/channels/email`, {
        json: { operationName: "Ready" },
        auth: account,
      });
      expect(ready.status).toBe(200);
      // Injected from the listener of the first failed /meta/connect: the server has dropped the session.
      let gapEmail: Promise<string> | undefined;
      session.meta.onItem((e) => {
        if (gapEmail || e.channel !== "/meta/connect" || e.successful) return;
        gapEmail = inject(server.controlUrl, email({ agent: account.username }));
      });
      expect(await session.connect()).toEqual({ ok: true });
      const { everyMs, minAgeMs } = REFERENCE_SESSION_SWEEP;
      await waitForItem(session.subscriptions, (e) => e.ok && e.handshake >= 2, {
        what: "a confirmed subscription after the sweep's re-handshake",
        budgetName: "the sweep's period",
        budgetMs: minAgeMs + 2 * everyMs + BUDGETS.cometdConnectMs,
      });
      expect(session.gaps()[0]?.reason).toMatch(/402::session_unknown, advice reconnect handshake/);
      const id = await gapEmail!;
      await session.waitFor((n) => n.data.id === id && n.data.state === "Invited", "the e-mail's Invited", 5_000);
      // A barrier: the next e-mail's Invited comes after any second copy would have.
      const barrier = await inject(server.controlUrl, email({ agent: account.username }));
      await session.waitFor((n) => n.data.id === barrier, "the barrier e-mail's Invited", 5_000);
      expect(session.items().filter((n) => n.data.id === id)).toHaveLength(1);
    } finally {
      await session.close();
      await server.close();
    }
  });
});

describe("end-states: the former holder is told the end state after StopProcessing, Send and CancelReplyEmail", () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => (w = await world("end-states", 1)));
  afterAll(() => w.close());

  it("Completed, Sent and Cancelled with empty capabilities, to the agent that held it", async () => {
    const [a1] = w.agents;
    const end = async (id: string, state: string): Promise<Json> =>
      a1.waitFor((n) => n.id === id && n.state === state, `${state} for ${id}`);
    const id = await offered(w.server, a1);
    await a1.op(id, { operationName: "Accept" });
    const reply = async (): Promise<string> => {
      const rid = String((await a1.op(id, { operationName: "Reply" })).body?.replyInteractionId);
      await a1.waitFor((n) => n.id === rid && n.state === "ReplyCreated", "ReplyCreated");
      return rid;
    };
    const sent = await reply();
    const email_object = { toAddress: "pat@example.org", fromAddress: "support@cc.example", subject: "s", text: "t" };
    expect((await a1.op(sent, { operationName: "Send", email_object })).body?.status).toBe("ok");
    expect(await end(sent, "Sent")).toMatchObject({ capabilities: [] });
    const cancelled = await reply();
    expect((await a1.op(cancelled, { operationName: "CancelReplyEmail" })).body?.status).toBe("ok");
    expect(await end(cancelled, "Cancelled")).toMatchObject({ capabilities: [] });
    expect((await a1.op(id, { operationName: "StopProcessing" })).body?.status).toBe("ok");
    expect(await end(id, "Completed")).toMatchObject({ capabilities: [], messageTypeName: "InteractionStateMessage" });
  });
});

describe("notify-first: each notification is published before the HTTP answer, which comes 20–120 ms later", () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => (w = await world("notify-first", 1)));
  afterAll(() => w.close());

  it("Accepted reaches the agent before Accept's answer; the answer takes at least 20 ms", async () => {
    const [a1] = w.agents;
    const id = await offered(w.server, a1);
    await a1.sync();
    const sentAt = Date.now();
    let notifiedAt = 0;
    const accepted = a1
      .waitFor((n) => n.id === id && n.state === "Accepted", "Accepted")
      .then(() => {
        notifiedAt = Date.now();
      });
    const answer = await a1.op(id, { operationName: "Accept" });
    const answeredAt = Date.now();
    expect(answer.body?.status).toBe("ok");
    expect(answeredAt - sentAt).toBeGreaterThanOrEqual(20);
    await accepted;
    expect(notifiedAt).toBeGreaterThan(0);
    expect(notifiedAt).toBeLessThanOrEqual(answeredAt);
  });
});
