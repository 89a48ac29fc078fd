/**
 * npm run mutation — proves the suite bites. Judges every fault of the reference server
 * (src/reference/faults/catalog.ts) and every mutant derived from the schemas and the lifecycle
 * (src/peers/mutants.ts, applied by a mutating proxy), after clean runs that must pass:
 *   clean           → every testable requirement PASS (nothing FAIL, WARN or ERROR), the full suite —
 *                     against the clean server, through the mutating proxy, and with every allowed
 *                     variation of the reference server switched on (src/reference/variations.ts);
 *   a MUST fault    → FAIL on a requirement the fault names (the rule it violates), not merely
 *                     some failure elsewhere;
 *   a SHOULD fault  → WARN (or FAIL) on a requirement it names.
 * Start-up is paid once per lane, not per run: a few lane processes (scripts/lib/mutation-lane.ts)
 * each keep one vitest runner and take job after job, each job against a fresh reference server.
 * Each fault is judged by the suite files its `scope` declares (the catalog), or — without one —
 * by every file that judges one of its expected requirements in the clean run (the same verdict
 * the full suite would give on those requirements); mutation.md says which, per fault.
 * The score counts faults and derived mutants only; the clean runs are counted apart (they must all pass).
 * Writes DIR/mutation.json and DIR/mutation.md; exits 1 unless every clean run passes and every
 * fault and mutant is caught; 2 for a bad flag (named).
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { commaList, parseFlags, UsageError, wholeNumber, runProgram, type CliIo } from "../src/cli/command-line.js";
import { isEntryModule } from "../src/cli/entry.js";
import type { Level } from "../src/contract/registry.js";
import { REPO_ROOT } from "../src/contract/schemas.js";
import { deriveMutants, type Mutation } from "../src/peers/mutants.js";
import { FAULTS } from "../src/reference/faults/index.js";
import type { LaneJob, LaneResult } from "./lib/mutation-lane.js";
import type { RunOutcome } from "./lib/run-conformance.js";

/**
 * What the mutation run judges: a fault of the catalog (src/reference/faults/catalog.ts,
 * FaultDefinition), or a derived mutant described in the same terms.
 */
export interface Fault {
  name: string;
  rule: string;
  /** DRIFT faults are allowed variations (drift report only): not part of the mutation score. */
  level: Exclude<Level, "MAY"> | "DRIFT";
  expect: readonly string[];
  description: string;
  /** Suite paths (relative to suites/) that judge it; none: the files that judge `expect` in the clean run. */
  scope?: readonly string[];
  /** "load": caught by `gws-conformance load`, not by a conformance run (src/load/). */
  mode?: "load";
  /**
   * The statuses that count as caught, when not the level's (MUST: FAIL; SHOULD: WARN or FAIL):
   * ["ERROR"] for a fault whose only black-box evidence is an absence the contract lets a conforming
   * server explain (an inbound e-mail never offered: capacity or routing, T7) — the run cannot judge
   * it and says so (INCOMPLETE, exit 3) instead of calling the target CONFORMANT.
   */
  caughtAs?: readonly string[];
}

export interface MutantResult {
  fault: string;
  rule: string;
  level: string;
  /** "full suite", or the suite files the run was limited to and why. */
  judgedBy: string;
  expected: string;
  observed: string;
  killed: boolean;
  wallMs: number;
}

/** The notification budget the mutation runs declare (ms). */
export const MUTATION_NOTIFY_BUDGET_MS = 1000;

/** The reference server's faults, from its catalog (the one declaration of each). */
export function loadFaults(): Fault[] {
  return [...FAULTS];
}

