/**
 * The invariant monitor over every agent's notification stream. Every notification that
 * belongs to a scenario of this worker (found by the scenario's subject token or by an
 * interaction id it claimed) is judged, always — not only where a test asserts:
 *   N1 envelope and the per-state schema (N2–N5 shape), N2 interaction id,
 *   N6 capabilities (documented present: MUST; undocumented extra: SHOULD),
 *   N7 duplicates and lifecycle-legal transitions, the first notification of an id included (SHOULD),
 *   T6 no leak between agents.
 * Notifications of other workers' scenarios (same agents, other processes) are left to them.
 *
 * Offers come from the lifecycle, not from each scenario (Deployment data and routing): while an
 * interaction is on offer — an inbound e-mail until its first Accept, and again after a
 * successful operation whose next state releases the holder (Reject, Transfer, PlaceInQueue) or
 * a Revoked to its holder — every Invited for that id, on ANY agent (the same one included,
 * several at once: a server MAY offer one e-mail to several Ready agents), is an offer, and that
 * agent becomes a recipient. The first Accept holds it: the agents offered beside it are
 * recipients no more (their offers MAY end with Revoked). An agent that let it go (a release, a
 * Revoked, another's Accept) is a former recipient: a closing notification (a state that holds
 * nothing: Revoked, an end state, a state the page does not name) is not a leak, but once the
 * interaction is offered to or held by anyone again, a held state (Accepted, ReplyCreated) on
 * its stream is. Any other notification of it to an agent that is neither offered nor holding it
 * is a leak (T6).
 *
 * While one of the worker's requests is on its way, notifications wait to be judged until its
 * answer is classified: an Invited that a Transfer causes may arrive before the answer does.
 *
 * Watches ("a refused request changes nothing and produces no notification", R3, T4, T8) stay
 * open for the rest of the worker's life; a notification a watch covers (an id, the scenario's
 * token, or a ReplyCreated nobody claims) that no expectation explains (effects.ts) is a
 * violation, whenever it shows.
 */
import { contractValidator, formatViolations } from "../contract/validators.js";
import {
  documentedCapabilities,
  legalNotifiedTransitions,
  notificationSchemaFor,
  releasesHolder,
  releasingOperations,
  stateOf,
  toleratedCapabilities,
} from "../contract/lifecycle.js";
import type { RequirementId } from "../generated/requirement-ids.js";
import { localCoordination, type Coordination } from "./coordination.js";
import {
  Expectations,
  expectationsAfterState,
  expectationsOf,
  injectionExpectation,
  isNamedState,
  type OperationRecord,
} from "./effects.js";
import { record } from "./transcript.js";
import type { ReceivedNotification } from "./cometd-session.js";
import { describeGap, type SubscriptionGap } from "./gaps.js";

/** A stream of one agent's notifications: a live CometD session, or a stored transcript (rejudge). */
export interface NotificationSource {
  items(): readonly ReceivedNotification[];
  onItem(listener: (n: ReceivedNotification) => void): () => void;
  /** Re-handshake gaps overlapping [from, to] (a live CometD session keeps them; a transcript has none). */
  gapsDuring?(from: number, to: number): SubscriptionGap[];
}

/** Where the monitor records its verdicts: the scenario that owns the interaction. */
export interface Judge {
  readonly name: string;
  check(requirement: RequirementId, passed: boolean, message: string): boolean;
  /** A watch saw an effect of a refused request; `delayMs` after the refused request was sent. */
  watchViolation?(requirement: RequirementId, message: string, delayMs: number): void;
  /** A notification of an interaction it claims arrived (`reoffer`: an offer after a release): where it is now. */
  observed?(agent: string, id: string, state: string, reoffer: boolean): void;
}

