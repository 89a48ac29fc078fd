/**
 * An agent's notification stream through faye's Bayeux client instead of the `cometd` client:
 * the reference server is also exercised by an independently written client, so a pass cannot
 * come from our client and our server sharing one library's quirks. Same surface as
 * CometdSession for what the checks need (connect, items, onItem, waitFor, close).
 */
import faye from "faye";
import { BUDGETS, waitForItem, type Waitable } from "../harness/budgets.js";
import { basicAuthHeader } from "../harness/http-client.js";
import { describeNotification, EventLog, INTERACTIONS_CHANNEL, type ConnectResult, type ReceivedNotification } from "../harness/cometd-session.js";
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

export class FayeAgentSession implements Waitable<ReceivedNotification> {
  private readonly client: FayeClient;
  private readonly stream = new EventLog<ReceivedNotification>(describeNotification);

  constructor(
    readonly url: string,
    readonly agentName: string,
    credentials: AgentCredentials | undefined,
  ) {
    const Client = (faye as unknown as { Client: new (url: string, opts: object) => FayeClient }).Client;
    this.client = new Client(url, { timeout: 30, retry: 1 });
    // GWS offers long-polling only (T5).
    this.client.disable("websocket");
    this.client.disable("eventsource");
    if (credentials) this.client.setHeader("Authorization", basicAuthHeader(credentials));
  }

  items(): readonly ReceivedNotification[] {
    return this.stream.items();
  }

  onItem(listener: (n: ReceivedNotification) => void): () => void {
    return this.stream.onItem(listener);
  }

  describe(n: ReceivedNotification): string {
    return describeNotification(n);
  }

  /** Handshake (faye does it on the first subscribe) and a confirmed subscription to /me/interactions. */
  connect(budgetMs: number = BUDGETS.cometdConnectMs): Promise<ConnectResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, reason: `no subscription confirmation within ${budgetMs} ms` }), budgetMs);
      const sub = this.client.subscribe(INTERACTIONS_CHANNEL, (data) => {
        this.stream.push({ index: this.stream.items().length, receivedAt: Date.now(), channel: INTERACTIONS_CHANNEL, data: (data ?? {}) as Record<string, unknown> });
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

  waitFor(predicate: (n: ReceivedNotification) => boolean, what: string, budgetMs: number): Promise<ReceivedNotification> {
    return waitForItem(this, predicate, { what, budgetName: "notifyBudget", budgetMs });
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
