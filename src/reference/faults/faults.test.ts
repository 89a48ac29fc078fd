/**
 * The faults are real. The catalogue (catalog.ts) is complete and names registry requirements;
 * and every fault changes what a client observes: each fault names a small probe (its `probe`)
 * run against the clean server and against the server with that fault, over real HTTP and
 * CometD; the two observations must differ. (That the conformance suite turns the
 * fault's requirements FAIL or WARN is checked by `npm run mutation`.)
 * Observations are normalised (interaction ids numbered in order of appearance, timestamps
 * blanked) and deterministic: "nothing came" is read after a barrier, never after a sleep.
 */
import { describe, expect, it } from "vitest";
import { isRequirementId } from "../../contract/registry.js";
import { startReferenceServer, type ReferenceServer } from "../server.js";
import { BayeuxClient, call, inject, TestAgent, waitFor, type Answer, type Json } from "../test-support/client.js";
import { FAULTS, LEAK_UNDER_LOAD_OFFERS_PER_SECOND, type FaultProbe } from "./index.js";

/** The one wait a probe may run out on: Revoked after a 30 ms hint (the never-revoke fault). */
const REVOKE_WAIT_MS = 1_000;
/** How long the full-house probe waits for each offer (both the clean and the faulty server offer at once). */
const FULL_HOUSE_WAIT_MS = 400;
/** How long the late-effect probe watches for what a refused request causes later (the faults act after 150 ms here). */
const LATE_EFFECT_WAIT_MS = 1_000;

interface World {
  server: ReferenceServer;
  a1: TestAgent;
  a2: TestAgent;
}
type Probe = (w: World) => Promise<unknown>;

let tokens = 0;
const email = (tok: string, extra: Json = {}): Json => ({
  to: "support@cc.example",
  from: "pat@example.org",
  subject: `probe [${tok}]`,
  text: "line one\nline two",
  agent: "agent1",
  ...extra,
});
const seen = (a: Answer): Json => ({ status: a.status, body: a.body ?? a.text });

/** An e-mail offered to agent1 and accepted by it (the Accepted notification is not awaited: some faults withhold it). */
async function acceptedOn(w: World, extra: Json = {}): Promise<{ id: string; accept: Answer }> {
  const tok = `p${++tokens}`;
  const id = await inject(w.server.controlUrl, email(tok, extra));
  await w.a1.invited(tok);
  return { id, accept: await w.a1.op(id, { operationName: "Accept" }) };
}
/** The notifications of `agent` from position `mark` on, once everything sent before now has arrived. */
async function since(agent: TestAgent, mark: number): Promise<Json[]> {
  await agent.sync();
  return agent.seen().filter((n) => agent.received.indexOf(n) >= mark);
}

