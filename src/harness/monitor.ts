/**
 * The invariant monitor over every agent's notification stream. Every notification that
 * belongs to a scenario of this worker (found by the scenario's subject token or by an
 * interaction id it claimed) is judged, always — not only where a test asserts:
 *   N1 envelope and the per-state schema (N2–N5 shape), N2 interaction id,
 *   N6 capabilities (documented present: MUST; undocumented extra: SHOULD),
 *   N7 duplicates and lifecycle-legal transitions (SHOULD), T6 no leak between agents.
 * Notifications of other workers' scenarios (same agents, other processes) are left to them.
 */
import { contractValidator, formatViolations } from "../contract/validators.js";
import { documentedCapabilities, legalNotifiedTransitions, notificationSchemaFor, stateOf, toleratedCapabilities } from "../contract/lifecycle.js";
import type { RequirementId } from "../generated/requirement-ids.js";
import { record } from "./transcript.js";
import type { ReceivedNotification } from "./cometd-session.js";

/** A stream of one agent's notifications: a live CometD session, or a stored transcript (rejudge). */
export interface NotificationSource {
  items(): readonly ReceivedNotification[];
  onItem(listener: (n: ReceivedNotification) => void): () => void;
}

/** Where the monitor records its verdicts: the scenario that owns the interaction. */
export interface Judge {
  readonly name: string;
  check(requirement: RequirementId, passed: boolean, message: string): boolean;
}

interface Claim {
  judge: Judge;
  /** Agents the interaction was offered to or is owned by (T6, T8). */
  agents: Set<string>;
  /** After Reject (O2) or Revoked (N5) the target MAY offer it to anyone. */
  reofferAllowed: boolean;
}

export interface JudgedNotification extends ReceivedNotification {
  agent: string;
}

const BASE_SCHEMA = "notifications/base.schema.json";

export class StreamMonitor {
  private readonly byId = new Map<string, Claim>();
  private readonly byToken = new Map<string, Claim>();
  /** agent → id → states seen, in order. */
  private readonly history = new Map<string, Map<string, string[]>>();
  private readonly judged = new Set<ReceivedNotification>();
  private readonly sessions: Array<{ agent: string; session: NotificationSource }> = [];
  private readonly legal = legalNotifiedTransitions();

  attach(agent: string, session: NotificationSource): void {
    this.sessions.push({ agent, session });
    session.onItem((n) => this.observe(agent, n, true));
  }

  /** Attributes every notification whose JSON contains `token` (e.g. in the subject) to `judge`. */
  claimToken(token: string, judge: Judge, agents: string[], opts: { rescan?: boolean } = {}): void {
    this.byToken.set(token, { judge, agents: new Set(agents), reofferAllowed: false });
    // A claim made before its e-mail is injected needs no look back (load mode: a rescan per e-mail is quadratic).
    if (opts.rescan !== false) this.rescan();
  }

