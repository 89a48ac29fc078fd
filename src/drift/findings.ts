/**
 * The three-way classification of disagreements between the page, the schemas and traffic:
 *   doc-defect     the page contradicts itself (related-facts.md #1–#12, known-doc-defects.ts);
 *   schema-defect  a schema is stricter or looser than the page (page-vs-schema.ts);
 *   server-drift   observed server traffic differs from the schemas (this file).
 * Requests are the suite's own and never server drift. Server drift that follows the other
 * reading of a page contradiction names it (relatedFacts) with the reading the contract took.
 */
import type { DriftEnvelopeUse, DriftFinding, DriftMessageType } from "../generated/contract-types.js";
import { stateOf } from "../contract/lifecycle.js";
import { parentPath } from "./json-shape.js";
import { defectForHint, KNOWN_DOC_DEFECTS, type KnownDocDefect } from "./known-doc-defects.js";
import type { LifecycleDrift } from "./lifecycle-drift.js";
import type { ModelOf } from "./model-cache.js";

/**
 * The page's known contradictions, each with the reading the contract took and whether the page
 * still shows it (`onPage`: related-facts number → shown, from the committed page data).
 */
export function docDefectFindings(onPage: Readonly<Record<string, boolean>>): DriftFinding[] {
  return KNOWN_DOC_DEFECTS.map((d) => ({
    id: `doc-defect:related-facts-${d.fact}`,
    class: "doc-defect" as const,
    kind: "page-contradiction" as const,
    subject: `related-facts #${d.fact}`,
    summary: `${d.title}: ${d.contradiction}`,
    rule: d.rules.join(", "),
    relatedFacts: d.fact,
    reading: d.reading,
    evidenceOnPage: onPage[String(d.fact)] === true,
  }));
}

function related(defect: KnownDocDefect | undefined): Partial<DriftFinding> {
  return defect ? { relatedFacts: defect.fact, reading: `the server follows the page's other reading; the contract's: ${defect.reading}` } : {};
}

function lastKey(path: string): string | undefined {
  const m = /(?:\.([^.[\]]+)|\["((?:[^"\\]|\\.)*)"\])$/.exec(path);
  return m ? (m[1] ?? JSON.parse(`"${m[2]}"`)) : undefined;
}

function siblingsOf(modelOf: ModelOf, schema: string, path: string): string[] {
  const parent = parentPath(path);
  return [...modelOf(schema).fields.values()].filter((f) => f.key !== undefined && parentPath(f.path) === parent).map((f) => f.key!);
}

function ruleAt(modelOf: ModelOf, schema: string, path: string): { rule?: string } {
  const fields = modelOf(schema).fields;
  for (let p: string | undefined = path; p !== undefined; p = parentPath(p)) {
    const rule = fields.get(p)?.rule;
    if (rule) return { rule };
  }
  return {};
}

/** Server drift within message types: undocumented fields, type and value mismatches, missing required fields. */
export function messageTypeFindings(types: readonly DriftMessageType[], modelOf: ModelOf): DriftFinding[] {
  const out: DriftFinding[] = [];
  for (const t of types) {
    if (t.producer !== "server" || !t.schema) continue;
    const schema = t.schema;
    const id = (kind: string, path: string, extra = ""): string => `server-drift:${kind}:${t.key}:${path}${extra}`;
    for (const u of t.undocumentedFields) {
      const field = lastKey(u.path);
      out.push({
        id: id("undocumented-field", u.path, `:${u.type}`),
        class: "server-drift",
        kind: "undocumented-field",
        subject: t.key,
        path: u.path,
        summary: `${t.key}: ${u.path} (${u.type}) is not documented in schemas/${schema}`,
        count: u.count,
        example: u.example,
        ...ruleAt(modelOf, schema, u.path),
        ...related(defectForHint({ field, documentedSiblings: siblingsOf(modelOf, schema, u.path) })),
      });
    }
    for (const m of t.typeMismatches) {
      out.push({
        id: id("type-mismatch", m.path, `:${m.observed}`),
        class: "server-drift",
        kind: "type-mismatch",
        subject: t.key,
        path: m.path,
        summary: `${t.key}: ${m.path} is ${m.observed}; schemas/${schema} says ${m.expected.join(" or ") || "any"}`,
        count: m.count,
        example: m.example,
        ...ruleAt(modelOf, schema, m.path),
      });
    }
    for (const v of t.valueMismatches) {
      out.push({
        id: id("value-mismatch", v.path, `:${v.observed}`),
        class: "server-drift",
        kind: "value-mismatch",
        subject: t.key,
        path: v.path,
        summary: `${t.key}: ${v.path} is ${v.observed}; schemas/${schema} allows ${v.expected}`,
        count: v.count,
        example: v.observed,
        ...ruleAt(modelOf, schema, v.path),
      });
    }
    for (const m of t.missingRequired) {
      out.push({
        id: id("missing-required", m.path),
        class: "server-drift",
        kind: "missing-required",
        subject: t.key,
        path: m.path,
        summary: `${t.key}: required ${m.path} missing in ${m.count} of ${t.count} message(s) (schemas/${schema})`,
        count: m.count,
        ...ruleAt(modelOf, schema, m.path),
      });
    }
  }
  return out;
}

