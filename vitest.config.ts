import { defineConfig } from "vitest/config";
import { conformanceProjects } from "./src/runner/projects.js";

/**
 * The project's own tests, kept apart from the conformance scenarios:
 *  - self: unit and integration tests beside the code (src/, scripts/) and test/ — `npm test`;
 *  - peers: the independent Bayeux peer checks (faye) — `npm run test:peers`;
 *  - package: npm pack → install in an empty folder → run — `npm run test:package`;
 *  - spec-sync: the checks that compare the repository with ../shared/spec — `npm run spec-sync`;
 *  - conformance: the scenario suites (src/runner/projects.ts). The command
 *    (`gws-conformance run`, `npm run conformance`) runs them through its own runner; listing them
 *    here lets a developer run a suite file directly: `npx vitest run --project conformance suites/...`.
 */
export default defineConfig({
  test: {
    // A conformance worker ends by keeping its watches open the notification budget (N8) and closing
    // its sessions (src/harness/worker-environment.ts): allow that time before vitest complains.
    teardownTimeout: 60_000,
    projects: [
      {
        test: {
          name: "self",
          include: ["src/**/*.test.ts", "scripts/**/*.test.ts", "test/**/*.test.ts"],
          // fixture suites are run by the CLI tests as conformance suites, not as tests of their own
          exclude: ["test/fixtures/**", "test/peers/**", "test/package/**", "**/*.spec-sync.test.ts"],
          // Many of these wait on child processes and sockets, not the CPU: vitest's default on a
          // 2-core machine (cores - 1 = one file at a time) would leave the machine idle.
          maxWorkers: 3,
          // Above the command's own budget in test/cli/run-cli.ts (CLI_BUDGET_MS), which kills a hung run.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "peers",
          include: ["test/peers/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "package",
          include: ["test/package/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: "spec-sync",
          include: ["**/*.spec-sync.test.ts"],
          exclude: ["node_modules/**", "dist/**"],
        },
      },
      ...conformanceProjects({ suites: "suites", maxWorkers: 6, globalSetup: ["src/harness/global-setup.ts"] }),
    ],
  },
});
