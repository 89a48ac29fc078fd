/**
 * load.json (schemas/reports/load.schema.json): what a load run measured and judged, with its
 * histograms stored so that shard outputs merge exactly, and the objectives judged on it.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { contractValidator, formatViolations } from "../contract/validators.js";
import { redactValue } from "../harness/transcript.js";
import { suiteVersion } from "../report/summary.js";
import type { LoadObjective, LoadReport, LoadTimelineEntry } from "../generated/contract-types.js";
import { LatencyHistogram, type LatencySummary } from "./histogram.js";
import { renderLoadHtml } from "./html.js";
import { coveredMs } from "./timeline.js";
import { MAX_LISTED_VIOLATIONS, NOTIFYING_OPERATIONS, type LoadOutcome } from "./runner.js";

export interface Objectives {
  /** p99 of the notification latency, all operations together (ms). */
  maxP99Ms?: number;
  /** Violations of the contract (MUST and SHOULD checks that failed); default 0. */
  maxViolations: number;
  /** Errors (no answer, refusals, injection failures); default 0. */
  maxErrors: number;
}

/** The shapes of load.json come from its schema (npm run gen). */
export type { LoadReport };
export type ObjectiveResult = LoadObjective;
export type TimelineEntry = LoadTimelineEntry;

const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);

export function judgeObjectives(r: Pick<LoadReport, "latency" | "counts">, o: Objectives): ObjectiveResult[] {
  const out: ObjectiveResult[] = [];
  if (o.maxP99Ms !== undefined)
    out.push({
      name: "notification latency p99 (ms)",
      comparison: "<=",
      limit: o.maxP99Ms,
      observed: r.latency.notification.all.p99Ms,
      met: r.latency.notification.all.count > 0 && r.latency.notification.all.p99Ms <= o.maxP99Ms,
    });
  out.push({
    name: "violations",
    comparison: "<=",
    limit: o.maxViolations,
    observed: r.counts.violations,
    met: r.counts.violations <= o.maxViolations,
  });
  out.push({
    name: "errors",
    comparison: "<=",
    limit: o.maxErrors,
    observed: r.counts.errors,
    met: r.counts.errors <= o.maxErrors,
  });
  // A run that completed no e-mail measured nothing: it cannot meet any objective.
  out.push({
    name: "e-mails completed",
    comparison: ">=",
    limit: 1,
    observed: r.counts.completed,
    met: r.counts.completed >= 1,
  });
  return out;
}

export function buildLoadReport(
  outcome: LoadOutcome,
  meta: {
    target: string;
    settings: Record<string, unknown>;
    shard?: string;
    rate: number;
    agentsConfigured: number;
    objectives: Objectives;
  },
): LoadReport {
  const notification: Record<string, LatencySummary> = {};
  for (const [op, h] of outcome.notify) notification[op] = h.summary();
  const all = new LatencyHistogram();
  for (const h of outcome.notify.values()) all.add(h);
  const answer: Record<string, LatencySummary> = {};
  for (const [op, h] of outcome.answer) answer[op] = h.summary();
  const errorsByKind = Object.fromEntries([...outcome.errors].sort());
  const violationsByRequirement = Object.fromEntries([...outcome.violationCounts].sort());
  const partial: Pick<LoadReport, "latency" | "counts"> = {
    latency: { offer: outcome.offer.summary(), notification: { all: all.summary(), ...notification }, answer },
    counts: {
      injected: outcome.injected,
      completed: outcome.completed,
      checks: outcome.checks,
      violations: sum(violationsByRequirement),
      errors: sum(errorsByKind),
    },
  };
  const objectives = judgeObjectives(partial, meta.objectives);
  return {
    kind: "gws-conformance load",
    suiteVersion: suiteVersion(),
    target: meta.target,
    settings: { ...meta.settings, objectives: meta.objectives },
    ...(meta.shard ? { shard: meta.shard } : {}),
    startedAt: new Date(outcome.startedAt).toISOString(),
    endedAt: new Date(outcome.endedAt).toISOString(),
    durationMs: outcome.endedAt - outcome.startedAt,
    rate: meta.rate,
    agents: { configured: meta.agentsConfigured, connected: outcome.agentsConnected },
    ...partial,
    generatorLoopLag: outcome.loopLag.summary(),
    errorsByKind,
    violationsByRequirement,
    violations: outcome.violations,
    timeline: outcome.timeline.map((s) => ({
      second: s.second,
      coveredMs: coveredMs(s.second, outcome.startedAt, outcome.endedAt),
      injected: s.injected,
      completed: s.completed,
      notifications: s.notifications,
      errors: s.errors,
      violations: s.violations,
      loopLagMaxMs: Math.round(s.loopLagMaxMs * 100) / 100,
      offer: s.offer.summary(),
      notify: s.notify.summary(),
    })),
    objectives,
    verdict: objectives.every((o) => o.met) ? "MET" : "MISSED",
  };
}

/**
 * Several runners' load.json as one: histograms added, counts summed, timelines aligned by
 * second, objectives judged again.
 */
