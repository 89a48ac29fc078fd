/**
 * Rule helpers shared by the suites: one helper per rule, so a clause of the contract is
 * checked the same way wherever a scenario exercises it.
 */
import type { RequirementId } from "../../src/generated/requirement-ids.js";
import type { AgentHandle } from "../../src/harness/target.js";
import { addressList, normalizeText, sameAddressList, sameLine, textLines } from "../../src/harness/text.js";
import type { Notification } from "../../src/contract/notification.js";
import type { AcceptedHandle, Answer, Scenario } from "../../src/harness/scenario.js";

export type ReplyOperation = "Reply" | "ReplyAll" | "Forward";

export interface CreatedReply {
  answer: Answer;
  id: string;
  created: Notification;
}

/**
 * Per operation: the answer's requirement, the ReplyCreated's, and the one that judges "the answer's
 * replyInteractionId is the new interaction's id" (O4 MUST; O5: "A ReplyCreated notification for
 * that id follows", SHOULD). Reply MAY carry the id (R1): nothing requires it there.
 */
const CREATED_REQUIREMENTS: Record<
  ReplyOperation,
  { answer: RequirementId; created: RequirementId; idMatches?: RequirementId }
> = {
  Reply: { answer: "O3.answer-ok", created: "O3.reply-created" },
  ReplyAll: { answer: "O4.answer-reply-id", created: "O4.reply-created", idMatches: "O4.reply-id-matches" },
  Forward: { answer: "O5.answer-reply-id", created: "O5.reply-created", idMatches: "O5.reply-created" },
};

/**
 * Reply / ReplyAll / Forward on an accepted inbound e-mail (O3–O5): the answer (R1, with
 * replyInteractionId where the lifecycle says so), then ReplyCreated for a NEW interaction (N4).
 * The request carries the configured compose queue (O3: a server MAY require it); `fields` come on top.
 * The new notification is recognised by the answer's replyInteractionId or the subject token; where
 * the answer must name it (ReplyAll, Forward), its id is then held to the answer's.
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
  if (req.idMatches)
    s.check(
      req.idMatches,
      replyId === id,
      replyId === id
        ? `replyInteractionId ${replyId} is the id of the ReplyCreated that followed`
        : `the answer's replyInteractionId is ${JSON.stringify(replyId)}; the ReplyCreated that followed (found by the subject token) is ${id}`,
    );
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

/**
 * The inbound e-mail as the server reported it in its Accepted notification: what O3/O4
 * derivations ("= the inbound ToAddress", "= the inbound CCAddresses", Subject, quoted Text) are
 * judged against (interpretation.md, "Deployment data and routing"); whether Accepted reports what
 * was injected is N3.content's (SHOULD). Accepted carries no Reply-To: that one is the injected
 * value. A required field Accepted lacks (N3.shape FAILs on it) falls back to the injected value,
 * named in `fallbacks`.
 */
export interface ReportedInbound {
  to: string;
  from: string;
  /** Undefined: Accepted named no CC (N3: CCAddresses "when present"). */
  cc?: string;
  subject: string;
  text: string;
  replyTo?: string;
  fallbacks: string[];
}

export function reportedInbound(inbound: AcceptedHandle): ReportedInbound {
  const got = eo(inbound.accepted);
  const fallbacks: string[] = [];
  const field = (key: string, injected: string): string => {
    if (typeof got[key] === "string") return got[key] as string;
    fallbacks.push(`Accepted has no ${key}: the injected one`);
    return injected;
  };
  const e = inbound.email;
  return {
    to: field("ToAddress", e.to),
    from: field("FromAddress", e.from),
    cc: typeof got.CCAddresses === "string" && addressList(got.CCAddresses).length ? got.CCAddresses : undefined,
    subject: field("Subject", e.subject),
    text: field("Text", e.text),
    replyTo: e.replyTo,
    fallbacks,
  };
}

const fallbackNote = (r: ReportedInbound): string => (r.fallbacks.length ? ` (${r.fallbacks.join("; ")})` : "");

/**
 * O3 (and O4 through it): ToAddress = the inbound Reply-To (SHOULD: its From without one),
 * FromAddress = the inbound ToAddress — as Accepted reported them, compared as address lists.
 */
export function checkReplyAddresses(
  s: Scenario,
  inbound: AcceptedHandle,
  created: Notification,
  reqs: { to: RequirementId; from: RequirementId },
): void {
  const got = eo(created);
  const r = reportedInbound(inbound);
  const expectedTo = r.replyTo ?? r.from;
  const toSource = r.replyTo ? "the injected Reply-To (Accepted carries none)" : "Accepted's FromAddress";
  s.check(
    reqs.to,
    sameAddressList(got.ToAddress, expectedTo),
    `ToAddress is ${JSON.stringify(got.ToAddress)}; expected ${toSource} ${JSON.stringify(expectedTo)}${fallbackNote(r)}`,
  );
  s.check(
    reqs.from,
    sameAddressList(got.FromAddress, r.to),
    `FromAddress is ${JSON.stringify(got.FromAddress)}; expected Accepted's ToAddress ${JSON.stringify(r.to)}${fallbackNote(r)}`,
  );
}