/** Judges one fault run against the fault's expectation. Pure, unit-tested. */
export function judgeFaultRun(
  fault: Fault,
  run: Pick<RunOutcome, "summary" | "exitCode">,
): Omit<MutantResult, "wallMs" | "judgedBy"> {
  const wanted = fault.caughtAs ? [...fault.caughtAs] : fault.level === "MUST" ? ["FAIL"] : ["WARN", "FAIL"];
  const expected = `${wanted.join(" or ")} on one of ${fault.expect.join(", ")}`;
  if (!run.summary)
    return {
      fault: fault.name,
      rule: fault.rule,
      level: fault.level,
      expected,
      observed: `no summary (exit ${run.exitCode})`,
      killed: false,
    };
  const byId = new Map(run.summary.requirements.map((r) => [r.id, r]));
  const hits = fault.expect.filter((id) => wanted.includes(byId.get(id)?.status ?? ""));
  const observedExpected = fault.expect.map((id) => `${id}=${byId.get(id)?.status ?? "absent"}`).join(", ");
  // Other requirements that did not pass (a run limited to some suites leaves the rest "not covered": not listed).
  const others = run.summary.requirements
    .filter(
      (r) =>
        !fault.expect.includes(r.id) &&
        ["FAIL", "WARN", "ERROR"].includes(r.status) &&
        r.message !== "not covered by any scenario",
    )
    .map((r) => `${r.id}=${r.status}`);
  return {
    fault: fault.name,
    rule: fault.rule,
    level: fault.level,
    expected,
    observed:
      observedExpected +
      (others.length
        ? `; also ${others.slice(0, 6).join(", ")}${others.length > 6 ? ` (+${others.length - 6})` : ""}`
        : ""),
    killed: hits.length > 0,
  };
}

/** The clean run must pass every testable requirement. */
export function judgeCleanRun(
  run: Pick<RunOutcome, "summary" | "exitCode">,
): Omit<MutantResult, "wallMs" | "judgedBy"> {
  const bad = (run.summary?.requirements ?? []).filter(
    (r) => !["PASS", "NOT_TESTABLE", "NOT TESTABLE", "SKIP"].includes(r.status),
  );
  return {
    fault: "(clean)",
    rule: "-",
    level: "-",
    expected: "every testable requirement PASS, exit 0",
    observed: run.summary
      ? bad.length
        ? bad.map((r) => `${r.id}=${r.status}`).join(", ")
        : `all PASS, exit ${run.exitCode}`
      : `no summary (exit ${run.exitCode})`,
    killed: !!run.summary && bad.length === 0 && run.exitCode === 0,
  };
}

/**
 * The score: faults and derived mutants caught out of those judged. The clean runs are not in it:
 * they are counted apart, and the run is ok only when all of them pass and the score is 100%.
 */
export function tally(clean: readonly MutantResult[], judged: readonly MutantResult[]) {
  const caught = judged.filter((r) => r.killed).length;
  const cleanPassed = clean.filter((r) => r.killed).length;
  const score = judged.length ? caught / judged.length : 0;
  const ok = judged.length > 0 && score === 1 && cleanPassed === clean.length;
  return { caught, judged: judged.length, score, cleanPassed, clean: clean.length, ok };
}

export function renderMarkdown(clean: MutantResult[], judged: MutantResult[], wallMs: number): string {
  const t = tally(clean, judged);
  const row = (r: MutantResult): string =>
    `| ${r.fault} | ${r.rule} | ${r.level} | ${r.judgedBy} | ${r.expected} | ${r.observed.replace(/\|/g, "\\|")} | ${r.killed ? "yes" : "**NO**"} |`;
  return [
    "# Mutation run",
    "",
    `Score: **${(t.score * 100).toFixed(1)}%** (${t.caught}/${t.judged} faults and derived mutants caught); ` +
      `clean runs: ${t.cleanPassed}/${t.clean} passed; ${Math.round(wallMs / 1000)} s.`,
    "",
    "## Clean runs",
    "",
    "| run | rule | level | judged by | expected | observed | passed |",
    "|---|---|---|---|---|---|---|",
    ...clean.map(row),
    "",
    "## Faults and derived mutants",
    "",
    "| fault | rule | level | judged by | expected | observed | killed |",
    "|---|---|---|---|---|---|---|",
    ...judged.map(row),
    "",
  ].join("\n");
}

/** A fault or mutant to judge, with what the run needs. */
interface Job {
  name: string;
  kind: "clean" | "fault" | "derived";
  fault?: Fault;
  mutation?: Mutation;
  scope?: readonly string[];
  judgedBy: string;
}

