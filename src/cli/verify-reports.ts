/**
 * `gws-conformance verify`: the report files beside the certificate (src/cli/verify.ts checks the
 * certificate, the transcript and the contract). What can be recomputed is recomputed:
 *   - results.json (the raw per-scenario results): its requirement statuses, recomputed, are the summary's;
 *   - junit.xml: exactly what results.json and summary.json render (byte for byte);
 *   - allure-results/: one result per requirement, each with the summary's status;
 *   - allure-report/: its title names the summary's verdict, its counts and each test's status are
 *     the summary's (summary.json and test-results.json of the report; index.html's title);
 *   - load.json (a load run's folder): valid against its schema, its verdict follows from its
 *     objectives, and load.html is exactly what load.json renders.
 * What it cannot recompute is named plainly (NOT_COVERED): the raw scenario results and attachments
 * under allure-results/, and the Allure report's pages beyond its title, counts and statuses.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { contractValidator, formatViolations } from "../contract/validators.js";
import type { LoadReport } from "../load/report.js";
import { renderLoadHtml } from "../load/html.js";
import { ALLURE_STATUS, allureReportName } from "../report/allure-requirements.js";
import { renderJunit } from "../report/junit.js";
import type { RunResults } from "../report/results.js";
import type { ConformanceSummary } from "../report/summary.js";
import { computeVerdicts, type Status } from "../report/verdicts.js";

export interface ReportCheck {
  name: string;
  ok: boolean;
  message: string;
}

/** What verify reads but cannot recompute from the run's data: said in its output, not silently passed. */
export const NOT_COVERED = [
  "allure-results/scenarios/ and the attachments (raw scenario results as the test runner wrote them: no copy to compare with)",
  "allure-report/index.html beyond its title (the pages Allure renders; its counts and statuses are checked through its summary.json and test-results.json)",
];

const VERDICTS = ["CONFORMANT", "NON_CONFORMANT", "PARTIAL", "INCOMPLETE"] as const;

function readJson<T>(path: string): T | string {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (e) {
    return `cannot be read: ${(e as Error).message}`;
  }
}

const listed = (xs: string[], max = 8): string =>
  xs.slice(0, max).join("; ") + (xs.length > max ? ` (+${xs.length - max} more)` : "");

/** results.json and junit.xml: the raw results give the summary's statuses, and render junit.xml exactly. */
export function verifyJunit(dir: string, summary: ConformanceSummary): ReportCheck[] {
  const checks: ReportCheck[] = [];
  const resultsPath = join(dir, "results.json");
  const junitPath = join(dir, "junit.xml");
  if (!existsSync(resultsPath)) {
    const also = existsSync(junitPath) ? ": junit.xml cannot be recomputed without it" : "";
    return [{ name: "results.json", ok: false, message: `missing${also}` }];
  }
  const run = readJson<RunResults>(resultsPath);
  if (typeof run === "string") return [{ name: "results.json", ok: false, message: run }];
  let statuses: Map<string, Status>;
  try {
    statuses = new Map(computeVerdicts(run).requirements.map((r) => [r.id, r.status]));
  } catch (e) {
    return [{ name: "results.json", ok: false, message: `not a run's results: ${(e as Error).message}` }];
  }
  const wrong = summary.requirements
    .filter((r) => statuses.get(r.id) !== r.status)
    .map((r) => `${r.id}: the summary says ${r.status}, results.json gives ${statuses.get(r.id) ?? "nothing"}`);
  checks.push({
    name: "results.json",
    ok: wrong.length === 0,
    message: wrong.length === 0 ? "its scenarios give every status the summary states" : listed(wrong),
  });
  if (!existsSync(junitPath)) {
    checks.push({ name: "junit.xml", ok: false, message: "missing (a run writes it beside summary.json)" });
    return checks;
  }
  const actual = readFileSync(junitPath, "utf8");
  // junit.xml reads of the verdicts what the summary records of them (the verdict, gate, unjudged,
  // each requirement's expected failure); the summary's requirement records lack only fields junit does not read.
  const expected = renderJunit(run, summary as unknown as Parameters<typeof renderJunit>[1]);
  const firstDiff = (): string => {
    const a = actual.split("\n");
    const e = expected.split("\n");
    for (let i = 0; i < Math.max(a.length, e.length); i++)
      if (a[i] !== e[i])
        return `line ${i + 1}: has ${JSON.stringify((a[i] ?? "(end of file)").trim().slice(0, 120))}, results.json and the summary give ${JSON.stringify((e[i] ?? "(end of file)").trim().slice(0, 120))}`;
    return "same lines, different bytes";
  };
  checks.push({
    name: "junit.xml",
    ok: actual === expected,
    message: actual === expected ? "exactly what results.json and summary.json render" : `differs: ${firstDiff()}`,
  });
  return checks;
}

interface AllureResultFile {
  fullName?: string;
  status?: string;
  labels?: Array<{ name: string; value: string }>;
}

