/**
 * Resolving the target of a run: the GWS_* settings, or, when no GWS_BASE_URL is set, the
 * embedded reference server started for the run (stopped after). Also vitest's globalSetup for
 * running the conformance projects directly during development.
 */
import type { TestProject } from "vitest/node";
import { startReferenceServer } from "../reference/server.js";
import { resolveSettings, type TargetSettings } from "./settings.js";
import type { ResolvedTarget } from "./target.js";
import "./run-context.js";

/** Invitation timeout the run declares for the embedded server: it honours the per-e-mail revokeAfterMs hint. */
export const EMBEDDED_INVITE_TIMEOUT_MS = 600;

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
 * Development only (`npx vitest --project conformance`, vitest.config.ts): resolves the target
 * from GWS_* settings, starting the embedded reference server when none is set, and provides the
 * run context the command's runner would. `gws-conformance run` does not use this file.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { target, close } = await resolveTarget();
  project.provide("gwsRun", { runId: "development", target, allure: false });
  return close;
}
