/**
 * The reference server's domain: agents, their e-mail channel, interactions and what each
 * operation does, in memory. Transport-agnostic: it returns answers and emits notifications
 * through `notify`; server.ts puts it on HTTP and Bayeux.
 *
 * What is checked and where states go comes from the contract's data, not from code here:
 * request bodies are validated with the request schemas (schemas/requests/), the operations a
 * state allows come from its capabilities (lifecycle.json via allowedOperations), and each
 * operation's next state from lifecycle.json (`next`, `creates`, `offersTo`).
 */
import { randomBytes } from "node:crypto";
import {
  allowedOperations,
  documentedCapabilities,
  eventTargetOf,
  lifecycle,
  operationOf,
  requireOperation,
  stateOf,
} from "../contract/lifecycle.js";
import { contractValidator, formatViolations } from "../contract/validators.js";
import type { InboundEmailInjection } from "../generated/contract-types.js";
import { REFERENCE_INBOUND_QUEUE, REFERENCE_KNOWN_QUEUES, REFERENCE_QUEUES } from "./deployment.js";
import type { Notification } from "../contract/notification.js";
import type { FaultHooks, NotifyContext } from "./faults/index.js";
import { errorAnswer, type JsonAnswer } from "./http-io.js";
import type { VariationSwitches } from "./variations.js";

/** An interaction an agent holds (World.openInteractions). */
export interface OpenInteraction {
  id: string;
  agent: string;
  state: string;
}

export interface AgentAccount {
  username: string;
  password: string;
}

/** An e-mail as the server keeps it (addresses as given, text as lines joined by \n). */
export interface OutboundEmail {
  to: string;
  from: string;
  cc?: string;
  subject: string;
  text: string;
  mimeType: string;
}

interface Attachment {
  id: string;
  name: string;
  size: number;
  mimetype: string;
}

interface Interaction {
  id: string;
  kind: "inbound" | "outbound";
  /** A lifecycle.json state name. */
  state: string;
  /** The agent it is offered to or owned by (T8); undefined when no agent holds it. */
  owner?: string;
  /** Other agents it is offered to at the same time (ring-all variation): the first Accept holds it. */
  offers?: Set<string>;
  /** Offered again once after a Revoked (reoffer-revoked variation). */
  reofferedAfterRevoke?: boolean;
  /** Agents that held it before (their later operations get a state answer, 409, not a T8 403). */
  formerOwners: Set<string>;
  email: OutboundEmail & { replyTo?: string; structuredText?: string; structuredTextMimeType?: string };
  attachments: Attachment[];
  subType: string;
  currentQueue: string;
  receivedAt: string;
  userData: Record<string, string>;
  sourceId?: string;
  /** Agents that rejected it (O2): never offered to them again. */
  rejectedBy: Set<string>;
  /** Agent hint of the injection, used when routing. */
  preferredAgent?: string;
  /** Transfer to an agent (O9): offered to that agent only, held until it is Ready. */
  onlyFor?: string;
  revokeAfterMs?: number;
  revokeTimer?: NodeJS.Timeout;
}

export interface Delivery {
  agent: string;
  data: Notification;
  ctx: NotifyContext;
  /** Deliver this much later (the inbound-delay variation: an offer that depends on routing). */
  delayMs?: number;
}

export interface WorldOptions {
  agents: AgentAccount[];
  /** Revoke unanswered invitations after this long (N5); the per-e-mail revokeAfterMs hint wins. */
  inviteTimeoutMs?: number;
  faults: FaultHooks;
  /** Allowed variations switched on (variations.ts); none: the default behaviour. */
  variations?: VariationSwitches;
  /** How late the late-effect faults act (ms). */
  lateEffectMs?: number;
  /** Called for every notification, after the answer of the call that caused it is written. */
  notify(delivery: Delivery): void;
}

/** How an interaction is offered: `routed` (depends on routing: the inbound-delay variation), never to `exclude`. */
interface OfferOptions {
  /** Keep it waiting for an agent with room when nobody can take it now (default true). */
  holdIfNobody?: boolean;
  routed?: boolean;
  exclude?: string;
}

/** The result of a call: the answer to write, then the notifications to send once it is written. */
export interface Outcome {
  answer: JsonAnswer;
  deliveries: Delivery[];
}