/** A suite file as a scope entry (relative to suites/, .ts) from a scenario's file in either build. */
function scopeEntry(file: string): string | undefined {
  const m = /(?:^|\/)suites\/(.+?\.test)\.[jt]s$/.exec(file);
  return m ? `${m[1]}.ts` : undefined;
}

/**
 * The scopes that judge `ids` in a (clean) run: `quick` holds, per requirement, the fastest file
 * that judged it; `all` every file that judged one of them (what the full suite would judge them by).
 */
export function scopesJudging(result: LaneResult, ids: readonly string[]): { quick: string[]; all: string[] } {
  const quick = new Set<string>();
  const all = new Set<string>();
  for (const r of result.requirements) {
    if (!ids.includes(r.id)) continue;
    const files = [...new Set(r.tests.map((t) => t.split(" > ")[0]))];
    for (const f of files) {
      const entry = scopeEntry(f);
      if (entry) all.add(entry);
    }
    const fastest = files.sort(
      (a, b) => (result.fileDurationsMs[a] ?? Infinity) - (result.fileDurationsMs[b] ?? Infinity),
    )[0];
    const entry = fastest && scopeEntry(fastest);
    if (entry) quick.add(entry);
  }
  return { quick: [...quick].sort(), all: [...all].sort() };
}

/** The lanes: forked processes, each with its own runner, taking jobs from one queue. */
class Lanes {
  private readonly lanes: ChildProcess[] = [];
  private readonly waiting = new Map<number, (r: LaneResult) => void>();
  private readonly idle: ChildProcess[] = [];
  private readonly queue: Array<{ job: LaneJob; done: (r: LaneResult) => void }> = [];
  private nextId = 1;

  static async start(count: number): Promise<Lanes> {
    const lanes = new Lanes();
    await Promise.all(Array.from({ length: count }, () => lanes.spawn()));
    return lanes;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = fork(join(REPO_ROOT, "scripts", "lib", "mutation-lane.ts"), [], {
        execArgv: ["--import", "tsx"],
        cwd: REPO_ROOT,
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      child.on("message", (m: { ready?: boolean; result?: LaneResult }) => {
        if (m.ready) {
          this.lanes.push(child);
          this.release(child);
          resolve();
        } else if (m.result) {
          this.waiting.get(m.result.id)?.(m.result);
          this.waiting.delete(m.result.id);
          this.release(child);
        }
      });
      child.on("exit", (code) => {
        if (!this.lanes.includes(child)) reject(new Error(`a mutation lane exited (${code}) before it was ready`));
      });
    });
  }

  private release(child: ChildProcess): void {
    const next = this.queue.shift();
    if (!next) {
      this.idle.push(child);
      return;
    }
    this.waiting.set(next.job.id, next.done);
    child.send(next.job);
  }

  run(job: Omit<LaneJob, "id">): Promise<LaneResult> {
    return new Promise((done) => {
      const full: LaneJob = { ...job, id: this.nextId++ };
      const child = this.idle.shift();
      if (child) {
        this.waiting.set(full.id, done);
        child.send(full);
      } else this.queue.push({ job: full, done });
    });
  }

  close(): void {
    for (const child of this.lanes) child.disconnect();
  }
}

function summaryOf(result: LaneResult): NonNullable<RunOutcome["summary"]> {
  return { requirements: result.requirements };
}

/** Exit code a run would have had: 0 when nothing failed, warned or errored among what it judged. */
function exitCodeOf(result: LaneResult): number {
  return result.runErrors.length || result.requirements.some((r) => ["FAIL", "WARN", "ERROR"].includes(r.status))
    ? 1
    : 0;
}

const MUTATION_FLAGS = {
  help: { type: "boolean", short: "h" },
  only: { type: "string" },
  out: { type: "string" },
  lanes: { type: "string" },
  "derived-only": { type: "boolean" },
  "no-derived": { type: "boolean" },
} as const;

export const MUTATION_USAGE = `usage: npm run mutation -- [--only NAME,NAME] [--out DIR] [--lanes N]
                            [--derived-only | --no-derived]
  --only NAME,NAME   judge only these faults (npm run reference -- --list-faults) or derived mutants
  --out DIR          where mutation.json and mutation.md go (default reports/)
  --lanes N          parallel lanes, each with its own runner (default 3)
  --derived-only     only the mutants derived from the schemas and the lifecycle
  --no-derived       only the reference server's faults
Exit codes: 0 every clean run passed and every fault and mutant was caught; 1 otherwise; 2 a bad flag.`;

