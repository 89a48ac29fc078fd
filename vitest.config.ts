import { defineConfig } from "vitest/config";

/**
 * Two kinds of tests, kept apart:
 *  - self:        the project's own tests (tests beside the code in src/, scripts/, plus test/).
 *  - conformance: the scenario suites in suites/, judged against a target server
 *                 (run through `npm run conformance`, which sets reporters and the target).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "self",
          include: ["src/**/*.test.ts", "scripts/**/*.test.ts", "test/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: "conformance",
          include: ["suites/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