/** Server drift in lifecycle names: states, capabilities and subtypes lifecycle.json does not have. */
export function lifecycleFindings(drift: LifecycleDrift): DriftFinding[] {
  const out: DriftFinding[] = [];
  for (const s of drift.unknownStates) {
    out.push({ id: `server-drift:unknown-state:${s.state}`, class: "server-drift", kind: "unknown-state", subject: `notification:${s.state}`, summary: `State ${JSON.stringify(s.state)} is not a notified state of schemas/lifecycle.json`, rule: "N1", count: s.count });
  }
  for (const c of drift.unknownCapabilities) {
    out.push({
      id: `server-drift:unknown-capability:${c.state}:${c.capability}`,
      class: "server-drift",
      kind: "unknown-capability",
      subject: `notification:${c.state}`,
      path: "$.capabilities[]",
      summary: c.knownElsewhere
        ? `${c.state} lists ${c.capability}, which lifecycle.json neither documents nor tolerates for ${c.state}`
        : `${c.state} lists ${c.capability}, which is no capability of lifecycle.json`,
      rule: "N6",
      count: c.count,
      example: JSON.stringify(c.capability),
      ...related(defectForHint({ capability: c.capability })),
    });
  }
  for (const s of drift.unknownSubtypes) {
    out.push({
      id: `server-drift:unknown-subtype:${s.state}:${s.subtype}:${s.operation ?? "-"}`,
      class: "server-drift",
      kind: "unknown-subtype",
      subject: `notification:${s.state}`,
      path: "$.interactionSubType",
      summary: `${s.state}${s.operation ? ` after ${s.operation}` : ""} has interactionSubType ${JSON.stringify(s.subtype)}, which the schemas and lifecycle.json do not give for it`,
      rule: stateOf(s.state)?.rule ?? "N1",
      count: s.count,
      example: JSON.stringify(s.subtype),
      ...related(defectForHint({ subtype: s.subtype })),
    });
  }
  return out;
}

/** Server drift in answer envelopes: the later-edition statusCode envelope, empty and other bodies (R1). */
export function envelopeFindings(uses: readonly DriftEnvelopeUse[]): DriftFinding[] {
  return uses.map((u) => {
    const what =
      u.kind === "statusCode"
        ? `the later-edition envelope {"statusCode":N} (related-facts, "Later editions"), not this edition's {"status":...}`
        : u.kind === "empty"
          ? "an empty body, not {\"status\":...}"
          : u.kind === "non-json"
            ? "a body that is not JSON"
            : "a JSON body without status";
    return {
      id: `server-drift:envelope:${u.operation}:${u.kind}`,
      class: "server-drift" as const,
      kind: "envelope" as const,
      subject: `answer:${u.operation}`,
      summary: `${u.operation} answered with ${what} (HTTP ${u.httpStatuses.join(", ")})`,
      rule: "R1",
      count: u.count,
      example: u.example,
      ...related(defectForHint({ envelope: u.kind, operation: u.operation })),
    };
  });
}