const ok = (extra: Record<string, unknown> = {}): JsonAnswer => ({ status: 200, body: { status: "ok", ...extra } });

export class World {
  private readonly agents = new Map<string, { account: AgentAccount; ready: boolean }>();
  private readonly interactions = new Map<string, Interaction>();
  /** Inbound e-mails waiting for a Ready agent, oldest first (T7). */
  private readonly held: Interaction[] = [];
  private roundRobin = 0;
  private closed = false;
  private readonly variations: VariationSwitches;
  /** Timers of the late-effect faults (cleared on close). */
  private readonly lateTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: WorldOptions) {
    for (const a of opts.agents) this.agents.set(a.username, { account: a, ready: false });
    this.variations = opts.variations ?? {};
  }

  // ----- authentication (T4) -------------------------------------------------------------------

  checkCredentials(username: string, password: string): boolean {
    return this.agents.get(username)?.account.password === password;
  }

  hasAgent(username: string): boolean {
    return this.agents.has(username);
  }

  /** What agents hold now (lifecycle `held`: Invited, Accepted, ReplyCreated), oldest first. */
  openInteractions(): OpenInteraction[] {
    const open: OpenInteraction[] = [];
    for (const it of this.interactions.values())
      if (it.owner && stateOf(it.state)?.held) open.push({ id: it.id, agent: it.owner, state: it.state });
    return open;
  }

  agentNames(): string[] {
    return [...this.agents.keys()];
  }

  // ----- channel state (T7) --------------------------------------------------------------------

  setChannel(agent: string, body: unknown): Outcome {
    const v = contractValidator().validate("requests/channel-state.schema.json", body);
    if (!v.ok)
      return { answer: errorAnswer(400, `invalid channel request: ${formatViolations(v.violations)}`), deliveries: [] };
    const ready = (body as { operationName: string }).operationName === "Ready";
    this.agents.get(agent)!.ready = ready;
    const deliveries = ready ? this.drainHeld() : [];
    return { answer: ok(), deliveries };
  }

  // ----- test control: inbound e-mails ---------------------------------------------------------

  inject(body: unknown): Outcome {
    const v = contractValidator().validate("control/inbound-email.schema.json", body);
    if (!v.ok)
      return { answer: errorAnswer(400, `invalid inbound e-mail: ${formatViolations(v.violations)}`), deliveries: [] };
    const e = body as InboundEmailInjection;
    const id = newId();
    // N3 MAY (crlf-text variation): mail transport turned the line ends into CRLF and added a final one.
    const text = this.variations.crlfText ? `${e.text.replace(/\r?\n/g, "\r\n").replace(/(\r\n)?$/, "")}\r\n` : e.text;
    const it: Interaction = {
      id,
      kind: "inbound",
      state: eventTargetOf("Inject"),
      email: {
        to: e.to,
        from: e.from,
        // Address lists are lists (cc-compact variation): stored as `a,b`, no spaces, the server's own order.
        cc: this.variations.ccCompact && e.cc ? compactList(e.cc) : e.cc,
        replyTo: e.replyTo,
        subject: e.subject,
        text,
        mimeType: e.mimeType ?? "text/plain",
        structuredText: e.structuredText,
        structuredTextMimeType: e.structuredTextMimeType,
      },
      attachments: (e.attachments ?? []).map((a) => ({
        id: newId(),
        name: a.name,
        mimetype: a.mimetype,
        size: Buffer.from(a.contentBase64, "base64").length,
      })),
      subType: "InboundNew",
      currentQueue: REFERENCE_INBOUND_QUEUE,
      receivedAt: new Date().toISOString(),
      userData: { Subject: e.subject, EmailAddress: e.from, Origination: "email" },
      formerOwners: new Set(),
      rejectedBy: new Set(),
      preferredAgent: e.agent,
      revokeAfterMs: e.revokeAfterMs,
    };
    this.interactions.set(id, it);
    const deliveries = this.offer(it, { routed: true });
    return { answer: { status: 202, body: { status: "ok", interactionId: id } }, deliveries };
  }

  // ----- operations (T2, T3, O1–O11) -----------------------------------------------------------

  /** An operation by `agent` on interaction `id` (null: CreateEmail on the collection, T3). */
  operate(agent: string, id: string | null, body: unknown): Outcome {
    const refuse = (status: number, text: string): Outcome => {
      this.noticeRefusalLate(agent, id);
      this.noticeRefusalLateIfHeld(agent, id);
      return { answer: errorAnswer(status, text), deliveries: [] };
    };
    if (!body || typeof body !== "object" || Array.isArray(body))
      return refuse(400, "the body must be a JSON object with operationName (R3)");
    const given = (body as { operationName?: unknown }).operationName;
    if (given === undefined) return refuse(400, "operationName is missing (R3)");
    if (typeof given !== "string")
      return refuse(400, `operationName must be a string, got ${JSON.stringify(given)} (R3)`);
    let name: string = given;
    if (name === "CancelReply") name = "CancelReplyEmail"; // the operations table's name (related-facts #2): accepted as an alias (MAY)
    const op = operationOf(name);
    if (!op)
      return refuse(
        400,
        `unknown operationName "${name}"; known: ${lifecycle.operations.map((o) => o.name).join(", ")} (R3)`,
      );
    if (id === null && op.path !== "collection")
      return refuse(400, `${name} is an operation on one interaction: POST /me/interactions/{id} (T2)`);
    if (id !== null && op.path === "collection")
      return refuse(400, `${name} is posted on /me/interactions, not on an interaction (T3)`);
    if (!this.opts.faults.skipValidation) {
      const v = contractValidator().validate(op.request, { ...(body as object), operationName: name });
      if (!v.ok) return refuse(400, `invalid ${name} request: ${formatViolations(v.violations)}`);
    }
    const b = body as Record<string, unknown>;
    const queueProblem = this.queueProblem(name, b);
    if (queueProblem) return refuse(400, queueProblem);
    if (id === null) return this.createEmail(agent, b);

    const it = this.interactions.get(id);
    if (!it) {
      if (this.opts.faults.unknownIdOk) return { answer: ok(), deliveries: [] };
      return refuse(404, `no interaction ${id} (R3)`);
    }
    // T8: only the agent it is offered to or owned by may operate on it. An agent that held it
    // before (sent, cancelled, stopped, revoked, ...) is told the state instead (R3, 409).
    const knows = it.owner === agent || !!it.offers?.has(agent) || (!it.owner && it.formerOwners.has(agent));
    if (!knows && !this.opts.faults.skipOwnership) {
      const op = name;
      if (this.opts.faults.refusedForeignTakesEffect && isReplyOperation(op)) {
        this.later(() => this.reply(it, agent, op, b));
      }
      if (this.opts.faults.refusedForeignRunsLate) {
        // The foreign-op-late-effect fault: the refused operation runs later, if the state still allows it.
        const holder = it.owner;
        this.later(() =>
          it.owner === holder && allowedOperations(it.state).includes(op)
            ? this.execute(it, agent, op, b)
            : { answer: ok(), deliveries: [] },
        );
      }
      return refuse(403, `interaction ${id} is not offered to or owned by ${agent} (T8)`);
    }
    let allowed = this.heldBy(it, agent) || this.opts.faults.skipOwnership ? allowedOperations(it.state) : [];
    if (this.opts.faults.allowedOperations) allowed = this.opts.faults.allowedOperations(it.state, allowed);
    if (!allowed.includes(name)) {
      const why = this.heldBy(it, agent) ? "" : `; ${agent} no longer holds it`;
      return refuse(
        409,
        `${name} is not allowed on interaction ${id} in state ${it.state}${why} (allowed: ${allowed.join(", ") || "none"}; capabilities: ${documentedCapabilities(it.state).join(", ") || "none"}) (R3)`,
      );
    }
    return this.execute(it, agent, name, b);
  }

  /** Runs an operation `agent` may run on `it` (ownership and state checked by the caller). */
  private execute(it: Interaction, agent: string, name: string, b: Record<string, unknown>): Outcome {
    switch (name) {
      case "Accept":
        return this.accept(it, agent);
      case "Reject":
        return this.reject(it, agent);
      case "Reply":
      case "ReplyAll":
      case "Forward":
        return this.reply(it, agent, name, b);
      case "Send":
      case "CancelReplyEmail":
      case "StopProcessing":
      case "PlaceInQueue":
        return this.leave(it, name);
      case "Transfer":
        return this.transfer(it, b);
      default:
        return { answer: errorAnswer(400, `${name} is not supported`), deliveries: [] };
    }
  }

  /**
   * O1: Invited → Accepted, notified to the owner. Offered to several agents at once (ring-all):
   * the first Accept holds it, the others' invitations end with Revoked (Deployment data and routing).
   */
  private accept(it: Interaction, agent: string): Outcome {
    clearTimeout(it.revokeTimer);
    // The leak-after-release fault: the agents that let it go before still get the new holder's notifications.
    const stale = this.opts.faults.leakAfterRelease ? [...it.formerOwners].filter((a) => a !== agent) : [];
    const outbid = [it.owner, ...(it.offers ?? [])].filter((a): a is string => !!a && a !== agent);
    const revoked = this.notification({ ...it, state: eventTargetOf("RevokeTimeout") });
    for (const other of outbid) it.formerOwners.add(other);
    it.offers = undefined;
    it.owner = agent;
    it.state = requireOperation("Accept").next!.state;
    // R1 MAY (empty-accept variation): an empty HTTP 200.
    const answer: JsonAnswer = this.variations.emptyAccept ? { status: 200, body: undefined } : ok();
    const ends = outbid.map((other) => ({ agent: other, data: revoked, ctx: {} }));
    const leaks = stale.map((former) => this.delivery(former, it));
    return { answer, deliveries: [this.delivery(agent, it), ...ends, ...leaks, ...this.drainHeld()] };
  }

  /**
   * O2: the agent lets the invitation go (Rejected). MAY: it is offered at once to another Ready
   * agent that has not rejected it; when there is none it stays Rejected (not held: an agent
   * turning Ready later is not surprised by an old rejected e-mail).
   */
  private reject(it: Interaction, agent: string): Outcome {
    it.rejectedBy.add(agent);
    if (it.offers?.size) {
      // Offered to several (ring-all): the others keep their invitations.
      if (it.owner === agent) it.owner = [...it.offers][0];
      it.offers.delete(it.owner!);
      it.offers.delete(agent);
      it.formerOwners.add(agent);
      return { answer: ok(), deliveries: this.drainHeld() };
    }
    clearTimeout(it.revokeTimer);
    it.state = requireOperation("Reject").next!.state;
    this.release(it);
    const reoffer = this.offer(it, { holdIfNobody: false, routed: true });
    return { answer: ok(), deliveries: [...reoffer, ...this.drainHeld()] };
  }

  /**
   * Deployment data (require-queue variation): Reply, ReplyAll, Send and CreateEmail must name a
   * queue (the page does not mark queueName optional, O3, O6, O8), and a queue named by any
   * operation must be one this server knows. Undefined: no problem.
   */
  private queueProblem(operation: string, b: Record<string, unknown>): string | undefined {
    if (!this.variations.requireQueue) return undefined;
    const known = REFERENCE_KNOWN_QUEUES.join(", ");
    if (["Reply", "ReplyAll", "Send", "CreateEmail"].includes(operation) && b.queueName === undefined) {
      return `${operation} needs queueName on this server (the page does not mark it optional; known queues: ${known})`;
    }
    if (typeof b.queueName === "string" && !REFERENCE_KNOWN_QUEUES.includes(b.queueName)) {
      return `unknown queue "${b.queueName}" (known queues: ${known})`;
    }
    return undefined;
  }

  /** The line end of the server's e-mail texts (crlf-text variation: CRLF). */
  private get eol(): string {
    return this.variations.crlfText ? "\r\n" : "\n";
  }

  /** Runs `effect` after the late-effect delay and sends its notifications (the late-effect faults). */
  private later(effect: () => Outcome): void {
    const t = setTimeout(() => {
      this.lateTimers.delete(t);
      if (this.closed) return;
      for (const d of effect().deliveries) this.opts.notify(d);
    }, this.opts.lateEffectMs ?? 1500);
    t.unref();
    this.lateTimers.add(t);
  }

  /** The refused-request-late-notification fault: a refused request on a held interaction re-sends its state later. */
  private noticeRefusalLate(agent: string, id: string | null): void {
    if (!this.opts.faults.refusalNotifiesLate || id === null) return;
    const it = this.interactions.get(id);
    if (!it || it.owner !== agent || !stateOf(it.state)?.notified) return;
    const snapshot = this.delivery(agent, it);
    this.later(() => ({ answer: ok(), deliveries: [snapshot] }));
  }

  /**
   * The refused-late-notification fault: a refused request on an interaction the agent holds
   * notifies its state later, if the agent still holds it then.
   */
  private noticeRefusalLateIfHeld(agent: string, id: string | null): void {
    if (!this.opts.faults.refusalNotifiesLateIfHeld || id === null) return;
    const it = this.interactions.get(id);
    if (!it || it.owner !== agent || !stateOf(it.state)?.held) return;
    this.later(() => ({
      answer: ok(),
      deliveries: it.owner === agent && stateOf(it.state)?.held ? [this.delivery(agent, it)] : [],
    }));
  }

  /** O3–O5: a new outbound interaction derived from the accepted inbound one. */
  private reply(
    source: Interaction,
    agent: string,
    op: "Reply" | "ReplyAll" | "Forward",
    b: Record<string, unknown>,
  ): Outcome {
    const spec = requireOperation(op); // creates: the new interaction's state and subtype
    const e = source.email;
    let derived: OutboundEmail;
    if (op === "Forward") {
      // O5: the destination is set by the agent in Send (the page's Forward has no address field).
      const text = quote(e.text, "Forwarded message:", "> ", this.eol);
      derived = { to: "", from: e.to, subject: `Fwd: ${e.subject}`, text, mimeType: e.mimeType };
    } else {
      const quoteDefault = this.opts.faults.quoteDefault?.(op) ?? op === "ReplyAll"; // O3: false for Reply; O4: true for ReplyAll
      const quoteOriginal = typeof b.quoteOriginal === "boolean" ? b.quoteOriginal : quoteDefault;
      const startLine = b.replyToStartLine as string | undefined;
      const indent = b.indentCharacter as string | undefined;
      derived = {
        to: e.replyTo ?? e.from, // O3: Reply-To, else From (SHOULD)
        from: e.to,
        subject: `${typeof b.subjectPrefix === "string" ? b.subjectPrefix : ""}${e.subject}`,
        text: quoteOriginal ? quote(e.text, startLine, indent, this.eol) : "",
        mimeType: e.mimeType,
        ...(op === "ReplyAll" && e.cc ? { cc: e.cc } : {}), // O4
      };
    }
    if (this.opts.faults.derive) derived = this.opts.faults.derive(op, derived, e);
    const created: Interaction = {
      id: newId(),
      kind: "outbound",
      state: spec.creates!.state,
      owner: agent,
      email: derived,
      attachments: [],
      subType: spec.creates!.interactionSubType ?? "OutboundReply",
      currentQueue: typeof b.queueName === "string" ? b.queueName : REFERENCE_QUEUES.compose,
      receivedAt: new Date().toISOString(),
      userData: {},
      sourceId: source.id,
      formerOwners: new Set(),
      rejectedBy: new Set(),
    };
    this.interactions.set(created.id, created);
    // R1: ReplyAll and Forward carry replyInteractionId; Reply MAY, and this server does, so a
    // client can find the new interaction even when its notification says little.
    const answer = ok({ replyInteractionId: created.id });
    return { answer, deliveries: [this.delivery(agent, created)] };
  }

  /** O8: a new outbound interaction owned by the agent, of the requested subtype (or OutboundReply). */
  private createEmail(agent: string, b: Record<string, unknown>): Outcome {
    const spec = requireOperation("CreateEmail");
    const created: Interaction = {
      id: newId(),
      kind: "outbound",
      state: spec.creates!.state,
      owner: agent,
      email: { to: "", from: "", subject: "", text: "", mimeType: "text/plain" },
      attachments: [],
      subType: typeof b.interactionSubType === "string" ? b.interactionSubType : "OutboundReply",
      currentQueue: String(b.queueName),
      receivedAt: new Date().toISOString(),
      userData: {},
      formerOwners: new Set(),
      rejectedBy: new Set(),
    };
    this.interactions.set(created.id, created);
    return { answer: ok(), deliveries: [this.delivery(agent, created)] };
  }

  /** O6, O7, O10, O11: the interaction moves to the lifecycle's next state and leaves the agent. */
  private leave(it: Interaction, op: string): Outcome {
    const holder = it.owner;
    it.state = requireOperation(op).next!.state;
    if (!this.heldBy(it, it.owner ?? "")) this.release(it);
    // A state the page does not name (end-states variation): the former holder is told how it ended.
    const ended = this.variations.endStates && holder ? END_STATES[op] : undefined;
    const end: Delivery[] =
      ended && holder ? [{ ...this.delivery(holder, it), data: this.endNotification(it, ended) }] : [];
    // Routing is the server's (reoffer-elsewhere variation): a queued interaction goes to another Ready agent.
    const elsewhere = op === "PlaceInQueue" && this.variations.reofferElsewhere;
    const reoffer = elsewhere ? this.offer(it, { holdIfNobody: false, routed: true, exclude: holder }) : [];
    return { answer: ok(), deliveries: [...end, ...reoffer, ...this.drainHeld()] };
  }

  /** The end-states variation's notification: the interaction's last notification shape, the end state, no capabilities. */
  private endNotification(it: Interaction, state: string): Notification {
    return { ...this.notification(it), state, capabilities: [] };
  }

  /** O9: to an agent (offered to that agent only: Invited, same id; held until it is Ready) or to a queue. */
  private transfer(it: Interaction, b: Record<string, unknown>): Outcome {
    const spec = requireOperation("Transfer");
    const target = typeof b.targetAgent === "string" ? b.targetAgent : undefined;
    if (target !== undefined && !this.agents.has(target))
      return {
        answer: errorAnswer(400, `targetAgent "${target}" is not an agent of this server (O9)`),
        deliveries: [],
      };
    const holder = it.owner;
    it.state = spec.next!.state;
    this.release(it);
    if (!target) {
      // To a queue: routing is the server's (reoffer-elsewhere variation offers it to another Ready agent).
      const elsewhere = this.variations.reofferElsewhere;
      const reoffer = elsewhere ? this.offer(it, { holdIfNobody: false, routed: true, exclude: holder }) : [];
      return { answer: ok(), deliveries: [...reoffer, ...this.drainHeld()] };
    }
    if (this.opts.faults.transferWithoutInvite) return { answer: ok(), deliveries: this.drainHeld() };
    it.onlyFor = target;
    it.rejectedBy.clear();
    // O9: the named agent's Invited follows N8, not the offer budget (not delayed).
    return { answer: ok(), deliveries: [...this.offer(it), ...this.drainHeld()] };
  }

  // ----- routing and revocation (T7, N5) -------------------------------------------------------

  /**
   * Offers an inbound interaction (T7) to one Ready agent that has not rejected it: the Transfer
   * target only (O9), else the injection's `agent` hint, else the next Ready agent in round-robin
   * order. With nobody to take it, it is held until an agent turns Ready (unless `holdIfNobody`
   * is false: after Reject).
   */
  private offer(it: Interaction, opts: OfferOptions = {}): Delivery[] {
    const capacity = this.capacity;
    const room = (name: string): boolean => capacity === undefined || this.heldCount(name) < capacity;
    const ready = (name: string): boolean => !!this.agents.get(name)?.ready || !!this.opts.faults.offerNotReady;
    const canTake = (name: string): boolean =>
      ready(name) && !it.rejectedBy.has(name) && name !== opts.exclude && room(name);
    // Deployment data and routing (ring-all variation): an inbound e-mail to every Ready agent with room at once.
    const everyone = this.variations.ringAll && !it.onlyFor ? [...this.agents.keys()].filter(canTake) : [];
    let agent: string | undefined;
    if (it.onlyFor) agent = canTake(it.onlyFor) ? it.onlyFor : undefined;
    else if (it.preferredAgent && canTake(it.preferredAgent)) agent = it.preferredAgent;
    else {
      const names = [...this.agents.keys()];
      for (let i = 0; i < names.length && !agent; i++) {
        const name = names[(this.roundRobin + i) % names.length];
        if (canTake(name)) {
          agent = name;
          this.roundRobin = (this.roundRobin + i + 1) % names.length;
        }
      }
    }
    // The capacity-ignores-ready fault: every Ready agent is full, so a NotReady one with room gets it.
    const allFull = [...this.agents.entries()].some(([, a]) => a.ready) && ![...this.agents.keys()].some(canTake);
    if (!agent && this.opts.faults.capacityIgnoresReady && allFull)
      agent = [...this.agents.entries()].find(([name, a]) => !a.ready && !it.rejectedBy.has(name) && room(name))?.[0];
    if (!agent) {
      if (opts.holdIfNobody !== false && !this.held.includes(it)) this.held.push(it);
      return [];
    }
    it.onlyFor = undefined;
    it.state = eventTargetOf("Inject"); // Invited (also TransferIn and a re-offer after Reject)
    it.owner = agent;
    const beside = everyone.filter((a) => a !== agent);
    it.offers = beside.length ? new Set(beside) : undefined;
    this.armRevoke(it);
    // An offer that depends on routing may come later than N8 (inbound-delay variation); O9's named agent does not.
    const delayMs = opts.routed ? this.variations.inboundDelayMs : undefined;
    return [agent, ...beside].map((a) => ({ ...this.delivery(a, it), ...(delayMs ? { delayMs } : {}) }));
  }

  /** How many interactions one agent is offered at most at once: the capacity variation, or a fault's. */
  get capacity(): number | undefined {
    return this.variations.capacity ?? this.opts.faults.capacity;
  }

  /**
   * An agent turned Ready or has room again: offer the held e-mails again, oldest first. A held
   * transfer to a named agent is not routing: its Invited is not delayed (O9 follows N8).
   */
  private drainHeld(): Delivery[] {
    const waiting = this.held.splice(0);
    return waiting.flatMap((it) => this.offer(it, { routed: it.onlyFor === undefined }));
  }

  /** Interactions an agent holds now (capacity variation: Invited, Accepted and ReplyCreated count). */
  private heldCount(agent: string): number {
    let n = 0;
    for (const it of this.interactions.values())
      if ((it.owner === agent || it.offers?.has(agent)) && stateOf(it.state)?.held) n++;
    return n;
  }

  /**
   * N5: an unanswered invitation is revoked after the e-mail's revokeAfterMs hint, else the
   * server's inviteTimeoutMs (neither: never), on every agent it is offered to. The agent no longer
   * holds it, and it is not offered again (MAY: the reoffer-revoked variation offers it once more,
   * routed as an inbound e-mail: to the hinted agent, the same one, when it is Ready with room).
   */
  private armRevoke(it: Interaction): void {
    const after = it.revokeAfterMs ?? this.opts.inviteTimeoutMs;
    if (!after || this.opts.faults.neverRevoke) return;
    clearTimeout(it.revokeTimer);
    it.revokeTimer = setTimeout(() => {
      if (this.closed || it.state !== "Invited" || !it.owner) return;
      const agents = [it.owner, ...(it.offers ?? [])];
      it.state = eventTargetOf("RevokeTimeout");
      this.release(it);
      for (const agent of agents) this.opts.notify(this.delivery(agent, it));
      if (this.variations.reofferRevoked && !it.reofferedAfterRevoke) {
        it.reofferedAfterRevoke = true;
        // Routed as any inbound e-mail: the injection's hint first, so mostly to the same agent. Routing
        // takes its time (inbound-delay): the re-offer is made then, not only delivered then.
        const reoffer = (): void => {
          if (this.closed || it.owner || it.state !== eventTargetOf("RevokeTimeout")) return;
          for (const d of this.offer(it, { holdIfNobody: false })) this.opts.notify(d);
        };
        const delay = this.variations.inboundDelayMs;
        if (!delay) reoffer();
        else {
          const t = setTimeout(() => {
            this.lateTimers.delete(t);
            reoffer();
          }, delay);
          t.unref();
          this.lateTimers.add(t);
        }
      }
      for (const d of this.drainHeld()) this.opts.notify(d);
    }, after);
    it.revokeTimer.unref();
  }

  /** The agent holding `it` lets it go (it remembers who held it, for the answers of R3). */
  private release(it: Interaction): void {
    if (it.owner) it.formerOwners.add(it.owner);
    for (const other of it.offers ?? []) it.formerOwners.add(other);
    it.owner = undefined;
    it.offers = undefined;
  }

  /** Whether `agent` holds `it` in its current state (lifecycle `held`), faults aside. */
  private heldBy(it: Interaction, agent: string): boolean {
    if (it.owner !== agent && !it.offers?.has(agent)) return false;
    return !!stateOf(it.state)?.held || !!this.opts.faults.stillHeld?.(it.state);
  }

  // ----- notifications (N1–N5) -----------------------------------------------------------------

  private delivery(agent: string, it: Interaction): Delivery {
    return { agent, data: this.notification(it), ctx: { sourceId: it.sourceId } };
  }

  /** The notification of an interaction's current state, every field of N1–N5; capabilities from lifecycle.json. */
  notification(it: Interaction): Notification {
    const base = { messageTypeName: "InteractionStateMessage", id: it.id, channel: "email" };
    const capabilities = [...documentedCapabilities(it.state)];
    const e = it.email;
    switch (it.state) {
      case "Invited":
        return {
          ...base,
          email_object: { subject: e.subject, interactionId: it.id },
          interactionType: "Email",
          interactionSubType: it.subType,
          userData: it.userData,
          currentQueue: it.currentQueue,
          state: it.state,
          capabilities,
        };
      case "Accepted":
        return {
          ...base,
          email_object: {
            ...emailHeadersAndText(e),
            ...(e.structuredText
              ? { StructuredText: e.structuredText, StructuredTextMimeType: e.structuredTextMimeType ?? "text/html" }
              : {}),
            MimeType: e.mimeType,
            ...(it.attachments.length ? { attachments: it.attachments } : {}),
          },
          interactionType: "Email",
          interactionSubType: it.subType,
          userData: it.userData,
          currentQueue: it.currentQueue,
          receivedAt: it.receivedAt,
          state: it.state,
          capabilities,
        };
      case "ReplyCreated":
        return {
          ...base,
          email_object: { ...emailHeadersAndText(e), MimeType: e.mimeType },
          interactionType: "Email",
          interactionSubType: it.subType,
          receivedAt: it.receivedAt,
          state: it.state,
          capabilities,
        };
      default:
        // Revoked (N5): subject only, no capabilities.
        return { ...base, email_object: { subject: e.subject }, state: it.state, capabilities };
    }
  }

  close(): void {
    this.closed = true;
    for (const it of this.interactions.values()) clearTimeout(it.revokeTimer);
    for (const t of this.lateTimers) clearTimeout(t);
  }
}

