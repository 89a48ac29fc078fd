/**
 * Field drift: what messages (observed traffic, or the page's samples) carry against what their
 * schema documents (schema-fields.ts). Servers may add fields (not a violation of the contract),
 * so an undocumented field is drift, not a failure; type and value mismatches and missing required
 * fields are also violations (the monitor fails them as N1–N5 / R1).
 */
import type {
  DriftFieldUse,
  DriftNeverSeen,
  DriftPathCount,
  DriftTypeMismatch,
  DriftValueMismatch,
} from "../generated/contract-types.js";
import { exampleText, flatten, parentPath, type ObservedNode } from "./json-shape.js";
import { typeAllowed, valueAllowed, type FieldModel, type SchemaModel } from "./schema-fields.js";

export interface FieldDrift {
  undocumentedFields: DriftFieldUse[];
  typeMismatches: DriftTypeMismatch[];
  valueMismatches: DriftValueMismatch[];
  missingRequired: DriftPathCount[];
  neverSeen: DriftNeverSeen[];
}

/** The nodes of a message, not descending below opaque fields (their keys are data). */
export function nodesOf(data: unknown, model: SchemaModel | undefined): ObservedNode[] {
  return flatten(data, (p) => model?.fields.get(p)?.opaque === true);
}

/** Documented fields no message showed whose parent was shown (and is no opaque map): coverage, not drift. */
export function unseenFields(model: SchemaModel, seen: ReadonlySet<string>): FieldModel[] {
  return [...model.fields.values()].filter((f) => {
    if (f.path === "$" || seen.has(f.path)) return false;
    const parent = parentPath(f.path)!;
    return seen.has(parent) && !model.fields.get(parent)?.opaque;
  });
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

/** Compares messages of one type with their schema's model; each list sorted by path. */
export function fieldDriftOf(messages: readonly unknown[], model: SchemaModel): FieldDrift {
  const undocumented = new Counter<Omit<DriftFieldUse, "count">>();
  const typeMismatch = new Counter<Omit<DriftTypeMismatch, "count">>();
  const valueMismatch = new Counter<Omit<DriftValueMismatch, "count">>();
  const missing = new Counter<Omit<DriftPathCount, "count">>();
  const seen = new Set<string>();
  const requiredBelow = new Map<string, FieldModel[]>();
  for (const f of model.fields.values()) {
    if (f.key === undefined || !f.required) continue;
    const parent = parentPath(f.path)!;
    requiredBelow.set(parent, [...(requiredBelow.get(parent) ?? []), f]);
  }

  for (const data of messages) {
    for (const node of nodesOf(data, model)) {
      seen.add(node.path);
      const field = model.fields.get(node.path);
      if (!field) {
        // Report the top-most undocumented path only: its parent is documented (and not opaque).
        const parent = parentPath(node.path);
        const parentField = parent === undefined ? undefined : model.fields.get(parent);
        if (parentField && !parentField.opaque) {
          undocumented.add(`${node.path}|${node.type}`, () => ({
            path: node.path,
            type: node.type,
            example: exampleText(node.value),
          }));
        }
        continue;
      }
      if (!typeAllowed(node.type, field.types)) {
        const example = exampleText(node.value);
        typeMismatch.add(`${node.path}|${node.type}`, () => ({
          path: node.path,
          expected: field.types,
          observed: node.type,
          example,
        }));
      } else if (!valueAllowed(field, node.value)) {
        const observed = exampleText(node.value);
        const expected = (field.values ?? []).map((v) => JSON.stringify(v)).join(" | ");
        valueMismatch.add(`${node.path}|${observed}`, () => ({ path: node.path, expected, observed }));
      }
      if (node.type === "object") {
        const present = node.value as Record<string, unknown>;
        for (const child of requiredBelow.get(node.path) ?? []) {
          if (!(child.key! in present)) missing.add(child.path, () => ({ path: child.path }));
        }
      }
    }
  }

  const neverSeen = unseenFields(model, seen)
    // Fields, not array elements: an array seen only empty (Revoked capabilities, N5) is no news.
    .filter((f) => f.key !== undefined)
    .map((f) => ({ path: f.path, types: f.types, required: f.requiredFromRoot }));
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
