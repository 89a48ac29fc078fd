/**
 * The one place the harness talks to Allure (allure-js-commons). When the run has no Allure
 * runtime (the project's own tests), every call is skipped rather than warned about.
 */
import * as allure from "allure-js-commons";
import type { TranscriptEntry } from "./transcript.js";

/** The label carrying a scenario's vitest test id in its raw Allure result. */
export const SCENARIO_LABEL = "gwsScenario";

/** The Allure calls a scenario makes; every one is a no-op when the run has Allure off (--no-allure). */
export interface AllureBridge {
  step<T>(name: string, body: () => Promise<T>): Promise<T>;
  /** Labels the scenario's Allure result: its requirements, its area, and its vitest id (`scenarioId`),
   * by which the command files the scenario's steps under each requirement (src/report/allure-requirements.ts). */
  requirements(ids: readonly string[], area: string, scenarioId: string): Promise<void>;
  attachEntry(entry: TranscriptEntry): Promise<void>;
  warning(message: string): Promise<void>;
}

/** The bridge for a run: `enabled` comes from the run context; without the Allure reporter it stays silent too. */
export function allureFor(enabled: boolean): AllureBridge {
  const active = (): boolean =>
    enabled && typeof (globalThis as Record<string, unknown>).allureTestRuntime === "function";
  return {
    step: async (name, body) => (active() ? allure.step(name, body) : body()),
    requirements: async (ids, area, scenarioId) => {
      if (!active()) return;
      await allure.label(SCENARIO_LABEL, scenarioId);
      await allure.epic("GWS Interactions On E-mail Channel");
      await allure.feature(area);
      for (const id of ids) {
        await allure.label("requirement", id);
        await allure.tag(id);
      }
    },
    attachEntry: async (entry) => {
      if (active()) await attachEntry(entry);
    },
    warning: async (message) => {
      if (active()) await allure.label("warning", message.slice(0, 200));
    },
  };
}

/** Attaches one HTTP exchange or notification (already redacted by the transcript). */
async function attachEntry(entry: TranscriptEntry): Promise<void> {
  if (entry.kind === "check") return;
  const name =
    entry.kind === "http"
      ? `HTTP ${entry.method} ${new URL(entry.url).pathname} → ${entry.status ?? entry.error ?? "?"}${entry.agent ? ` (${entry.agent})` : ""}`
      : entry.kind === "notification"
        ? `CometD ${entry.channel} → ${entry.agent}: ${String((entry.data as Record<string, unknown>)?.state)}`
        : entry.kind === "inject"
          ? `inject (${entry.adapter})${entry.ok ? "" : " FAILED"}`
          : entry.kind === "watch"
            ? `watch (${entry.requirement}): ${entry.what}`
            : `event: ${entry.message}`;
  await allure.attachment(name, JSON.stringify(entry, null, 2), "application/json");
}
