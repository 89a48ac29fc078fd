/**
 * One lane of the mutation run: a long-lived process with ONE ConformanceRunner (one vitest
 * instance, the compiled suites in dist/) that judges job after job. Per job it starts a fresh
 * embedded reference server with the job's fault — or the clean server behind a mutating proxy
 * for a derived mutant — runs the job's scope of the suite against it, and answers with the
 * requirement verdicts. The parent (scripts/mutation.ts) sends jobs and scores them.
 *
 * Protocol (process.send): parent → lane {job}; lane → parent {ready} once, then {result} per job.
 */
import { join } from "node:path";
import { REPO_ROOT } from "../../src/contract/schemas.js";
import { resolveTarget } from "../../src/harness/global-setup.js";
import { resolveSettings } from "../../src/harness/settings.js";
import type { ResolvedTarget } from "../../src/harness/target.js";
import { startMutatingProxy } from "../../src/peers/mutating-proxy.js";
import type { Mutation } from "../../src/peers/mutants.js";
import { computeVerdicts } from "../../src/report/verdicts.js";
import { ConformanceRunner } from "../../src/runner/conformance-runner.js";

export interface LaneJob {
  id: number;
  /** The reference fault to switch on (none: the clean server). */
  fault?: string;
  /** A derived mutant's mutation, applied by a proxy in front of the clean server. */
  mutation?: Mutation;
  /** Suite paths (relative to suites/) the run is limited to; none: the full suite. */
  scope?: string[];
  /** Allowed variations of the reference server to switch on (the clean run with every one on). */
  variations?: "all";
  /** Settings of the embedded target (GWS_* names), e.g. the notification budget. */
  env: Record<string, string>;
}

export interface LaneResult {
  id: number;
  requirements: Array<{ id: string; level: string; status: string; message: string; tests: string[] }>;
  runErrors: string[];
  /** Per suite file (as the scenario names give it): the summed duration of its scenarios (ms). */
  fileDurationsMs: Record<string, number>;
  /** For a derived mutant: how often the proxy applied it (0: the suite never exercised it). */
  applied?: number;
  wallMs: number;
}

export const COMPILED_SUITES = join(REPO_ROOT, "dist", "suites");

/** Does a compiled suite file fall within a scope given as paths relative to suites/ (either build)? */
export function inScope(file: string, scope: string[] | undefined): boolean {
  if (!scope) return true;
  const rel = file
    .slice(file.lastIndexOf(`${join("dist", "suites")}/`) + join("dist", "suites").length + 1)
    .replace(/\.js$/, ".ts");
  return scope.some((s) => rel === s || rel.startsWith(`${s.replace(/\/$/, "")}/`));
}

async function judge(runner: ConformanceRunner, job: LaneJob): Promise<LaneResult> {
  const started = Date.now();
  const embedded = await resolveTarget(resolveSettings({ env: job.env }), {
    ...(job.fault ? { fault: job.fault } : {}),
    ...(job.variations ? { variations: job.variations } : {}),
  });
  let proxy: Awaited<ReturnType<typeof startMutatingProxy>> | undefined;
  try {
    let target: ResolvedTarget = embedded.target;
    if (job.mutation) {
      proxy = await startMutatingProxy(target.baseUrl.replace(/\/api\/v2$/, ""), job.mutation);
      target = {
        ...target,
        baseUrl: `${proxy.origin}/api/v2`,
        cometdUrl: `${proxy.origin}/api/v2/notifications`,
        controlUrl: `${proxy.origin}/control`,
        embedded: false,
        label: `reference server behind a mutating proxy`,
      };
    }
    const outcome = await runner.run({ context: { target, allure: false } }, (file) => inScope(file, job.scope));
    const verdicts = computeVerdicts({ scenarios: outcome.scenarios, runErrors: outcome.runErrors });
    const fileDurationsMs: Record<string, number> = {};
    for (const sc of outcome.scenarios) fileDurationsMs[sc.file] = (fileDurationsMs[sc.file] ?? 0) + sc.durationMs;
    return {
      id: job.id,
      requirements: verdicts.requirements.map((r) => ({
        id: r.id,
        level: r.level,
        status: r.status,
        message: r.message,
        tests: r.tests,
      })),
      runErrors: outcome.runErrors,
      fileDurationsMs,
      ...(proxy ? { applied: proxy.applied() } : {}),
      wallMs: Date.now() - started,
    };
  } finally {
    await proxy?.close();
    await embedded.close();
  }
}

async function main(): Promise<void> {
  const maxWorkers = Number(process.env.GWS_LANE_WORKERS ?? 2);
  const runner = await ConformanceRunner.create({ suites: COMPILED_SUITES, maxWorkers });
  process.on("message", (job: LaneJob) => {
    judge(runner, job).then(
      (result) => process.send!({ result }),
      (e: Error) =>
        process.send!({
          result: {
            id: job.id,
            requirements: [],
            runErrors: [`lane: ${e.stack ?? e.message}`],
            fileDurationsMs: {},
            wallMs: 0,
          },
        }),
    );
  });
  process.on("disconnect", () => {
    void runner.close().finally(() => process.exit(0));
  });
  process.send!({ ready: true });
}

if (process.send) await main();
