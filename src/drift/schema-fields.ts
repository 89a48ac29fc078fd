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
import { childPath, itemsPath, jsonTypeOf, parentPath } from "./json-shape.js";

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

/** Constraints other than type and values: kept for diff-schemas ("constraint-changed"). */
const CONSTRAINT_KEYWORDS = (
  "minLength maxLength pattern format minimum maximum exclusiveMinimum exclusiveMaximum " +
  "minItems maxItems uniqueItems minProperties maxProperties"
).split(" ");
const MAX_DEPTH = 24;

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);
const nodes = (v: unknown): Node[] => (Array.isArray(v) ? v.filter(isNode) : []);
const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const unique = (values: unknown[]): unknown[] =>
  values.filter((v, i) => values.findIndex((w) => sameValue(v, w)) === i);

/** Whether a schema type list admits an observed type (empty list = any type; an integer is a number). */
export function typeAllowed(observed: string, allowed: readonly string[]): boolean {
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

/** What the subschemas at one place say of the value there (null: nothing, any is allowed). */
interface Facet {
  types: Set<string> | null;
  values: unknown[] | null;
  required: Set<string>;
  closed: boolean;
  constraints: Record<string, unknown>;
  rule?: string;
}

function ownFacet(node: Node): Facet {
  const type = node.type;
  return {
    types: typeof type === "string" ? new Set([type]) : Array.isArray(type) ? new Set(type as string[]) : null,
    values: "const" in node ? [node.const] : Array.isArray(node.enum) ? [...node.enum] : null,
    required: new Set(Array.isArray(node.required) ? (node.required as string[]) : []),
    closed: node.additionalProperties === false,
    constraints: Object.fromEntries(CONSTRAINT_KEYWORDS.filter((k) => k in node).map((k) => [k, node[k]])),
    ...(typeof node["x-rule"] === "string" ? { rule: node["x-rule"] } : {}),
  };
}

/** A facet's types; without a `type`, those of its const/enum values. */
const typesOf = (f: Facet): Set<string> | null => f.types ?? (f.values && new Set(f.values.map(jsonTypeOf)));
const allows = (types: Set<string>, t: string): boolean => types.has(t) || (t === "integer" && types.has("number"));

/** allOf: both hold. */
function narrow(a: Facet, b: Facet): Facet {
  const [ta, tb] = [a.types, b.types];
  return {
    types: ta && tb ? new Set([...ta, ...tb].filter((t) => allows(ta, t) && allows(tb, t))) : (ta ?? tb),
    values:
      a.values && b.values ? a.values.filter((v) => b.values!.some((w) => sameValue(v, w))) : (a.values ?? b.values),
    required: new Set([...a.required, ...b.required]),
    closed: a.closed || b.closed,
    constraints: { ...a.constraints, ...b.constraints },
    ...((a.rule ?? b.rule) ? { rule: a.rule ?? b.rule } : {}),
  };
}

/** anyOf/oneOf: one branch holds, so only what every branch says constrains the value. */
function widen(branches: Facet[]): Facet {
  const [first, ...rest] = branches;
  const types = branches.map(typesOf);
  const agreed = Object.entries(first.constraints).filter(([k, v]) =>
    rest.every((b) => k in b.constraints && sameValue(b.constraints[k], v)),
  );
  return {
    types: types.some((t) => t === null) ? null : new Set(types.flatMap((t) => [...t!])),
    values: branches.some((b) => b.values === null) ? null : unique(branches.flatMap((b) => b.values!)),
    required: new Set([...first.required].filter((r) => rest.every((b) => b.required.has(r)))),
    closed: branches.every((b) => b.closed),
    constraints: Object.fromEntries(agreed),
  };
}

function facetOf(a: Applicable): Facet {
  return [...a.all.map(({ node }) => ownFacet(node)), ...a.anyOf.map((g) => widen(g.map(facetOf)))].reduce(narrow);
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
    const facet = facetOf(a);
    const types = [...(typesOf(facet) ?? [])].sort();
    const rule = facet.rule ?? parent.rule;
    const keys = keysOf(a);
    const container = types.length === 0 || types.includes("object") || types.includes("array");
    fields.set(path, {
      path,
      ...(parent.key !== undefined ? { key: parent.key } : {}),
      types,
      required: parent.required,
      requiredFromRoot: parent.fromRoot,
      opaque: container && keys.length === 0 && !hasItems(a) && !facet.closed,
      closed: facet.closed,
      constraints: facet.constraints,
      ...(facet.values ? { values: facet.values } : {}),
      ...(rule ? { rule } : {}),
    });
    if (depth >= MAX_DEPTH) return;
    for (const key of keys) {
      const child = childOf(ajv, a, (n) => (isNode(n.properties) ? n.properties[key] : undefined), depth + 1)!;
      const req = facet.required.has(key);
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
