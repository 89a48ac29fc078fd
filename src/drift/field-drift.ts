/**
 * Field drift of one message type: what its messages carry against what its schema documents.
 * Servers may add fields (not a violation of the contract), so an undocumented field is drift,
 * not a failure; type and value mismatches and missing required fields are also violations
 * (the monitor fails them as N1–N5 / R1).
 */
import type { DriftFieldUse, DriftNeverSeen, DriftPathCount, DriftTypeMismatch, DriftValueMismatch } from "../generated/contract-types.js";
import { exampleText, flatten, groupBy, parentPath, type ObservedNode } from "./json-shape.js";
import { fieldAllowsType, fieldAllowsValue, type FieldModel, type SchemaModel } from "./schema-model.js";

export interface FieldDrift {
  undocumentedFields: DriftFieldUse[];
  typeMismatches: DriftTypeMismatch[];
  valueMismatches: DriftValueMismatch[];
  missingRequired: DriftPathCount[];
  neverSeen: DriftNeverSeen[];
}

/**
 * Paths whose values are judged elsewhere, not as value mismatches: interactionSubType by the
 * lifecycle (per state and causing operation, N2–N4, O3–O5, O8).
 */
const VALUES_JUDGED_ELSEWHERE = new Set(["$.interactionSubType"]);

/** The nodes of a message, not descending below opaque fields (their keys are data). */
export function nodesOf(data: unknown, model: SchemaModel | undefined): ObservedNode[] {
  return flatten(data, (p) => model?.fields.get(p)?.opaque === true);
}

/** Children of each documented path, for the required-field check. */
function childrenByParent(model: SchemaModel): Map<string, FieldModel[]> {
  return groupBy(
    [...model.fields.values()].filter((f) => f.key !== undefined),
    (f) => parentPath(f.path)!,
  );
}

class Counter<T> {
  private readonly map = new Map<string, { item: T; count: number }>();
  add(key: string, make: () => T): void {
    const hit = this.map.get(key);
    if (hit) hit.count++;
    else this.map.set(key, { item: make(), count: 1 });
  }
  list(): Array<T & { count: number }> {
    return [...this.map.values()].map(({ item, count }) => ({ ...item, count }));
  }
}

/** Compares the messages of one type with its schema's model. */
export function fieldDriftOf(messages: readonly unknown[], model: SchemaModel): FieldDrift {
  const undocumented = new Counter<Omit<DriftFieldUse, "count">>();
  const typeMismatch = new Counter<Omit<DriftTypeMismatch, "count">>();
  const valueMismatch = new Counter<Omit<DriftValueMismatch, "count">>();
  const missing = new Counter<Omit<DriftPathCount, "count">>();
  const seen = new Set<string>();
  const children = childrenByParent(model);

  for (const data of messages) {
    for (const node of nodesOf(data, model)) {
      seen.add(node.path);
      const field = model.fields.get(node.path);
      if (!field) {
        // Report the top-most undocumented path only: its parent is documented (and not opaque).
        const parent = parentPath(node.path);
        const parentField = parent === undefined ? undefined : model.fields.get(parent);
        if (parentField && !parentField.opaque) undocumented.add(`${node.path}|${node.type}`, () => ({ path: node.path, type: node.type, example: exampleText(node.value) }));
        continue;
      }
      if (!fieldAllowsType(field, node.type)) {
        typeMismatch.add(`${node.path}|${node.type}`, () => ({ path: node.path, expected: field.types, observed: node.type, example: exampleText(node.value) }));
      } else if (!VALUES_JUDGED_ELSEWHERE.has(node.path) && !fieldAllowsValue(field, node.value)) {
        const observed = exampleText(node.value);
        valueMismatch.add(`${node.path}|${observed}`, () => ({ path: node.path, expected: (field.values ?? []).map((v) => JSON.stringify(v)).join(" | "), observed }));
      }
      if (node.type === "object") {
        const present = node.value as Record<string, unknown>;
        for (const child of children.get(node.path) ?? []) {
          if (child.required && !(child.key! in present)) missing.add(child.path, () => ({ path: child.path }));
        }
      }
    }
  }

  const neverSeen: DriftNeverSeen[] = [];
  for (const f of model.fields.values()) {
    if (f.path === "$" || seen.has(f.path)) continue;
    const parent = parentPath(f.path)!;
    if (!seen.has(parent) || model.fields.get(parent)?.opaque) continue;
    // Fields, not array elements: an array seen only empty (Revoked capabilities, N5) is no news.
    if (f.key === undefined) continue;
    neverSeen.push({ path: f.path, types: f.types, required: f.requiredFromRoot });
  }
  const byPath = <T extends { path: string }>(list: T[]): T[] => list.sort((a, b) => a.path.localeCompare(b.path));
  return {
    undocumentedFields: byPath(undocumented.list()),
    typeMismatches: byPath(typeMismatch.list()),
    valueMismatches: byPath(valueMismatch.list()),
    missingRequired: byPath(missing.list()),
    neverSeen: byPath(neverSeen),
  };
}

export function emptyFieldDrift(): FieldDrift {
  return { undocumentedFields: [], typeMismatches: [], valueMismatches: [], missingRequired: [], neverSeen: [] };
}
