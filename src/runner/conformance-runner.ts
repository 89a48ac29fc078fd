/**
 * Runs the conformance scenarios with vitest and returns one ScenarioResult per scenario.
 *
 * One runner holds one vitest instance (its vite server, its worker pool) and can run the suites
 * several times in a row, each run against the target its RunContext names — the mutation and
 * stability scripts pay the start-up once instead of once per run. The context reaches the workers
 * through `vitest.provide("gwsRun", …)` (src/harness/run-context.ts): no environment variables.
 *
 * How results travel: each finished test's `task.meta.gws` (ScenarioMeta: checks per requirement)
 * reaches the ResultCollector reporter in this process; workers append transcript entries to the
 * context's transcriptDir (one file per worker), which the caller merges.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { Writable } from "node:stream";
import { createVitest, type Reporter, type TestSpecification, type Vitest } from "vitest/node";
import { REPO_ROOT } from "../contract/schemas.js";
import { declaredBudgets } from "../harness/budgets.js";
import { startCoordinationService } from "../harness/coordination.js";
import type { RunContext } from "../harness/run-context.js";
import { makeAgentsReady } from "../harness/target.js";
import { setTranscriptDir, type TranscriptEntry } from "../harness/transcript.js";
import { ResultCollector } from "../report/collector.js";
import { mergeLateChecks } from "../report/late-checks.js";
import { mergeTranscriptParts, readTranscriptParts } from "../report/transcript-io.js";
import type { ScenarioResult } from "../report/results.js";
import type { Status } from "../report/verdicts.js";
import { BUILT_IN_SUITES, CONFORMANCE_PROJECTS, conformanceProjects } from "./projects.js";

/**
 * Parallel workers of a lone run. Scenarios mostly wait on the network and run concurrently inside
 * a worker (describe.concurrent), so workers add little parallelism; each one costs about a CPU
 * second (its start-up, and its own session per agent: every notification is processed once per
 * worker). Measured on 2 cores: 2 workers as fast as 3 with a third less CPU (docs/decisions.md).
 */
export const DEFAULT_MAX_WORKERS = 2;

export interface RunnerOptions {
  /** A suites folder or file; default the suites shipped with this code. */
  suites?: string;
  maxWorkers?: number;
  /** allure-vitest writes its results here (no folder: no Allure reporter at all). */
  allureResultsDir?: string;
  /** Where vitest's own output goes (stack traces of broken suite files). */
  output?: { stdout: Writable; stderr: Writable };
}

export interface RunRequest {
  /** Everything but the run id, which the runner assigns. */
  context: Omit<RunContext, "runId">;
  shard?: string;
  /** Told when the run starts, when each file's scenarios are known, and when each scenario ends. */
  progress?: RunProgress;
}

/** What a run reports while it goes (the command prints it: src/cli/terminal.ts). */
export interface RunProgress {
  /** The run starts with this many suite files. */
  started?(files: number): void;
  /** A suite file was loaded: it holds this many scenarios. */
  collected?(scenarios: number): void;
  /** A scenario finished: a one-line description and its status. */
  scenario(line: string, status: Status): void;
}

export interface RunOutcome {
  /** One per scenario, with the late checks of the transcript merged in (src/report/late-checks.ts). */
  scenarios: ScenarioResult[];
  /** Errors outside any scenario: a file that did not load, an unhandled rejection, a runner failure. */
  runErrors: string[];
  /** How vitest ended the run; undefined when it broke before the end. */
  endReason: "passed" | "failed" | "interrupted" | undefined;
  /** The run's transcript, the workers' files merged (what transcript.jsonl holds). */
  transcript: TranscriptEntry[];
}

/** Forwards vitest's reporter calls to the collector of the run in progress. */
class CurrentRunReporter implements Reporter {
  current: ResultCollector | undefined;
  onTestRunStart: Reporter["onTestRunStart"] = (s) => this.current?.onTestRunStart(s);
  onTestModuleCollected: Reporter["onTestModuleCollected"] = (m) => this.current?.onTestModuleCollected(m);
  onTestCaseResult: Reporter["onTestCaseResult"] = (t) => this.current?.onTestCaseResult(t);
  onTestModuleEnd: Reporter["onTestModuleEnd"] = (m) => this.current?.onTestModuleEnd(m);
  onTestRunEnd: Reporter["onTestRunEnd"] = (m, e, r) => this.current?.onTestRunEnd(m, e, r);
}