/**
 * O3 quoting: the start line (when given), then every line of the original text prefixed by the
 * indent (when given).
 */
export function quote(text: string, startLine?: string, indent?: string, eol = "\n"): string {
  const finalEnd = /\r?\n$/.test(text);
  const lines = text
    .replace(/\r?\n$/, "")
    .split(/\r?\n/)
    .map((l) => `${indent ?? ""}${l}`);
  return [...(startLine !== undefined ? [startLine] : []), ...lines].join(eol) + (finalEnd ? eol : "");
}

/** An address list as the cc-compact variation stores it: `a,b`, without spaces, in reverse order. */
export function compactList(list: string): string {
  return list
    .split(/[,;]/)
    .map((a) => a.trim())
    .filter(Boolean)
    .reverse()
    .join(",");
}
/** The end states the end-states variation notifies (states the page does not name). */
const END_STATES: Record<string, string> = {
  StopProcessing: "Completed",
  Send: "Sent",
  CancelReplyEmail: "Cancelled",
};

function isReplyOperation(name: string): name is "Reply" | "ReplyAll" | "Forward" {
  return name === "Reply" || name === "ReplyAll" || name === "Forward";
}

function newId(): string {
  return randomBytes(8).toString("hex").toUpperCase();
}

/** The addresses, subject and text of email_object as Accepted and ReplyCreated carry them (N2, N3). */
function emailHeadersAndText(e: OutboundEmail): Record<string, string> {
  return {
    ToAddress: e.to,
    FromAddress: e.from,
    ...(e.cc ? { CCAddresses: e.cc } : {}),
    Subject: e.subject,
    Text: e.text,
  };
}