/** Small observable probes, each touching one rule family. */
const PROBES = {
  /** N1, N2, N6: the Invited notification. */
  async invited(w: World) {
    const tok = `p${++tokens}`;
    await inject(w.server.controlUrl, email(tok));
    return w.a1.invited(tok);
  },
  /** O1, N3, N6, N7, N8, R1: Accept's answer and every notification of that id that follows it. */
  async accept(w: World) {
    const mark = w.a1.received.length;
    const { id, accept } = await acceptedOn(w, {
      replyTo: "r@example.org",
      cc: "boss@example.org",
      attachments: [{ name: "a.txt", mimetype: "text/plain", contentBase64: "aGVsbG8=" }],
    });
    return {
      accept: seen(accept),
      notifications: (await since(w.a1, mark)).filter((n) => n.id === id && n.state !== "Invited"),
    };
  },
  /** O3, O4, O5, N4: the answers of Reply (with and without prefix), ReplyAll, Forward and the ReplyCreated that follow. */
  async replies(w: World) {
    const { id } = await acceptedOn(w, { replyTo: "r@example.org", cc: "boss@example.org" });
    const mark = w.a1.received.length;
    const answers = [];
    for (const body of [
      { operationName: "Reply", subjectPrefix: "Re: " },
      { operationName: "Reply" },
      { operationName: "ReplyAll" },
      { operationName: "Forward" },
    ])
      answers.push(seen(await w.a1.op(id, body)));
    return { answers, created: (await since(w.a1, mark)).filter((n) => n.state !== "Accepted") };
  },
  /** O6, O7, O10: what is still allowed after Send, CancelReplyEmail and StopProcessing. */
  async finishing(w: World) {
    const { id } = await acceptedOn(w);
    const r1 = String((await w.a1.op(id, { operationName: "Reply" })).body?.replyInteractionId);
    const r2 = String((await w.a1.op(id, { operationName: "ReplyAll" })).body?.replyInteractionId);
    const send = {
      operationName: "Send",
      email_object: { toAddress: "x@example.org", fromAddress: "s@cc.example", subject: "s", text: "t" },
    };
    const steps: Array<[string, Json]> = [
      [r1, send],
      [r1, send],
      [r2, { operationName: "CancelReplyEmail" }],
      [r2, send],
      [id, { operationName: "StopProcessing" }],
      [id, { operationName: "Reply" }],
    ];
    const out = [];
    for (const [target, body] of steps) out.push(seen(await w.a1.op(target, body)));
    return out;
  },
  /** R1, R2, R3: failure answers (unknown id, wrong type, malformed JSON, an operation the state does not allow). */
  async refusals(w: World) {
    const tok = `p${++tokens}`;
    const invited = await inject(w.server.controlUrl, email(tok));
    await w.a1.invited(tok);
    const { id } = await acceptedOn(w);
    return [
      seen(await w.a1.op("FFFFFFFFFFFFFFFF", { operationName: "Accept" })),
      seen(await w.a1.op(id, { operationName: "Reply", quoteOriginal: "yes" })),
      seen(await w.a1.post(`/me/interactions/${id}`, undefined, { raw: "{oops" })),
      seen(await w.a1.op(invited, { operationName: "Reply" })),
    ];
  },
  /** T4, T5: a REST call without or with wrong credentials; a CometD handshake without credentials. */
  async auth(w: World) {
    const url = `${w.server.baseUrl}/me/channels/email`;
    const anonymous = new BayeuxClient(w.server.cometdUrl);
    try {
      const none = await call(url, { json: { operationName: "Ready" } });
      const wrong = await call(url, {
        json: { operationName: "Ready" },
        auth: { username: "agent1", password: "wrong" },
      });
      return { none: none.status, wrong: wrong.status, handshake: await anonymous.connect() };
    } finally {
      await anonymous.close();
    }
  },
  /** T6, T8: what agent2 sees of agent1's e-mail, and its attempt to operate on it. */
  async isolation(w: World) {
    const mark = w.a2.received.length;
    const tok = `p${++tokens}`;
    const id = await inject(w.server.controlUrl, email(tok));
    await w.a1.invited(tok);
    const foreign = seen(await w.a2.op(id, { operationName: "Accept" }));
    return { foreign, agent2Saw: (await since(w.a2, mark)).filter((n) => n.id === id).map((n) => n.state) };
  },
  /**
   * T6 under load: after a burst of offers (more than the leak-under-load threshold within a
   * second), what agent2 hears of agent1's Accept.
   */
  async burst(w: World) {
    const mark = w.a2.received.length;
    const toks = Array.from({ length: LEAK_UNDER_LOAD_OFFERS_PER_SECOND + 5 }, () => `p${++tokens}`);
    const ids = await Promise.all(toks.map((tok) => inject(w.server.controlUrl, email(tok))));
    await w.a1.invited(toks[toks.length - 1]);
    await w.a1.op(ids[0], { operationName: "Accept" });
    await w.a1.waitFor((n) => n.id === ids[0] && n.state === "Accepted", "Accepted", 3_000);
    return { agent2Saw: (await since(w.a2, mark)).map((n) => n.state) };
  },
  /** T7: who is offered an e-mail hinted to a NotReady agent2 while agent1 is Ready. */
  async routing(w: World) {
    await w.a2.setReady(false);
    const id = await inject(w.server.controlUrl, email(`p${++tokens}`, { agent: "agent2" }));
    const who = await waitFor(() => [w.a1, w.a2].find((a) => a.received.some((n) => n.id === id)), 3_000, "the offer", [
      w.a1.bayeux.received,
      w.a2.bayeux.received,
    ]);
    return who.name;
  },
  /** O9: Transfer to agent2, then what agent2 has seen of it. */
  async transfer(w: World) {
    const { id } = await acceptedOn(w);
    const mark = w.a2.received.length;
    const answer = seen(await w.a1.op(id, { operationName: "Transfer", targetAgent: "agent2" }));
    return { answer, agent2Saw: (await since(w.a2, mark)).filter((n) => n.id === id).map((n) => n.state) };
  },
  /** T8, R3 late: what agent2's refused Reply on agent1's e-mail, and agent1's refused second Accept, cause later. The wait is the behaviour. */
  async lateEffects(w: World) {
    const { id } = await acceptedOn(w);
    await w.a1.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted");
    const mark1 = w.a1.received.length;
    const mark2 = w.a2.received.length;
    const foreign = seen(await w.a2.op(id, { operationName: "Reply" }));
    const again = seen(await w.a1.op(id, { operationName: "Accept" }));
    const later = (agent: TestAgent, mark: number, pred: (n: Json) => boolean): Promise<unknown> =>
      agent
        .waitFor((n) => agent.received.indexOf(n) >= mark && pred(n), "a late effect", LATE_EFFECT_WAIT_MS)
        .then(
          (n) => n.state,
          () => "nothing",
        );
    const [onAgent2, onAgent1] = await Promise.all([
      later(w.a2, mark2, (n) => n.state === "ReplyCreated"),
      later(w.a1, mark1, (n) => n.id === id && n.state === "Accepted"),
    ]);
    return { foreign, again, onAgent2, onAgent1 };
  },
  /** N5: an invitation with a 30 ms revokeAfterMs hint, then Accept on it. */
  async revocation(w: World) {
    const tok = `p${++tokens}`;
    const id = await inject(w.server.controlUrl, email(tok, { revokeAfterMs: 30 }));
    await w.a1.invited(tok);
    const revoked = await w.a1
      .waitFor((n) => n.id === id && n.state === "Revoked", "Revoked", REVOKE_WAIT_MS)
      .catch(() => `no Revoked within ${REVOKE_WAIT_MS} ms`);
    return { revoked, accept: seen(await w.a1.op(id, { operationName: "Accept" })) };
  },
  /** T6: agent1 transfers its e-mail to agent2, agent2 accepts it: what agent1 hears of it afterwards. */
  async handover(w: World) {
    const { id } = await acceptedOn(w);
    await w.a1.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted");
    const mark = w.a1.received.length;
    await w.a1.op(id, { operationName: "Transfer", targetAgent: "agent2" });
    await w.a2.waitFor((n) => n.id === id && n.state === "Invited", "Invited on agent2");
    await w.a2.op(id, { operationName: "Accept" });
    await w.a2.waitFor((n) => n.id === id && n.state === "Accepted", "Accepted on agent2");
    return { agent1Saw: (await since(w.a1, mark)).filter((n) => n.id === id).map((n) => n.state) };
  },
  /**
   * T7 at full capacity: agent2 NotReady, agent1 given five e-mails one after the other (each
   * accepted): who is offered the fifth (both servers offer it at once: the bounded wait runs out
   * only when nobody is).
   */
  async fullHouse(w: World) {
    await w.a2.setReady(false);
    let last = "";
    for (let i = 0; i < 5; i++) {
      const tok = `p${++tokens}`;
      const id = await inject(w.server.controlUrl, email(tok));
      const who = await waitFor(
        () => [w.a1, w.a2].find((a) => a.received.some((n) => n.id === id)),
        FULL_HOUSE_WAIT_MS,
        "the offer",
        [w.a1.bayeux.received, w.a2.bayeux.received],
      ).catch(() => undefined);
      last = who?.name ?? "nobody";
      if (who === w.a1) await w.a1.op(id, { operationName: "Accept" });
    }
    return { fifth: last };
  },
} satisfies Record<FaultProbe, Probe>;