  /** Attributes every notification about interaction `id` to `judge`. */
  claimId(id: string, judge: Judge, agents: string[]): void {
    const existing = this.byId.get(id);
    if (existing) for (const a of agents) existing.agents.add(a);
    else this.byId.set(id, { judge, agents: new Set(agents), reofferAllowed: false });
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

  /** A Transfer (O9) makes the target agent a legitimate recipient of the id. */
  allowAgent(id: string, agent: string): void {
    this.byId.get(id)?.agents.add(agent);
  }

  /** After Reject (O2) the id MAY be offered to another agent: an offer, not a leak. */
  allowReoffer(id: string): void {
    const c = this.byId.get(id);
    if (c) c.reofferAllowed = true;
  }

  /** Drops the claims of a finished scenario. */
  release(judge: Judge): void {
    for (const [k, c] of this.byId) if (c.judge === judge) this.byId.delete(k);
    for (const [k, c] of this.byToken) if (c.judge === judge) this.byToken.delete(k);
  }

  private rescan(): void {
    for (const { agent, session } of this.sessions) for (const n of session.items()) if (!this.judged.has(n)) this.observe(agent, n);
  }

  private claimFor(agent: string, n: ReceivedNotification): Claim | undefined {
    const id = typeof n.data.id === "string" ? n.data.id : undefined;
    if (id && this.byId.has(id)) return this.byId.get(id);
    if (this.byToken.size === 0) return undefined;
    const text = JSON.stringify(n.data);
    for (const [token, claim] of this.byToken) {
      if (text.includes(token)) {
        // A token claim with no agents: the first agent offered the e-mail holds it (routing is the target's choice).
        if (id && !this.byId.has(id)) this.byId.set(id, { judge: claim.judge, agents: new Set(claim.agents.size ? claim.agents : [agent]), reofferAllowed: false });
        return id ? this.byId.get(id) : claim;
      }
    }
    return undefined;
  }

  /** Every notification of every attached stream passes here once on arrival (and again on a rescan). */
  private observe(agent: string, n: ReceivedNotification, arriving = false): void {
    if (this.judged.has(n)) return;
    const claim = this.claimFor(agent, n);
    // Transcript: every worker sees the agent's whole stream; the copy recorded with a scenario
    // is the one of the worker whose scenario the notification belongs to.
    if (arriving) record({ kind: "notification", agent, channel: n.channel, data: n.data, ts: n.receivedAt, scenario: claim?.judge.name ?? null });
    if (!claim) return;
    this.judged.add(n);
    this.judge(agent, n, claim);
  }

  private judge(agent: string, n: ReceivedNotification, claim: Claim): void {
    const j = claim.judge;
    const d = n.data;
    const v = contractValidator();
    const where = `${String(d.state)} id=${String(d.id)} on ${agent}'s stream`;

    // N1: the envelope every message carries.
    const base = v.validate(BASE_SCHEMA, d);
    j.check("N1.envelope", base.ok, base.ok ? `${where}: envelope as N1` : `${where}:\n${formatViolations(base.violations)}`);

    const state = typeof d.state === "string" ? d.state : undefined;
    const id = typeof d.id === "string" ? d.id : undefined;
    const lifecycleState = state ? stateOf(state) : undefined;

    // T6: only the agents it was offered to or owned by may hear of it.
    if (claim.agents.size === 0) claim.agents.add(agent); // first recipient of a token claim holds it
    if (!claim.agents.has(agent)) {
      if (state === "Invited" && claim.reofferAllowed) claim.agents.add(agent);
      else j.check("T6.no-leak", false, `${where}: ${agent} received a notification of an interaction offered to or owned by ${[...claim.agents].join(", ")}`);
    } else j.check("T6.no-leak", true, `${where}: addressed to an agent that holds it`);

    // N2–N5: the schema of the state.
    const schema = state ? notificationSchemaFor(state) : undefined;
    if (schema && lifecycleState) {
      const r = v.validate(schema, d);
      const req = `${lifecycleState.rule}.shape` as RequirementId;
      j.check(req, r.ok, r.ok ? `${where}: fields as ${lifecycleState.rule}` : `${where}:\n${formatViolations(r.violations)}`);
    }
    if (state === "Invited") {
      const eo = d.email_object as Record<string, unknown> | undefined;
      const same = eo?.interactionId === d.id;
      j.check("N2.interaction-id", same, same ? `${where}: email_object.interactionId equals id` : `${where}: email_object.interactionId is ${JSON.stringify(eo?.interactionId)}, id is ${JSON.stringify(d.id)}`);
    }

    // N6: capabilities, judged against the lifecycle data.
    if (state && Array.isArray(d.capabilities) && lifecycleState && lifecycleState.capabilities.length > 0) {
      const caps = d.capabilities as unknown[];
      const missing = documentedCapabilities(state).filter((c) => !caps.includes(c));
      j.check("N6.documented-present", missing.length === 0, missing.length === 0 ? `${where}: every documented capability present` : `${where}: missing documented capabilities ${missing.join(", ")} (got ${JSON.stringify(caps)})`);
      const tolerated = toleratedCapabilities(state);
      const extra = caps.filter((c) => typeof c !== "string" || !tolerated.includes(c));
      j.check("N6.undocumented-extra", extra.length === 0, extra.length === 0 ? `${where}: no undocumented capability` : `${where}: capabilities the page does not list for ${state}: ${extra.map(String).join(", ")}`);
    }

    // N7 and the lifecycle: per agent, per id.
    if (state && id) {
      const perAgent = this.history.get(agent) ?? new Map<string, string[]>();
      this.history.set(agent, perAgent);
      const seen = perAgent.get(id) ?? [];
      const prev = seen.length ? seen[seen.length - 1] : null;
      seen.push(state);
      perAgent.set(id, seen);
      if (prev === state) {
        j.check("N7.no-duplicates", false, `${where}: a second ${state} notification for the same id (duplicate)`);
      } else {
        j.check("N7.no-duplicates", true, `${where}: not a duplicate`);
        if (lifecycleState) {
          const ok = this.legal.some(([f, t]) => f === prev && t === state);
          if (prev === null && !ok) {
            j.check("T6.own-interactions-only", false, `${where}: the first notification ${agent} got for this id is ${state}; only ${this.legal.filter(([f]) => f === null).map(([, t]) => t).join(" or ")} may come first`);
          } else {
            if (prev === null) j.check("T6.own-interactions-only", true, `${where}: first notification of an offered or created interaction`);
            j.check("N7.legal-transition", ok, ok ? `${where}: ${prev ?? "(none)"} → ${state} is a lifecycle transition` : `${where}: ${prev ?? "(none)"} → ${state} is not a transition of the lifecycle`);
          }
        }
      }
    }
  }
}
