/**
 * vitest globalSetup of the conformance project: resolves the target settings and, when no
 * GWS_BASE_URL is set, starts the embedded reference server for the run (stopped after).
 * The resolved target reaches the scenarios through vitest's provide/inject.
 */
import type { TestProject } from "vitest/node";
import { REFERENCE_INVITE_TIMEOUT_MS, REFERENCE_NOTIFY_BUDGET_MS, REFERENCE_QUEUES } from "../reference/deployment.js";
import { startReferenceServer } from "../reference/server.js";
import { parseVariations, VARIATIONS_ENV } from "../reference/variations.js";
import {
  DEFAULT_NOTIFY_BUDGET_MS,
  QUEUE_PURPOSES,
  queuesFromSettings,
  resolveSettings,
  type ResolvedQueues,
  type TargetSettings,
} from "./settings.js";
import { declaredBudgets } from "./budgets.js";
import { startCoordinationService, type CoordinationService } from "./coordination.js";
import type { ResolvedTarget } from "./target.js";

/** Invitation timeout the run declares for the embedded server: it honours the per-e-mail revokeAfterMs hint. */
export const EMBEDDED_INVITE_TIMEOUT_MS = REFERENCE_INVITE_TIMEOUT_MS;

/** The queue of each purpose: the settings', else (embedded server) the names the reference server knows. */
function resolveQueues(settings: TargetSettings, embedded: boolean): ResolvedQueues {
  const given = queuesFromSettings(settings);
  const out = {} as ResolvedQueues;
  for (const p of QUEUE_PURPOSES) {
    const q = given[p] ?? (embedded ? { name: REFERENCE_QUEUES[p], from: "the embedded reference server" } : undefined);
    // resolveSettings refuses a real target without them (GWS_QUEUE); this only guards a caller that skipped it.
    if (!q) throw new Error(`no queue for ${p}: set GWS_QUEUE`);
    out[p] = q;
  }
  return out;
}

/** Where the conformance command hands the resolved target to the vitest projects (same process and its workers). */
export const RESOLVED_TARGET_ENV = "GWS_RESOLVED_TARGET";

export async function resolveTarget(
  env: Record<string, string | undefined> = process.env,
  settings: TargetSettings = resolveSettings({ env }),
): Promise<{ target: ResolvedTarget; close: () => Promise<void> }> {
  if (settings.baseUrl) {
    const notifyBudgetMs = settings.notifyBudgetMs ?? DEFAULT_NOTIFY_BUDGET_MS;
    return {
      target: {
        ...settings,
        baseUrl: settings.baseUrl,
        cometdUrl: settings.cometdUrl ?? `${settings.baseUrl}/notifications`,
        notifyBudgetMs,
        inboundBudgetMs: settings.inboundBudgetMs ?? notifyBudgetMs,
        queues: resolveQueues(settings, false),
        embedded: false,
        label: settings.baseUrl,
      },
      close: async () => undefined,
    };
  }
  const fault = env.GWS_REFERENCE_FAULT || undefined;
  const variations = parseVariations(env[VARIATIONS_ENV]);
  // The embedded server answers in milliseconds: it declares a shorter notification budget (docs/decisions.md).
  const notifyBudgetMs = settings.notifyBudgetMs ?? REFERENCE_NOTIFY_BUDGET_MS;
  const server = await startReferenceServer({ fault, variations, notifyBudgetMs });
  const switched = variations === "all" ? "all" : server.variations.join(",");
  const label = [
    "embedded reference server",
    fault ? `fault ${fault}` : "",
    server.variations.length ? `variations ${switched}` : "",
  ].filter(Boolean);
  return {
    target: {
      ...settings,
      notifyBudgetMs,
      inboundBudgetMs: settings.inboundBudgetMs ?? notifyBudgetMs,
      queues: resolveQueues(settings, true),
      baseUrl: server.baseUrl,
      cometdUrl: server.cometdUrl,
      controlUrl: server.controlUrl,
      agents: server.agents,
      inject: "http",
      inviteTimeoutMs: settings.inviteTimeoutMs ?? EMBEDDED_INVITE_TIMEOUT_MS,
      embedded: true,
      label: label.length > 1 ? `${label[0]} (${label.slice(1).join("; ")})` : label[0],
    },
    close: () => server.close(),
  };
}

/**
 * One coordination service (leases, claims; coordination.ts) per run, shared by both conformance
 * projects (their global setups run in this process): a worker of the parallel group that is still
 * draining must see the exclusive group's claims.
 */
const SERVICE = Symbol.for("gws.coordinationService");
type ServiceHolder = { [SERVICE]?: { service: Promise<CoordinationService>; users: number } };

async function acquireService(): Promise<{ url: string; release: (workersBudgetMs: number) => Promise<void> }> {
  const holder = globalThis as ServiceHolder;
  holder[SERVICE] ??= { service: startCoordinationService(), users: 0 };
  const entry = holder[SERVICE];
  entry.users++;
  const service = await entry.service;
  return {
    url: service.url,
    async release(workersBudgetMs) {
      if (--entry.users > 0) return;
      delete holder[SERVICE];
      // Workers drain their watches at their very end, while this teardown runs: wait for them (bounded).
      await service.close(workersBudgetMs);
    },
  };
}

/**
 * The conformance command resolves the target once (one embedded server for the whole run) and
 * hands it over in GWS_RESOLVED_TARGET; a plain `vitest --project conformance` run resolves it here.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env[RESOLVED_TARGET_ENV];
  const resolved = given
    ? { target: JSON.parse(given) as ResolvedTarget, close: async () => undefined }
    : await resolveTarget();
  const service = await acquireService();
  project.provide("gwsTarget", resolved.target);
  project.provide("gwsCoordination", service.url);
  return async () => {
    await service.release(declaredBudgets(resolved.target).workerTeardownMs);
    await resolved.close();
  };
}
