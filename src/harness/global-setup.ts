/**
 * Resolving the target of a run: the resolved settings, or, when they name no base URL, the
 * embedded reference server started for the run (stopped after), with the fault and the allowed
 * variations its caller asks for (EmbeddedOptions: the command sets them from its flags or
 * environment; this module reads no environment). Also vitest's globalSetup for running the
 * conformance projects directly during development.
 */
import type { TestProject } from "vitest/node";
import {
  REFERENCE_INVITE_TIMEOUT_MS,
  REFERENCE_NOTIFY_BUDGET_MS,
  REFERENCE_QUEUES,
  referenceOpenPerAgent,
} from "../reference/deployment.js";
import { startReferenceServer } from "../reference/server.js";
import type { OpenInteraction } from "../reference/world.js";
import { FAULT_ENV } from "../reference/faults/index.js";
import { parseVariations, VARIATIONS_ENV } from "../reference/variations.js";
import {
  DEFAULT_MAX_OPEN_PER_AGENT,
  DEFAULT_NOTIFY_BUDGET_MS,
  QUEUE_PURPOSES,
  queuesFromSettings,
  resolveSettings,
  type ResolvedQueues,
  type TargetSettings,
} from "./settings.js";
import { declaredBudgets } from "./budgets.js";
import { startCoordinationService } from "./coordination.js";
import type { ResolvedTarget } from "./target.js";
import "./run-context.js";

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

/** How the embedded reference server is started when the run has no target of its own. */
export interface EmbeddedOptions {
  /** One of its faults to switch on (src/reference/faults/catalog.ts); none: the clean server. */
  fault?: string;
  /** Allowed variations to switch on (src/reference/variations.ts): names, or "all". */
  variations?: readonly string[] | "all";
  /** This many agents (agent1 … agentN) instead of the reference server's own (load runs). */
  agentCount?: number;
  /** Where the server logs unexpected errors (default console.error). */
  log?: (line: string) => void;
}

export async function resolveTarget(
  settings: TargetSettings,
  embeddedOptions: EmbeddedOptions = {},
): Promise<{
  target: ResolvedTarget;
  close: () => Promise<void>;
  /** The embedded server only: what its agents still hold (after a run, what the suite left open). */
  openInteractions?: () => OpenInteraction[];
}> {
  if (settings.baseUrl) {
    const notifyBudgetMs = settings.notifyBudgetMs ?? DEFAULT_NOTIFY_BUDGET_MS;
    const count = embeddedOptions.agentCount;
    return {
      target: {
        ...settings,
        agents: count ? settings.agents.slice(0, count) : settings.agents,
        baseUrl: settings.baseUrl,
        cometdUrl: settings.cometdUrl ?? `${settings.baseUrl}/notifications`,
        notifyBudgetMs,
        inboundBudgetMs: settings.inboundBudgetMs ?? notifyBudgetMs,
        // At most the declared capacity: the suite never fills an agent by its own parallelism.
        maxOpenPerAgent:
          settings.maxOpenPerAgent ?? Math.min(DEFAULT_MAX_OPEN_PER_AGENT, settings.agentCapacity ?? Infinity),
        queues: resolveQueues(settings, false),
        embedded: false,
        label: settings.baseUrl,
      },
      close: async () => undefined,
    };
  }
  const { fault, variations } = embeddedOptions;
  // The embedded server answers in milliseconds: it declares a shorter notification budget (docs/decisions.md).
  // With the inbound-delay variation the server itself declares twice its budgets: it delays every
  // routing-dependent offer on purpose, and a busy machine must not turn that into a late verdict.
  const delaying = variations === "all" || (variations ?? []).includes("inbound-delay");
  const notifyBudgetMs = settings.notifyBudgetMs ?? (delaying ? 2 : 1) * REFERENCE_NOTIFY_BUDGET_MS;
  const server = await startReferenceServer({ notifyBudgetMs, ...embeddedOptions });
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
      maxOpenPerAgent: settings.maxOpenPerAgent ?? referenceOpenPerAgent(server.capacity),
      // The server's own figure (the capacity variation): T7 is then also judged at full capacity.
      ...(server.capacity !== undefined ? { agentCapacity: settings.agentCapacity ?? server.capacity } : {}),
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
    openInteractions: () => server.openInteractions(),
  };
}

/**
 * Development only (`npx vitest --project conformance`, vitest.config.ts): resolves the target
 * from GWS_* settings, starting the embedded reference server when none is set, starts the run's
 * coordination service and provides the run context the command's runner would.
 * `gws-conformance run` does not use this file (src/runner/conformance-runner.ts does the same).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A development entry point, like the command: the settings and the reference server's switches
  // come from this process's environment (GWS_*, GWS_REFERENCE_FAULT, GWS_REFERENCE_VARIATIONS).
  const env = process.env;
  const { target, close } = await resolveTarget(resolveSettings({ env }), {
    ...(env[FAULT_ENV] ? { fault: env[FAULT_ENV] } : {}),
    ...(env[VARIATIONS_ENV] ? { variations: parseVariations(env[VARIATIONS_ENV]) } : {}),
  });
  const service = await startCoordinationService();
  project.provide("gwsRun", { runId: "development", target, allure: false, coordinationUrl: service.url });
  return async () => {
    await service.close(declaredBudgets(target).workerTeardownMs);
    await close();
  };
}