/** allure-results/ (one result per requirement) and allure-report/ (title, counts, statuses), when present. */
export function verifyAllure(dir: string, summary: ConformanceSummary): ReportCheck[] {
  const checks: ReportCheck[] = [];
  const expectedStatus = new Map(summary.requirements.map((r) => [r.id, ALLURE_STATUS[r.status]]));
  const resultsDir = join(dir, "allure-results");
  if (existsSync(resultsDir)) {
    const seen = new Map<string, string>();
    const problems: string[] = [];
    for (const f of readdirSync(resultsDir).filter((n) => n.endsWith("-result.json"))) {
      const r = readJson<AllureResultFile>(join(resultsDir, f));
      if (typeof r === "string") {
        problems.push(`${f} ${r}`);
        continue;
      }
      const id = r.labels?.find((l) => l.name === "story")?.value;
      if (!id || !r.fullName?.endsWith(`/requirement/${id}`)) continue;
      if (seen.has(id)) problems.push(`${id}: two results (${seen.get(id)}, ${f})`);
      seen.set(id, f);
      if (r.status !== expectedStatus.get(id))
        problems.push(
          `${id}: ${r.status}, the summary's ${summary.requirements.find((x) => x.id === id)?.status ?? "nothing"} is ${expectedStatus.get(id) ?? "no result"}`,
        );
    }
    const missing = [...expectedStatus.keys()].filter((id) => !seen.has(id));
    if (missing.length)
      problems.push(
        `no result for ${missing.slice(0, 8).join(", ")}${missing.length > 8 ? ` (+${missing.length - 8} more)` : ""}`,
      );
    checks.push({
      name: "allure-results",
      ok: problems.length === 0,
      message:
        problems.length === 0
          ? `one result per requirement (${seen.size}), each with the summary's status`
          : listed(problems),
    });
  }
  const reportDir = join(dir, "allure-report");
  if (!existsSync(join(reportDir, "index.html"))) return checks;
  const problems: string[] = [];
  // The title: the verdict the summary states, and no other.
  const target = summary.mergedFrom ? `${summary.target} (merged)` : summary.target;
  const name = allureReportName(target, summary.verdict);
  const html = readFileSync(join(reportDir, "index.html"), "utf8");
  if (!html.includes(name)) problems.push(`index.html does not carry the title "${name}"`);
  for (const v of VERDICTS.filter((x) => x !== summary.verdict)) {
    const other = allureReportName(target, v);
    // "… — CONFORMANT" is a suffix of "… — NON_CONFORMANT": a title counts only where it ends.
    if (new RegExp(`${escapeRegExp(other)}(?![A-Z_])`).test(html) && !name.endsWith(other))
      problems.push(`index.html's title says ${v}, the summary ${summary.verdict}`);
  }
  const stats = readJson<{ stats?: Record<string, number> }>(join(reportDir, "summary.json"));
  if (typeof stats === "string") problems.push(`allure-report/summary.json ${stats}`);
  else {
    const c = summary.counts;
    const want: Record<string, number> = {
      passed: c.PASS + c.WARN,
      failed: c.FAIL,
      broken: c.ERROR,
      skipped: c.SKIP + c.NOT_TESTABLE,
    };
    for (const [k, n] of Object.entries(want))
      if ((stats.stats?.[k] ?? 0) !== n)
        problems.push(`its count of ${k} is ${stats.stats?.[k] ?? 0}, the summary's is ${n}`);
  }
  const tests = readJson<{ byId?: Record<string, { name?: string; status?: string }> }>(
    join(reportDir, "test-results.json"),
  );
  if (typeof tests === "string") problems.push(`allure-report/test-results.json ${tests}`);
  else
    for (const t of Object.values(tests.byId ?? {})) {
      const id = /^(\S+)/.exec(t.name ?? "")?.[1] ?? "";
      if (expectedStatus.has(id) && t.status !== expectedStatus.get(id))
        problems.push(`${id} is ${t.status} in the report, ${expectedStatus.get(id)} by the summary`);
    }
  checks.push({
    name: "allure-report",
    ok: problems.length === 0,
    message:
      problems.length === 0
        ? `titled "${name}"; its counts and each test's status are the summary's`
        : listed(problems),
  });
  return checks;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** load.json and load.html of a load run's folder (only when load.json is there). */
export function verifyLoad(dir: string): ReportCheck[] {
  const path = join(dir, "load.json");
  if (!existsSync(path)) return [];
  const report = readJson<LoadReport>(path);
  if (typeof report === "string") return [{ name: "load.json", ok: false, message: report }];
  const shape = contractValidator().validate("reports/load.schema.json", report);
  if (!shape.ok)
    return [{ name: "load.json", ok: false, message: `not a load report:\n${formatViolations(shape.violations)}` }];
  const checks: ReportCheck[] = [];
  const verdict = report.objectives.every((o) => o.met) ? "MET" : "MISSED";
  checks.push({
    name: "load.json",
    ok: verdict === report.verdict,
    message:
      verdict === report.verdict
        ? `verdict ${report.verdict} follows from its objectives`
        : `says ${report.verdict}, its objectives give ${verdict}`,
  });
  const htmlPath = join(dir, "load.html");
  if (existsSync(htmlPath)) {
    const same = readFileSync(htmlPath, "utf8") === renderLoadHtml(report);
    checks.push({
      name: "load.html",
      ok: same,
      message: same ? "exactly what load.json renders" : "differs from what load.json renders",
    });
  } else checks.push({ name: "load.html", ok: false, message: "missing (a load run writes it beside load.json)" });
  return checks;
}
