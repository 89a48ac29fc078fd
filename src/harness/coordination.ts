/**
 * What the parallel workers of one run must agree on, kept in one place: a tiny HTTP service on
 * 127.0.0.1 that the run's global setup starts (global-setup.ts) and hands to the workers with
 * the run context (coordinationUrl), and its client. Three jobs:
 *
 *  1. Leases (`--max-open-per-agent`): a target MAY cap how many interactions it offers one agent
 *     at once (interpretation.md, "Deployment data and routing", capacity). The suite never holds
 *     more than the setting on one agent, summed over every worker: a scenario reserves the slots
 *     it will need on one agent before it makes an interaction arrive, and gives them back when
 *     it has finished what it opened. Waits are bounded; a slot not granted in time is an ERROR
 *     naming the setting.
 *  2. Who claims what, run-wide: every interaction id a scenario claims, and every open watch
 *     "a refused request changes nothing" (R3, T4, T8). A ReplyCreated that no worker claims is a
 *     possible effect of a refused Reply/ReplyAll/Forward; it is attributed to a watch only when
 *     that watch is the only one covering the agent at that moment (a false FAIL is worse than a
 *     missed fault: with several candidates nobody is blamed and the transcript says so).
 *
 *  3. Who runs alone: a scenario that changes what every other one relies on enters the run
 *     "exclusive" and waits until the others are out; the rest enter "shared".
 *
 * The state is a plain class (CoordinationState), used by the service and, without HTTP, by
 * `rejudge` over a stored transcript and by tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, request } from "undici";

export interface WatchCover {
  /** Unique per run: worker id + watch number. */
  key: string;
  /** Agents whose refused requests the watch covers. */
  agents: string[];
  /** Epoch ms from which an effect counts. */
  since: number;
}

export type Attribution = "claimed" | "yours" | "ambiguous";

/** Slots granted: `count` on `agent`, and one on each agent of `besides` (other agents of the list). */
export interface Lease {
  agent: string;
  besides: string[];
}

interface Waiter {
  agent?: string;
  agents: string[];
  limit: number;
  count: number;
  besides: number;
  grant: (lease: Lease) => void;
}

/** Leases, claims and watch covers of one run (pure state: no I/O). */
export class CoordinationState {
  private readonly inUse = new Map<string, number>();
  private readonly waiters: Waiter[] = [];
  private readonly claimed = new Set<string>();
  private readonly claimWaiters = new Set<{ ids: readonly string[]; done: () => void }>();
  private readonly gateWaiters: Array<{ kind: "shared" | "exclusive"; grant: () => void }> = [];
  private sharedInside = 0;
  private exclusiveInside = false;
  private readonly covers = new Map<string, WatchCover>();
  private readonly workers = new Set<string>();
  private readonly idle: Array<() => void> = [];
  private rotation = 0;

  used(agent: string): number {
    return this.inUse.get(agent) ?? 0;
  }

  /**
   * Tries to reserve `count` slots on `agent` (or, without one, on the agent of `agents` with the
   * most room, in rotation among equals), and with `besides` > 0 one slot on each of that many
   * other agents of `agents` (those with the most room): all or nothing. Returns the lease, or
   * undefined when there is no room for all of it.
   */
  tryAcquire(agent: string | undefined, agents: string[], limit: number, count = 1, besides = 0): Lease | undefined {
    const candidates = agent ? [agent] : rotate(agents, this.rotation++);
    const room = (a: string, n: number): boolean => this.used(a) + n <= limit;
    const othersWithRoom = (home: string): string[] =>
      agents
        .filter((a) => a !== home && room(a, 1))
        .sort((x, y) => this.used(x) - this.used(y))
        .slice(0, besides);
    let best: string | undefined;
    for (const a of candidates) {
      // A reservation larger than the limit is granted on an agent with nothing in use: it cannot wait forever.
      const fits = (room(a, count) || this.used(a) === 0) && othersWithRoom(a).length === besides;
      if (fits && (best === undefined || this.used(a) < this.used(best))) best = a;
    }
    if (best === undefined) return undefined;
    const others = othersWithRoom(best);
    this.inUse.set(best, this.used(best) + count);
    for (const o of others) this.inUse.set(o, this.used(o) + 1);
    return { agent: best, besides: others };
  }

