/**
 * The target as one worker sees it: its settings, one REST client and one CometD session per
 * agent (handshake and /meta/subscribe confirmed), the injector, and the stream monitor
 * watching every agent's notifications. Created once per worker (test file) and shared by
 * its scenarios; a failure to set it up is a PreconditionError (ERROR), never a skip.
 */
import { BUDGETS } from "./budgets.js";
import { PreconditionError } from "./checks.js";
import { CometdSession } from "./cometd-session.js";
import { HttpClient } from "./http-client.js";
import { createInjector, type Injector } from "./inject/injector.js";
import { StreamMonitor } from "./monitor.js";
import type { AgentCredentials, TargetSettings } from "./settings.js";
import { setSecrets } from "./transcript.js";
import { secretsOf } from "./settings.js";

/** Settings with every URL resolved (the embedded reference server fills them in). */
export interface ResolvedTarget extends TargetSettings {
  baseUrl: string;
  cometdUrl: string;
  /** True when the run started the embedded reference server. */
  embedded: boolean;
  /** Label for reports, e.g. "embedded reference server" or the base URL. */
  label: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    gwsTarget: ResolvedTarget;
  }
}

export interface AgentHandle {
  name: string;
  credentials: AgentCredentials;
  http: HttpClient;
  session: CometdSession;
}

export class Target {
  readonly agents: AgentHandle[] = [];
  readonly monitor = new StreamMonitor();
  readonly injector: Injector;

  private constructor(readonly settings: ResolvedTarget) {
    this.injector = createInjector(settings);
  }

  /** Connects every configured agent: channel Ready (T7), then CometD handshake + subscribe (T5). */
  static async connect(settings: ResolvedTarget): Promise<Target> {
    setSecrets(secretsOf(settings));
    const t = new Target(settings);
    try {
      for (const credentials of settings.agents) t.agents.push(await t.connectAgent(credentials));
    } catch (e) {
      await t.close();
      throw e;
    }
    return t;
  }

  private async connectAgent(credentials: AgentCredentials): Promise<AgentHandle> {
    const { tlsInsecure, maxAnswerBytes } = this.settings;
    const http = new HttpClient(this.settings.baseUrl, credentials, { tlsInsecure, maxAnswerBytes });
    const ready = await http.post("/me/channels/email", { operationName: "Ready" }, { operation: "Ready" });
    if (ready.error) throw new PreconditionError("target answers HTTP", `${ready.method} ${ready.url}: ${ready.error}`);
    if (ready.status === 401 || ready.status === 403) {
      throw new PreconditionError(`agent ${credentials.username} can log in`, `POST /me/channels/email answered HTTP ${ready.status}`);
    }
    const cookie = http.cookieHeader();
    const { cometdUrl } = this.settings;
    const session = new CometdSession(cometdUrl, credentials.username, credentials, { cookie, maxAnswerBytes });
    const connected = await session.connect(BUDGETS.cometdConnectMs);
    if (!connected.ok) {
      await session.close();
      throw new PreconditionError(`agent ${credentials.username} connects to CometD`, `${this.settings.cometdUrl}: ${connected.reason}`);
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
  }
}
