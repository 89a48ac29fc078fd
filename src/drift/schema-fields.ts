/**
 * What a schema documents, as a flat list of fields: every JSON path its `properties` (and array
 * `items`) name, with the allowed JSON types, const/enum values, whether the field is required,
 * and the contract rule (`x-rule`) that encodes it. Servers may add fields (no violation of N1,
 * R1): drift is a field NOT in this list. Validation itself is Ajv's (src/contract/validators.ts);
 * this list is what Ajv has no answer for: which fields exist, to name the undocumented and the
 * never-seen ones and to diff two versions of a schema.
 *
 * `$ref`s are resolved by Ajv's schema registry (by `$id`, as validation resolves them). The
 * subschemas that apply at one place of a message are its node, its `$ref` and `allOf` (all
 * hold: types and values narrow) and, per `anyOf`/`oneOf`, one branch (a field is documented when
 * any branch documents it, with the types of the branches that do; required only when every
 * branch requires it — Transfer's targetAgent/queueName alternatives, O9).
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import { SCHEMA_ID_BASE, type JsonSchema } from "../contract/schemas.js";
import { childPath, itemsPath, jsonTypeOf, parentPath, type JsonType } from "./json-shape.js";

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

export type ModelOf = (schemaPath: string) => SchemaModel;

type Node = Record<string, unknown>;
/** A schema node and the `$id` its relative `$ref`s resolve against. */
interface Located {
  node: Node;
  base: string;
}
/** The subschemas that hold at one place of an instance: every one of `all`, one branch of each `anyOf` group. */
interface Applicable {
  all: Located[];
  anyOf: Applicable[][];
}

