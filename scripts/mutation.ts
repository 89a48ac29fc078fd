/**
 * npm run mutation — proves the suite bites. Runs the full conformance suite against the
 * embedded reference server once clean and once per fault (src/reference/faults/faults.json),
 * two runs at a time (2 cores), and scores:
 *   clean           → every testable requirement PASS (nothing FAIL, WARN or ERROR);
 *   a MUST fault    → FAIL on a requirement the fault names (the rule it violates), not merely
 *                     some failure elsewhere;
 *   a SHOULD fault  → WARN (or FAIL) on a requirement it names.
 * Writes reports/mutation.json and reports/mutation.md; exits 1 below a 100% score.
 * Options: --only name,name  --out DIR (default reports/)  --parallel N (default 2)
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../src/contract/schemas.js";
import { inPool, runConformance, type RunOutcome } from "./lib/run-conformance.js";

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
  const others = run.summary.requirements.filter((r) => !fault.expect.includes(r.id) && ["FAIL", "WARN", "ERROR"].includes(r.status)).map((r) => `${r.id}=${r.status}`);
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
  const parallel = Number(flag("--parallel") ?? 2);
  // Two runs at a time on 2 cores; each with fewer vitest workers than a lone run.
  const workersPerRun = Number(flag("--workers") ?? 4);
  const only = flag("--only")?.split(",");
  const faults = loadFaults().filter((f) => f.level !== "DRIFT" && (!only || only.includes(f.name)));
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
      env: { GWS_NOTIFY_BUDGET_MS: String(MUTATION_NOTIFY_BUDGET_MS), GWS_MAX_WORKERS: String(workersPerRun), ...(fault ? { GWS_REFERENCE_FAULT: fault.name } : {}) },
      args: ["--no-allure"],
    });
    const judged = fault ? judgeFaultRun(fault, run) : judgeCleanRun(run);
    console.log(`${judged.killed ? "ok  " : "MISS"} ${name} (${run.wallMs} ms): ${judged.observed}`);
    return { ...judged, wallMs: run.wallMs };
  });
  const killed = runs.filter((r) => r.killed).length;
  const score = runs.length ? killed / runs.length : 0;
  writeFileSync(join(out, "mutation.json"), JSON.stringify({ score, wallMs: Date.now() - started, results: runs }, null, 2) + "\n");
  writeFileSync(join(out, "mutation.md"), renderMarkdown(runs, score));
  console.log(`mutation score ${(score * 100).toFixed(1)}% (${killed}/${runs.length}) in ${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(score === 1 ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