export interface MutationArgs {
  help: boolean;
  out: string;
  lanes: number;
  faults: Fault[];
  derived: ReturnType<typeof deriveMutants>;
}

/** The command line: what to judge, where to write, how many lanes. A bad flag or an unknown name is named. */
export function parseMutationArgs(argv: readonly string[]): MutationArgs {
  const { flags } = parseFlags(argv, MUTATION_FLAGS);
  if (flags["derived-only"] && flags["no-derived"])
    throw new UsageError("--derived-only and --no-derived exclude each other");
  const only = flags.only === undefined ? undefined : commaList("--only", flags.only, "fault or mutant names");
  const allDerived = deriveMutants(MUTATION_NOTIFY_BUDGET_MS);
  const known = new Set([...FAULTS.map((f) => f.name), ...allDerived.map((m) => m.name)]);
  const unknown = (only ?? []).filter((n) => !known.has(n)).map((n) => `"${n}"`);
  if (unknown.length) throw new UsageError(`--only: no fault or derived mutant named ${unknown.join(", ")}`);
  // DRIFT faults are no violation; "load" faults only show under load (gws-conformance load catches them).
  const scored = (f: Fault): boolean => f.level !== "DRIFT" && f.mode !== "load" && (!only || only.includes(f.name));
  const faults = flags["derived-only"] ? [] : loadFaults().filter(scored);
  const derived = flags["no-derived"] ? [] : allDerived.filter((m) => !only || only.includes(m.name));
  if (!flags.help && faults.length + derived.length === 0)
    throw new UsageError(
      `--only: ${only?.join(", ")} selects nothing to judge ` +
        "(a DRIFT or load fault, or left out by --derived-only or --no-derived)",
    );
  return {
    help: flags.help === true,
    out: flags.out ?? join(REPO_ROOT, "reports"),
    // Three lanes on 2 cores: runs mostly wait on the network (budgets, quiet windows).
    lanes: flags.lanes === undefined ? 3 : wholeNumber("--lanes", flags.lanes, 1),
    faults,
    derived,
  };
}