interface Claim {
  judge: Judge;
  /** Agents the interaction is offered to or owned by now (T6, T8). */
  agents: Set<string>;
  /** On offer: every Invited of it, on any agent, is an offer (an inbound e-mail until its first Accept; after a release). */
  offering: boolean;
  /** Let go and not offered since: the next offer is a re-offer (the scenario's interaction moves there). */
  released: boolean;
  /** Every agent it was ever offered to (T8: an intruder is an agent that was not). */
  offered: Set<string>;
  /** The agents offered it since it was last let go (this offer round). */
  round: Set<string>;
  /** The agent whose Accept holds it (undefined while on offer). */
  holder?: string;
  /** Where the scenario's interaction is (observed() is told about this agent's notifications only). */
  primary?: string;
  /** Former recipients: they let it go, their offer ended, or another agent accepted it. */
  formers: Set<string>;
  /** Offered to or held by anyone since the last release: a held state on a former recipient's stream is a leak. */
  movedOn: boolean;
}

/** A new claim: `offering` for an inbound e-mail (claimed by its token), not for an interaction claimed by id. */
function newClaim(judge: Judge, agents: Iterable<string>, offering: boolean): Claim {
  const set = new Set(agents);
  return {
    judge,
    agents: set,
    offering,
    released: false,
    offered: new Set(offering ? set : []),
    round: new Set(offering ? set : []),
    primary: [...set][0],
    formers: new Set(),
    movedOn: set.size > 0,
  };
}

/** Who an interaction was offered to and who holds it, as the monitor saw it (T8's intruder choice). */
export interface OfferView {
  /** Offered to or holding it now. */
  recipients: string[];
  /** Ever offered it. */
  offered: string[];
  /** The agent whose Accept holds it. */
  holder?: string;
}

export interface JudgedNotification extends ReceivedNotification {
  agent: string;
}

export interface WatchOptions {
  judge: Judge;
  requirement: RequirementId;
  /** What was refused, for messages. */
  what: string;
  ids: readonly string[];
  /** The scenario's subject tokens. */
  tokens: readonly string[];
  /** Agents that sent the refused requests: a ReplyCreated nobody claims on their streams is suspect. */
  agents: readonly string[];
  /** When the first refused request was sent (epoch ms): only what arrived later can be its effect. */
  since: number;
}

/** One open watch: what it covers, and what it found. */
export class Watch {
  readonly openedAt = Date.now();
  readonly violations: string[] = [];
  /** ReplyCreated notifications nobody here claims, to attribute through the coordination service. */
  readonly candidates: Array<{ agent: string; id: string; receivedAt: number }> = [];
  private readonly reported = new Set<ReceivedNotification>();

  constructor(
    readonly key: string,
    readonly opts: WatchOptions,
  ) {}

  covers(id: string | undefined, text: string, receivedAt: number): boolean {
    if (receivedAt < this.opts.since) return false;
    return (id !== undefined && this.opts.ids.includes(id)) || this.opts.tokens.some((t) => text.includes(t));
  }

  /** Records a violation once per notification; tells the judge. */
  violated(n: ReceivedNotification, agent: string, how: string): void {
    if (this.reported.has(n)) return;
    this.reported.add(n);
    const delay = n.receivedAt - this.opts.since;
    const what = `${agent} got ${String(n.data.state)} for ${String(n.data.id)}`;
    const message = `${this.opts.what}: yet ${what} ${delay} ms after the refused request${how}`;
    this.violations.push(message);
    if (this.opts.judge.watchViolation) this.opts.judge.watchViolation(this.opts.requirement, message, delay);
    else this.opts.judge.check(this.opts.requirement, false, message);
  }
}

/** A request on its way, as the monitor needs to know it (beginOperation). */
export interface PendingOperation {
  /** Unknown request: hold every notification until it is answered (rejudge's replay). */
  everything?: boolean;
  /** The interaction it is about (null: CreateEmail on the collection). */
  id?: string | null;
  /** The scenario that sent it. */
  judge?: Judge;
  /** It may create an interaction or offer one to an agent (Reply, ReplyAll, Forward, CreateEmail, Transfer, …). */
  mayCreate?: boolean;
}

const BASE_SCHEMA = "notifications/base.schema.json";
/** Operations whose success lets the holder go (their next state releases it). */
const RELEASING_OPERATIONS = new Set(releasingOperations());

