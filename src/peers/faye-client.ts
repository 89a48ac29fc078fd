/**
 * An agent's notification stream through faye's Bayeux client instead of the `cometd` client:
 * the reference server is also exercised by an independently written client, so a pass cannot
 * come from our client and our server sharing one library's quirks. Same surface as
 * CometdSession for what the checks need (connect, items, onItem, waitFor, close).
 */
import faye from "faye";
import { BUDGETS } from "../harness/budgets.js";
import { basicAuthHeader } from "../harness/http-client.js";
import { INTERACTIONS_CHANNEL, NotificationStream, type ConnectResult } from "../harness/cometd-session.js";
import type { AgentCredentials } from "../harness/settings.js";

interface FayeSubscription {
  then(ok: () => void, fail: (e: { message?: string }) => void): void;
  cancel(): void;
}
interface FayeClient {
  setHeader(name: string, value: string): void;
  disable(feature: string): void;
  subscribe(channel: string, cb: (data: unknown) => void): FayeSubscription;
  disconnect(): void;
}

export class FayeAgentSession extends NotificationStream {
  private readonly client: FayeClient;

  constructor(
    readonly url: string,
    readonly agentName: string,
    credentials: AgentCredentials | undefined,
  ) {
    super();
    const Client = (faye as unknown as { Client: new (url: string, opts: object) => FayeClient }).Client;
    this.client = new Client(url, { timeout: 30, retry: 1 });
    // GWS offers long-polling only (T5).
    this.client.disable("websocket");
    this.client.disable("eventsource");
    if (credentials) this.client.setHeader("Authorization", basicAuthHeader(credentials));
  }

  /** Handshake (faye does it on the first subscribe) and a confirmed subscription to /me/interactions. */
  connect(budgetMs: number = BUDGETS.cometdConnectMs): Promise<ConnectResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => resolve({ ok: false, reason: `no subscription confirmation within ${budgetMs} ms` }),
        budgetMs,
      );
      const sub = this.client.subscribe(INTERACTIONS_CHANNEL, (data) => {
        this.receive(INTERACTIONS_CHANNEL, (data ?? {}) as Record<string, unknown>);
      });
      sub.then(
        () => {
          clearTimeout(timer);
          resolve({ ok: true });
        },
        (e) => {
          clearTimeout(timer);
          resolve({ ok: false, reason: e?.message ?? "subscription refused" });
        },
      );
    });
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
