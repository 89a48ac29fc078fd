/**
 * The run context: everything a conformance run tells its scenarios — the resolved target,
 * where the transcript goes, the requirement selection, whether Allure is on. The runner
 * (src/runner/conformance-runner.ts) hands it to the vitest workers with `vitest.provide`;
 * the scenario layer reads it with `inject` at the start of every scenario, so one worker can
 * serve several runs in a row (the mutation run switches targets between runs).
 */
import { inject } from "vitest";
import { PreconditionError } from "./checks.js";
import type { Selection } from "./selection.js";
import type { ResolvedTarget } from "./target.js";

export interface RunContext {
  /** Distinguishes consecutive runs served by the same workers: a new id means a new target connection. */
  runId: string;
  target: ResolvedTarget;
  /** Folder for the per-worker transcript files (merged by the command after the run); none: not recorded. */
  transcriptDir?: string;
  /** --only / --skip / --level; none: every requirement. */
  selection?: Selection;
  /** Allure steps and attachments (off with --no-allure). */
  allure: boolean;
  /** The run's coordination service (leases, claims, watch covers; coordination.ts); none: one worker, in-process. */
  coordinationUrl?: string;
  /** The runner made every agent Ready before the workers started: workers do not (target.ts). */
  agentsReady?: boolean;
}

declare module "vitest" {
  export interface ProvidedContext {
    gwsRun: RunContext;
  }
}

/** The context of the run this worker serves now; an ERROR (not a crash) when the suites run outside a runner. */
export function currentRunContext(): RunContext {
  const ctx = inject("gwsRun");
  if (!ctx) {
    throw new PreconditionError(
      "run context",
      "no target was provided to the suites: run them with `gws-conformance run` or `npm run conformance`",
    );
  }
  return ctx;
}
