/**
 * The drift report: what a server sends that the contract does not say (docs/drift.md).
 * buildDriftReport(entries) is a pure function of transcript entries and the schemas; the
 * writers validate drift.json against schemas/reports/drift.schema.json and render drift.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DriftEnvelopeUse, DriftFinding, DriftMessageType, DriftReport } from "../generated/contract-types.js";
import { notificationSchemaFor } from "../contract/lifecycle.js";
import { committedPageData, committedPageSamples } from "../contract/page-data.js";
import type { PageSample } from "../contract/page-samples.js";
import type { JsonSchema } from "../contract/schemas.js";
import { contractValidator, formatViolations } from "../contract/validators.js";
import { correlate } from "./correlate.js";
import { emptyFieldDrift, fieldDriftOf } from "./field-drift.js";
import {
  docDefectFindings,
  envelopeFindings,
  lifecycleFindings,
  messageTypeFindings,
  pageVsSchemaFindings,
} from "./findings.js";
import { groupBy } from "./json-shape.js";
import { baselineLines, legendTable, suiteRequestsLines } from "./report-sections.js";
import { lifecycleDriftOf } from "./lifecycle-drift.js";
import { messagesOf, operationCallOf, type ObservedMessage, type OperationCall } from "./messages.js";
import { modelsOf, type ModelOf } from "./schema-fields.js";
import { answerTimes, notificationLatencies } from "./timing.js";
import type { NotificationEntry, TranscriptEntry } from "../report/transcript-io.js";

export const DRIFT_REPORT_SCHEMA = "reports/drift.schema.json";

export interface DriftOptions {
  /** The schemas to compare with (default: the repository's schemas/, as the validators loaded them once). */
  files?: Map<string, JsonSchema>;
  /** The page's repaired samples (default: the committed page data, src/generated/page-samples.json). */
  pageSamples?: PageSample[];
  /** Which known contradictions the page shows, by related-facts number (default: the committed page data). */
  docDefectsOnPage?: Record<string, boolean>;
  /** Where the entries came from, for the report. */
  transcript?: string;
  now?: Date;
}

const DIRECTION_ORDER = { request: 0, answer: 1, notification: 2 } as const;
const SUBTYPE_PATH = "$.interactionSubType";

