/**
 * The three-way classification of disagreements between the page, the schemas and traffic:
 *   doc-defect     the page contradicts itself (related-facts.md #1–#12, schemas/doc-defects.json);
 *   schema-defect  a schema is stricter or looser than the page: every repaired page sample
 *                  (src/contract/page-samples.ts) compared with the schema it is evidence for;
 *   server-drift   observed server traffic differs from the schemas.
 * Requests are the suite's own and never server drift. Server drift that follows the other
 * reading of a page contradiction names it (relatedFacts) with the reading the contract took.
 */
import type { DriftEnvelopeUse, DriftFinding, DriftMessageType } from "../generated/contract-types.js";
import { defectExplaining, defectForHint, docDefects, type DocDefect } from "../contract/doc-defects.js";
import { stateOf } from "../contract/lifecycle.js";
import type { PageSample } from "../contract/page-samples.js";
import { fieldDriftOf, nodesOf, unseenFields } from "./field-drift.js";
import { groupBy, parentPath } from "./json-shape.js";
import type { LifecycleDrift } from "./lifecycle-drift.js";
import { ruleAt, type ModelOf, type SchemaModel } from "./schema-fields.js";

/**
 * The page's known contradictions, each with the reading the contract took and whether the page
 * still shows it (`onPage`: related-facts number → shown, from the committed page data).
 */