/** O4: CCAddresses = the inbound CCAddresses as Accepted reported them (address lists; none reported: none expected). */
export function checkReplyCc(
  s: Scenario,
  inbound: AcceptedHandle,
  created: Notification,
  requirement: RequirementId,
): void {
  const cc = eo(created).CCAddresses;
  const expected = reportedInbound(inbound).cc;
  const none = cc === undefined || (typeof cc === "string" && addressList(cc).length === 0);
  s.check(
    requirement,
    expected === undefined ? none : sameAddressList(cc, expected),
    `CCAddresses is ${JSON.stringify(cc)}; expected Accepted's CCAddresses ${expected === undefined ? "(none)" : JSON.stringify(expected)} as a list (separators, spacing and order free)`,
  );
}

/** O3: Subject = subjectPrefix (or "") + the inbound Subject as Accepted reported it. */
export function checkReplySubject(
  s: Scenario,
  inbound: AcceptedHandle,
  created: Notification,
  prefix: string | undefined,
  requirement: RequirementId,
): void {
  const r = reportedInbound(inbound);
  const expected = `${prefix ?? ""}${r.subject}`;
  const got = eo(created).Subject;
  s.check(
    requirement,
    got === expected,
    `Subject is ${JSON.stringify(got)}; expected ${JSON.stringify(expected)} (${prefix === undefined ? "" : "the prefix + "}Accepted's Subject)${fallbackNote(r)}`,
  );
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
 * Text (as Accepted reported it) follows in order, each prefixed by indentCharacter when given.
 * CRLF, a final line end (N3) and trailing whitespace of a quoted line do not count. Returns
 * whether the inbound text is quoted at all (O4.quote-default uses it).
 */
export function checkQuoting(
  s: Scenario,
  inbound: AcceptedHandle,
  created: Notification,
  opts: { startLine?: string; indent?: string; reqs: { startLine?: RequirementId; lines: RequirementId } },
): boolean {
  const text = String(eo(created).Text ?? "");
  const lines = textLines(text);
  const r = reportedInbound(inbound);
  if (opts.startLine !== undefined && opts.reqs.startLine) {
    s.check(
      opts.reqs.startLine,
      normalizeText(text).startsWith(opts.startLine),
      `Text starts ${JSON.stringify(text.slice(0, 60))}; expected it to start with ${JSON.stringify(opts.startLine)}`,
    );
  }
  let at = 0;
  const missing: string[] = [];
  for (const line of textLines(r.text)) {
    const want = `${opts.indent ?? ""}${line}`;
    const found = lines.findIndex(
      (l, i) => i >= at && (opts.indent !== undefined ? sameLine(l, want) : l.trimEnd().endsWith(line.trimEnd())),
    );
    if (found < 0) missing.push(want);
    else at = found + 1;
  }
  return s.check(
    opts.reqs.lines,
    missing.length === 0,
    missing.length === 0
      ? "every line of Accepted's Text is quoted in order"
      : `quoted Text ${JSON.stringify(text.slice(0, 200))} lacks, in order, these lines of Accepted's Text: ${missing.map((m) => JSON.stringify(m)).join(", ")}${fallbackNote(r)}`,
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
 * T1, T2: an operation on interaction `id` went to `{root}/me/interactions/{id}` under the configured
 * API root, as a POST with a JSON body naming operationName, and the target served it there: it
 * answered a success, or a refusal other than 404/405 (then the operation's own rule judges the
 * refusal; the path was routed). A request the suite sent anywhere else is a defect of the suite,
 * not a verdict on the target.
 */
export function checkServedAtInteractionPath(s: Scenario, answer: Answer, id: string): void {
  const ex = answer.exchange;
  const root = s.settings.baseUrl;
  const url = `${root}/me/interactions/${encodeURIComponent(id)}`;
  const named = (ex.requestBody as { operationName?: unknown } | undefined)?.operationName;
  if (ex.method !== "POST" || ex.url !== url || typeof named !== "string")
    throw new Error(
      `suite defect: T1/T2 judge a POST to ${url} naming operationName; the suite sent ${ex.method} ${ex.url}`,
    );
  const status = ex.status;
  const served = (answer.taken ?? answer.ok) || (answer.refused && status !== 404 && status !== 405);
  const seen = `POST ${url} (${named}) answered HTTP ${status ?? "nothing"}`;
  const why = served
    ? answer.ok
      ? "served"
      : "routed to the operation (the refusal is the operation's to judge)"
    : "not served there";
  s.check("T1.api-root", served, `${seen}: ${why} under the configured root ${root}`);
  s.check("T2.interaction-path", served, `${seen}: ${why} at {root}/me/interactions/{id}`);
}

/**
 * What the owner can do in `state` that shows it still holds the interaction as it was: Accept an
 * invitation, Reply to an accepted e-mail, Send a reply (a self-checking probe: its answer is
 * judged, and the finishing that follows gives back what it opens).
 */
function ownerProbe(state: "Invited" | "Accepted" | "ReplyCreated"): string {
  return state === "Invited" ? "Accept" : state === "Accepted" ? "Reply" : "Send";
}

/**
 * "Changes nothing" (R3, T8), after the hold of a watch (Scenario.expectNoNotification): the owner
 * can still do what the state allows — its own probe answers ok.
 */
export async function expectOwnerStillCan(
  s: Scenario,
  it: { agent: AgentHandle; id: string; token: string },
  state: "Invited" | "Accepted" | "ReplyCreated",
  requirement: RequirementId,
  why: string,
): Promise<boolean> {
  const probe = ownerProbe(state);
  const own = await s.operate(it.agent, it.id, s.request(probe, it.token));
  return s.check(requirement, own.ok, `${why}: the owner's own ${probe} answered ${s.describeAnswer(own)}`);
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