/** The schema most messages of a type were compared with (a type mixes schemas only when some answers are not R1-shaped). */
function dominantSchema(messages: readonly ObservedMessage[]): string | null {
  const counts = new Map<string, number>();
  for (const m of messages) if (m.schema) counts.set(m.schema, (counts.get(m.schema) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}

function messageTypeOf(key: string, messages: readonly ObservedMessage[], modelOf: ModelOf): DriftMessageType {
  const first = messages[0];
  const schema = dominantSchema(messages);
  const envelopes = new Map<string, number>();
  for (const m of messages) envelopes.set(m.envelope, (envelopes.get(m.envelope) ?? 0) + 1);
  const drift = schema
    ? fieldDriftOf(
        messages.filter((m) => m.schema === schema).map((m) => m.data),
        modelOf(schema),
      )
    : emptyFieldDrift();
  // interactionSubType is judged by the lifecycle instead, per state and causing operation (N2–N4, O3–O5, O8).
  drift.valueMismatches = drift.valueMismatches.filter((v) => v.path !== SUBTYPE_PATH);
  return {
    key,
    direction: first.direction,
    producer: first.producer,
    ...(first.operation !== undefined ? { operation: first.operation } : {}),
    ...(first.outcome !== undefined ? { outcome: first.outcome } : {}),
    ...(first.state !== undefined ? { state: first.state } : {}),
    schema,
    count: messages.length,
    envelopes: [...envelopes]
      .map(([kind, count]) => ({ kind: kind as DriftMessageType["envelopes"][number]["kind"], count }))
      .sort((a, b) => b.count - a.count),
    ...drift,
  };
}

/** Per message type: requests by operationName, answers by operation and outcome, notifications by state. */
export function messageTypesOf(messages: readonly ObservedMessage[], modelOf: ModelOf): DriftMessageType[] {
  return [...groupBy(messages, (m) => m.key)]
    .map(([key, list]) => messageTypeOf(key, list, modelOf))
    .sort((a, b) => DIRECTION_ORDER[a.direction] - DIRECTION_ORDER[b.direction] || a.key.localeCompare(b.key));
}

/**
 * Answers not in R1's envelope. Exempt answers (401/403/405/413, malformed JSON: any body is
 * allowed, T4/R2) count only when they use the later-edition statusCode envelope.
 */
export function envelopeUsesOf(calls: readonly OperationCall[]): DriftEnvelopeUse[] {
  const out = new Map<string, DriftEnvelopeUse>();
  for (const c of calls) {
    if (c.status === undefined || c.envelope === "status" || c.envelope === "none") continue;
    if (c.outcome === "exempt" && c.envelope !== "statusCode") continue;
    const key = `${c.operation}|${c.envelope}`;
    const hit = out.get(key);
    if (hit) {
      hit.count++;
      if (!hit.httpStatuses.includes(c.status))
        hit.httpStatuses = [...hit.httpStatuses, c.status].sort((a, b) => a - b);
    } else {
      out.set(key, {
        operation: c.operation,
        kind: c.envelope,
        count: 1,
        httpStatuses: [c.status],
        example: bodyText(c.entry.responseBody),
      });
    }
  }
  return [...out.values()].sort((a, b) => `${a.operation}|${a.kind}`.localeCompare(`${b.operation}|${b.kind}`));
}

/** An answer body as a short text: JSON as sent, cut at 120 characters. */
function bodyText(body: unknown): string {
  if (body === undefined || body === "") return "(empty body)";
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** interactionSubType values the transcript's CreateEmail requests asked for (O8). */
function requestedSubtypes(calls: readonly OperationCall[]): string[] {
  const out = new Set<string>();
  for (const c of calls) {
    const sub = (c.entry.requestBody as { interactionSubType?: unknown } | undefined)?.interactionSubType;
    if (c.operation === "CreateEmail" && typeof sub === "string") out.add(sub);
  }
  return [...out];
}

export function buildDriftReport(entries: readonly TranscriptEntry[], opts: DriftOptions = {}): DriftReport {
  const modelOf = modelsOf(opts.files ?? contractValidator().files);
  const samples = opts.pageSamples ?? committedPageSamples();
  const docDefectsOnPage = opts.docDefectsOnPage ?? committedPageData().docDefectsOnPage;

  // The suite's own negative requests (R2/R3) are not server traffic: folded into one line.
  const all = messagesOf(entries);
  const negatives = all.filter(isNegativeRequest);
  const messages = all.filter((m) => !isNegativeRequest(m));
  const calls = entries.map(operationCallOf).filter((c): c is OperationCall => c !== undefined);
  const notifications = messages.filter((m) => m.direction === "notification").map((m) => m.entry as NotificationEntry);
  const correlation = correlate(entries);

  const messageTypes = messageTypesOf(messages, modelOf);
  const lifecycle = lifecycleDriftOf(
    notifications,
    (state) => {
      const schema = notificationSchemaFor(state);
      return schema ? modelOf(schema) : undefined;
    },
    correlation.creatorOf,
    requestedSubtypes(calls),
  );
  const envelopes = envelopeUsesOf(calls);

  const findings: DriftFinding[] = mergeRepeatedFindings([
    ...messageTypeFindings(messageTypes, modelOf),
    ...lifecycleFindings(lifecycle),
    ...envelopeFindings(envelopes),
    ...pageVsSchemaFindings(samples, modelOf),
    ...docDefectFindings(docDefectsOnPage),
  ]);
  const count = (c: DriftFinding["class"]): number => findings.filter((f) => f.class === c).length;
  const scenarios = new Set(entries.map((e) => e.scenario).filter((s): s is string => typeof s === "string"));
  return {
    kind: "gws-drift-report",
    version: 1,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    source: {
      ...(opts.transcript ? { transcript: opts.transcript } : {}),
      entries: entries.length,
      scenarios: scenarios.size,
    },
    summary: {
      messages: messages.length,
      messageTypes: messageTypes.length,
      serverDrift: count("server-drift"),
      schemaDefects: count("schema-defect"),
      docDefects: count("doc-defect"),
    },
    messageTypes,
    lifecycle,
    envelopes,
    timing: { answerTime: answerTimes(calls), notificationLatency: notificationLatencies(correlation) },
    findings,
    suiteRequests: {
      negative: negatives.length,
      malformedJson: negatives.filter((m) => typeof m.data === "string").length,
      operations: [...new Set(negatives.map((m) => m.operation ?? "?"))].sort(),
    },
  };
}

/**
 * A request the suite sent off its own schema on purpose (R2 raw bodies, R3 wrong or missing
 * fields): the schema it names refuses it, or it names none. Never server drift, never a message type.
 */
export function isNegativeRequest(m: ObservedMessage): boolean {
  if (m.direction !== "request") return false;
  if (typeof m.data === "string" || m.schema === null) return true;
  return !contractValidator().validate(m.schema, m.data).ok;
}

/**
 * The same finding for several subjects (e.g. "never seen: $.replyInteractionId" for ten answer
 * types) as one, naming every subject (subjects) with the counts summed.
 */
export function mergeRepeatedFindings(findings: readonly DriftFinding[]): DriftFinding[] {
  const groups = groupBy(findings, (f) => [f.class, f.kind, f.path ?? "", f.summary].join("\u0000"));
  return [...groups.values()].map((g) => {
    if (g.length === 1) return g[0];
    const counts = g.map((f) => f.count).filter((c): c is number => c !== undefined);
    return {
      ...g[0],
      subjects: g.map((f) => f.subject),
      ...(counts.length ? { count: counts.reduce((a, b) => a + b, 0) } : {}),
    };
  });
}

/** Server-drift findings only: what a server does that the schemas do not describe (docs/drift.md). */
export function serverDrift(report: DriftReport): DriftFinding[] {
  return report.findings.filter((f) => f.class === "server-drift");
}

export function validateDriftReport(report: DriftReport): void {
  const r = contractValidator().validate(DRIFT_REPORT_SCHEMA, report);
  if (!r.ok)
    throw new Error(`drift report does not match schemas/${DRIFT_REPORT_SCHEMA}:\n${formatViolations(r.violations)}`);
}

/** Writes drift.json (validated) and drift.md into `outDir`; returns their paths. */
export function writeDriftOutputs(report: DriftReport, outDir: string): { json: string; markdown: string } {
  validateDriftReport(report);
  mkdirSync(outDir, { recursive: true });
  const json = join(outDir, "drift.json");
  const markdown = join(outDir, "drift.md");
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, renderDriftMarkdown(report));
  return { json, markdown };
}

// ----- drift.md ------------------------------------------------------------------------------

const code = (v: string): string => `\`${v.replace(/`/g, "'")}\``;

