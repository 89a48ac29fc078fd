/**
 * TEST SUPPORT: fast-check arbitraries built from the contract's JSON Schemas (the one source
 * of truth), for the reference server's fuzz test: a schema gives valid values, and mutators
 * turn them into the malformed requests real clients send. Covers the keywords schemas/ uses:
 * $ref (same file or relative file + JSON pointer), const, enum, type, properties, required,
 * items, pattern, minimum/maximum, minLength/maxLength, oneOf/anyOf.
 */
import fc, { type Arbitrary } from "fast-check";
import { posix } from "node:path";
import { loadSchemaFiles, type JsonSchema } from "../../contract/schemas.js";

const files = loadSchemaFiles();

type Node = JsonSchema & Record<string, unknown>;

function resolveRef(ref: string, file: string): { node: Node; file: string } {
  const [path, pointer = ""] = ref.split("#");
  const target = path ? posix.normalize(posix.join(posix.dirname(file), path)) : file;
  let node = files.get(target) as Node | undefined;
  if (!node) throw new Error(`schema-arbitrary: no schema ${target} (from ${file})`);
  for (const part of pointer.split("/").filter(Boolean)) node = (node as Record<string, unknown>)[part] as Node;
  return { node, file: target };
}

const anyJson: Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 }) as Arbitrary<unknown>;

/** Values valid for `schema` (of the file `file`, relative to schemas/). */
export function arbitraryOf(schema: Node, file: string, depth = 0): Arbitrary<unknown> {
  if (typeof schema.$ref === "string") {
    const r = resolveRef(schema.$ref, file);
    return arbitraryOf(r.node, r.file, depth + 1);
  }
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const alternatives = (schema.oneOf ?? schema.anyOf) as Node[] | undefined;
  if (alternatives && !schema.properties) return fc.oneof(...alternatives.map((a) => arbitraryOf(a, file, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      if (typeof schema.pattern === "string")
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((s) => s.length <= Number(schema.maxLength ?? Infinity));
      return fc.string({
        minLength: Number(schema.minLength ?? 0),
        maxLength: Math.min(Number(schema.maxLength ?? 40), 40),
      });
    case "integer":
      return fc.integer({ min: Number(schema.minimum ?? -1e6), max: Number(schema.maximum ?? 1e6) });
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(schema.items ? arbitraryOf(schema.items as Node, file, depth + 1) : anyJson, { maxLength: 3 });
    case "object":
    case undefined: {
      const props = (schema.properties ?? {}) as Record<string, Node>;
      const required = new Set((schema.required ?? []) as string[]);
      const model: Record<string, Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) model[k] = arbitraryOf(v, file, depth + 1);
      if (Object.keys(model).length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 3 });
      return fc.record(model, { requiredKeys: [...required].filter((k) => k in model) });
    }
    default:
      return anyJson;
  }
}

/** Valid values of the schema file `name` (relative to schemas/). */
export function arbitraryOfFile(name: string): Arbitrary<unknown> {
  const schema = files.get(name) as Node | undefined;
  if (!schema) throw new Error(`schema-arbitrary: no schema ${name}`);
  return arbitraryOf(schema, name);
}

/** A value of another JSON type than `v` (R3.wrong-type). */
export const otherType = (v: unknown): Arbitrary<unknown> =>
  fc
    .constantFrom<unknown>(42, "text", true, null, [], { nested: 1 })
    .filter((x) => typeof x !== typeof v || Array.isArray(x) !== Array.isArray(v) || (x === null) !== (v === null));

/**
 * Mutations of a valid JSON object, each as the raw body text to send: a field dropped, a field
 * of another type, an unknown field, a duplicated key, truncated text, invalid UTF-8 bytes,
 * deep nesting, a body that is no object at all.
 */
export function mutatedBody(valid: Arbitrary<unknown>): Arbitrary<{ mutation: string; body: Buffer }> {
  const asText = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
  const obj = valid.map((v) =>
    v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v },
  );
  const keyOf = (o: Record<string, unknown>): Arbitrary<string> =>
    Object.keys(o).length ? fc.constantFrom(...Object.keys(o)) : fc.constant("operationName");
  return fc.oneof(
    { weight: 4, arbitrary: obj.map((o) => ({ mutation: "valid", body: asText(o) })) },
    {
      weight: 2,
      arbitrary: obj.chain((o) =>
        keyOf(o).map((k) => ({
          mutation: `drop ${k}`,
          body: asText(Object.fromEntries(Object.entries(o).filter(([x]) => x !== k))),
        })),
      ),
    },
    {
      weight: 2,
      arbitrary: obj.chain((o) =>
        keyOf(o).chain((k) =>
          otherType(o[k]).map((x) => ({ mutation: `wrong type ${k}`, body: asText({ ...o, [k]: x }) })),
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(obj, fc.string({ maxLength: 12 }), anyJson)
        .map(([o, k, v]) => ({ mutation: "unknown field", body: asText({ ...o, [`x-${k}`]: v }) })),
    },
    {
      weight: 1,
      arbitrary: obj.chain((o) =>
        keyOf(o).map((k) => ({
          mutation: `duplicate key ${k}`,
          body: Buffer.from(
            JSON.stringify(o).replace(/^\{/, `{${JSON.stringify(k)}:${JSON.stringify(o[k] ?? "dup")},`),
          ),
        })),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(obj, fc.nat())
        .map(([o, n]) => ({ mutation: "truncated", body: asText(o).subarray(0, n % Math.max(1, asText(o).length)) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          obj,
          fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => Buffer.from(b.map((x) => 0x80 | x))),
        )
        .map(([o, bad]) => ({
          mutation: "invalid UTF-8",
          body: Buffer.concat([Buffer.from(`${JSON.stringify(o).slice(0, -1)},"bad":"`), bad, Buffer.from('"}')]),
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 50, max: 20_000 })
        .map((n) => ({ mutation: `nested ${n} deep`, body: Buffer.from(`${'{"a":'.repeat(n)}1${"}".repeat(n)}`) })),
    },
    {
      weight: 1,
      arbitrary: anyJson
        .filter((v) => !v || typeof v !== "object" || Array.isArray(v))
        .map((v) => ({ mutation: "not an object", body: asText(v) })),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => ({ mutation: "random bytes", body: Buffer.from(b) })),
    },
  );
}
