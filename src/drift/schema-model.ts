/**
 * What a schema documents, as a flat list of fields: every JSON path its `properties` (and
 * array `items`) name, with the allowed JSON types, const/enum values, whether the field is
 * required, and the contract rule (`x-rule`) that encodes it. `$ref`s are resolved across
 * files (common/defs.schema.json), `allOf` and sibling keywords narrow, `anyOf`/`oneOf`
 * branches widen. Servers may add fields (not a violation): drift is a field NOT in this list.
 */
import { posix } from "node:path";
import type { JsonSchema } from "../contract/schemas.js";
import { childPath, itemsPath, typeAllowed, type JsonType } from "./json-shape.js";

export interface FieldModel {
  path: string;
  /** The property name in its parent object; undefined for the root and for array items. */
  key?: string;
  /** Allowed JSON types, sorted; empty = any type. */
  types: string[];
  /** Allowed values (const or enum); undefined = any value of the types. */
  values?: unknown[];
  /** Required in its parent object. */
  required: boolean;
  /** Required in its parent and every ancestor up to the message root. */
  requiredFromRoot: boolean;
  /** An object or array whose keys or items are data, not documented fields (e.g. userData). */
  opaque: boolean;
  /** additionalProperties: false — nothing else may appear. */
  closed: boolean;
  /** Constraints other than type and values (minLength, pattern, maxItems, ...), for schema diffs. */
  constraints: Record<string, unknown>;
  /** The nearest x-rule (interpretation.md rule) along the way. */
  rule?: string;
}

export interface SchemaModel {
  schema: string;
  /** path → field; `$` is the message itself. */
  fields: Map<string, FieldModel>;
}

type Node = Record<string, unknown>;
interface Located {
  node: Node;
  file: string;
}
/** Where a property's or items' constraints come from: a schema node, or a facet already folded (union members). */
type Source = Located | { facet: Facet };

/** A node's constraints after $ref, allOf and anyOf/oneOf are folded in. */
interface Facet {
  types: Set<string> | null;
  values: unknown[] | null;
  properties: Map<string, Source[]>;
  required: Set<string>;
  items: Source[];
  closed: boolean;
  rule?: string;
  constraints: Record<string, unknown>;
}

const CONSTRAINT_KEYWORDS = ["minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties"];
const MAX_DEPTH = 24;