export function mergeLoadReports(reports: LoadReport[], mergedFrom: string[]): LoadReport {
  if (reports.length === 0) throw new Error("merge: no load run to merge");
  const targets = [...new Set(reports.map((r) => r.target))];
  if (targets.length > 1) throw new Error(`merge: the load runs are of different targets (${targets.join(", ")})`);
  const addCounts = <K extends string>(pick: (r: LoadReport) => Record<K, number>): Record<K, number> => {
    const out = {} as Record<K, number>;
    for (const r of reports)
      for (const [k, v] of Object.entries(pick(r)) as Array<[K, number]>) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const mergeSummaries = (pick: (r: LoadReport) => Record<string, LatencySummary>): Record<string, LatencySummary> => {
    const keys = new Set(reports.flatMap((r) => Object.keys(pick(r))));
    return Object.fromEntries(
      [...keys].map((k) => [k, LatencyHistogram.merge(reports.map((r) => pick(r)[k])).summary()]),
    );
  };
  const seconds = new Map<number, TimelineEntry[]>();
  for (const r of reports) for (const t of r.timeline) seconds.set(t.second, [...(seconds.get(t.second) ?? []), t]);
  const timeline = [...seconds.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, ts]) => ({
      second,
      // The shards' runs overlap in time: the merged second is covered as far as the widest shard covered it.
      coveredMs: Math.max(...ts.map((t) => t.coveredMs ?? 1000)),
      injected: ts.reduce((a, t) => a + t.injected, 0),
      completed: ts.reduce((a, t) => a + t.completed, 0),
      notifications: ts.reduce((a, t) => a + t.notifications, 0),
      errors: ts.reduce((a, t) => a + t.errors, 0),
      violations: ts.reduce((a, t) => a + t.violations, 0),
      loopLagMaxMs: Math.max(...ts.map((t) => t.loopLagMaxMs)),
      offer: LatencyHistogram.merge(ts.map((t) => t.offer)).summary(),
      notify: LatencyHistogram.merge(ts.map((t) => t.notify)).summary(),
    }));
  const notification = mergeSummaries((r) => r.latency.notification) as LoadReport["latency"]["notification"];
  const partial: Pick<LoadReport, "latency" | "counts"> = {
    latency: {
      offer: LatencyHistogram.merge(reports.map((r) => r.latency.offer)).summary(),
      notification,
      answer: mergeSummaries((r) => r.latency.answer),
    },
    counts: addCounts((r) => r.counts),
  };
  const objectives = (reports[0].settings.objectives ?? { maxViolations: 0, maxErrors: 0 }) as Objectives;
  const judged = judgeObjectives(partial, objectives);
  const started = reports.map((r) => r.startedAt).sort()[0];
  const ended = reports
    .map((r) => r.endedAt)
    .sort()
    .reverse()[0];
  return {
    kind: "gws-conformance load",
    suiteVersion: suiteVersion(),
    target: targets[0],
    settings: reports[0].settings,
    mergedFrom,
    startedAt: started,
    endedAt: ended,
    durationMs: Date.parse(ended) - Date.parse(started),
    rate: reports.reduce((a, r) => a + r.rate, 0),
    agents: {
      configured: reports.reduce((a, r) => a + r.agents.configured, 0),
      connected: reports.reduce((a, r) => a + r.agents.connected, 0),
    },
    ...partial,
    generatorLoopLag: LatencyHistogram.merge(reports.map((r) => r.generatorLoopLag)).summary(),
    errorsByKind: addCounts((r) => r.errorsByKind),
    violationsByRequirement: addCounts((r) => r.violationsByRequirement),
    violations: reports.flatMap((r) => r.violations).slice(0, MAX_LISTED_VIOLATIONS),
    timeline,
    objectives: judged,
    verdict: judged.every((o) => o.met) ? "MET" : "MISSED",
  };
}

/** Writes load.json (checked against its schema) and load.html under `out`. */
export function writeLoadReports(out: string, raw: LoadReport): { json: string; html: string } {
  const report = redactValue(raw);
  const check = contractValidator().validate("reports/load.schema.json", report);
  if (!check.ok)
    throw new Error(`load.json does not match its schema (a bug of the suite):\n${formatViolations(check.violations)}`);
  mkdirSync(out, { recursive: true });
  const json = join(out, "load.json");
  const html = join(out, "load.html");
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(html, renderLoadHtml(report));
  return { json, html };
}

export function readLoadReport(dir: string): LoadReport {
  return JSON.parse(readFileSync(join(dir, "load.json"), "utf8")) as LoadReport;
}

/** The lines the command prints at the end of a load run or merge. */
export function loadSummaryLines(r: LoadReport): string[] {
  const l = r.latency;
  const fmt = (s: LatencySummary): string =>
    `p50 ${s.p50Ms} ms, p95 ${s.p95Ms} ms, p99 ${s.p99Ms} ms, max ${s.maxMs} ms (${s.count})`;
  const lag = r.generatorLoopLag;
  const lines = [
    `e-mails: ${r.counts.injected} injected, ${r.counts.completed} completed`,
    `agents: ${r.agents.connected} connected of ${r.agents.configured}`,
    `offer latency (inject → Invited): ${fmt(l.offer)}`,
    ...Object.entries(NOTIFYING_OPERATIONS).map(
      ([op, n]) => `notification latency ${op} → ${n.state}: ${fmt(l.notification[op] ?? l.notification.all)}`,
    ),
    `load generator event-loop lag (p99 per 250 ms): p99 ${lag.p99Ms} ms, max ${lag.maxMs} ms`,
  ];
  for (const [kind, n] of Object.entries(r.errorsByKind)) lines.push(`ERROR ${n}× ${kind}`);
  for (const [id, n] of Object.entries(r.violationsByRequirement)) {
    const first =
      r.violations
        .find((v) => v.requirement === id)
        ?.message.split("\n")[0]
        .slice(0, 160) ?? "";
    lines.push(`VIOLATION ${id}: ${n}× (${first})`);
  }
  for (const o of r.objectives) {
    const rule = `${o.name} ${o.comparison === "<=" ? "≤" : "≥"} ${o.limit}`;
    lines.push(`objective ${rule}: ${o.observed} ${o.met ? "met" : "MISSED"}`);
  }
  lines.push(`load verdict: ${r.verdict}`);
  return lines;
}
