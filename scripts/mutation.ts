/**
 * npm run mutation — proves the suite bites. Runs the full conformance suite against the
 * embedded reference server once clean and once per fault (src/reference/faults/faults.json),
 * several runs at a time, and scores:
 *   clean           → every testable requirement PASS (nothing FAIL, WARN or ERROR);
 *   a MUST fault    → FAIL on a requirement the fault names (the rule it violates), not merely
 *                     some failure elsewhere;
 *   a SHOULD fault  → WARN (or FAIL) on a requirement it names.
 * Writes reports/mutation.json and reports/mutation.md; exits 1 below a 100% score.
 * On top of the hand-written faults, mutants derived from the schemas and the lifecycle
 * (src/peers/mutants.ts) are applied by a mutating proxy in front of the clean server; same scoring.
 * Options: --only name,name  --out DIR (default reports/)  --parallel N (default 4)  --workers N (default 3)
 *          --derived-only  --no-derived  --variations all|NAME,NAME (the clean run with allowed variations on)
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../src/contract/schemas.js";
import { inPool, runConformance, type RunOutcome } from "./lib/run-conformance.js";
import { deriveMutants, type Mutant } from "../src/peers/mutants.js";
import { startMutatingProxy } from "../src/peers/mutating-proxy.js";
import { REFERENCE_QUEUE_ENV } from "../src/reference/deployment.js";
import { startReferenceServer } from "../src/reference/server.js";

export interface Fault {
  name: string;
  rule: string;
  /** DRIFT faults are allowed variations (drift report only): not part of the mutation score. */
  level: "MUST" | "SHOULD" | "DRIFT";
  expect: string[];
  description: string;
}

export interface MutantResult {
  fault: string;
  rule: string;
  level: string;
  expected: string;
  observed: string;
  killed: boolean;
  wallMs: number;
}

/** The notification budget the mutation runs declare (ms). */
export const MUTATION_NOTIFY_BUDGET_MS = 1000;

export function loadFaults(): Fault[] {
  return JSON.parse(readFileSync(join(REPO_ROOT, "src", "reference", "faults", "faults.json"), "utf8")) as Fault[];
}

/** Judges one fault run against the fault's expectation. Pure, unit-tested. */
export function judgeFaultRun(fault: Fault, run: Pick<RunOutcome, "summary" | "exitCode">): Omit<MutantResult, "wallMs"> {
  const wanted = fault.level === "MUST" ? ["FAIL"] : ["WARN", "FAIL"];
  const expected = `${wanted.join(" or ")} on one of ${fault.expect.join(", ")}`;
  if (!run.summary) return { fault: fault.name, rule: fault.rule, level: fault.level, expected, observed: `no summary (exit ${run.exitCode})`, killed: false };
  const byId = new Map(run.summary.requirements.map((r) => [r.id, r]));
  const hits = fault.expect.filter((id) => wanted.includes(byId.get(id)?.status ?? ""));
  const observedExpected = fault.expect.map((id) => `${id}=${byId.get(id)?.status ?? "absent"}`).join(", ");
  // Other requirements that did not pass (a run limited to some suites leaves the rest "not covered": not listed).
  const others = run.summary.requirements
    .filter((r) => !fault.expect.includes(r.id) && ["FAIL", "WARN", "ERROR"].includes(r.status) && r.message !== "not covered by any scenario")
    .map((r) => `${r.id}=${r.status}`);
  return {
    fault: fault.name,
    rule: fault.rule,
    level: fault.level,
    expected,
    observed: observedExpected + (others.length ? `; also ${others.slice(0, 6).join(", ")}${others.length > 6 ? ` (+${others.length - 6})` : ""}` : ""),
    killed: hits.length > 0,
  };
}

/** The clean run must pass every testable requirement. */
export function judgeCleanRun(run: Pick<RunOutcome, "summary" | "exitCode">): Omit<MutantResult, "wallMs"> {
  const bad = (run.summary?.requirements ?? []).filter((r) => !["PASS", "NOT_TESTABLE", "NOT TESTABLE", "SKIP"].includes(r.status));
  return {
    fault: "(clean)",
    rule: "-",
    level: "-",
    expected: "every testable requirement PASS, exit 0",
    observed: run.summary ? (bad.length ? bad.map((r) => `${r.id}=${r.status}`).join(", ") : `all PASS, exit ${run.exitCode}`) : `no summary (exit ${run.exitCode})`,
    killed: !!run.summary && bad.length === 0 && run.exitCode === 0,
  };
}

/**
 * One derived mutant: the reference server behind the mutating proxy, the suite pointed at the
 * proxy as a foreign target (limited to the areas that exercise the mutant). A mutant the proxy
 * never got to apply is not killed: the suite did not exercise it.
 */
