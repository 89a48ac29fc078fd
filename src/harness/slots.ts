/**
 * One scenario's share of `--max-open-per-agent` (coordination.ts, leases): the slots it reserved,
 * and which interaction uses which. A scenario is admitted once, before it makes its first
 * interaction arrive, with a reservation of what it will hold at most, on one agent; only that
 * admission waits (first come, first served), so a scenario never waits while it holds slots and
 * two scenarios cannot wait for each other. Beyond its reservation — an e-mail the target routed
 * to another agent, a re-offer, a scenario that opens more than it declared — slots are counted
 * at once (forced): the target chose, or the scenario is already running and must finish.
 * Everything is given back once the scenario has finished what it opened.
 */
import { PreconditionError } from "./checks.js";
import type { Coordination } from "./coordination.js";

export class ScenarioSlots {
  /** Reserved and not used yet, per agent. */
  private readonly free = new Map<string, number>();
  /** Interaction id → the agent whose slot it uses. */
  private readonly used = new Map<string, string>();
  private admitted: Promise<string> | undefined;

  constructor(
    private readonly coordination: Coordination,
    private readonly agents: readonly string[],
    private readonly limit: number,
    private readonly budgetMs: number,
    /** The most interactions the scenario holds at once (its admission). */
    private readonly need: number,
    /** Interactions it brings to other agents, one per agent (a Transfer to another agent): reserved with the rest. */
    private readonly besides = 0,
  ) {}

  private add(agent: string, n: number): void {
    this.free.set(agent, (this.free.get(agent) ?? 0) + n);
  }

  /** Waits (bounded) for the scenario's reservation, on `preferred` or on the agent with the most room. */
  private admit(preferred?: string): Promise<string> {
    this.admitted ??= (async () => {
      const count = Math.max(1, Math.min(this.need, this.limit));
      if (this.used.size > 0) {
        // It holds interactions already (one the target brought it before it asked for room):
        // waiting now would hold slots while waiting, and two such scenarios could wait for each
        // other. It is already running and must finish: its reservation is counted at once.
        const agent = preferred ?? [...this.used.values()][0];
        this.coordination.force(agent, count);
        this.add(agent, count);
        for (const other of this.agents.filter((a) => a !== agent).slice(0, this.besides)) {
          this.coordination.force(other);
          this.add(other, 1);
        }
        return agent;
      }
      const got = await this.coordination.acquire(
        preferred,
        [...this.agents],
        this.limit,
        count,
        this.budgetMs,
        this.besides,
      );
      if (!got) {
        throw new PreconditionError(
          "a free interaction slot (GWS_MAX_OPEN_PER_AGENT)",
          `no ${preferred ? `room on ${preferred}` : "agent with room"} for ${count} interaction(s)` +
            `${this.besides ? ` and ${this.besides} agent(s) beside it with room for one` : ""} within ` +
            `${this.budgetMs} ms: other scenarios hold up to ${this.limit} on each (--max-open-per-agent); ` +
            "raise it if the target's capacity allows, or the target does not let the suite finish what it opened",
        );
      }
      this.add(got.agent, count);
      for (const other of got.besides) this.add(other, 1);
      return got.agent;
    })();
    return this.admitted;
  }

  /** Waits (bounded) for the scenario's reservation without taking a slot of it yet. */
  async reserve(): Promise<void> {
    await this.admit();
  }

  /** Takes a free slot on `agent`, or counts one there at once. */
  private takeOn(agent: string): void {
    if ((this.free.get(agent) ?? 0) > 0) return;
    this.coordination.force(agent);
    this.add(agent, 1);
  }

  /**
   * The agent a new inbound e-mail is routed to (the injection's hint): `preferred`, else one where
   * the scenario has a free slot.
   */
  async forOffer(preferred?: string): Promise<string> {
    const home = await this.admit(preferred);
    const agent =
      preferred ?? ((this.free.get(home) ?? 0) > 0 ? home : ([...this.free].find(([, n]) => n > 0)?.[0] ?? home));
    this.takeOn(agent);
    return agent;
  }

  /** A slot on `agent` for what an operation will create or bring there (a reply, a transferred e-mail). */
  async on(agent: string): Promise<void> {
    await this.admit(agent);
    this.takeOn(agent);
  }

  /** An agent other than `holder` where the scenario has a reserved slot free (where to hand over to), if any. */
  reservedBeside(holder: string): string | undefined {
    return [...this.free].find(([agent, n]) => agent !== holder && n > 0)?.[0];
  }

  /** Interaction `id` is now held on `agent`: it takes a slot there (a free one, else one moved or counted at once). */
  bind(id: string, agent: string): void {
    const current = this.used.get(id);
    if (current === agent) return;
    if (current) this.unbind(id);
    const here = this.free.get(agent) ?? 0;
    if (here > 0) this.free.set(agent, here - 1);
    else {
      // Routed elsewhere than planned: give back one free slot of another agent, count this one.
      const elsewhere = [...this.free].find(([, n]) => n > 0)?.[0];
      if (elsewhere) {
        this.free.set(elsewhere, this.free.get(elsewhere)! - 1);
        this.coordination.release(elsewhere);
      }
      this.coordination.force(agent);
    }
    this.used.set(id, agent);
  }

  /** Interaction `id` is no longer held: its slot is free again (for the scenario, until it ends). */
  unbind(id: string): void {
    const agent = this.used.get(id);
    if (!agent) return;
    this.used.delete(id);
    this.add(agent, 1);
  }

  /** Gives every slot back (after the scenario finished what it opened). */
  releaseAll(): void {
    for (const agent of this.used.values()) this.add(agent, 1);
    this.used.clear();
    for (const [agent, n] of this.free) if (n > 0) this.coordination.release(agent, n);
    this.free.clear();
  }
}
