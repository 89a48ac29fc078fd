/**
 * The target as one worker sees it: its settings, one REST client and one CometD session per
 * agent (handshake and /meta/subscribe confirmed), the injector, and the stream monitor
 * watching every agent's notifications. Created once per worker and shared by its scenarios;
 * a failure to set it up is a PreconditionError (ERROR), never a skip. At the end of the worker
 * (finish) the monitor's watches stay open at least the notification budget, chores a finished
 * scenario left (a late re-offer to finish) complete, then the sessions close.
 */
import { BUDGETS, withBudget } from "./budgets.js";
import { PreconditionError } from "./checks.js";
import { CometdSession } from "./cometd-session.js";
import { HttpClient } from "./http-client.js";
import { createInjector, type Injector } from "./inject/injector.js";
import { localCoordination, type Coordination } from "./coordination.js";
import { StreamMonitor } from "./monitor.js";
import type { AgentCredentials, ResolvedQueues, TargetSettings } from "./settings.js";
import { record, setSecrets, WORKER_ID } from "./transcript.js";
import { secretsOf } from "./settings.js";

/** Settings with every URL, budget and queue resolved (the embedded reference server fills them in). */
export interface ResolvedTarget extends Omit<TargetSettings, "notifyBudgetMs" | "inboundBudgetMs" | "maxOpenPerAgent"> {
  baseUrl: string;
  cometdUrl: string;
  /** N8's budget. */
  notifyBudgetMs: number;
  /** The offer budget: an inbound e-mail, a re-offer or a Transfer to a queue until Invited. */
  inboundBudgetMs: number;
  /** The most interactions the suite holds open on one agent at once (the setting, or the target's default). */
  maxOpenPerAgent: number;
  /** The queue named for each purpose, and the setting it came from. */
  queues: ResolvedQueues;
  /** True when the run started the embedded reference server. */
  embedded: boolean;
  /** Label for reports, e.g. "embedded reference server" or the base URL. */
  label: string;
}

export interface AgentHandle {
  name: string;
  credentials: AgentCredentials;
  http: HttpClient;
  session: CometdSession;
}

export class Target {
  readonly agents: AgentHandle[] = [];
  readonly monitor: StreamMonitor;
  readonly injector: Injector;
  /** Work finished scenarios left behind (finishing a late re-offer): awaited before the sessions close. */
  private readonly chores = new Set<Promise<unknown>>();

  private constructor(
    readonly settings: ResolvedTarget,
    readonly coordination: Coordination,
  ) {
    this.injector = createInjector(settings);
    this.monitor = new StreamMonitor(coordination, WORKER_ID);
  }

  /**
   * Connects every configured agent: channel Ready (T7) unless the run made them Ready already
   * (`agentsReady`: then a worker connecting later cannot undo a scenario's NotReady), then CometD
   * handshake + subscribe (T5).
   */
  static async connect(
    settings: ResolvedTarget,
    coordination: Coordination = localCoordination(),
    opts: { agentsReady?: boolean } = {},
  ): Promise<Target> {
    setSecrets(secretsOf(settings));
    const t = new Target(settings, coordination);
    try {
      await coordination.workerStarted(WORKER_ID);
      // All at once (each is a few round trips); the agents keep the configured order.
      const connecting = await Promise.allSettled(
        settings.agents.map((credentials) => t.connectAgent(credentials, !opts.agentsReady)),
      );
      for (const c of connecting) if (c.status === "fulfilled") t.agents.push(c.value);
      const failed = connecting.find((c) => c.status === "rejected");
      if (failed) throw failed.reason;
    } catch (e) {
      await t.close();
      throw e;
    }
    return t;
  }

  /** Runs `chore` now; the end of the worker waits for it. */
  chore(chore: () => Promise<unknown>): void {
    const failed = (e: Error): void => {
      record({ kind: "event", scenario: null, message: `a finished scenario's chore failed: ${e.message}` });
    };
    const p = chore().catch(failed);
    this.chores.add(p);
    void p.finally(() => this.chores.delete(p));
  }

