/**
 * Named, bounded budgets for every network wait (nothing may hang). A wait that runs out
 * says what it awaited and what arrived instead.
 */
export const BUDGETS = {
  /** An HTTP answer, headers and body (any target). */
  httpAnswerMs: 10_000,
  /** Bayeux handshake and /meta/subscribe confirmation. */
  cometdConnectMs: 10_000,
  /** Injection accepted by the control API / SMTP server / command. */
  injectMs: 10_000,
  /**
   * A short look for something that must not come where no state is held (a leak to another agent,
   * a second Accepted). A refused request's watch holds the state the notification budget instead
   * (Scenario.expectNoNotification).
   */
  quietWindowMs: 100,
  /** Slack added to a declared invitation timeout before Revoked counts as missing (N5). */
  revokeSlackMs: 2_000,
  /** Closing a worker's sessions and injector after its drain. */
  closeMs: 5_000,
} as const;

/**
 * Budgets that grow with what the target declares (N8's notification budget, the offer budget),
 * instead of fixed figures: a slow but conforming target must not time out the suite.
 */
export function declaredBudgets(s: { notifyBudgetMs: number; inboundBudgetMs: number }): {
  /** Waiting for a free interaction slot (GWS_MAX_OPEN_PER_AGENT): other scenarios finish theirs. */
  slotWaitMs: number;
  /** A scenario's vitest timeout: its waits (about eight offers and notifications), a slot, its cleanup. */
  scenarioTimeoutMs: number;
  /** The end of a worker: watches stay open the notification budget, then the sessions close. */
  workerTeardownMs: number;
} {
  const round = s.notifyBudgetMs + s.inboundBudgetMs;
  const slotWaitMs = 20_000 + 4 * round;
  // Teardown: the drain (two budgets at most), the chores (two HTTP answers), closing.
  const workerTeardownMs = 2 * s.notifyBudgetMs + 2 * BUDGETS.httpAnswerMs + 2 * BUDGETS.closeMs;
  return { slotWaitMs, scenarioTimeoutMs: 30_000 + 8 * round + slotWaitMs, workerTeardownMs };
}

export class WaitTimeout extends Error {
  constructor(
    readonly what: string,
    readonly budgetName: string,
    readonly budgetMs: number,
    readonly instead: string,
  ) {
    super(`waited ${budgetMs} ms (${budgetName}) for ${what}; instead: ${instead || "nothing arrived"}`);
    this.name = "WaitTimeout";
  }
}

export interface Waitable<T> {
  /** Current items, in arrival order. */
  items(): readonly T[];
  /** Called with a listener that fires on every new item; returns an unsubscribe function. */
  onItem(listener: (item: T) => void): () => void;
  /** Describes an item for "what arrived instead". */
  describe(item: T): string;
}

/**
 * Resolves with the first item (existing or arriving) that satisfies `predicate`; rejects with
 * WaitTimeout naming the budget, what was awaited and what arrived instead.
 */
export function waitForItem<T>(
  source: Waitable<T>,
  predicate: (item: T) => boolean,
  opts: { what: string; budgetName: string; budgetMs: number; since?: number; signal?: AbortSignal },
): Promise<T> {
  const start = opts.since ?? 0;
  const existing = source.items().slice(start).find(predicate);
  if (existing !== undefined) return Promise.resolve(existing);
  return new Promise<T>((resolve, reject) => {
    const seen: string[] = [];
    const stop = source.onItem((item) => {
      if (predicate(item)) {
        finish();
        resolve(item);
      } else seen.push(source.describe(item));
    });
    const timer = setTimeout(() => {
      finish();
      const instead = source
        .items()
        .slice(start)
        .filter((i) => !predicate(i))
        .map((i) => source.describe(i));
      reject(
        new WaitTimeout(
          opts.what,
          opts.budgetName,
          opts.budgetMs,
          (instead.length ? instead : seen).slice(-8).join("; "),
        ),
      );
    }, opts.budgetMs);
    const onAbort = (): void => {
      finish();
      reject(new Error(`wait for ${opts.what} aborted`));
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    function finish(): void {
      clearTimeout(timer);
      stop();
      opts.signal?.removeEventListener("abort", onAbort);
    }
  });
}

/** Rejects with WaitTimeout if `promise` does not settle within the budget. */
export async function withBudget<T>(
  promise: Promise<T>,
  what: string,
  budgetName: string,
  budgetMs: number,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeout(what, budgetName, budgetMs, "no answer")), budgetMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