export function docDefectFindings(onPage: Readonly<Record<string, boolean>>): DriftFinding[] {
  return docDefects.map((d) => ({
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

function related(defect: DocDefect | undefined): Partial<DriftFinding> {
  return defect
    ? {
        relatedFacts: defect.fact,
        reading: `the server follows the page's other reading; the contract's: ${defect.reading}`,
      }
    : {};
}

function lastKey(path: string): string | undefined {
  const m = /(?:\.([^.[\]]+)|\["((?:[^"\\]|\\.)*)"\])$/.exec(path);
  return m ? (m[1] ?? JSON.parse(`"${m[2]}"`)) : undefined;
}

/** The documented fields beside a path (a field differing from one of them only in letter case is #8's). */
function siblingsOf(model: SchemaModel, path: string): string[] {
  const parent = parentPath(path);
  return [...model.fields.values()]
    .filter((f) => f.key !== undefined && parentPath(f.path) === parent)
    .map((f) => f.key!);
}

function ruleOf(model: SchemaModel, path: string): { rule?: string } {
  const rule = ruleAt(model, path);
  return rule ? { rule } : {};
}

/** Server drift within message types: undocumented fields, type and value mismatches, missing required fields. */
export function messageTypeFindings(types: readonly DriftMessageType[], modelOf: ModelOf): DriftFinding[] {
  const out: DriftFinding[] = [];
  for (const t of types) {
    if (t.producer !== "server" || !t.schema) continue;
    const schema = `schemas/${t.schema}`;
    const model = modelOf(t.schema);
    const finding = (
      kind: DriftFinding["kind"],
      path: string,
      idSuffix: string,
      summary: string,
      count: number,
      example?: string,
    ): DriftFinding => ({
      id: `server-drift:${kind}:${t.key}:${path}${idSuffix}`,
      class: "server-drift",
      kind,
      subject: t.key,
      path,
      summary: `${t.key}: ${summary}`,
      count,
      ...(example !== undefined ? { example } : {}),
      ...ruleOf(model, path),
    });
    for (const u of t.undocumentedFields) {
      const field = lastKey(u.path);
      const hint = defectForHint({ field, documentedSiblings: siblingsOf(model, u.path) });
      out.push({
        ...finding(
          "undocumented-field",
          u.path,
          `:${u.type}`,
          `${u.path} (${u.type}) is not documented in ${schema}`,
          u.count,
          u.example,
        ),
        ...related(hint),
      });
    }
    for (const m of t.typeMismatches) {
      const says = m.expected.join(" or ") || "any";
      out.push(
        finding(
          "type-mismatch",
          m.path,
          `:${m.observed}`,
          `${m.path} is ${m.observed}; ${schema} says ${says}`,
          m.count,
          m.example,
        ),
      );
    }
    for (const v of t.valueMismatches) {
      out.push(
        finding(
          "value-mismatch",
          v.path,
          `:${v.observed}`,
          `${v.path} is ${v.observed}; ${schema} allows ${v.expected}`,
          v.count,
          v.observed,
        ),
      );
    }
    for (const m of t.missingRequired) {
      const summary = `required ${m.path} missing in ${m.count} of ${t.count} message(s) (${schema})`;
      out.push(finding("missing-required", m.path, "", summary, m.count));
    }
  }
  return out;
}

/** Server drift in lifecycle names: states, capabilities and subtypes lifecycle.json does not have. */
export function lifecycleFindings(drift: LifecycleDrift): DriftFinding[] {
  const out: DriftFinding[] = [];
  for (const s of drift.unknownStates) {
    out.push({
      id: `server-drift:unknown-state:${s.state}`,
      class: "server-drift",
      kind: "unknown-state",
      subject: `notification:${s.state}`,
      summary: `State ${JSON.stringify(s.state)} is not a notified state of schemas/lifecycle.json`,
      rule: "N1",
      count: s.count,
    });
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
      summary:
        `${s.state}${s.operation ? ` after ${s.operation}` : ""} has interactionSubType ` +
        `${JSON.stringify(s.subtype)}, which the schemas and lifecycle.json do not give for it`,
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
        ? 'the later-edition envelope {"statusCode":N} (related-facts, "Later editions"), ' +
          `not this edition's {"status":...}`
        : u.kind === "empty"
          ? 'an empty body, not {"status":...}'
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

// ----- schema defects: the page's samples against the schemas ---------------------------------

/** Findings of one sample against its schema: fields and values the schema does not allow, required fields it lacks. */
export function sampleFindings(sample: PageSample, model: SchemaModel): DriftFinding[] {
  const schema = `schemas/${sample.schema}`;
  const shows = `The page's ${sample.id}`;
  const drift = fieldDriftOf([sample.json], model);
  const finding = (kind: DriftFinding["kind"], path: string, summary: string, example?: string): DriftFinding => ({
    id: `schema-defect:${kind}:${sample.id}:${path}`,
    class: "schema-defect",
    kind,
    subject: sample.id,
    path,
    summary,
    ...(example !== undefined ? { example } : {}),
    ...ruleOf(model, path),
    ...(sample.repairs.length > 0 ? { repairs: [...sample.repairs] } : {}),
  });
  return [
    ...drift.undocumentedFields.map(({ path, example }) =>
      finding("sample-field-undocumented", path, `${shows} shows ${path}, which ${schema} does not document`, example),
    ),
    ...drift.typeMismatches.map(({ path, observed, expected, example }) =>
      finding(
        "sample-type-mismatch",
        path,
        `${shows} has ${path} of type ${observed}; ${schema} says ${expected.join(" or ")}`,
        example,
      ),
    ),
    ...drift.valueMismatches.map(({ path, observed, expected }) =>
      finding("sample-value-mismatch", path, `${shows} has ${path} = ${observed}; ${schema} allows ${expected}`),
    ),
    ...drift.missingRequired.map(({ path }) =>
      finding("sample-lacks-required", path, `${schema} requires ${path}; the page's ${sample.id} does not show it`),
    ),
  ];
}

/**
 * Fields a schema documents that none of the page's samples for it shows (schema beyond the page):
 * usually a reading of a page contradiction, which the finding then names. An array the schema
 * keeps empty (maxItems 0) documents no element.
 */
export function beyondPageFindings(
  schemaPath: string,
  samples: readonly PageSample[],
  model: SchemaModel,
): DriftFinding[] {
  const seen = new Set(samples.flatMap((s) => nodesOf(s.json, model).map((n) => n.path)));
  const emptyArray = (path: string): boolean => model.fields.get(parentPath(path)!)?.constraints.maxItems === 0;
  return unseenFields(model, seen)
    .filter((f) => !(f.key === undefined && emptyArray(f.path)))
    .map((f) => {
      const defect = defectExplaining(schemaPath, f.path);
      const ids = samples.map((s) => s.id).join(", ");
      return {
        id: `schema-defect:schema-beyond-page:${schemaPath}:${f.path}`,
        class: "schema-defect" as const,
        kind: "schema-beyond-page" as const,
        subject: schemaPath,
        path: f.path,
        summary:
          `schemas/${schemaPath} documents ${f.path} (${f.required ? "required" : "optional"}), ` +
          `which none of the page's samples for it (${ids}) shows`,
        ...ruleOf(model, f.path),
        ...(defect ? { relatedFacts: defect.fact, reading: defect.reading } : {}),
      };
    });
}

/** Every schema-vs-page finding, sample by sample, then schema by schema. */
export function pageVsSchemaFindings(samples: readonly PageSample[], modelOf: ModelOf): DriftFinding[] {
  const out = samples.flatMap((s) => sampleFindings(s, modelOf(s.schema)));
  const bySchema = [...groupBy(samples, (s) => s.schema)].sort(([a], [b]) => a.localeCompare(b));
  for (const [schema, list] of bySchema) out.push(...beyondPageFindings(schema, list, modelOf(schema)));
  return out;
}