const table = legendTable;

/** A finding's subject: one, or (merged findings) the first and how many more, each named. */
function subjectCell(f: DriftFinding): string {
  return (f.subjects ?? [f.subject]).map(code).join(", ");
}

function findingRows(findings: readonly DriftFinding[]): unknown[][] {
  return findings.map((f) => [
    f.kind,
    subjectCell(f),
    f.path ? code(f.path) : "",
    f.summary,
    f.count ?? "",
    f.rule ?? "",
    f.relatedFacts ? `#${f.relatedFacts}` : "",
  ]);
}

export function renderDriftMarkdown(report: DriftReport): string {
  const s = report.summary;
  const byClass = (c: DriftFinding["class"]): DriftFinding[] => report.findings.filter((f) => f.class === c);
  const lines: string[] = [
    "# Drift report",
    "",
    `Generated ${report.generatedAt}${report.source.transcript ? ` from ${code(report.source.transcript)}` : ""}: ${report.source.entries} transcript entries, ${report.source.scenarios} scenario(s), ${s.messages} message(s) of ${s.messageTypes} type(s).`,
    "",
    `**Server drift: ${s.serverDrift}** · schema defects: ${s.schemaDefects} · doc defects: ${s.docDefects}. What each section means: docs/drift.md.`,
    "",
    ...suiteRequestsLines(report),
    ...baselineLines(report),
    "## Server drift (traffic differs from the schemas)",
    "",
    ...table(
      ["kind", "message type", "path", "what", "count", "rule", "page contradiction"],
      findingRows(byClass("server-drift")),
    ),
    "## Message types",
    "",
    ...table(
      [
        "message type",
        "by",
        "schema",
        "count",
        "envelopes",
        "undocumented",
        "type mismatches",
        "value mismatches",
        "missing required",
        "never seen",
      ],
      report.messageTypes.map((t) => [
        code(t.key),
        t.producer,
        t.schema ?? "(none)",
        t.count,
        t.envelopes.map((e) => `${e.kind}×${e.count}`).join(", "),
        t.undocumentedFields.length,
        t.typeMismatches.length,
        t.valueMismatches.length,
        t.missingRequired.length,
        t.neverSeen.length,
      ]),
    ),
  ];
  for (const t of report.messageTypes) {
    const details: string[] = [];
    for (const u of t.undocumentedFields)
      details.push(`- undocumented ${code(u.path)} (${u.type}) ×${u.count}, e.g. ${code(u.example)}`);
    for (const m of t.typeMismatches)
      details.push(
        `- type ${code(m.path)}: ${m.observed} (schema: ${m.expected.join(" or ")}) ×${m.count}, e.g. ${code(m.example)}`,
      );
    for (const v of t.valueMismatches)
      details.push(`- value ${code(v.path)}: ${code(v.observed)} (schema: ${code(v.expected)}) ×${v.count}`);
    for (const m of t.missingRequired) details.push(`- missing required ${code(m.path)} ×${m.count}`);
    if (details.length > 0) lines.push(`### ${code(t.key)} (${t.schema ?? "no schema"})`, "", ...details, "");
  }
  // Fields no message carried, once per field with the types that lacked it (not once per type).
  const never = new Map<string, { required: boolean; types: string[] }>();
  for (const t of report.messageTypes)
    for (const n of t.neverSeen) {
      const hit = never.get(n.path) ?? { required: false, types: [] };
      hit.required ||= n.required;
      hit.types.push(t.key);
      never.set(n.path, hit);
    }
  lines.push(
    "## Never seen (fields the schemas name that no message carried)",
    "",
    ...table(
      ["path", "required", "message types", "count"],
      [...never].map(([path, n]) => [
        code(path),
        n.required ? "yes" : "no",
        n.types.map(code).join(", "),
        n.types.length,
      ]),
    ),
  );
  lines.push(
    "## Lifecycle names not in lifecycle.json",
    "",
    ...table(
      ["what", "state", "name", "caused by", "count"],
      [
        ...report.lifecycle.unknownStates.map((u) => ["state", u.state, u.state, "", u.count]),
        ...report.lifecycle.unknownCapabilities.map((u) => [
          "capability",
          u.state,
          u.capability + (u.knownElsewhere ? " (known for another state)" : ""),
          "",
          u.count,
        ]),
        ...report.lifecycle.unknownSubtypes.map((u) => [
          "interactionSubType",
          u.state,
          u.subtype,
          u.operation ?? "",
          u.count,
        ]),
      ],
    ),
    "## Answer envelopes other than R1",
    "",
    ...table(
      ["operation", "envelope", "HTTP", "count", "example"],
      report.envelopes.map((e) => [e.operation, e.kind, e.httpStatuses.join(", "), e.count, code(e.example)]),
    ),
    "## Answer time per operation (ms)",
    "",
    ...table(
      ["operation", "count", "p50", "p95", "p99", "max"],
      report.timing.answerTime.map((t) => [t.operation, t.count, t.p50, t.p95, t.p99, t.max]),
    ),
    "## Notification latency per operation (ms, answer → next notification about the id or the created interaction)",
    "",
    ...table(
      ["operation", "measured", "without notification", "p50", "p95", "p99", "max"],
      report.timing.notificationLatency.map((t) => [
        t.operation,
        t.count,
        t.withoutNotification,
        t.p50 ?? "",
        t.p95 ?? "",
        t.p99 ?? "",
        t.max ?? "",
      ]),
    ),
    "## Schema defects (a schema stricter or looser than the page)",
    "",
    ...table(
      ["kind", "subject", "path", "what", "rule", "page contradiction"],
      byClass("schema-defect").map((f) => [
        f.kind,
        subjectCell(f),
        f.path ? code(f.path) : "",
        f.summary,
        f.rule ?? "",
        f.relatedFacts ? `#${f.relatedFacts}` : "",
      ]),
    ),
    "## Doc defects (the page contradicts itself)",
    "",
    ...table(
      ["#", "contradiction", "the contract's reading", "settled by", "still on the page"],
      byClass("doc-defect").map((f) => [
        f.relatedFacts,
        f.summary,
        f.reading ?? "",
        f.rule ?? "",
        f.evidenceOnPage ? "yes" : "no",
      ]),
    ),
  );
  return lines.join("\n");
}
