/**
 * vitest globalSetup of the conformance project: resolves the target settings and, when no
 * GWS_BASE_URL is set, starts the embedded reference server for the run (stopped after).
 * The resolved target reaches the scenarios through vitest's provide/inject.
 */
import type { TestProject } from "vitest/node";
import { startReferenceServer } from "../reference/server.js";
import { resolveSettings, type TargetSettings } from "./settings.js";
import type { ResolvedTarget } from "./target.js";

/** Invitation timeout the run declares for the embedded server: it honours the per-e-mail revokeAfterMs hint. */
export const EMBEDDED_INVITE_TIMEOUT_MS = 600;

/** Where the conformance command hands the resolved target to the vitest projects (same process and its workers). */
export const RESOLVED_TARGET_ENV = "GWS_RESOLVED_TARGET";

export async function resolveTarget(
  env: Record<string, string | undefined> = process.env,
  settings: TargetSettings = resolveSettings({ env }),
): Promise<{ target: ResolvedTarget; close: () => Promise<void> }> {
  if (settings.baseUrl) {
    return {
      target: { ...settings, baseUrl: settings.baseUrl, cometdUrl: settings.cometdUrl ?? `${settings.baseUrl}/notifications`, embedded: false, label: settings.baseUrl },
      close: async () => undefined,
    };
  }
  const fault = env.GWS_REFERENCE_FAULT || undefined;
  const server = await startReferenceServer({ fault, notifyBudgetMs: settings.notifyBudgetMs });
  return {
    target: {
      ...settings,
      baseUrl: server.baseUrl,
      cometdUrl: server.cometdUrl,
      controlUrl: server.controlUrl,
      agents: server.agents,
      inject: "http",
      inviteTimeoutMs: settings.inviteTimeoutMs ?? EMBEDDED_INVITE_TIMEOUT_MS,
      embedded: true,
      label: fault ? `embedded reference server (fault ${fault})` : "embedded reference server",
    },
    close: () => server.close(),
  };
}

/**
 * The conformance command resolves the target once (one embedded server for the whole run) and
 * hands it over in GWS_RESOLVED_TARGET; a plain `vitest --project conformance` run resolves it here.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env[RESOLVED_TARGET_ENV];
  if (given) {
    project.provide("gwsTarget", JSON.parse(given) as ResolvedTarget);
    return async () => undefined;
  }
  const { target, close } = await resolveTarget();
  project.provide("gwsTarget", target);
  return close;
}