export async function runDerivedMutant(mutant: Mutant | undefined, outDir: string, workersPerRun: number): Promise<MutantResult> {
  const server = await startReferenceServer();
  const proxy = await startMutatingProxy(server.baseUrl.replace(/\/api\/v2$/, ""), mutant?.mutation ?? { kind: "none" });
  try {
    const run = await runConformance({
      outDir,
      env: {
        GWS_BASE_URL: `${proxy.origin}/api/v2`,
        GWS_COMETD_URL: `${proxy.origin}/api/v2/notifications`,
        GWS_CONTROL_URL: `${proxy.origin}/control`,
        ...REFERENCE_QUEUE_ENV,
        GWS_AGENTS: server.agents.map((a) => `${a.username}:${a.password}`).join(","),
        GWS_INVITE_TIMEOUT_MS: "600",
        GWS_NOTIFY_BUDGET_MS: String(MUTATION_NOTIFY_BUDGET_MS),
        GWS_MAX_WORKERS: String(workersPerRun),
      },
      args: ["--no-allure", ...(mutant ? ["--suites", mutant.suites] : [])],
    });
    if (!mutant) return { ...judgeCleanRun(run), fault: "(clean, through the proxy)", wallMs: run.wallMs };
    const judged = judgeFaultRun({ name: `derived: ${mutant.name}`, rule: mutant.expect[0].split(".")[0], level: mutant.level, expect: mutant.expect, description: mutant.why }, run);
    if (proxy.applied() === 0) return { ...judged, killed: false, observed: `never applied: the suite did not exercise it; ${judged.observed}`, wallMs: run.wallMs };
    return { ...judged, wallMs: run.wallMs };
  } finally {
    await proxy.close();
    await server.close();
  }
}

export function renderMarkdown(results: MutantResult[], score: number): string {
  const lines = [
    "# Mutation run",
    "",
    `Score: **${(score * 100).toFixed(1)}%** (${results.filter((r) => r.killed).length - 1}/${results.length - 1} faults caught; the clean run ${results[0]?.killed ? "passed" : "did NOT pass"}).`,
    "",
    "| fault | rule | level | expected | observed | killed |",
    "|---|---|---|---|---|---|",
    ...results.map((r) => `| ${r.fault} | ${r.rule} | ${r.level} | ${r.expected} | ${r.observed.replace(/\|/g, "\\|")} | ${r.killed ? "yes" : "**NO**"} |`),
    "",
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = flag("--out") ?? join(REPO_ROOT, "reports");
  // Four runs at a time on 2 cores (the runs mostly wait on the network: budgets, quiet windows),
  // each with fewer vitest workers than a lone run. Measured: 4 → 4m52s, 3 → 5m15s for 132 runs.
  const parallel = Number(flag("--parallel") ?? 4);
  const workersPerRun = Number(flag("--workers") ?? 3);
  const only = flag("--only")?.split(",");
  const variations = flag("--variations");
  const faults = args.includes("--derived-only") ? [] : loadFaults().filter((f) => f.level !== "DRIFT" && (!only || only.includes(f.name)));
  const work = join(out, "mutation-runs");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const started = Date.now();
  const runs = await inPool([undefined, ...faults], parallel, async (fault) => {
    const name = fault?.name ?? "clean";
    // A shorter declared notification budget (N8) keeps the late-notification fault's runs short;
    // the Allure HTML is not needed to score.
    const run = await runConformance({
      outDir: join(work, name),
      // --variations all: the clean run with every allowed variation on (src/reference/variations.ts).
      env: { GWS_NOTIFY_BUDGET_MS: String(MUTATION_NOTIFY_BUDGET_MS), GWS_MAX_WORKERS: String(workersPerRun), ...(fault ? { GWS_REFERENCE_FAULT: fault.name } : variations ? { GWS_REFERENCE_VARIATIONS: variations } : {}) },
      args: ["--no-allure"],
    });
    const judged = fault ? judgeFaultRun(fault, run) : judgeCleanRun(run);
    console.log(`${judged.killed ? "ok  " : "MISS"} ${name} (${run.wallMs} ms): ${judged.observed}`);
    return { ...judged, wallMs: run.wallMs };
  });
  const derived = args.includes("--no-derived") ? [] : deriveMutants(MUTATION_NOTIFY_BUDGET_MS).filter((m) => !only || only.includes(m.name));
  const derivedRuns = await inPool([undefined, ...derived], parallel, async (mutant, ) => {
    const dir = join(work, `derived-${(mutant?.name ?? "clean").replace(/[^a-z0-9]+/gi, "-")}`);
    const r = await runDerivedMutant(mutant, dir, workersPerRun);
    console.log(`${r.killed ? "ok  " : "MISS"} ${r.fault} (${r.wallMs} ms): ${r.observed}`);
    return r;
  });
  runs.push(...derivedRuns);
  const killed = runs.filter((r) => r.killed).length;
  const score = runs.length ? killed / runs.length : 0;
  writeFileSync(join(out, "mutation.json"), JSON.stringify({ score, wallMs: Date.now() - started, faults: faults.length, derived: derived.length, results: runs }, null, 2) + "\n");
  writeFileSync(join(out, "mutation.md"), renderMarkdown(runs, score));
  console.log(`mutation score ${(score * 100).toFixed(1)}% (${killed}/${runs.length}) in ${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(score === 1 ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
