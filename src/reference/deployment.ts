/**
 * What the embedded reference server declares about its own deployment (interpretation.md,
 * "Deployment data and routing"): the queue names it knows, the figures a run against it
 * declares when the user sets none. The server and the run's target resolution
 * (src/harness/global-setup.ts resolveTarget) both read them here, so they cannot disagree.
 */
import { DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_OPEN_PER_AGENT } from "../harness/settings.js";
import type { ResolvedTarget } from "../harness/target.js";

/** The queues this server knows, one per purpose a client names a queue for (O3–O6, O8, O9, O11). */
export const REFERENCE_QUEUES = {
  /** Where replies, reply-alls and forwards wait while the agent composes them. */
  compose: "Email-Drafts",
  /** Where Send puts the outgoing e-mail (O6; its own setting, GWS_SEND_QUEUE). */
  send: "Email-Outgoing",
  /** Transfer to a queue (O9). */
  transfer: "Email-Tier2",
  /** PlaceInQueue (O11). */
  place: "Email-Escalations",
  /** CreateEmail (O8). */
  create: "Email-Outbound",
} as const;

/** The queue inbound e-mails wait in (Invited and Accepted carry it as currentQueue, N2, N3). */
export const REFERENCE_INBOUND_QUEUE = "Email-Inbound";

/** Every queue name the server knows (the require-queue variation refuses any other). */
export const REFERENCE_KNOWN_QUEUES: readonly string[] = [REFERENCE_INBOUND_QUEUE, ...Object.values(REFERENCE_QUEUES)];

/**
 * The notification budget (N8) a run against the embedded server declares when the user sets
 * none: the server notifies within milliseconds, and every watch that a refused request changed
 * nothing stays open at least this long at the end of a worker (docs/decisions.md).
 */
export const REFERENCE_NOTIFY_BUDGET_MS = 1000;

/** The invitation timeout a run against the embedded server declares (it honours each e-mail's revokeAfterMs, N5). */
export const REFERENCE_INVITE_TIMEOUT_MS = 600;

/**
 * How many interactions the capacity variation (and the capacity-ignores-ready fault) offers one
 * agent at once (Invited, Accepted and ReplyCreated count); the server declares it to a run
 * against it (GWS_AGENT_CAPACITY: T7 is then also judged at full capacity).
 */
export const REFERENCE_CAPACITY = 4;

/**
 * How many interactions a run against the embedded server holds open on one agent at once when the
 * user sets none: the server has no capacity limit (unless the capacity variation is on: then its
 * capacity), and more scenarios side by side make the run shorter (docs/decisions.md).
 */
export const REFERENCE_OPEN_PER_AGENT = 8;

/** What a run against the embedded server declares as its most open per agent, given the capacity it declares. */
export function referenceOpenPerAgent(capacity: number | undefined): number {
  return capacity ?? REFERENCE_OPEN_PER_AGENT;
}

/** How much later than the call the inbound-delay variation delivers every routing-dependent Invited (ms). */
export const REFERENCE_INBOUND_DELAY_MS = 250;

/**
 * The queue settings a run needs to treat this server as a foreign target (GWS_BASE_URL set):
 * the names it knows, per purpose (src/harness/settings.ts QUEUE_SETTINGS).
 */
export const REFERENCE_QUEUE_ENV: Readonly<Record<string, string>> = {
  GWS_COMPOSE_QUEUE: REFERENCE_QUEUES.compose,
  GWS_SEND_QUEUE: REFERENCE_QUEUES.send,
  GWS_TRANSFER_QUEUE: REFERENCE_QUEUES.transfer,
  GWS_PLACE_QUEUE: REFERENCE_QUEUES.place,
  GWS_CREATE_QUEUE: REFERENCE_QUEUES.create,
};

/**
 * A run's target for a reference server started by hand (tests, benchmarks, the peer checks):
 * its URLs and agents, the queues it knows, the figures it declares. `overrides` wins.
 */
export function referenceTarget(
  server: {
    baseUrl: string;
    cometdUrl: string;
    controlUrl: string;
    agents: ReadonlyArray<{ username: string; password: string }>;
  },
  overrides: Partial<ResolvedTarget> = {},
): ResolvedTarget {
  const from = "the embedded reference server";
  return {
    baseUrl: server.baseUrl,
    cometdUrl: server.cometdUrl,
    controlUrl: server.controlUrl,
    agents: server.agents.map((a) => ({ username: a.username, password: a.password })),
    inject: "http",
    notifyBudgetMs: REFERENCE_NOTIFY_BUDGET_MS,
    inboundBudgetMs: REFERENCE_NOTIFY_BUDGET_MS,
    inviteTimeoutMs: REFERENCE_INVITE_TIMEOUT_MS,
    queues: {
      compose: { name: REFERENCE_QUEUES.compose, from },
      send: { name: REFERENCE_QUEUES.send, from },
      transfer: { name: REFERENCE_QUEUES.transfer, from },
      place: { name: REFERENCE_QUEUES.place, from },
      create: { name: REFERENCE_QUEUES.create, from },
    },
    maxOpenPerAgent: DEFAULT_MAX_OPEN_PER_AGENT,
    maxAnswerBytes: DEFAULT_MAX_ANSWER_BYTES,
    tlsInsecure: false,
    embedded: true,
    label: "embedded reference server",
    ...overrides,
  };
}
