/**
 * The two vitest projects the conformance scenarios run in, defined once for the runner (the
 * command) and for vitest.config.ts (development):
 *  - conformance: files in parallel; workers keep the harness between files (isolate: false),
 *    since imports would otherwise dominate;
 *  - conformance-exclusive: `*.exclusive.test.ts` files change agent-wide state (channel
 *    NotReady; CreateEmail found as "the next new interaction") and run one at a time after the
 *    parallel group (sequence.groupOrder).
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProjectInlineConfiguration } from "vitest/config";
import { REPO_ROOT } from "../contract/schemas.js";

export const CONFORMANCE_PROJECTS = ["conformance", "conformance-exclusive"] as const;

/**
 * The scenarios shipped with this code: suites/ beside src/ in the repository, dist/suites beside
 * dist/src in a build (the compiled command runs the compiled suites).
 */
export const BUILT_IN_SUITES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "suites");

/** The vitest environment of the scenarios, beside this module's harness (compiled or not). */
const WORKER_ENVIRONMENT_FILE = join(dirname(fileURLToPath(import.meta.url)), "..", "harness", `worker-environment${fileURLToPath(import.meta.url).endsWith(".ts") ? ".ts" : ".js"}`);

export interface ProjectOptions {
  /** A suites folder or one suite file (absolute, or relative to the package root). */
  suites: string;
  /** Parallel workers of the conformance project. */
  maxWorkers: number;
  /** Test timeout: a scenario derives its own from the declared budgets; this is the fallback. */
  testTimeoutMs?: number;
  /** Development only: a globalSetup that resolves the target itself (the runner provides it instead). */
  globalSetup?: string[];
}

/** Suite files are TypeScript in the repository and JavaScript in a build. */
const SUITE_FILE = /\.test\.[cm]?[jt]s$/;
const EXCLUSIVE_FILE = /\.exclusive\.test\.[cm]?[jt]s$/;

export function conformanceProjects(opts: ProjectOptions): TestProjectInlineConfiguration[] {
  const absolute = resolve(REPO_ROOT, opts.suites);
  const path = relative(REPO_ROOT, absolute) || ".";
  const oneFile = existsSync(absolute) ? statSync(absolute).isFile() : SUITE_FILE.test(path);
  const exclusive = oneFile ? EXCLUSIVE_FILE.test(path) : false;
  const parallelInclude = oneFile ? (exclusive ? [] : [path]) : [`${path}/**/*.test.{ts,js}`];
  const exclusiveInclude = oneFile ? (exclusive ? [path] : []) : [`${path}/**/*.exclusive.test.{ts,js}`];
  const common = {
    root: REPO_ROOT,
    ...(opts.globalSetup ? { globalSetup: opts.globalSetup } : {}),
    // Node's environment plus one hook at the end of each worker: its watches that refused requests
    // changed nothing stay open the notification budget, then its sessions close (worker-environment.ts).
    environment: WORKER_ENVIRONMENT_FILE,
    // Allure steps and attachments (src/harness/allure-bridge.ts); inert without the Allure reporter.
    setupFiles: ["allure-vitest/setup"],
    testTimeout: opts.testTimeoutMs ?? 60_000,
    // Compiled harness code (dist/src) is loaded by Node itself, not through vite's module runner:
    // the workers start faster, and no transform is needed for plain JavaScript.
    server: { deps: { external: [/[\\/]dist[\\/]src[\\/]/] } },
    hookTimeout: 30_000,
  };
  return [
    {
      test: {
        ...common,
        name: CONFORMANCE_PROJECTS[0],
        include: parallelInclude.length ? parallelInclude : ["(none)"],
        exclude: [`${path}/**/*.exclusive.test.{ts,js}`, "**/node_modules/**"],
        // Scenarios mostly wait on the network (budgets, quiet windows): they run concurrently within a
        // file (each finds its own notifications by its token and ids), over a few workers.
        sequence: { groupOrder: 0, concurrent: true },
        maxWorkers: opts.maxWorkers,
        isolate: false,
      },
    },
    {
      test: {
        ...common,
        name: CONFORMANCE_PROJECTS[1],
        include: exclusiveInclude.length ? exclusiveInclude : ["(none)"],
        fileParallelism: false,
        sequence: { groupOrder: 1 },
        isolate: false,
      },
    },
  ];
}