const CONSTRAINT_KEYWORDS = [
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
].concat(["exclusiveMaximum", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties"]);
const MAX_DEPTH = 24;

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);
const nodes = (v: unknown): Node[] => (Array.isArray(v) ? v.filter(isNode) : []);
const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const unique = (values: unknown[]): unknown[] =>
  values.filter((v, i) => values.findIndex((w) => sameValue(v, w)) === i);

/** Whether a schema type list admits an observed type (empty list = any type; an integer is a number). */
export function typeAllowed(observed: JsonType | string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  return allowed.includes(observed) || (observed === "integer" && allowed.includes("number"));
}

/** Whether a value is one of the field's const/enum values (always, without such a constraint). */
export function valueAllowed(field: FieldModel, value: unknown): boolean {
  return !field.values || field.values.some((v) => sameValue(v, value));
}

function resolveRef(ajv: Ajv2020, ref: string, base: string): Located {
  const uri = new URL(ref, base);
  const target = ajv.getSchema(uri.href)?.schema;
  if (!isNode(target)) throw new Error(`$ref ${ref} in ${base} points at no schema`);
  uri.hash = "";
  return { node: target, base: uri.href };
}

function applicableAt(ajv: Ajv2020, at: Located, depth: number): Applicable {
  if (depth > MAX_DEPTH) throw new Error(`${at.base}: $ref nesting deeper than ${MAX_DEPTH}`);
  const out: Applicable = { all: [at], anyOf: [] };
  const add = (a: Applicable): void => {
    out.all.push(...a.all);
    out.anyOf.push(...a.anyOf);
  };
  if (typeof at.node.$ref === "string") add(applicableAt(ajv, resolveRef(ajv, at.node.$ref, at.base), depth + 1));
  for (const sub of nodes(at.node.allOf)) add(applicableAt(ajv, { node: sub, base: at.base }, depth + 1));
  for (const key of ["anyOf", "oneOf"]) {
    const branches = nodes(at.node[key]).map((b) => applicableAt(ajv, { node: b, base: at.base }, depth + 1));
    if (branches.length > 0) out.anyOf.push(branches);
  }
  return out;
}

/** What applies below `a` (a property, or array items); undefined when nothing documents it. */
function childOf(ajv: Ajv2020, a: Applicable, select: (n: Node) => unknown, depth: number): Applicable | undefined {
  const out: Applicable = { all: [], anyOf: [] };
  const add = (x: Applicable): void => {
    out.all.push(...x.all);
    out.anyOf.push(...x.anyOf);
  };
  for (const { node, base } of a.all) {
    const sub = select(node);
    if (isNode(sub)) add(applicableAt(ajv, { node: sub, base }, depth));
  }
  for (const group of a.anyOf) {
    const defining = group.map((b) => childOf(ajv, b, select, depth)).filter((b): b is Applicable => b !== undefined);
    if (defining.length === 1) add(defining[0]);
    else if (defining.length > 1) out.anyOf.push(defining);
  }
  return out.all.length > 0 || out.anyOf.length > 0 ? out : undefined;
}

/** allOf semantics for types: both hold (an integer is a number). */
function narrowTypes(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  if (!a || !b) return a ?? b;
  return new Set(
    [...a, ...b].filter(
      (t) => (a.has(t) || (t === "integer" && a.has("number"))) && (b.has(t) || (t === "integer" && b.has("number"))),
    ),
  );
}

function valuesOf(a: Applicable): unknown[] | null {
  let values: unknown[] | null = null;
  const narrow = (v: unknown[] | null): void => {
    if (v) values = values ? values.filter((x) => v.some((y) => sameValue(x, y))) : v;
  };
  for (const { node } of a.all)
    narrow("const" in node ? [node.const] : Array.isArray(node.enum) ? [...node.enum] : null);
  for (const group of a.anyOf) {
    const each = group.map(valuesOf);
    narrow(each.some((v) => v === null) ? null : unique(each.flat() as unknown[]));
  }
  return values;
}

/** The declared types, or those of the const/enum values when no type is declared; null = any. */
function typesOf(a: Applicable): Set<string> | null {
  let types: Set<string> | null = null;
  for (const { node } of a.all) {
    if (typeof node.type === "string") types = narrowTypes(types, new Set([node.type]));
    else if (Array.isArray(node.type)) types = narrowTypes(types, new Set(node.type as string[]));
  }
  for (const group of a.anyOf) {
    const each = group.map(typesOf);
    types = narrowTypes(types, each.some((t) => t === null) ? null : new Set(each.flatMap((t) => [...t!])));
  }
  if (types) return types;
  const values = valuesOf(a);
  return values ? new Set(values.map(jsonTypeOf)) : null;
}

function requiredOf(a: Applicable): Set<string> {
  const out = new Set(a.all.flatMap(({ node }) => (Array.isArray(node.required) ? (node.required as string[]) : [])));
  for (const group of a.anyOf) {
    const [first, ...rest] = group.map(requiredOf);
    for (const r of first ?? []) if (rest.every((b) => b.has(r))) out.add(r);
  }
  return out;
}

function closedOf(a: Applicable): boolean {
  return a.all.some(({ node }) => node.additionalProperties === false) || a.anyOf.some((g) => g.every(closedOf));
}

function constraintsOf(a: Applicable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { node } of a.all) for (const k of CONSTRAINT_KEYWORDS) if (k in node) out[k] = node[k];
  // Only a constraint every branch states alike constrains the union.
  for (const group of a.anyOf) {
    const [first, ...rest] = group.map(constraintsOf);
    for (const [k, v] of Object.entries(first ?? {})) if (rest.every((b) => k in b && sameValue(b[k], v))) out[k] = v;
  }
  return out;
}

function keysOf(a: Applicable): string[] {
  const own = a.all.flatMap(({ node }) => (isNode(node.properties) ? Object.keys(node.properties) : []));
  return [...new Set([...own, ...a.anyOf.flat().flatMap(keysOf)])];
}

const hasItems = (a: Applicable): boolean =>
  a.all.some(({ node }) => isNode(node.items)) || a.anyOf.flat().some(hasItems);

