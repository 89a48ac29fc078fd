/**
 * Rule helpers shared by the suites: one helper per rule, so a clause of the contract is
 * checked the same way wherever a scenario exercises it.
 */
import type { RequirementId } from "../../src/generated/requirement-ids.js";
import type { InboundEmailInjection } from "../../src/generated/contract-types.js";
import type { AgentHandle } from "../../src/harness/target.js";
import { normalizeText, textLines } from "../../src/harness/text.js";
import type { Notification } from "../../src/contract/notification.js";
import type { AcceptedHandle, Answer, Scenario } from "../../src/harness/scenario.js";

export type ReplyOperation = "Reply" | "ReplyAll" | "Forward";

export interface CreatedReply {
  answer: Answer;
  id: string;
  created: Notification;
}

const CREATED_REQUIREMENTS: Record<ReplyOperation, { answer: RequirementId; created: RequirementId }> = {
  Reply: { answer: "O3.answer-ok", created: "O3.reply-created" },
  ReplyAll: { answer: "O4.answer-reply-id", created: "O4.reply-created" },
  Forward: { answer: "O5.answer-reply-id", created: "O5.reply-created" },
};

/**
 * Reply / ReplyAll / Forward on an accepted inbound e-mail (O3–O5): the answer (R1, with
 * replyInteractionId where the lifecycle says so), then ReplyCreated for a NEW interaction (N4).
 * The request carries the configured compose queue (O3: a server MAY require it); `fields` come on top.
 * The new notification is recognised by the answer's replyInteractionId or the subject token.
 */
export async function createReply(
  s: Scenario,
  inbound: AcceptedHandle,
  operation: ReplyOperation,
  fields: Record<string, unknown> = {},
  answerRequirement?: RequirementId,
): Promise<CreatedReply> {
  const req = CREATED_REQUIREMENTS[operation];
  const answer = await s.operate(inbound.agent, inbound.id, s.request(operation, inbound.token, fields));
  // A caller judging the answer under a rule of its own (a SHOULD) keeps a refusal from becoming this MUST's failure.
  if (answerRequirement) s.requireOk(answer, answerRequirement);
  s.requireOk(answer, req.answer);
  const replyId = typeof answer.body?.replyInteractionId === "string" ? answer.body.replyInteractionId : undefined;
  if (replyId) s.claim(replyId, [inbound.agent]);
  const created = await s.awaitNotification(
    inbound.agent,
    // By replyInteractionId, or by the subject token (a wrong id must still be seen, to be judged by N4.new-id).
    (d) =>
      d.state === "ReplyCreated" &&
      ((replyId !== undefined && d.id === replyId) || JSON.stringify(d).includes(inbound.token)),
    {
      what: `ReplyCreated after ${operation} on ${inbound.id}${replyId ? ` (replyInteractionId ${replyId})` : ""}`,
      requirement: req.created,
      after: answer,
    },
  );
  const id = String(created.id);
  s.check(
    "N4.new-id",
    id !== inbound.id,
    id !== inbound.id
      ? `ReplyCreated id ${id} differs from the inbound ${inbound.id}`
      : `ReplyCreated reuses the inbound id ${id}`,
  );
  s.claim(id, [inbound.agent]);
  return { answer, id, created };
}

/** ReplyCreated's interactionSubType after Reply / ReplyAll (O3, O4 via N4). */
export function checkReplySubtype(s: Scenario, created: Notification, requirement: RequirementId): void {
  const sub = created.interactionSubType;
  s.check(
    requirement,
    sub === "OutboundReply",
    `interactionSubType is ${JSON.stringify(sub)} (expected "OutboundReply")`,
  );
}

function eo(n: Notification): Record<string, unknown> {
  return (n.email_object ?? {}) as Record<string, unknown>;
}