/** Resolves a `$ref` relative to the file it appears in: `../common/defs.schema.json#/$defs/X`, `ok.schema.json`, `#/$defs/X`. */
export function resolveRef(files: ReadonlyMap<string, JsonSchema>, ref: string, fromFile: string): Located {
  const [file, fragment = ""] = ref.split("#");
  const target = file ? posix.normalize(posix.join(posix.dirname(fromFile), file)) : fromFile;
  const root = files.get(target) as Node | undefined;
  if (!root) throw new Error(`$ref ${ref} in schemas/${fromFile}: no schemas/${target}`);
  let node: unknown = root;
  for (const seg of fragment.split("/").slice(1)) {
    node = (node as Node | undefined)?.[seg.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  if (!node || typeof node !== "object") throw new Error(`$ref ${ref} in schemas/${fromFile} points at nothing`);
  return { node: node as Node, file: target };
}

function emptyFacet(): Facet {
  return { types: null, values: null, properties: new Map(), required: new Set(), items: [], closed: false, constraints: {} };
}

function intersectTypes(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  if (!a) return b;
  if (!b) return a;
  const out = new Set<string>();
  for (const t of a) if (b.has(t) || (t === "integer" && b.has("number"))) out.add(t);
  for (const t of b) if (t === "integer" && a.has("number")) out.add(t);
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function uniqueValues(values: unknown[]): unknown[] {
  return values.filter((v, i) => values.findIndex((w) => sameValue(v, w)) === i);
}

/** allOf semantics: both constraints hold. */
function narrow(into: Facet, other: Facet): void {
  into.types = intersectTypes(into.types, other.types);
  if (other.values) into.values = into.values ? into.values.filter((v) => other.values!.some((w) => sameValue(v, w))) : [...other.values];
  for (const [k, list] of other.properties) {
    const existing = into.properties.get(k);
    if (existing) existing.push(...list);
    else into.properties.set(k, [...list]);
  }
  for (const r of other.required) into.required.add(r);
  into.items.push(...other.items);
  into.closed ||= other.closed;
  into.rule ??= other.rule;
  Object.assign(into.constraints, other.constraints);
}

/** Folds a list of sources with allOf semantics. */
function foldSources(files: ReadonlyMap<string, JsonSchema>, sources: Source[], depth: number): Facet {
  const out = emptyFacet();
  for (const s of sources) narrow(out, "facet" in s ? s.facet : facetOf(files, s, depth + 1));
  return out;
}

/**
 * anyOf/oneOf semantics: any branch may hold; a field is documented if any branch documents it,
 * with the types and values of every branch that documents it.
 */
function widen(files: ReadonlyMap<string, JsonSchema>, branches: Facet[], depth: number): Facet {
  const out = emptyFacet();
  const branchTypes = branches.map((b) => ((b.types ?? b.values) ? typesOf(b) : null));
  out.types = branchTypes.some((t) => t === null) ? null : new Set(branchTypes.flatMap((t) => t ?? []));
  out.values = branches.some((b) => b.values === null) ? null : uniqueValues(branches.flatMap((b) => b.values ?? []));
  const keys = new Set(branches.flatMap((b) => [...b.properties.keys()]));
  for (const k of keys) {
    const defining = branches.filter((b) => b.properties.has(k)).map((b) => foldSources(files, b.properties.get(k)!, depth));
    out.properties.set(k, [{ facet: defining.length === 1 ? defining[0] : widen(files, defining, depth + 1) }]);
  }
  const [first, ...rest] = branches;
  for (const r of first?.required ?? []) if (rest.every((b) => b.required.has(r))) out.required.add(r);
  const withItems = branches.filter((b) => b.items.length > 0).map((b) => foldSources(files, b.items, depth));
  if (withItems.length > 0) out.items.push({ facet: withItems.length === 1 ? withItems[0] : widen(files, withItems, depth + 1) });
  out.closed = branches.length > 0 && branches.every((b) => b.closed);
  // Only a constraint every branch states alike constrains the union.
  for (const [k, v] of Object.entries(first?.constraints ?? {})) if (rest.every((b) => k in b.constraints && sameValue(b.constraints[k], v))) out.constraints[k] = v;
  return out;
}

function facetOf(files: ReadonlyMap<string, JsonSchema>, located: Located, depth = 0): Facet {
  const { node, file } = located;
  if (depth > MAX_DEPTH) throw new Error(`schemas/${file}: $ref nesting deeper than ${MAX_DEPTH}`);
  const f = emptyFacet();
  if (typeof node["x-rule"] === "string") f.rule = node["x-rule"];
  if (typeof node.type === "string") f.types = new Set([node.type]);
  else if (Array.isArray(node.type)) f.types = new Set(node.type as string[]);
  if ("const" in node) f.values = [node.const];
  else if (Array.isArray(node.enum)) f.values = [...(node.enum as unknown[])];
  for (const [k, sub] of Object.entries((node.properties ?? {}) as Record<string, Node>)) f.properties.set(k, [{ node: sub, file }]);
  for (const r of (node.required ?? []) as string[]) f.required.add(r);
  if (node.items && typeof node.items === "object" && !Array.isArray(node.items)) f.items.push({ node: node.items as Node, file });
  if (node.additionalProperties === false) f.closed = true;
  for (const k of CONSTRAINT_KEYWORDS) if (k in node) f.constraints[k] = node[k];
  if (typeof node.$ref === "string") narrow(f, facetOf(files, resolveRef(files, node.$ref, file), depth + 1));
  for (const sub of (node.allOf ?? []) as Node[]) narrow(f, facetOf(files, { node: sub, file }, depth + 1));
  for (const key of ["anyOf", "oneOf"] as const) {
    const branches = (node[key] ?? []) as Node[];
    if (branches.length === 0) continue;
    const widened = widen(files, branches.map((b) => facetOf(files, { node: b, file }, depth + 1)), depth + 1);
    // Branches narrow the node's own constraints, but their required fields are alternatives.
    const required = new Set(f.required);
    narrow(f, widened);
    f.required = new Set([...required, ...widened.required]);
  }
  return f;
}

function typesOf(f: Facet): string[] {
  if (f.types) return [...f.types].sort();
  // A const/enum without `type` still constrains the type.
  if (f.values) return [...new Set(f.values.map((v) => jsonTypeOfValue(v)))].sort();
  return [];
}

function jsonTypeOfValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** The field list of one schema (by its path under schemas/). */
export function schemaModel(files: ReadonlyMap<string, JsonSchema>, schemaPath: string): SchemaModel {
  const root = files.get(schemaPath);
  if (!root) throw new Error(`no schemas/${schemaPath}`);
  const fields = new Map<string, FieldModel>();
  const visit = (f: Facet, path: string, key: string | undefined, required: boolean, requiredFromRoot: boolean, inheritedRule: string | undefined, depth: number): void => {
    const types = typesOf(f);
    const rule = f.rule ?? inheritedRule;
    const container = types.length === 0 || types.includes("object") || types.includes("array");
    const field: FieldModel = {
      path,
      ...(key !== undefined ? { key } : {}),
      types,
      required,
      requiredFromRoot,
      opaque: container && f.properties.size === 0 && f.items.length === 0 && !f.closed,
      closed: f.closed,
      constraints: f.constraints,
      ...(f.values ? { values: f.values } : {}),
      ...(rule ? { rule } : {}),
    };
    const existing = fields.get(path);
    fields.set(path, existing ? mergeFields(existing, field) : field);
    if (depth > MAX_DEPTH) return;
    for (const [name, subs] of f.properties) {
      const sub = foldSources(files, subs, depth);
      const req = f.required.has(name);
      visit(sub, childPath(path, name), name, req, requiredFromRoot && req, rule, depth + 1);
    }
    if (f.items.length > 0) {
      const sub = foldSources(files, f.items, depth);
      // Items are "required" only in the sense that every element has the shape; an array may be empty.
      visit(sub, itemsPath(path), undefined, false, false, rule, depth + 1);
    }
  };
  visit(facetOf(files, { node: root as Node, file: schemaPath }), "$", undefined, true, true, undefined, 0);
  return { schema: schemaPath, fields };
}

function mergeFields(a: FieldModel, b: FieldModel): FieldModel {
  return {
    ...a,
    types: a.types.length === 0 || b.types.length === 0 ? [] : [...new Set([...a.types, ...b.types])].sort(),
    required: a.required && b.required,
    requiredFromRoot: a.requiredFromRoot && b.requiredFromRoot,
    opaque: a.opaque && b.opaque,
    values: a.values && b.values ? uniqueValues([...a.values, ...b.values]) : undefined,
  };
}

/** Whether an observed value's type is one the field allows. */
export function fieldAllowsType(field: FieldModel, observed: JsonType): boolean {
  return typeAllowed(observed, field.types);
}

/** Whether an observed value is one of the field's const/enum values (always true without such a constraint). */
export function fieldAllowsValue(field: FieldModel, value: unknown): boolean {
  return !field.values || field.values.some((v) => sameValue(v, value));
}

/**
 * The member of a discriminated union (`discriminator` + `oneOf` of file `$ref`s) that describes
 * `data`: e.g. notifications/interaction-state-message.schema.json + {state:"Accepted"} →
 * notifications/accepted.schema.json. Undefined when no member's const matches.
 */
export function selectUnionMember(files: ReadonlyMap<string, JsonSchema>, unionPath: string, data: unknown): string | undefined {
  const union = files.get(unionPath) as Node | undefined;
  const prop = (union?.discriminator as { propertyName?: string } | undefined)?.propertyName;
  if (!union || !prop || !data || typeof data !== "object") return undefined;
  const tag = (data as Record<string, unknown>)[prop];
  for (const branch of (union.oneOf ?? []) as Node[]) {
    if (typeof branch.$ref !== "string") continue;
    const member = resolveRef(files, branch.$ref, unionPath);
    const propSchema = (member.node.properties as Record<string, Node> | undefined)?.[prop];
    if (propSchema && "const" in propSchema && sameValue(propSchema.const, tag)) return member.file;
  }
  return undefined;
}

/** The oneOf members (file paths) of a discriminated union schema; [] for any other schema. */
export function unionMembers(files: ReadonlyMap<string, JsonSchema>, schemaPath: string): string[] {
  const s = files.get(schemaPath) as Node | undefined;
  if (!s?.discriminator) return [];
  return ((s.oneOf ?? []) as Node[]).filter((b) => typeof b.$ref === "string").map((b) => resolveRef(files, b.$ref as string, schemaPath).file);
}