/** Runs one probe against a fresh server (with `fault`, or clean) with agent1 and agent2 connected and Ready. */
async function observe(probe: keyof typeof PROBES, fault?: string): Promise<unknown> {
  const server = await startReferenceServer({ fault, notifyBudgetMs: 200 });
  const agents: TestAgent[] = [];
  try {
    for (const a of server.agents.slice(0, 2)) agents.push(await TestAgent.connect(server, a));
    return normalise(await PROBES[probe]({ server, a1: agents[0], a2: agents[1] }));
  } finally {
    await Promise.all(agents.map((a) => a.close()));
    await server.close();
  }
}

/** Interaction and attachment ids → #1, #2, … in order of appearance; timestamps and tokens blanked. */
function normalise(v: unknown): unknown {
  const ids = new Map<string, string>();
  const text = JSON.stringify(v ?? null)
    .replace(/"receivedAt":"[^"]*"/g, '"receivedAt":"<t>"')
    .replace(/\[p\d+\]/g, "[token]")
    .replace(/[0-9A-F]{16}/g, (id) => {
      if (!ids.has(id)) ids.set(id, `#${ids.size + 1}`);
      return ids.get(id)!;
    });
  return JSON.parse(text);
}

const clean = new Map<string, Promise<unknown>>();
const cleanObservation = (probe: keyof typeof PROBES): Promise<unknown> => {
  if (!clean.has(probe)) clean.set(probe, observe(probe));
  return clean.get(probe)!;
};

