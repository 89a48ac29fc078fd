/**
 * Schema defects: where a schema is stricter or looser than the page. Every repaired page sample
 * (src/contract/page-samples.ts) is compared with the schema it is evidence for:
 *   - a field the sample shows that the schema does not document (schema narrower than the page);
 *   - a field the schema requires that the sample lacks (schema stricter than the page);
 *   - a sample value whose type or value the schema does not allow;
 *   - a field the schema documents that none of its samples shows (schema beyond the page) —
 *     usually a reading of a page contradiction, which the finding then names.
 */
import type { DriftFinding } from "../generated/contract-types.js";
import type { PageSample } from "../contract/page-samples.js";
import { exampleText, groupBy, parentPath } from "./json-shape.js";
import { nodesOf } from "./field-drift.js";
import { defectExplaining } from "./known-doc-defects.js";
import type { ModelOf } from "./model-cache.js";
import { fieldAllowsType, fieldAllowsValue, type SchemaModel } from "./schema-model.js";

function finding(kind: DriftFinding["kind"], subject: string, path: string, summary: string, extra: Partial<DriftFinding> = {}): DriftFinding {
  return { id: `schema-defect:${kind}:${subject}:${path}`, class: "schema-defect", kind, subject, path, summary, ...extra };
}

function ruleAt(model: SchemaModel, path: string): string | undefined {
  for (let p: string | undefined = path; p !== undefined; p = parentPath(p)) {
    const rule = model.fields.get(p)?.rule;
    if (rule) return rule;
  }
  return undefined;
}

/** Findings of one sample against its schema. */
export function sampleFindings(sample: PageSample, model: SchemaModel): DriftFinding[] {
  const out: DriftFinding[] = [];
  const repairs = sample.repairs.length > 0 ? { repairs: [...sample.repairs] } : {};
  const schema = `schemas/${sample.schema}`;
  for (const node of nodesOf(sample.json, model)) {
    const field = model.fields.get(node.path);
    if (!field) {
      const parent = model.fields.get(parentPath(node.path) ?? "");
      if (parent && !parent.opaque) {
        out.push(finding("sample-field-undocumented", sample.id, node.path, `The page's ${sample.id} shows ${node.path}, which ${schema} does not document`, { example: exampleText(node.value), ...ruleOf(model, node.path), ...repairs }));
      }
      continue;
    }
    if (!fieldAllowsType(field, node.type)) {
      out.push(finding("sample-type-mismatch", sample.id, node.path, `The page's ${sample.id} has ${node.path} of type ${node.type}; ${schema} says ${field.types.join(" or ")}`, { example: exampleText(node.value), ...ruleOf(model, node.path), ...repairs }));
    } else if (!fieldAllowsValue(field, node.value)) {
      out.push(finding("sample-value-mismatch", sample.id, node.path, `The page's ${sample.id} has ${node.path} = ${exampleText(node.value)}; ${schema} allows ${(field.values ?? []).map((v) => JSON.stringify(v)).join(" | ")}`, { ...ruleOf(model, node.path), ...repairs }));
    }
    if (node.type === "object") {
      const present = node.value as Record<string, unknown>;
      for (const child of model.fields.values()) {
        if (child.key === undefined || !child.required || parentPath(child.path) !== node.path || child.key in present) continue;
        out.push(finding("sample-lacks-required", sample.id, child.path, `${schema} requires ${child.path}; the page's ${sample.id} does not show it`, { ...ruleOf(model, child.path), ...repairs }));
      }
    }
  }
  return out;
}

function ruleOf(model: SchemaModel, path: string): { rule?: string } {
  const rule = ruleAt(model, path);
  return rule ? { rule } : {};
}

/** Fields a schema documents that none of the page's samples for it shows. */
export function beyondPageFindings(schemaPath: string, samples: readonly PageSample[], model: SchemaModel): DriftFinding[] {
  const seen = new Set(samples.flatMap((s) => nodesOf(s.json, model).map((n) => n.path)));
  const out: DriftFinding[] = [];
  for (const f of model.fields.values()) {
    if (f.path === "$" || seen.has(f.path)) continue;
    const parentPathOf = parentPath(f.path)!;
    const parent = model.fields.get(parentPathOf);
    if (!seen.has(parentPathOf) || parent?.opaque || (f.path.endsWith("[]") && parent?.constraints.maxItems === 0)) continue;
    const defect = defectExplaining(schemaPath, f.path);
    out.push({
      id: `schema-defect:schema-beyond-page:${schemaPath}:${f.path}`,
      class: "schema-defect",
      kind: "schema-beyond-page",
      subject: schemaPath,
      path: f.path,
      summary: `schemas/${schemaPath} documents ${f.path} (${f.required ? "required" : "optional"}), which none of the page's samples for it (${samples.map((s) => s.id).join(", ")}) shows`,
      ...ruleOf(model, f.path),
      ...(defect ? { relatedFacts: defect.fact, reading: defect.reading } : {}),
    });
  }
  return out;
}

/** Every schema-vs-page finding, sample by sample, then schema by schema. */
export function pageVsSchemaFindings(samples: readonly PageSample[], modelOf: ModelOf): DriftFinding[] {
  const out = samples.flatMap((s) => sampleFindings(s, modelOf(s.schema)));
  const bySchema = groupBy(samples, (s) => s.schema);
  for (const [schema, list] of [...bySchema].sort(([a], [b]) => a.localeCompare(b))) out.push(...beyondPageFindings(schema, list, modelOf(schema)));
  return out;
}