/** O3 (and O4 through it): ToAddress = Reply-To (or From without one), FromAddress = inbound To. */
export function checkReplyAddresses(
  s: Scenario,
  email: InboundEmailInjection,
  created: Notification,
  reqs: { to: RequirementId; from: RequirementId },
): void {
  const got = eo(created);
  const expectedTo = email.replyTo ?? email.from;
  s.check(
    reqs.to,
    got.ToAddress === expectedTo,
    `ToAddress is ${JSON.stringify(got.ToAddress)}; expected the inbound ${email.replyTo ? "Reply-To" : "From"} ${JSON.stringify(expectedTo)}`,
  );
  s.check(
    reqs.from,
    got.FromAddress === email.to,
    `FromAddress is ${JSON.stringify(got.FromAddress)}; expected the inbound To ${JSON.stringify(email.to)}`,
  );
}

/** O3: Subject = subjectPrefix (or "") + inbound Subject. */
export function checkReplySubject(
  s: Scenario,
  email: InboundEmailInjection,
  created: Notification,
  prefix: string | undefined,
  requirement: RequirementId,
): void {
  const expected = `${prefix ?? ""}${email.subject}`;
  const got = eo(created).Subject;
  s.check(requirement, got === expected, `Subject is ${JSON.stringify(got)}; expected ${JSON.stringify(expected)}`);
}

/** O3: Text is empty unless quoteOriginal is true (a lone line end is empty too: N3, mail transport). */
export function checkTextEmpty(s: Scenario, created: Notification, requirement: RequirementId, why: string): void {
  const text = eo(created).Text;
  s.check(
    requirement,
    typeof text === "string" && normalizeText(text) === "",
    `${why}: Text is ${JSON.stringify(text)}; expected ""`,
  );
}

/**
 * O3 quoting (SHOULD): Text starts with replyToStartLine when given; every line of the inbound
 * Text follows in order, each prefixed by indentCharacter when given. Returns whether the inbound
 * text is quoted at all (O4.quote-default uses it).
 */
export function checkQuoting(
  s: Scenario,
  email: InboundEmailInjection,
  created: Notification,
  opts: { startLine?: string; indent?: string; reqs: { startLine?: RequirementId; lines: RequirementId } },
): boolean {
  // CRLF versus LF and a final line end are ignored (N3, "Deployment data and routing").
  const text = String(eo(created).Text ?? "");
  const lines = textLines(text);
  if (opts.startLine !== undefined && opts.reqs.startLine) {
    s.check(
      opts.reqs.startLine,
      normalizeText(text).startsWith(opts.startLine),
      `Text starts ${JSON.stringify(text.slice(0, 60))}; expected it to start with ${JSON.stringify(opts.startLine)}`,
    );
  }
  let at = 0;
  const missing: string[] = [];
  for (const line of textLines(email.text)) {
    const want = `${opts.indent ?? ""}${line}`;
    const found = lines.findIndex((l, i) => i >= at && (opts.indent !== undefined ? l === want : l.endsWith(line)));
    if (found < 0) missing.push(want);
    else at = found + 1;
  }
  return s.check(
    opts.reqs.lines,
    missing.length === 0,
    missing.length === 0
      ? "every inbound line is quoted in order"
      : `quoted Text ${JSON.stringify(text.slice(0, 200))} lacks, in order: ${missing.map((m) => JSON.stringify(m)).join(", ")}`,
  );
}

/**
 * "The agent no longer holds it: later operations on it fail" (O2, O6, O9, O10, O11, N5):
 * a probe operation — a request that would be valid, had the agent still held it — is refused
 * and produces no notification.
 */
export async function expectNoLongerHeld(
  s: Scenario,
  agent: AgentHandle,
  id: string,
  probe: string,
  token: string,
  requirement: RequirementId,
  why: string,
  /** Where the agent's stream stood when it let `id` go: an Invited after it is a new offer. */
  releasedAt?: number,
): Promise<void> {
  const answer = await s.operate(agent, id, s.request(probe, token));
  if (!answer.refused && releasedAt !== undefined) {
    // Deployment data and routing: after the holder lets it go the server MAY offer it again, to the
    // same agent included. A probe taken on such a new offer shows nothing about the old one.
    const again = await s.waitOn(
      agent,
      (d, n) => d.id === id && d.state === "Invited" && (n?.index ?? 0) >= releasedAt,
      `a new offer of ${id} to ${agent.name}`,
      s.settings.inboundBudgetMs,
    );
    if (again) {
      s.unjudged(
        [requirement],
        `${agent.name} was offered ${id} again after it let it go (${why}), and its ${probe} was taken on that offer`,
      );
      return;
    }
  }
  s.expectRefused(answer, requirement, `${why}: ${probe} on ${id}`);
  if (answer.refused)
    await s.expectNoNotification([id], requirement, `${why}: the refused ${probe}`, { since: answer });
}

