/**
 * The vitest project the conformance scenarios run in, defined once for the runner (the command)
 * and for vitest.config.ts (development). Files run in parallel over a few workers and the
 * scenarios of a file concurrently (describe.concurrent): they mostly wait on the network. Workers
 * keep the harness between files (isolate: false), since imports would otherwise dominate. A
 * scenario that changes what the others rely on (an agent set NotReady, CreateEmail) says so and
 * runs alone (ScenarioOptions.exclusive, through the run's coordination service).
 */
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync, statSync } from "node:fs";
import type { TestProjectInlineConfiguration } from "vitest/config";
import { REPO_ROOT } from "../contract/schemas.js";

export const CONFORMANCE_PROJECTS = ["conformance"] as const;

/**
 * The scenarios shipped with this code: suites/ beside src/ in the repository, dist/suites beside
 * dist/src in a build (the compiled command runs the compiled suites).
 */
export const BUILT_IN_SUITES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "suites");

/** The vitest environment of the scenarios, beside this module's harness (compiled or not). */
const WORKER_ENVIRONMENT_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "harness",
  `worker-environment${fileURLToPath(import.meta.url).endsWith(".ts") ? ".ts" : ".js"}`,
);

export interface ProjectOptions {
  /** A suites folder or one suite file (absolute, or relative to the package root). */
  suites: string;
  /** Parallel workers. */
  maxWorkers: number;
  /** Test timeout: a scenario derives its own from the declared budgets; this is the fallback. */
  testTimeoutMs?: number;
  /** Development only: a globalSetup that resolves the target itself (the runner provides it instead). */
  globalSetup?: string[];
}

/** Suite files are TypeScript in the repository and JavaScript in a build. */
const SUITE_FILE = /\.test\.[cm]?[jt]s$/;

export function conformanceProjects(opts: ProjectOptions): TestProjectInlineConfiguration[] {
  const absolute = resolve(REPO_ROOT, opts.suites);
  const path = relative(REPO_ROOT, absolute) || ".";
  const oneFile = existsSync(absolute) ? statSync(absolute).isFile() : SUITE_FILE.test(path);
  return [
    {
      test: {
        name: CONFORMANCE_PROJECTS[0],
        root: REPO_ROOT,
        include: oneFile ? [path] : [`${path}/**/*.test.{ts,js}`],
        exclude: ["**/node_modules/**"],
        ...(opts.globalSetup ? { globalSetup: opts.globalSetup } : {}),
        // Node's environment plus one hook at the end of each worker: its watches that refused requests
        // changed nothing stay open the notification budget, then its sessions close (worker-environment.ts).
        environment: WORKER_ENVIRONMENT_FILE,
        // Allure steps and attachments (src/harness/allure-bridge.ts); inert without the Allure reporter.
        setupFiles: ["allure-vitest/setup"],
        testTimeout: opts.testTimeoutMs ?? 60_000,
        hookTimeout: 30_000,
        // Compiled harness code (dist/src) is loaded by Node itself, not through vite's module runner:
        // the workers start faster, and no transform is needed for plain JavaScript.
        server: { deps: { external: [/[\\/]dist[\\/]src[\\/]/] } },
        maxWorkers: opts.maxWorkers,
        // Every scenario of a file at once (vitest's default is 5): a scenario judging a refused
        // request holds its interaction the notification budget (docs/decisions.md, held state), and
        // those holds must overlap, not queue in batches. What they hold is bounded by the slots.
        maxConcurrency: 16,
        isolate: false,
      },
    },
  ];
}