export class StreamMonitor {
  private readonly byId = new Map<string, Claim>();
  private readonly byToken = new Map<string, Claim>();
  /** agent → id → states seen, in order (since the last offer). */
  private readonly history = new Map<string, Map<string, string[]>>();
  private readonly sessions: Array<{ agent: string; session: NotificationSource }> = [];
  private readonly legal = legalNotifiedTransitions();
  private readonly expectations = new Expectations();
  /** Arrived, not yet handled (a request of this worker is on its way). */
  private readonly queue: Array<{ agent: string; n: ReceivedNotification }> = [];
  /** Handled without a claim: a later claim (an id learnt from an answer) picks them up. */
  private unclaimed: Array<{ agent: string; n: ReceivedNotification }> = [];
  private readonly seenIds = new Set<string>();
  private readonly watches: Watch[] = [];
  private readonly pending = new Set<PendingOperation>();
  private watchCount = 0;

  constructor(
    readonly coordination: Coordination = localCoordination(),
    /** Prefix of watch keys, unique per worker (run-wide attribution). */
    private readonly workerKey = "local",
  ) {}

  attach(agent: string, session: NotificationSource): void {
    this.sessions.push({ agent, session });
    session.onItem((n) => {
      this.queue.push({ agent, n });
      this.pump();
    });
  }

  /** Attributes every notification whose JSON contains `token` (e.g. in the subject) to `judge`. */
  claimToken(token: string, judge: Judge, agents: string[], opts: { rescan?: boolean } = {}): void {
    this.byToken.set(token, newClaim(judge, agents, true));
    // A claim made before its e-mail is injected needs no look back (load mode: a rescan per e-mail is quadratic).
    if (opts.rescan !== false) this.rescan();
  }

  /**
   * Attributes every notification about interaction `id` to `judge`; `offering`: it is an inbound
   * e-mail still on offer (each Invited of it, on any agent, is an offer until its first Accept).
   */
  claimId(id: string, judge: Judge, agents: string[], opts: { offering?: boolean } = {}): void {
    const existing = this.byId.get(id);
    if (existing)
      for (const a of agents) {
        existing.agents.add(a);
        existing.formers.delete(a);
      }
    if (existing && agents[0] !== undefined)
      existing.primary = agents[0]; // where the scenario has it
    else this.setClaim(id, newClaim(judge, agents, opts.offering === true));
    this.rescan();
  }

  /** The agent now known to hold the e-mail of `token` (load mode: without a rescan of every stream). */
  holdToken(token: string, agent: string): void {
    this.byToken.get(token)?.agents.add(agent);
  }

  /** Stops attributing by `token` (its interactions stay claimed by id): keeps the token scan short under load. */
  dropToken(token: string): void {
    this.byToken.delete(token);
  }

  isClaimed(id: string): boolean {
    return this.byId.has(id);
  }

  /** Who `id` was offered to and who holds it (undefined: not claimed here). */
  offersOf(id: string): OfferView | undefined {
    const c = this.byId.get(id);
    if (!c) return undefined;
    return { recipients: [...c.agents], offered: [...c.offered], ...(c.holder ? { holder: c.holder } : {}) };
  }

  /** An injection of `token` is on its way: one Invited carrying it is explained. */
  expectInjection(token: string, since: number): void {
    this.expectations.add(injectionExpectation(token, since));
  }