  /**
   * Reserves the slots now or as soon as they are free (first come, first served): `grant` is
   * called once with the agent. Returns a cancel function for a caller whose budget ran out.
   */
  acquire(
    agent: string | undefined,
    agents: string[],
    limit: number,
    count: number,
    grant: (lease: Lease) => void,
    besides = 0,
  ): () => void {
    const got = this.waiters.length === 0 ? this.tryAcquire(agent, agents, limit, count, besides) : undefined;
    if (got) {
      grant(got);
      return () => undefined;
    }
    const w: Waiter = { agent, agents, limit, count, besides, grant };
    this.waiters.push(w);
    return () => {
      const i = this.waiters.indexOf(w);
      if (i >= 0) this.waiters.splice(i, 1);
    };
  }

  /** Like acquire(), bounded: resolves undefined when `budgetMs` runs out first. */
  acquireWithin(
    agent: string | undefined,
    agents: string[],
    limit: number,
    count: number,
    budgetMs: number,
    besides = 0,
  ): Promise<Lease | undefined> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const cancel = this.acquire(
        agent,
        agents,
        limit,
        count,
        (lease) => {
          clearTimeout(timer);
          resolve(lease);
        },
        besides,
      );
      timer = setTimeout(() => {
        cancel();
        resolve(undefined);
      }, budgetMs);
    });
  }

  /**
   * Counts slots the suite did not plan for (a re-offer, an e-mail routed elsewhere): granted at
   * once, over the limit if need be.
   */
  force(agent: string, count = 1): void {
    this.inUse.set(agent, this.used(agent) + count);
  }

  release(agent: string, count = 1): void {
    this.inUse.set(agent, Math.max(0, this.used(agent) - count));
    // Strictly first come, first served: a scenario that needs several slots on one agent is not
    // overtaken forever by scenarios that need fewer (it waits until an agent has room for all).
    while (this.waiters.length > 0) {
      const w = this.waiters[0];
      const got = this.tryAcquire(w.agent, w.agents, w.limit, w.count, w.besides);
      if (!got) break;
      this.waiters.shift();
      w.grant(got);
    }
  }

  claim(ids: readonly string[]): void {
    for (const id of ids) this.claimed.add(id);
    for (const w of [...this.claimWaiters]) if (w.ids.every((id) => this.claimed.has(id))) w.done();
  }

  /** Resolves once every id is claimed (by any worker), or when `budgetMs` runs out. */
  awaitClaims(ids: readonly string[], budgetMs: number): Promise<void> {
    if (ids.every((id) => this.claimed.has(id)) || budgetMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        ids,
        done: () => {
          clearTimeout(timer);
          this.claimWaiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.done, budgetMs);
      this.claimWaiters.add(waiter);
    });
  }

  isClaimed(id: string): boolean {
    return this.claimed.has(id);
  }

  cover(c: WatchCover): void {
    this.covers.set(c.key, c);
  }

  /** Who a ReplyCreated that `watchKey` saw belongs to: a claim, that watch alone, or several candidates. */
  attribute(watchKey: string, id: string, agent: string, receivedAt: number): Attribution {
    if (this.claimed.has(id)) return "claimed";
    const candidates = [...this.covers.values()].filter((c) => c.agents.includes(agent) && c.since <= receivedAt);
    return candidates.length === 1 && candidates[0].key === watchKey ? "yours" : "ambiguous";
  }

  /**
   * Scenarios that change what every other scenario relies on (an agent set NotReady; CreateEmail,
   * whose new interaction carries nothing of its scenario) run alone: they enter "exclusive", every
   * other scenario enters "shared". First come, first served: a waiting exclusive scenario holds
   * back the shared ones that come after it, so it is not starved. Resolves false when `budgetMs`
   * runs out first.
   */
  enter(kind: "shared" | "exclusive", budgetMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = {
        kind,
        grant: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.gateWaiters.push(waiter);
      timer = setTimeout(() => {
        const i = this.gateWaiters.indexOf(waiter);
        if (i >= 0) this.gateWaiters.splice(i, 1);
        resolve(false);
        this.admitFromGate();
      }, budgetMs);
      this.admitFromGate();
    });
  }

  leave(kind: "shared" | "exclusive"): void {
    if (kind === "exclusive") this.exclusiveInside = false;
    else this.sharedInside = Math.max(0, this.sharedInside - 1);
    this.admitFromGate();
  }

  private admitFromGate(): void {
    while (this.gateWaiters.length > 0 && !this.exclusiveInside) {
      const next = this.gateWaiters[0];
      if (next.kind === "exclusive" && this.sharedInside > 0) return;
      this.gateWaiters.shift();
      if (next.kind === "exclusive") this.exclusiveInside = true;
      else this.sharedInside++;
      next.grant();
    }
  }

  workerStarted(worker: string): void {
    this.workers.add(worker);
  }

  workerDone(worker: string): void {
    this.workers.delete(worker);
    if (this.workers.size === 0) for (const f of this.idle.splice(0)) f();
  }

  /** Resolves when no worker is registered (the global teardown waits on it before it closes the service). */
  allWorkersDone(): Promise<void> {
    return this.workers.size === 0 ? Promise.resolve() : new Promise((r) => this.idle.push(r));
  }
}

