/**
 * Malformed variants of a valid request, derived from its request schema (schemas/requests/):
 * one per required field left out and one per field given the wrong JSON type (R3). A new
 * field in a schema yields new negative cases without new test code.
 */
import { contractValidator } from "../../src/contract/validators.js";
import { requireOperation } from "../../src/contract/lifecycle.js";

export interface MalformedCase {
  label: string;
  kind: "missing-required-field" | "wrong-type";
  body: Record<string, unknown>;
}

type Schema = Record<string, unknown>;

function resolve(schema: Schema, fromFile: string): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  const [file, frag = ""] = ref.split("#");
  const base = fromFile.split("/").slice(0, -1);
  const parts: string[] = [];
  for (const p of [...base, ...file.split("/")]) p === ".." ? parts.pop() : p !== "." && parts.push(p);
  let node: unknown = contractValidator().files.get(file ? parts.join("/") : fromFile);
  for (const seg of frag.split("/").filter(Boolean)) node = (node as Schema)[seg];
  return node as Schema;
}

/** A value of the wrong JSON type for a schema type. */
function wrongValue(type: unknown): unknown {
  switch (type) {
    case "string":
      return 42;
    case "boolean":
      return "yes";
    case "integer":
    case "number":
      return "many";
    case "object":
      return "not-an-object";
    case "array":
      return { not: "an array" };
    default:
      return null;
  }
}

export function malformedRequests(operation: string, valid: Record<string, unknown>): MalformedCase[] {
  const file = requireOperation(operation).request;
  const root = contractValidator().files.get(file) as Schema;
  const out: MalformedCase[] = [];
  const walk = (
    schema: Schema,
    value: Record<string, unknown>,
    path: string[],
    mutateAt: (change: (o: Record<string, unknown>) => void) => Record<string, unknown>,
  ): void => {
    const s = resolve(schema, file);
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const field of (s.required ?? []) as string[]) {
      if (field === "operationName") continue;
      out.push({
        label: `without ${[...path, field].join(".")}`,
        kind: "missing-required-field",
        body: mutateAt((o) => delete o[field]),
      });
    }
    if (Array.isArray(s.anyOf) && path.length === 0) {
      // Transfer: one of targetAgent / queueName is required (O9)
      const alternatives = (s.anyOf as Schema[]).flatMap((a) => (a.required ?? []) as string[]);
      out.push({
        label: `without any of ${alternatives.join(" / ")}`,
        kind: "missing-required-field",
        body: mutateAt((o) => {
          for (const f of alternatives) delete o[f];
        }),
      });
    }
    for (const [field, sub] of Object.entries(props)) {
      if (field === "operationName") continue;
      const r = resolve(sub, file);
      const type = r.type;
      out.push({
        label: `${[...path, field].join(".")} of the wrong type`,
        kind: "wrong-type",
        body: mutateAt((o) => (o[field] = wrongValue(type))),
      });
      if (type === "object" && value[field] && typeof value[field] === "object") {
        walk(r, value[field] as Record<string, unknown>, [...path, field], (change) =>
          mutateAt((o) => {
            const inner = structuredClone(o[field]) as Record<string, unknown>;
            change(inner);
            o[field] = inner;
          }),
        );
      }
    }
  };
  walk(root, valid, [], (change) => {
    const copy = structuredClone(valid);
    change(copy);
    return copy;
  });
  // keep only variants the schema really rejects (a field may accept several types)
  return out.filter((c) => !contractValidator().validate(file, c.body).ok);
}
