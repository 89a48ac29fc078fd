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
  /** One line in the step tree, where it happened: an HTTP exchange, a notification, an injection… */
  logEntry(entry: TranscriptEntry): Promise<void>;
  /**
   * The scenario's entries in full, as one attachment at its end. One per scenario, not one per
   * entry: the HTML report's cost grows with the number of attachment files (about 0.5 ms each),
   * and a run has some 900 entries.
   */
  attachEntries(entries: readonly TranscriptEntry[]): Promise<void>;
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
    logEntry: async (entry) => {
      // "· seq N": the report's post-processing finds the entry by it (src/report/allure-evidence.ts).
      if (active() && entry.kind !== "check") await allure.logStep(`${entryTitle(entry)} · seq ${entry.seq}`);
    },
    attachEntries: async (entries) => {
      const shown = entries.filter((e) => e.kind !== "check");
      if (!active() || shown.length === 0) return;
      await allure.attachment(
        `exchanges and notifications (${shown.length}, in order)`,
        JSON.stringify(shown, null, 2),
        "application/json",
      );
    },
    warning: async (message) => {
      if (active()) await allure.label("warning", message.slice(0, 200));
    },
  };
}

/** The one-line title of an entry (already redacted by the transcript). */
function entryTitle(entry: Exclude<TranscriptEntry, { kind: "check" }>): string {
  return entry.kind === "http"
    ? `HTTP ${entry.method} ${new URL(entry.url).pathname} → ${entry.status ?? entry.error ?? "?"}${entry.agent ? ` (${entry.agent})` : ""}`
    : entry.kind === "notification"
      ? `CometD ${entry.channel} → ${entry.agent}: ${String((entry.data as Record<string, unknown>)?.state)}`
      : entry.kind === "inject"
        ? `inject (${entry.adapter})${entry.ok ? "" : " FAILED"}`
        : entry.kind === "watch"
          ? `watch (${entry.requirement}): ${entry.what}`
          : `event: ${entry.message}`;
}