/**
 * A releasing operation (O2, O6, O7, O9, O10, O11): `body` on `id` answers ok (`ok`, the scenario
 * stops when it does not), then the agent no longer holds it: `probe` is refused and changes
 * nothing (`lost`).
 */
export async function expectLetGo(
  s: Scenario,
  holder: { agent: AgentHandle; token: string },
  id: string,
  body: Record<string, unknown>,
  requirements: { ok: RequirementId; lost: RequirementId; probe: string },
): Promise<void> {
  const answer = await s.operate(holder.agent, id, body);
  s.requireOk(answer, requirements.ok);
  const why = `after ${String(body.operationName)}`;
  const mark = answer.streamMarks?.get(holder.agent.name);
  await expectNoLongerHeld(s, holder.agent, id, requirements.probe, holder.token, requirements.lost, why, mark);
}

/** A valid Send body for an outbound interaction (O6): the configured compose queue, real addresses; `overrides` on top. */
export function sendBody(s: Scenario, token: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return s.request("Send", token, overrides);
}

/** A refused request changes nothing and produces no notification (R3, T4, T8). */
export async function expectRefusedWithoutEffect(
  s: Scenario,
  answer: Answer,
  ids: string[],
  requirements: { refused: RequirementId; noEffect: RequirementId },
  what: string,
): Promise<boolean> {
  const refused = s.expectRefused(answer, requirements.refused, what);
  await s.expectNoNotification(ids, requirements.noEffect, what, { since: answer });
  return refused;
}

/**
 * T7: Ready / NotReady on the agent's channel, answered per R1 (`T7.channel-answer`); a
 * failure stops the scenario when `stop` (the next steps would judge nothing).
 */
export async function setChannel(
  s: Scenario,
  agent: AgentHandle,
  state: "Ready" | "NotReady",
  stop = state === "NotReady",
): Promise<void> {
  const answer = await agent.http.post("/me/channels/email", { operationName: state }, { operation: state });
  const ok = s.judgeAnswer(answer, state).ok;
  const message = `${agent.name}: ${state} answered HTTP ${answer.status} ${JSON.stringify(answer.body)}`;
  if (stop) s.require("T7.channel-answer", ok, message);
  else s.check("T7.channel-answer", ok, message);
}

/**
 * T7 ("Only Ready agents are offered inbound e-mails"): over `windowMs` the e-mail carrying
 * `token` is not offered to `notReady`, which is NotReady; where it went is said (a Ready agent,
 * or nobody yet: it may wait for room). The wait is the behaviour under test: absence can only be
 * observed over a window. Returns the Ready agent it went to, if any.
 */
export async function judgeWhereOffered(
  s: Scenario,
  token: string,
  notReady: AgentHandle,
  windowMs: number,
): Promise<AgentHandle | undefined> {
  const isIt = (d: Notification): boolean => d.state === "Invited" && JSON.stringify(d).includes(token);
  const others = s.target.agents.filter((a) => a.name !== notReady.name);
  const [onNotReady, ...elsewhere] = await Promise.all([
    s.waitOn(notReady, isIt, `Invited for ${token} on the NotReady ${notReady.name}`, windowMs),
    ...others.map((a) => s.waitOn(a, isIt, `Invited for ${token} on ${a.name}`, windowMs)),
  ]);
  const went = others.filter((_, i) => elsewhere[i] !== undefined);
  const where = went.length ? `it went to ${went.map((a) => a.name).join(", ")}` : "nobody was offered it yet";
  s.check(
    "T7.not-ready-not-offered",
    !onNotReady,
    onNotReady
      ? `${notReady.name} was NotReady yet was offered ${String(onNotReady.data.id)} (${where})`
      : `${notReady.name} (NotReady) was not offered the e-mail within ${windowMs} ms; ${where}`,
  );
  return went[0];
}
