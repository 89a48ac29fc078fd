/**
 * The one place the harness talks to Allure (allure-js-commons). When the run has no Allure
 * runtime (the project's own tests), every call is skipped rather than warned about.
 */
import * as allure from "allure-js-commons";
import type { TranscriptEntry } from "./transcript.js";

/** Set by `gws-conformance run --no-allure`: no steps or attachments are produced at all. */
export const NO_ALLURE_ENV = "GWS_NO_ALLURE";

function active(): boolean {
  return !process.env[NO_ALLURE_ENV] && typeof (globalThis as Record<string, unknown>).allureTestRuntime === "function";
}

export async function allureStep<T>(name: string, body: () => Promise<T>): Promise<T> {
  if (!active()) return body();
  return allure.step(name, body);
}

export async function allureRequirements(ids: readonly string[], area: string): Promise<void> {
  if (!active()) return;
  await allure.epic("GWS Interactions On E-mail Channel");
  await allure.feature(area);
  for (const id of ids) {
    await allure.label("requirement", id);
    await allure.tag(id);
  }
}

/** Attaches one HTTP exchange or notification (already redacted by the transcript). */
export async function allureAttachEntry(entry: TranscriptEntry): Promise<void> {
  if (!active() || entry.kind === "check") return;
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

export async function allureWarning(message: string): Promise<void> {
  if (!active()) return;
  await allure.label("warning", message.slice(0, 200));
}