async function main(argv: string[], io: CliIo): Promise<number> {
  const args = parseMutationArgs(argv);
  if (args.help) {
    io.out(MUTATION_USAGE);
    return 0;
  }
  const { out, faults, derived, lanes: laneCount } = args;
  mkdirSync(out, { recursive: true });
  const env = { GWS_NOTIFY_BUDGET_MS: String(MUTATION_NOTIFY_BUDGET_MS) };
  const started = Date.now();
  const lanes = await Lanes.start(laneCount);
  const log = (r: MutantResult): void =>
    io.out(`${r.killed ? "ok  " : "MISS"} ${r.fault} [${r.judgedBy}] (${r.wallMs} ms): ${r.observed}`);

  // The clean runs first: every scoped judgment below leans on the suite passing clean.
  const cleanDirect = lanes.run({ env }).then((result) => {
    const r: MutantResult = {
      ...judgeCleanRun({ summary: summaryOf(result), exitCode: exitCodeOf(result) }),
      judgedBy: "full suite",
      wallMs: result.wallMs,
    };
    log(r);
    return { r, result };
  });
  // The variations declare their own budgets (the server delays offers on purpose: resolveTarget).
  const cleanVariations = lanes.run({ env: {}, variations: "all" }).then((result) => {
    const r: MutantResult = {
      ...judgeCleanRun({ summary: summaryOf(result), exitCode: exitCodeOf(result) }),
      fault: "(clean, every allowed variation on)",
      judgedBy: "full suite",
      wallMs: result.wallMs,
    };
    log(r);
    return r;
  });
  const cleanProxy = lanes.run({ env, mutation: { kind: "none" } }).then((result) => {
    const r: MutantResult = {
      ...judgeCleanRun({ summary: summaryOf(result), exitCode: exitCodeOf(result) }),
      fault: "(clean, through the proxy)",
      judgedBy: "full suite",
      wallMs: result.wallMs,
    };
    log(r);
    return r;
  });

  const judgeJob = async (job: Job, final = true): Promise<MutantResult> => {
    const result = await lanes.run({
      env,
      ...(job.kind === "fault" ? { fault: job.fault!.name } : {}),
      ...(job.mutation ? { mutation: job.mutation } : {}),
      ...(job.scope ? { scope: [...job.scope] } : {}),
    });
    const fault = job.fault!;
    let judged = judgeFaultRun(fault, { summary: summaryOf(result), exitCode: exitCodeOf(result) });
    if (result.runErrors.length)
      judged = { ...judged, observed: `${judged.observed}; run errors: ${result.runErrors.join("; ").slice(0, 300)}` };
    if (job.kind === "derived" && result.applied === 0)
      judged = {
        ...judged,
        killed: false,
        observed: `never applied: the suite did not exercise it; ${judged.observed}`,
      };
    const r: MutantResult = { ...judged, judgedBy: job.judgedBy, wallMs: result.wallMs };
    if (final || r.killed) log(r);
    else {
      const expected = job.fault!.expect.join(", ");
      io.out(`.... ${r.fault}: not caught by ${r.judgedBy}; judging it again with every file that judges ${expected}`);
    }
    return r;
  };

  const derivedJobs: Array<Promise<MutantResult>> = derived.map((m) => {
    const scope = [m.suites.replace(/^suites\//, "")];
    const fault: Fault = {
      name: `derived: ${m.name}`,
      rule: m.expect[0].split(".")[0],
      level: m.level,
      expect: m.expect,
      description: m.why,
      ...(m.caughtAs ? { caughtAs: m.caughtAs } : {}),
    };
    return judgeJob({
      name: fault.name,
      kind: "derived",
      fault,
      mutation: m.mutation,
      scope,
      judgedBy: `scope ${scope.join(", ")} (declared)`,
    });
  });
  const { r: cleanResult, result: cleanRun } = await cleanDirect;
  const faultJobs = faults.map(async (f) => {
    if (f.scope)
      return judgeJob({
        name: f.name,
        kind: "fault",
        fault: f,
        scope: f.scope,
        judgedBy: `scope ${f.scope.join(", ")} (declared)`,
      });
    const { quick, all } = scopesJudging(cleanRun, f.expect);
    if (all.length === 0) return judgeJob({ name: f.name, kind: "fault", fault: f, judgedBy: "full suite" });
    // The fastest file judging each expected requirement first; a miss there is judged again by
    // every file that judges them, which is what the full suite would judge them by.
    const quickJob: Job = {
      name: f.name,
      kind: "fault",
      fault: f,
      scope: quick,
      judgedBy: `${quick.join(", ")} (fastest file judging ${f.expect.join(", ")})`,
    };
    const first = await judgeJob(quickJob, quick.length === all.length);
    if (first.killed || quick.length === all.length) return first;
    return judgeJob({
      name: f.name,
      kind: "fault",
      fault: f,
      scope: all,
      judgedBy: `the ${all.length} files judging ${f.expect.join(", ")} (after a miss in ${quick.join(", ")})`,
    });
  });
  const clean = [cleanResult, await cleanVariations, await cleanProxy];
  const judged = [...(await Promise.all(faultJobs)), ...(await Promise.all(derivedJobs))];
  lanes.close();

  const wallMs = Date.now() - started;
  const t = tally(clean, judged);
  const results = [...clean, ...judged];
  const counts = { faults: faults.length, derived: derived.length, clean: clean.length };
  const report = { score: t.score, ok: t.ok, wallMs, lanes: laneCount, ...counts, results };
  writeFileSync(join(out, "mutation.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, "mutation.md"), renderMarkdown(clean, judged, wallMs));
  const score = `${(t.score * 100).toFixed(1)}% (${t.caught}/${t.judged})`;
  io.out(`mutation score ${score}, clean runs ${t.cleanPassed}/${t.clean}, in ${Math.round(wallMs / 1000)} s`);
  return t.ok ? 0 : 1;
}

if (isEntryModule(import.meta.url)) await runProgram("mutation", main);
