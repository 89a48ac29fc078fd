/**
 * Test support for the faults' own test: a fixed client script that touches every rule family
 * (notification fields, capabilities, answers, derivation, state machine, auth, isolation,
 * routing, transfer, revocation) over real HTTP and CometD, and returns what a client observed,
 * normalised (ids and timestamps replaced) so that two servers can be compared. A fault is real
 * when its observation differs from the clean server's.
 */
import { BUDGETS } from "../../harness/budgets.js";
import { CometdSession } from "../../harness/cometd-session.js";
import type { HttpExchange } from "../../harness/http-client.js";
import { Target, type AgentHandle } from "../../harness/target.js";
import type { ReferenceServer } from "../server.js";

/** Budget for a notification the probe waits on: short, faults that withhold one just record "none". */
const PROBE_WAIT_MS = 600;

export async function observe(server: ReferenceServer): Promise<string[]> {
  const target = await Target.connect({
    baseUrl: server.baseUrl,
    cometdUrl: server.cometdUrl,
    controlUrl: server.controlUrl,
    agents: server.agents.slice(0, 2),
    inject: "http",
    notifyBudgetMs: 200,
    tlsInsecure: false,
    embedded: true,
    label: "probe",
  });
  const log: string[] = [];
  const ids = new Map<string, string>();
  const norm = (v: unknown): unknown =>
    JSON.parse(
      JSON.stringify(v ?? null)
        .replace(/"receivedAt":"[^"]*"/g, '"receivedAt":"<t>"')
        .replace(/[0-9A-F]{16}/g, (id) => {
          if (!ids.has(id)) ids.set(id, `#${ids.size + 1}`);
          return ids.get(id)!;
        }),
    );
  const [a1, a2] = target.agents;
  const answer = (label: string, x: HttpExchange): Record<string, unknown> => {
    log.push(`${label}: ${x.status} ${JSON.stringify(norm(x.body))}`);
    return (x.body ?? {}) as Record<string, unknown>;
  };
  const op = (label: string, agent: AgentHandle, id: string | null, body: unknown, opts: Parameters<AgentHandle["http"]["post"]>[2] = {}): Promise<Record<string, unknown>> =>
    agent.http.post(id === null ? "/me/interactions" : `/me/interactions/${id}`, body, opts).then((x) => answer(label, x));
  const wait = async (label: string, agent: AgentHandle, pred: (d: Record<string, unknown>) => boolean, budget = PROBE_WAIT_MS): Promise<Record<string, unknown> | undefined> => {
    try {
      const n = await agent.session.waitFor((x) => pred(x.data), label, budget);
      return n.data;
    } catch {
      log.push(`${label}: none`);
      return undefined;
    }
  };
  const inject = async (subject: string, extra: Record<string, unknown> = {}): Promise<string | undefined> => {
    await target.injector.inject({ to: "support@cc.example", from: "pat@example.org", subject, text: "line one\nline two", agent: "agent1", ...extra });
    const inv = await wait(`Invited ${subject}`, a1, (d) => d.state === "Invited" && JSON.stringify(d).includes(subject));
    return inv ? String((inv.email_object as Record<string, unknown>)?.interactionId ?? inv.id) : undefined;
  };
  try {
    const e1 = await inject("probe-1", { replyTo: "replies@example.org", cc: "boss@example.org", attachments: [{ name: "a.txt", mimetype: "text/plain", contentBase64: "aGVsbG8=" }] });
    if (e1) {
      await op("accept", a1, e1, { operationName: "Accept" });
      await wait("Accepted", a1, (d) => d.state === "Accepted");
      const r1 = await op("reply", a1, e1, { operationName: "Reply", subjectPrefix: "Re: " });
      const n1 = await wait("ReplyCreated 1", a1, (d) => d.state === "ReplyCreated" && JSON.stringify(d).includes("Re: probe-1"));
      const r2 = await op("replyAll", a1, e1, { operationName: "ReplyAll" });
      const n2 = await wait("ReplyCreated 2", a1, (d) => d.state === "ReplyCreated" && d.id !== n1?.id && d.id !== e1);
      await op("forward", a1, e1, { operationName: "Forward" });
      const reply1 = String(n1?.id ?? r1.replyInteractionId ?? "none");
      const reply2 = String(n2?.id ?? r2.replyInteractionId ?? "none");
      const send = { operationName: "Send", email_object: { toAddress: "x@example.org", fromAddress: "s@cc.example", subject: "s", text: "t" } };
      await op("send", a1, reply1, send);
      await op("send again", a1, reply1, send);
      await op("cancel", a1, reply2, { operationName: "CancelReplyEmail" });
      await op("send cancelled", a1, reply2, send);
      await op("unknown id", a1, "FFFFFFFFFFFFFFFF", { operationName: "Accept" });
      await op("wrong type", a1, e1, { operationName: "Reply", quoteOriginal: "yes" });
      answer("malformed", await a1.http.post(`/me/interactions/${e1}`, undefined, { rawBody: "{oops" }));
      answer("no auth", await a1.http.post(`/me/interactions/${e1}`, { operationName: "Reply" }, { auth: "none", noCookies: true }));
      answer("wrong password", await a1.http.post(`/me/interactions/${e1}`, { operationName: "Reply" }, { auth: { username: "agent1", password: "wrong" }, noCookies: true }));
      await op("foreign", a2, e1, { operationName: "StopProcessing" });
      await op("transfer", a1, e1, { operationName: "Transfer", targetAgent: "agent2" });
      await wait("Invited on agent2", a2, (d) => d.state === "Invited" && d.id === e1);
    }
    const anon = new CometdSession(server.cometdUrl, "anon", undefined);
    log.push(`anonymous handshake: ${(await anon.handshake(BUDGETS.cometdConnectMs)).ok}`);
    await anon.close();
    const e2 = await inject("probe-2", { revokeAfterMs: 50 });
    if (e2) await wait("Revoked", a1, (d) => d.state === "Revoked" && d.id === e2);
    answer("NotReady", await a2.http.post("/me/channels/email", { operationName: "NotReady" }));
    await target.injector.inject({ to: "support@cc.example", from: "pat@example.org", subject: "probe-3", text: "x", agent: "agent2" });
    await wait("Invited probe-3 on NotReady agent2", a2, (d) => JSON.stringify(d).includes("probe-3"), 300);
    answer("Ready", await a2.http.post("/me/channels/email", { operationName: "Ready" }));
    const e4 = await inject("probe-4");
    if (e4) {
      await op("reply on invited", a1, e4, { operationName: "Reply" });
      await op("accept 4", a1, e4, { operationName: "Accept" });
      await op("stop", a1, e4, { operationName: "StopProcessing" });
      await op("reply after stop", a1, e4, { operationName: "Reply" });
    }
    // Everything each agent received, in order (duplicates and leaks show here).
    for (const a of [a1, a2]) log.push(`${a.name} got: ${JSON.stringify(norm(a.session.items().map((n) => n.data)))}`);
  } finally {
    await target.close();
  }
  return log;
}