export class ConformanceRunner {
  private constructor(
    private readonly vitest: Vitest,
    private readonly reporter: CurrentRunReporter,
    private readonly specifications: TestSpecification[],
  ) {}

  static async create(opts: RunnerOptions = {}): Promise<ConformanceRunner> {
    const suites = opts.suites ? (isAbsolute(opts.suites) ? opts.suites : resolve(opts.suites)) : BUILT_IN_SUITES;
    const reporter = new CurrentRunReporter();
    const reporters: Array<Reporter | [string, Record<string, unknown>]> = [reporter];
    if (opts.allureResultsDir) reporters.push(["allure-vitest/reporter", { resultsDir: opts.allureResultsDir }]);
    const vitest = await createVitest(
      "test",
      {
        root: REPO_ROOT,
        // Everything is here: no vitest.config.ts is read (an installed package has none to read).
        config: false,
        // A worker ends by keeping its watches open the notification budget (N8) and closing its
        // sessions (src/harness/worker-environment.ts): allow that time.
        teardownTimeout: 60_000,
        watch: false,
        passWithNoTests: true,
        reporters,
        projects: conformanceProjects({ suites, maxWorkers: opts.maxWorkers ?? DEFAULT_MAX_WORKERS }),
      },
      {},
      opts.output ? { stdout: opts.output.stdout, stderr: opts.output.stderr } : {},
    );
    try {
      await vitest.standalone();
      const specifications = (await vitest.globTestSpecifications()).filter((s) =>
        (CONFORMANCE_PROJECTS as readonly string[]).includes(s.project.name),
      );
      return new ConformanceRunner(vitest, reporter, specifications);
    } catch (e) {
      await vitest.close();
      throw e;
    }
  }

  /** The suite files this runner runs. */
  files(): string[] {
    return [...new Set(this.specifications.map((s) => s.moduleId))];
  }

  /**
   * Runs the suites (or the files among them that `only` keeps) against the context's target, with
   * a coordination service of its own (leases, claims, watch covers: src/harness/coordination.ts).
   * Returns once every worker has drained its watches (worker-environment.ts), so the transcript
   * holds the late checks too.
   */
  async run(request: RunRequest, only?: (file: string) => boolean): Promise<RunOutcome> {
    const collector = new ResultCollector(request.progress, request.context.selection);
    const service = await startCoordinationService();
    // Late checks (failures found after a scenario's test ended) exist only in the transcript: a run
    // always records one, in the caller's folder or in a temporary one.
    const transcriptDir = request.context.transcriptDir ?? mkdtempSync(join(tmpdir(), "gws-transcript-"));
    // Every agent Ready once, before the workers start: no worker can then undo a scenario's NotReady.
    setTranscriptDir(transcriptDir);
    const agentsReady = await makeAgentsReady(request.context.target);
    setTranscriptDir(undefined);
    const context: RunContext = {
      ...request.context,
      transcriptDir,
      runId: randomUUID(),
      coordinationUrl: service.url,
      agentsReady,
    };
    this.vitest.provide("gwsRun", context);
    this.vitest.config.shard = parseShard(request.shard);
    this.reporter.current = collector;
    try {
      const specs = only ? this.specifications.filter((s) => only(s.moduleId)) : this.specifications;
      await this.vitest.runTestSpecifications(specs, true);
    } catch (e) {
      collector.runErrors.push(`the test runner failed: ${(e as Error).message}`);
    } finally {
      // Workers end by draining their watches (at least the notification budget) and say so to the
      // service; wait for them (bounded) so that their late checks are in the transcript.
      await service.close(declaredBudgets(context.target).workerTeardownMs);
      this.reporter.current = undefined;
    }
    const transcript = mergeTranscriptParts(readTranscriptParts(transcriptDir));
    for (const e of mergeLateChecks(collector.scenarios, transcript)) {
      collector.runErrors.push(`late check of a scenario this run does not have (${e.scenario}): ${e.message}`);
    }
    if (!request.context.transcriptDir) rmSync(transcriptDir, { recursive: true, force: true });
    return {
      scenarios: collector.scenarios,
      runErrors: collector.runErrors,
      endReason: collector.endReason,
      transcript,
    };
  }

  async close(): Promise<void> {
    await this.vitest.close();
  }
}

function parseShard(shard: string | undefined): { index: number; count: number } | undefined {
  if (!shard) return undefined;
  const [index, count] = shard.split("/").map(Number);
  return { index, count };
}