describe("fault catalogue", () => {
  it("has at least 28 conformance faults, each with hooks, a rule, a level and requirements of the registry", () => {
    expect(FAULTS.filter((f) => f.level !== "DRIFT").length).toBeGreaterThanOrEqual(28);
    const names = FAULTS.map((f) => f.name);
    expect(
      names.filter((n, i) => names.indexOf(n) !== i),
      "names given twice",
    ).toEqual([]);
    for (const f of FAULTS) {
      expect(Object.keys(f.hooks).length, `${f.name} has no hook`).toBeGreaterThan(0);
      expect(f.description.length, f.name).toBeGreaterThan(10);
      if (f.level === "DRIFT") continue;
      expect(["MUST", "SHOULD"], f.name).toContain(f.level);
      expect(f.expect.length, f.name).toBeGreaterThan(0);
      for (const id of f.expect) expect(isRequirementId(id), `${f.name}: ${id}`).toBe(true);
    }
  });

  it("covers every rule family", () => {
    const rules = new Set<string>(FAULTS.map((f) => f.rule));
    for (const r of [
      "N1",
      "N2",
      "N3",
      "N4",
      "N5",
      "N6",
      "N7",
      "N8",
      "R1",
      "R2",
      "R3",
      "O1",
      "O3",
      "O4",
      "O5",
      "O6",
      "O7",
      "O9",
      "O10",
      "T4",
      "T5",
      "T6",
      "T7",
      "T8",
    ]) {
      expect(rules.has(r), r).toBe(true);
    }
  });

  it("an unknown fault name is refused, listing the valid ones", async () => {
    await expect(startReferenceServer({ fault: "no-such-fault" })).rejects.toThrow(
      /unknown fault "no-such-fault"; valid faults: invited-missing-currentQueue, /,
    );
  });
});

describe("each fault changes what a client observes", () => {
  it.concurrent.each(Object.keys(PROBES) as Array<keyof typeof PROBES>)(
    "probe %s is deterministic on the clean server",
    async (probe) => {
      expect(await observe(probe)).toEqual(await cleanObservation(probe));
    },
  );

  it.concurrent.each(FAULTS.map((f) => [f.name, f.probe] as const))("%s (probe %s)", async (name, probe) => {
    const [expected, observed] = await Promise.all([cleanObservation(probe), observe(probe, name)]);
    expect(observed, `fault ${name}: the ${probe} probe saw what the clean server shows`).not.toEqual(expected);
  });
});