  /**
   * The end of the worker: every watch stays open at least the notification budget (N8), the
   * chores finish, then everything closes. Bounded throughout.
   */
  async finish(): Promise<void> {
    try {
      // The drain waits at most two budgets: watches reaching the budget, then the youngest unclaimed reply.
      const budget = this.settings.notifyBudgetMs;
      const drain = this.monitor.drain(budget);
      await withBudget(drain, "watches to reach the notification budget", "notifyBudget", 2 * budget + BUDGETS.closeMs);
      const chores = Promise.allSettled([...this.chores]);
      await withBudget(chores, "finishing what scenarios left open", "httpAnswer", BUDGETS.httpAnswerMs * 2);
    } catch (e) {
      record({ kind: "event", scenario: null, message: `worker teardown: ${(e as Error).message}` });
    } finally {
      await this.close();
    }
  }

  private async connectAgent(credentials: AgentCredentials, setReady: boolean): Promise<AgentHandle> {
    const { tlsInsecure, maxAnswerBytes } = this.settings;
    const http = new HttpClient(this.settings.baseUrl, credentials, { tlsInsecure, maxAnswerBytes });
    if (setReady) await setAgentReady(http, credentials.username);
    const session = new CometdSession(this.settings.cometdUrl, credentials.username, credentials, {
      cookie: http.cookieHeader(),
      tlsInsecure: this.settings.tlsInsecure,
      maxAnswerBytes,
    });
    const connected = await session.connect(BUDGETS.cometdConnectMs);
    if (!connected.ok) {
      await session.close();
      throw new PreconditionError(
        `agent ${credentials.username} connects to CometD`,
        `${this.settings.cometdUrl}: ${connected.reason}`,
      );
    }
    this.monitor.attach(credentials.username, session);
    return { name: credentials.username, credentials, http, session };
  }

  agent(index: number): AgentHandle | undefined {
    return this.agents[index];
  }

  agentNamed(name: string): AgentHandle | undefined {
    return this.agents.find((a) => a.name === name);
  }

  async close(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.session.close()));
    await this.injector.close();
    await this.coordination.workerDone(WORKER_ID);
  }
}

/**
 * The agent the channel scenario (T7) may set NotReady while the others run: the last one, when
 * the target has three agents or more. No other scenario names it (they use the first two at
 * most) and the slots never send e-mails its way (scenario.ts), so taking it out of the routing
 * for a while costs the run nothing. With fewer agents there is none: that scenario runs alone.
 */
export function spareAgent(settings: Pick<ResolvedTarget, "agents">): string | undefined {
  return settings.agents.length >= 3 ? settings.agents[settings.agents.length - 1].username : undefined;
}

/** POST {root}/me/channels/email Ready for one agent (T7); a failure is a PreconditionError naming it. */
async function setAgentReady(http: HttpClient, username: string): Promise<void> {
  const ready = await http.post("/me/channels/email", { operationName: "Ready" }, { operation: "Ready" });
  if (ready.error) throw new PreconditionError("target answers HTTP", `${ready.method} ${ready.url}: ${ready.error}`);
  if (ready.status === 401 || ready.status === 403) {
    throw new PreconditionError(
      `agent ${username} can log in`,
      `POST /me/channels/email answered HTTP ${ready.status}`,
    );
  }
}

/**
 * Makes every agent of the target Ready once for a run (the runner does this before the workers
 * start, so that no worker sets an agent Ready while a scenario holds it NotReady). Resolves
 * whether it succeeded; on a failure the workers set their agents Ready themselves and report it.
 */
export async function makeAgentsReady(settings: ResolvedTarget): Promise<boolean> {
  const { tlsInsecure, maxAnswerBytes } = settings;
  try {
    await Promise.all(
      settings.agents.map((a) =>
        setAgentReady(new HttpClient(settings.baseUrl, a, { tlsInsecure, maxAnswerBytes }), a.username),
      ),
    );
    return true;
  } catch {
    return false;
  }
}
