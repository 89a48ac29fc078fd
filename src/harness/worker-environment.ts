/**
 * The vitest environment of the conformance projects (vitest.config.ts): Node's, plus one hook at
 * the very end of each worker. A worker keeps its target (sessions, stream monitor) for all the
 * test files it runs; its watches that refused requests changed nothing must stay open at least
 * the notification budget (interpretation.md, "Deployment data and routing") — the environment's
 * teardown, once per worker after its last file, is where they are drained and the sessions close.
 *
 * vitest loads environments apart from the test modules, so the scenario layer (scenario.ts)
 * hands its closing function over through globalThis.
 */
import { builtinEnvironments, type Environment } from "vitest/runtime";

/** Set while the environment is active: the scenario layer then leaves closing the target to it. */
export const WORKER_ENVIRONMENT = Symbol.for("gws.workerEnvironment");
/** The scenario layer's function that finishes every target of this worker. */
export const FINISH_WORKER = Symbol.for("gws.finishWorker");

type Hooks = { [WORKER_ENVIRONMENT]?: boolean; [FINISH_WORKER]?: () => Promise<void> };

export default (<Environment>{
  name: "gws-worker",
  viteEnvironment: "ssr",
  async setup(global, options) {
    const node = await builtinEnvironments.node.setup(global, options);
    (globalThis as Hooks)[WORKER_ENVIRONMENT] = true;
    return {
      async teardown(g) {
        try {
          await (globalThis as Hooks)[FINISH_WORKER]?.();
        } finally {
          await node.teardown(g);
        }
      },
    };
  },
});
