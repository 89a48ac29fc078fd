import { defineConfig } from "vitest/config";

/**
 * Two kinds of tests, kept apart:
 *  - self: the project's own tests (beside the code in src/ and scripts/, plus test/).
 *  - conformance + conformance-exclusive: the scenario suites in suites/, judged against a
 *    target. Files run in parallel; `*.exclusive.test.ts` files change agent-wide state
 *    (channel NotReady, CreateEmail matched by "the next new interaction") and run one at a
 *    time after the parallel group (sequence.groupOrder).
 * `npm run conformance` runs the two conformance projects with the reporters.
 */
/** The scenarios' directory or file (the project's own tests point it at fixture suites). */
const SUITES = (process.env.GWS_SUITES_DIR ?? "suites").replace(/\/$/, "");
const ONE_FILE = SUITES.endsWith(".ts");
const SUITE_FILES = ONE_FILE ? SUITES : `${SUITES}/**/*.test.ts`;
const EXCLUSIVE_FILES = ONE_FILE ? SUITES.replace(/(\.exclusive)?\.test\.ts$/, ".exclusive.test.ts") : `${SUITES}/**/*.exclusive.test.ts`;

const conformanceCommon = {
  globalSetup: ["src/harness/global-setup.ts"],
  // Node's environment plus one hook at the end of each worker: its watches that refused requests
  // changed nothing stay open the notification budget, then its sessions close (worker-environment.ts).
  environment: "./src/harness/worker-environment.ts",
  // Allure steps and attachments (src/harness/allure-bridge.ts); inert without the Allure reporter.
  setupFiles: ["allure-vitest/setup"],
  testTimeout: 60_000,
  hookTimeout: 30_000,
};

export default defineConfig({
  test: {
    // A conformance worker ends by keeping its watches open the notification budget (N8) and closing
    // its sessions (src/harness/worker-environment.ts): allow that time before vitest complains.
    teardownTimeout: 60_000,
    projects: [
      {
        test: {
          name: "self",
          sequence: { groupOrder: 0 },
          include: ["src/**/*.test.ts", "scripts/**/*.test.ts", "test/**/*.test.ts"],
          // fixture suites are run by the CLI tests as conformance suites, not as tests of their own
          exclude: ["test/fixtures/**", "test/self-verification/**"],
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          // The suite judged as a whole: mutation score, independent Bayeux peers, stability.
          // Runs after "self" and one file at a time: each file drives full conformance runs.
          name: "self-verification",
          include: ["test/self-verification/**/*.test.ts"],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "conformance",
          include: [SUITE_FILES],
          exclude: [EXCLUSIVE_FILES],
          sequence: { groupOrder: 0 },
          // Scenarios mostly wait on the network: more workers than cores keeps the run short.
          maxWorkers: Number(process.env.GWS_MAX_WORKERS ?? 6),
          // Workers keep the harness (compiled validators) between files: imports dominate otherwise.
          isolate: false,
          ...conformanceCommon,
        },
      },
      {
        test: {
          name: "conformance-exclusive",
          include: [EXCLUSIVE_FILES],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          ...conformanceCommon,
        },
      },
    ],
  },
});