function rotate<T>(list: readonly T[], by: number): T[] {
  const n = list.length;
  return n ? list.map((_, i) => list[(i + by) % n]) : [];
}

// ---------------------------------------------------------------------------------------------
// The service (global setup) and its client (workers).

export interface CoordinationService {
  url: string;
  state: CoordinationState;
  /** Waits (bounded) until every registered worker said it is done, then closes. */
  close(workersBudgetMs: number): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  // Only the run's own workers talk to it (127.0.0.1): small JSON bodies.
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function startCoordinationService(): Promise<CoordinationService> {
  const state = new CoordinationState();
  const server: Server = createServer((req, res) => {
    readJson(req)
      .then(async (b) => {
        switch (req.url) {
          case "/acquire": {
            const budgetMs = Number(b.budgetMs ?? 0);
            const lease = await state.acquireWithin(
              b.agent as string | undefined,
              b.agents as string[],
              Number(b.limit),
              Number(b.count ?? 1),
              budgetMs,
              Number(b.besides ?? 0),
            );
            return lease ? answer(res, 200, lease) : answer(res, 408, { error: `no slot within ${budgetMs} ms` });
          }
          case "/release":
            state.release(String(b.agent), Number(b.count ?? 1));
            return answer(res, 200, {});
          case "/force":
            state.force(String(b.agent), Number(b.count ?? 1));
            return answer(res, 200, {});
          case "/claim":
            state.claim((b.ids as string[]) ?? []);
            return answer(res, 200, {});
          case "/enter": {
            const budgetMs = Number(b.budgetMs ?? 0);
            const kind = b.kind === "exclusive" ? "exclusive" : "shared";
            const entered = await state.enter(kind, budgetMs);
            return entered ? answer(res, 200, {}) : answer(res, 408, { error: `not entered within ${budgetMs} ms` });
          }
          case "/leave":
            state.leave(b.kind === "exclusive" ? "exclusive" : "shared");
            return answer(res, 200, {});
          case "/await-claims":
            await state.awaitClaims((b.ids as string[]) ?? [], Number(b.budgetMs ?? 0));
            return answer(res, 200, {});
          case "/cover":
            state.cover(b as unknown as WatchCover);
            return answer(res, 200, {});
          case "/attribute": {
            const items = (b.items as Array<{ watchKey: string; id: string; agent: string; receivedAt: number }>) ?? [];
            return answer(res, 200, {
              results: items.map((i) => state.attribute(i.watchKey, i.id, i.agent, i.receivedAt)),
            });
          }
          case "/worker-started":
            state.workerStarted(String(b.worker));
            return answer(res, 200, {});
          case "/worker-done":
            state.workerDone(String(b.worker));
            return answer(res, 200, {});
          default:
            return answer(res, 404, { error: `no ${req.url}` });
        }
      })
      .catch((e: Error) => {
        if (!res.headersSent) answer(res, 400, { error: e.message });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  server.unref();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    async close(workersBudgetMs: number) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([state.allWorkersDone(), new Promise<void>((r) => (timer = setTimeout(r, workersBudgetMs)))]);
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** What a worker uses: the service over HTTP, or (no service provided) one in-process state. */
export interface Coordination {
  /**
   * Reserves `count` slots on `agent`, or on the agent with the most room, and one on each of
   * `besides` other agents (all or nothing); undefined when `budgetMs` ran out.
   */
  acquire(
    agent: string | undefined,
    agents: string[],
    limit: number,
    count: number,
    budgetMs: number,
    besides?: number,
  ): Promise<Lease | undefined>;
  release(agent: string, count?: number): void;
  force(agent: string, count?: number): void;
  claim(id: string): void;
  cover(c: WatchCover): void;
  /** Enters the run as a scenario that runs beside others ("shared") or alone ("exclusive"); false: not within budget. */
  enter(kind: "shared" | "exclusive", budgetMs: number): Promise<boolean>;
  leave(kind: "shared" | "exclusive"): void;
  /** Resolves once every id is claimed by some worker, or when `budgetMs` runs out (bounded). */
  awaitClaims(ids: readonly string[], budgetMs: number): Promise<void>;
  /** In-process coordination answers at once (rejudge replays synchronously); the service over HTTP. */
  attribute(
    items: Array<{ watchKey: string; id: string; agent: string; receivedAt: number }>,
  ): Attribution[] | Promise<Attribution[]>;
  workerStarted(worker: string): Promise<void>;
  workerDone(worker: string): Promise<void>;
  /** Resolves once everything sent so far has reached the service. */
  flush(): Promise<void>;
}

/** The in-process coordination of a worker that was given no service (one worker: nothing to share). */
export function localCoordination(state = new CoordinationState()): Coordination {
  return {
    acquire: (agent, agents, limit, count, budgetMs, besides = 0) =>
      state.acquireWithin(agent, agents, limit, count, budgetMs, besides),
    release: (agent, count = 1) => state.release(agent, count),
    force: (agent, count = 1) => state.force(agent, count),
    claim: (id) => state.claim([id]),
    awaitClaims: (ids, budgetMs) => state.awaitClaims(ids, budgetMs),
    enter: (kind, budgetMs) => state.enter(kind, budgetMs),
    leave: (kind) => state.leave(kind),
    cover: (c) => state.cover(c),
    attribute: (items) => items.map((i) => state.attribute(i.watchKey, i.id, i.agent, i.receivedAt)),
    workerStarted: async () => undefined,
    workerDone: async () => undefined,
    flush: async () => undefined,
  };
}

/** A budget for calls to the service itself (it is local: milliseconds). */
const CALL_BUDGET_MS = 5_000;

/**
 * The client of the run's service. Claims, covers, releases and forces are sent in order without
 * waiting (a background queue); acquire and attribute wait for their answer (after the queue).
 */
export function remoteCoordination(url: string, onError: (message: string) => void): Coordination {
  // Two pools. A wait (acquire, enter, awaitClaims) holds its connection until it is granted or its
  // budget runs out — the grant may hang on a release this same worker sends — so waits get a pool
  // of their own, uncapped (one connection per scenario waiting), and the short calls (releases,
  // forces, claims: the queue) never stand behind them. With one capped pool, as many waiting
  // scenarios as connections held every connection, and the release that would have granted
  // them sat in the pool until their budgets ran out (slots "leaked" for the whole wait).
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: 4 });
  const waits = new Agent({ keepAliveTimeout: 10_000 });
  let queue: Promise<unknown> = Promise.resolve();
  const post = async (
    path: string,
    body: unknown,
    budgetMs?: number,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await request(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      dispatcher: budgetMs === undefined ? dispatcher : waits,
      headersTimeout: (budgetMs ?? CALL_BUDGET_MS) + CALL_BUDGET_MS,
      bodyTimeout: CALL_BUDGET_MS,
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const send = (path: string, body: unknown): void => {
    queue = queue
      .then(() => post(path, body))
      .catch((e: Error) => onError(`coordination service ${path}: ${e.message}`));
  };
  return {
    async acquire(agent, agents, limit, count, budgetMs, besides = 0) {
      await queue;
      const r = await post("/acquire", { agent, agents, limit, count, budgetMs, besides }, budgetMs);
      return r.status === 200
        ? { agent: String(r.body.agent), besides: (r.body.besides as string[]) ?? [] }
        : undefined;
    },
    release: (agent, count = 1) => send("/release", { agent, count }),
    force: (agent, count = 1) => send("/force", { agent, count }),
    claim: (id) => send("/claim", { ids: [id] }),
    async enter(kind, budgetMs) {
      await queue;
      const r = await post("/enter", { kind, budgetMs }, budgetMs);
      return r.status === 200;
    },
    leave: (kind) => send("/leave", { kind }),
    async awaitClaims(ids, budgetMs) {
      await queue;
      await post("/await-claims", { ids, budgetMs }, budgetMs);
    },
    cover: (c) => send("/cover", c),
    async attribute(items) {
      await queue;
      const r = await post("/attribute", { items });
      return (r.body.results as Attribution[]) ?? items.map(() => "ambiguous" as const);
    },
    async workerStarted(worker) {
      await post("/worker-started", { worker });
    },
    async flush() {
      await queue.catch(() => undefined);
    },
    async workerDone(worker) {
      await queue.catch(() => undefined);
      await post("/worker-done", { worker }).catch((e: Error) => onError(`coordination service: ${e.message}`));
      await Promise.all([dispatcher.close(), waits.close()]);
    },
  };
}