  /**
   * A request of this worker is on its way: the notifications it may have caused are held until
   * `done()`, called once its answer is classified (operationDone), so that what the answer allows
   * is known when they are judged (a Transfer's Invited can beat its answer). With what the request
   * is (`about`), only those are held — the ones about its interaction, the ones of the scenario
   * that sent it, and unclaimed offers or replies when it can create or offer one — so that the
   * scenarios running beside it in this worker are not held up; without, every notification waits.
   */
  beginOperation(about?: PendingOperation): () => void {
    const pending: PendingOperation = about ?? { everything: true };
    this.pending.add(pending);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.pending.delete(pending);
      this.pump();
    };
  }

  /** A request's outcome: what it may cause (expectations) and, on success of a releasing operation, the release. */
  operationDone(op: OperationRecord): void {
    this.expectations.add(...expectationsOf(op));
    if (op.ok && op.id !== null && RELEASING_OPERATIONS.has(op.operation)) this.release(op.id, op.agent);
  }

  /**
   * `agent` (undefined: the holder) let `id` go: it is a former recipient, and the interaction is
   * on offer again — its next Invited, on any agent, is an offer.
   */
  release(id: string, agent?: string): void {
    const c = this.byId.get(id);
    if (!c) return;
    const who = agent ?? c.holder;
    releaseClaim(c, who);
    // Still offered to others (offers to several agents): the scenario's interaction is with one of them now.
    if (who === c.primary && c.agents.size > 0) {
      c.primary = [...c.agents][0];
      c.judge.observed?.(c.primary, id, "Invited", true);
    }
  }

  /** Opens a watch that stays open until the worker ends (drain). */
  openWatch(opts: WatchOptions): Watch {
    const w = new Watch(`${this.workerKey}#${++this.watchCount}`, opts);
    this.watches.push(w);
    this.coordination.cover({ key: w.key, agents: [...opts.agents], since: opts.since });
    // What arrived between the first refused request and now is judged too.
    for (const { session, agent } of this.sessions) {
      for (const n of session.items())
        if (n.receivedAt >= opts.since) this.consider(w, agent, n, JSON.stringify(n.data));
    }
    for (const u of this.unclaimed) this.considerUnclaimed(w, u.agent, u.n);
    return w;
  }

  /**
   * Attributes the ReplyCreated notifications nobody here claims that watches saw: claimed by
   * another worker → not an effect; this watch the only candidate → a violation; several → nobody
   * is blamed, and the transcript says so. Only candidates at least `minAgeMs` old: the worker
   * that owns one claims it once its request's answer is in.
   */
  async settleCandidates(watches: readonly Watch[] = this.watches, minAgeMs = 0): Promise<void> {
    const now = Date.now();
    for (const w of watches) {
      const old = w.candidates.filter((c) => now - c.receivedAt >= minAgeMs);
      const young = w.candidates.filter((c) => now - c.receivedAt < minAgeMs);
      w.candidates.splice(0, w.candidates.length, ...young);
      const items = old.filter((c) => !this.byId.has(c.id));
      if (items.length === 0) continue;
      const answer = this.coordination.attribute(items.map((c) => ({ watchKey: w.key, ...c })));
      // In-process coordination answers at once: rejudge's replay stays synchronous.
      const results = Array.isArray(answer) ? answer : await answer;
      items.forEach((c, i) => {
        const n = this.findNotification(c.agent, c.id, c.receivedAt);
        if (!n) return;
        if (results[i] === "yours")
          w.violated(
            n,
            c.agent,
            " (a ReplyCreated no scenario claims, on the stream of an agent whose request was refused)",
          );
        else if (results[i] === "ambiguous") {
          record({
            kind: "event",
            scenario: w.opts.judge.name,
            agent: c.agent,
            message:
              `unattributed ReplyCreated ${c.id} on ${c.agent}: no scenario claims it, and several watches ` +
              `of refused requests cover that agent (${w.opts.what}); nobody is blamed`,
          });
        }
      });
    }
  }

  /**
   * The end of the worker: every watch stays open at least `budgetMs` (N8: clients watch at least
   * the notification budget before calling a refusal clean), then the candidates are attributed.
   * The wait is the behaviour under test: absence can only be observed over a window.
   */
  async drain(budgetMs: number): Promise<void> {
    const until = Math.max(0, ...this.watches.map((w) => w.openedAt + budgetMs));
    const wait = Math.min(budgetMs, until - Date.now());
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.pump();
    // A ReplyCreated another worker owns is claimed once that worker has its answer: give the
    // candidates up to one budget after the youngest (bounded) to be claimed before attributing them.
    const candidates = this.watches.flatMap((w) => w.candidates).filter((c) => !this.byId.has(c.id));
    const youngest = Math.max(0, ...candidates.map((c) => c.receivedAt));
    const settle = Math.min(budgetMs, youngest + budgetMs - Date.now());
    if (candidates.length > 0 && settle > 0) {
      await this.coordination.awaitClaims([...new Set(candidates.map((c) => c.id))], settle);
    }
    await this.settleCandidates();
  }

  get openWatches(): readonly Watch[] {
    return this.watches;
  }

  // ----- handling -----------------------------------------------------------------------------

  private setClaim(id: string, claim: Claim): void {
    this.byId.set(id, claim);
    this.coordination.claim(id);
  }

  /** Handles, in arrival order, every queued notification no request on its way may have caused. */
  private pump(): void {
    if (this.queue.length === 0) return;
    const held: Array<{ agent: string; n: ReceivedNotification }> = [];
    for (const item of this.queue.splice(0)) {
      // A notification about an interaction one already held waits behind it (order per id: N7).
      const id = typeof item.n.data.id === "string" ? item.n.data.id : undefined;
      const behind = id !== undefined && held.some((h) => h.n.data.id === id);
      if (behind || this.mayBeCausedByPending(item.agent, item.n)) held.push(item);
      else this.handle(item);
    }
    this.queue.push(...held);
  }

  private mayBeCausedByPending(agent: string, n: ReceivedNotification): boolean {
    if (this.pending.size === 0) return false;
    const id = typeof n.data.id === "string" ? n.data.id : undefined;
    const claim = this.peekClaim(n);
    for (const p of this.pending) {
      if (p.everything) return true;
      if (id !== undefined && p.id === id) return true;
      if (claim && p.judge === claim.judge) return true;
      // An unclaimed new interaction or offer may be this request's (ReplyCreated after Reply, Invited after Transfer).
      if (!claim && p.mayCreate) return true;
    }
    void agent;
    return false;
  }

  /** The claim a notification falls under, without claiming anything (claimFor claims by token). */
  private peekClaim(n: ReceivedNotification): Claim | undefined {
    const id = typeof n.data.id === "string" ? n.data.id : undefined;
    if (id && this.byId.has(id)) return this.byId.get(id);
    if (this.byToken.size === 0) return undefined;
    const text = JSON.stringify(n.data);
    for (const [token, claim] of this.byToken) if (text.includes(token)) return claim;
    return undefined;
  }

  private rescan(): void {
    if (this.unclaimed.length === 0) return;
    const still: Array<{ agent: string; n: ReceivedNotification }> = [];
    const now: Array<{ agent: string; n: ReceivedNotification; claim: Claim }> = [];
    for (const u of this.unclaimed) {
      const claim = this.claimFor(u.agent, u.n);
      if (claim) now.push({ ...u, claim });
      else still.push(u);
    }
    this.unclaimed = still;
    for (const u of now) this.handleClaimed(u.agent, u.n, u.claim);
  }

  private claimFor(agent: string, n: ReceivedNotification): Claim | undefined {
    const id = typeof n.data.id === "string" ? n.data.id : undefined;
    if (id && this.byId.has(id)) return this.byId.get(id);
    if (this.byToken.size === 0) return undefined;
    const text = JSON.stringify(n.data);
    for (const [token, claim] of this.byToken) {
      if (text.includes(token)) {
        // A token claim with no agents: the first agent offered the e-mail holds it (routing is the target's choice).
        if (id && !this.byId.has(id))
          this.setClaim(id, newClaim(claim.judge, claim.agents.size ? claim.agents : [agent], true));
        return id ? this.byId.get(id) : claim;
      }
    }
    return undefined;
  }

  /** Whether an expectation explained a claimed, handled notification. */
  private readonly explained = new WeakMap<ReceivedNotification, boolean>();

  /** Every notification of every attached stream passes here once (in arrival order). */
  private handle({ agent, n }: { agent: string; n: ReceivedNotification }): void {
    const claim = this.claimFor(agent, n);
    // Transcript: every worker sees the agent's whole stream; the copy recorded with a scenario
    // is the one of the worker whose scenario the notification belongs to.
    record({
      kind: "notification",
      agent,
      channel: n.channel,
      data: n.data,
      ts: n.receivedAt,
      scenario: claim?.judge.name ?? null,
    });
    if (claim) this.handleClaimed(agent, n, claim);
    else {
      this.unclaimed.push({ agent, n });
      for (const w of this.watches) this.considerUnclaimed(w, agent, n);
    }
  }

  private handleClaimed(agent: string, n: ReceivedNotification, claim: Claim): void {
    const id = typeof n.data.id === "string" ? n.data.id : undefined;
    const state = typeof n.data.state === "string" ? n.data.state : undefined;
    const firstOfId = id !== undefined && !this.seenIds.has(id);
    if (id) this.seenIds.add(id);
    const { reoffer, observe } = this.judge(agent, n, claim);
    const text = JSON.stringify(n.data);
    const why = this.expectations.explain({ agent, id, state, receivedAt: n.receivedAt, text, firstOfId });
    this.explained.set(n, why !== undefined);
    if (id && state) {
      this.expectations.add(...expectationsAfterState(id, state, agent, n.receivedAt));
      // Where the scenario's interaction is now (a leak, or an offer beside it, does not move it).
      if (observe) claim.judge.observed?.(observe, id, observe === agent ? state : "Invited", reoffer);
    }
    for (const w of this.watches) this.consider(w, agent, n, text);
  }

  /** A claimed, handled notification a watch covers, that no expectation explains, is a violation. */
  private consider(w: Watch, agent: string, n: ReceivedNotification, text: string): void {
    if (this.explained.get(n) !== false) return; // explained, or not handled (yet) as a claimed one
    const id = typeof n.data.id === "string" ? n.data.id : undefined;
    if (w.covers(id, text, n.receivedAt)) w.violated(n, agent, "");
  }

  private considerUnclaimed(w: Watch, agent: string, n: ReceivedNotification): void {
    if (n.data.state !== "ReplyCreated" || n.receivedAt < w.opts.since || !w.opts.agents.includes(agent)) return;
    const id = typeof n.data.id === "string" ? n.data.id : undefined;
    if (id && !w.candidates.some((c) => c.id === id && c.agent === agent))
      w.candidates.push({ agent, id, receivedAt: n.receivedAt });
  }

  private findNotification(agent: string, id: string, receivedAt: number): ReceivedNotification | undefined {
    const s = this.sessions.find((x) => x.agent === agent)?.session;
    return s?.items().find((n) => n.data.id === id && n.receivedAt === receivedAt);
  }

  /**
   * Judges one claimed notification; returns whether it was a re-offer after a release, and the
   * agent the scenario's interaction is now with when this notification moves it (else undefined).
   */
  private judge(
    agent: string,
    n: ReceivedNotification,
    claim: Claim,
  ): { reoffer: boolean; observe: string | undefined } {
    const j = claim.judge;
    const d = n.data;
    const v = contractValidator();
    const where = `${String(d.state)} id=${String(d.id)} on ${agent}'s stream`;

    // N1: the envelope every message carries.
    const base = v.validate(BASE_SCHEMA, d);
    j.check(
      "N1.envelope",
      base.ok,
      base.ok ? `${where}: envelope as N1` : `${where}:\n${formatViolations(base.violations)}`,
    );

    const state = typeof d.state === "string" ? d.state : undefined;
    const id = typeof d.id === "string" ? d.id : undefined;
    const lifecycleState = state ? stateOf(state) : undefined;

    // T6: only the agents it is offered to or owned by may hear of it (Deployment data and routing).
    const t6 = this.judgeRecipient(agent, state, claim);
    if (t6.newOffer) this.history.get(agent)?.delete(id ?? ""); // a new offer: not a duplicate of an earlier Invited (N7)
    j.check("T6.no-leak", !t6.leak, `${where}: ${t6.message}`);
    const { reoffer, observe } = t6;

    // N2–N5: the schema of the state.
    const schema = state ? notificationSchemaFor(state) : undefined;
    if (schema && lifecycleState) {
      const r = v.validate(schema, d);
      const req = `${lifecycleState.rule}.shape` as RequirementId;
      j.check(
        req,
        r.ok,
        r.ok ? `${where}: fields as ${lifecycleState.rule}` : `${where}:\n${formatViolations(r.violations)}`,
      );
    }
    if (state === "Invited") {
      const eo = d.email_object as Record<string, unknown> | undefined;
      const same = eo?.interactionId === d.id;
      j.check(
        "N2.interaction-id",
        same,
        same
          ? `${where}: email_object.interactionId equals id`
          : `${where}: email_object.interactionId is ${JSON.stringify(eo?.interactionId)}, ` +
              `id is ${JSON.stringify(d.id)}`,
      );
    }

    // N6: capabilities, judged against the lifecycle data.
    if (state && Array.isArray(d.capabilities) && lifecycleState && lifecycleState.capabilities.length > 0) {
      const caps = d.capabilities as unknown[];
      const missing = documentedCapabilities(state).filter((c) => !caps.includes(c));
      j.check(
        "N6.documented-present",
        missing.length === 0,
        missing.length === 0
          ? `${where}: every documented capability present`
          : `${where}: missing documented capabilities ${missing.join(", ")} (got ${JSON.stringify(caps)})`,
      );
      const tolerated = toleratedCapabilities(state);
      const extra = caps.filter((c) => typeof c !== "string" || !tolerated.includes(c));
      j.check(
        "N6.undocumented-extra",
        extra.length === 0,
        extra.length === 0
          ? `${where}: no undocumented capability`
          : `${where}: capabilities the page does not list for ${state}: ${extra.map(String).join(", ")}`,
      );
    }

    // N7 and the lifecycle: per agent, per id (the first notification of an id included). The
    // legal-transition check judges transitions between the states the page names only: an end
    // state it does not name (Completed, Sent, Cancelled) is no violation by itself (Deployment data
    // and routing), and what follows one is judged from the last named state.
    if (state && id) {
      const perAgent = this.history.get(agent) ?? new Map<string, string[]>();
      this.history.set(agent, perAgent);
      const seen = perAgent.get(id) ?? [];
      const last = seen.length ? seen[seen.length - 1] : null;
      const prev = seen.filter((x) => isNamedState(x)).pop() ?? null;
      seen.push(state);
      perAgent.set(id, seen);
      if (last === state) {
        j.check("N7.no-duplicates", false, `${where}: a second ${state} notification for the same id (duplicate)`);
      } else {
        j.check("N7.no-duplicates", true, `${where}: not a duplicate`);
        if (isNamedState(state)) {
          const ok = this.legal.some(([f, t]) => f === prev && t === state);
          const firsts = this.legal
            .filter(([f]) => f === null)
            .map(([, t]) => t)
            .join(" or ");
          // Deployment data and routing (re-handshake): the states between may have been lost in a gap.
          const gap = !ok && prev !== null ? this.gapSincePrevious(agent, n, id) : undefined;
          if (gap) {
            record({
              kind: "event",
              agent,
              message: `${where}: ${prev} → ${state} not judged (N7): the states between may be lost across a re-handshake gap ${describeGap(gap)}`,
            });
            return { reoffer, observe };
          }
          const message = ok
            ? `${where}: ${prev ?? "(first)"} → ${state} is a lifecycle transition`
            : prev === null
              ? `${where}: the first notification ${agent} got for this id is ${state}; only ${firsts} may come first`
              : `${where}: ${prev} → ${state} is not a transition of the lifecycle`;
          j.check("N7.legal-transition", ok, message);
        }
      }
    }
    return { reoffer, observe };
  }

  /**
   * T6 for one notification on `agent`'s stream, and what it changes: who is offered it, who holds
   * it, who let it go (see the head of this file).
   */
  private judgeRecipient(
    agent: string,
    state: string | undefined,
    c: Claim,
  ): { leak: boolean; message: string; newOffer: boolean; reoffer: boolean; observe: string | undefined } {
    if (c.agents.size === 0 && c.formers.size === 0) c.agents.add(agent); // first recipient of a token claim
    c.primary ??= agent;
    const named = state !== undefined ? stateOf(state) : undefined;
    const result = (leak: boolean, message: string, more: { newOffer?: boolean; reoffer?: boolean } = {}) => ({
      leak,
      message,
      newOffer: more.newOffer ?? false,
      reoffer: more.reoffer ?? false,
      observe: leak ? undefined : agent === c.primary || more.reoffer ? agent : undefined,
    });
    if (state === "Invited" && c.offering) {
      // An offer: on offer, each Invited on any agent is one (several at once included).
      const reoffer = c.released;
      const again = c.offered.has(agent) && !c.agents.has(agent);
      c.released = false;
      c.movedOn = true;
      c.agents.add(agent);
      c.offered.add(agent);
      c.round.add(agent);
      c.formers.delete(agent);
      if (reoffer) c.primary = agent;
      return result(false, reoffer ? "offered again after the holder let it go" : "an offer", {
        newOffer: reoffer || again,
        reoffer,
      });
    }
    if (state === "Invited" && !c.agents.has(agent) && !c.round.has(agent) && c.holder !== undefined) {
      // Offered to several at once, this one's Invited arriving after the first Accept (its delivery
      // took longer): still an offer, already outbid — a former recipient (its Revoked may follow).
      // "Not offered in this round": an agent offered it in an earlier round (before a Transfer or a
      // re-offer) may be offered it again beside the new holder.
      const again = c.offered.has(agent);
      c.offered.add(agent);
      c.round.add(agent);
      c.formers.add(agent);
      return result(false, "an offer beside the holder's (offered to several agents at once)", { newOffer: again });
    }
    if (c.agents.has(agent)) {
      if (named?.held && state !== "Invited" && c.offering) {
        // The first Accept holds it: the others offered it are recipients no more.
        c.offering = false;
        c.released = false;
        c.movedOn = true;
        c.holder = agent;
        c.primary = agent;
        for (const other of c.agents) if (other !== agent) c.formers.add(other);
        c.agents.clear();
        c.agents.add(agent);
      } else if (state !== undefined && releasesHolder(state)) {
        // Revoked: this agent's offer (or hold) ended. Its holder, or the last one offered: let go.
        const wasPrimary = agent === c.primary;
        c.agents.delete(agent);
        c.formers.add(agent);
        if (agent === c.holder || c.agents.size === 0) releaseClaim(c, agent);
        else if (wasPrimary) {
          // The scenario's interaction is with another agent offered it now.
          c.primary = [...c.agents][0];
          return { leak: false, message: "its offer ended", newOffer: false, reoffer: true, observe: c.primary };
        } else return result(false, "its offer ended");
      }
      return result(false, "addressed to an agent it is offered to or held by");
    }
    if (c.formers.has(agent) && !(named?.held && c.movedOn)) {
      // A closing notification to an agent that let it go (Revoked, an end state, an unnamed state),
      // or a late copy of its own before anyone else was offered it.
      return result(false, "addressed to an agent that held it or was offered it", {});
    }
    const was = c.formers.has(agent) ? ` (${agent} let it go, or its offer ended, before)` : "";
    return result(
      true,
      `${agent} received a notification of an interaction offered to or owned by ` +
        `${[...c.agents].join(", ") || "nobody"}${was}`,
    );
  }

  /** A gap of `agent`'s session between the previous notification of `id` on it and `n`. */
  private gapSincePrevious(agent: string, n: ReceivedNotification, id: string): SubscriptionGap | undefined {
    const session = this.sessions.find((x) => x.agent === agent)?.session;
    if (!session?.gapsDuring) return undefined;
    const before = session.items().filter((x) => x.index < n.index && x.data.id === id);
    const prevAt = before.length ? before[before.length - 1].receivedAt : n.receivedAt;
    return session.gapsDuring(prevAt, n.receivedAt)[0];
  }
}

/** `agent` let the interaction go: a former recipient; the interaction is on offer again. */
function releaseClaim(c: Claim, agent: string | undefined): void {
  if (agent !== undefined) {
    c.agents.delete(agent);
    c.formers.add(agent);
  }
  if (agent === c.holder) c.holder = undefined;
  c.round.clear();
  c.offering = true;
  c.released = true;
  c.movedOn = c.agents.size > 0;
}