/** The fields of a schema given as its root node (its `$id` is where its `$ref`s resolve from). */
function modelOfRoot(ajv: Ajv2020, schemaPath: string, root: JsonSchema): SchemaModel {
  const fields = new Map<string, FieldModel>();
  const visit = (
    a: Applicable,
    path: string,
    parent: { key?: string; required: boolean; fromRoot: boolean; rule?: string },
    depth: number,
  ): void => {
    const types = [...(typesOf(a) ?? [])].sort();
    const values = valuesOf(a);
    const rule = a.all.map(({ node }) => node["x-rule"]).find((r): r is string => typeof r === "string") ?? parent.rule;
    const keys = keysOf(a);
    const container = types.length === 0 || types.includes("object") || types.includes("array");
    const closed = closedOf(a);
    fields.set(path, {
      path,
      ...(parent.key !== undefined ? { key: parent.key } : {}),
      types,
      required: parent.required,
      requiredFromRoot: parent.fromRoot,
      opaque: container && keys.length === 0 && !hasItems(a) && !closed,
      closed,
      constraints: constraintsOf(a),
      ...(values ? { values } : {}),
      ...(rule ? { rule } : {}),
    });
    if (depth >= MAX_DEPTH) return;
    const required = requiredOf(a);
    for (const key of keys) {
      const child = childOf(ajv, a, (n) => (isNode(n.properties) ? n.properties[key] : undefined), depth + 1)!;
      const req = required.has(key);
      visit(child, childPath(path, key), { key, required: req, fromRoot: parent.fromRoot && req, rule }, depth + 1);
    }
    // Items are "required" only in the sense that every element has the shape; an array may be empty.
    const items = childOf(ajv, a, (n) => n.items, depth + 1);
    if (items) visit(items, itemsPath(path), { required: false, fromRoot: false, rule }, depth + 1);
  };
  const base = root.$id ?? SCHEMA_ID_BASE + schemaPath;
  visit(applicableAt(ajv, { node: root, base }, 0), "$", { required: true, fromRoot: true }, 0);
  return { schema: schemaPath, fields };
}

const registries = new WeakMap<ReadonlyMap<string, JsonSchema>, { ajv: Ajv2020; models: Map<string, SchemaModel> }>();

function registryOf(files: ReadonlyMap<string, JsonSchema>): { ajv: Ajv2020; models: Map<string, SchemaModel> } {
  let r = registries.get(files);
  if (!r) {
    // Ajv resolves the $refs only: lenient (no strict mode, no formats), so that diff-schemas also
    // reads schema versions the suite's own validators would refuse to compile.
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const schema of files.values()) ajv.addSchema(schema);
    r = { ajv, models: new Map() };
    registries.set(files, r);
  }
  return r;
}

/**
 * The field list of one schema (by its path under schemas/). `root` stands for the file's own
 * node (diff-schemas: a union without its members).
 */
export function schemaModel(
  files: ReadonlyMap<string, JsonSchema>,
  schemaPath: string,
  root?: JsonSchema,
): SchemaModel {
  const file = files.get(schemaPath);
  if (!file) throw new Error(`no schemas/${schemaPath}`);
  return modelOfRoot(registryOf(files).ajv, schemaPath, root ?? file);
}

/** One model per schema path of a schema set, built once (models are pure functions of the files). */
export function modelsOf(files: ReadonlyMap<string, JsonSchema>): ModelOf {
  const { models } = registryOf(files);
  return (schemaPath) => {
    let m = models.get(schemaPath);
    if (!m) {
      m = schemaModel(files, schemaPath);
      models.set(schemaPath, m);
    }
    return m;
  };
}

/** The nearest x-rule at or above a path. */
export function ruleAt(model: SchemaModel, path: string): string | undefined {
  for (let p: string | undefined = path; p !== undefined; p = parentPath(p)) {
    const rule = model.fields.get(p)?.rule;
    if (rule) return rule;
  }
  return undefined;
}

/** The oneOf members (schema paths) of a discriminated union schema; [] for any other schema. */
export function unionMembers(files: ReadonlyMap<string, JsonSchema>, schemaPath: string): string[] {
  const s = files.get(schemaPath);
  if (!s?.discriminator) return [];
  const base = s.$id ?? SCHEMA_ID_BASE + schemaPath;
  return nodes(s.oneOf)
    .map((b) => b.$ref)
    .filter((ref): ref is string => typeof ref === "string")
    .map((ref) => new URL(ref, base).href.slice(SCHEMA_ID_BASE.length));
}
