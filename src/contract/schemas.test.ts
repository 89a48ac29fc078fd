/**
 * The contract's schemas: every one compiles under Ajv strict mode; every example validates;
 * negative fixtures (derived from the examples) fail for every required field and every
 * const/enum value, and the violation names the field and the rule.
 */
import { describe, expect, it } from "vitest";
import { createAjv, ContractValidator } from "./validators.js";
import { loadSchemaFiles, SCHEMA_ID_BASE, type JsonSchema } from "./schemas.js";

const files = loadSchemaFiles();
const validator = new ContractValidator(files);

describe("schemas", () => {
  it("every schema has $id matching its path, a title and a description citing a rule or page section", () => {
    for (const [rel, s] of files) {
      expect(s.$id, rel).toBe(SCHEMA_ID_BASE + rel);
      expect(s.title, rel).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(s.description, rel).toBeTruthy();
      // API shapes cite the page section or the contract rule they come from
      if (/^(requests|answers|notifications|control|common)\//.test(rel))
        expect(s.description, rel).toMatch(/(\b[TRNO]\d+\b|interpretation\.md|related-facts|Page|page)/);
    }
  });

  it("every schema compiles under Ajv strict mode", () => {
    const ajv = createAjv(files);
    for (const rel of files.keys()) expect(() => ajv.getSchema(SCHEMA_ID_BASE + rel), rel).not.toThrow();
    expect(ajv.opts.strict).toBe(true);
  });

  const withExamples = [...files].filter(([, s]) => Array.isArray(s.examples) && s.examples.length > 0);
  it("every request, answer, notification and control schema carries examples", () => {
    const shapes = [...files.keys()].filter((k) => /^(requests|answers|notifications|control)\//.test(k));
    const unions = new Set([
      "requests/operation-request.schema.json",
      "answers/answer.schema.json",
      "notifications/interaction-state-message.schema.json",
      "notifications/base.schema.json",
    ]);
    for (const k of shapes) if (!unions.has(k)) expect(files.get(k)?.examples?.length ?? 0, k).toBeGreaterThan(0);
  });

  describe.each(withExamples.map(([rel, s]) => [rel, s] as const))("%s", (rel, schema) => {
    it("accepts its examples", () => {
      for (const ex of schema.examples ?? []) {
        const r = validator.validate(rel, ex);
        expect(r.violations, JSON.stringify(ex)).toEqual([]);
      }
    });

    const negatives = negativeFixtures(schema, files, rel);
    it.each(negatives.map((n) => [n.label, n] as const))("rejects: %s", (_label, n) => {
      const r = validator.validate(rel, n.data);
      expect(r.ok).toBe(false);
      expect(r.violations.map((v) => v.path)).toContain(n.path);
      for (const v of r.violations) expect(v.rule).toMatch(/^([TRNO]\d+|TC)$/);
    });
  });

  it("examples of each union member validate against the union", () => {
    const unions: Record<string, string> = {
      "requests/": "requests/operation-request.schema.json",
      "notifications/": "notifications/interaction-state-message.schema.json",
      "answers/": "answers/answer.schema.json",
    };
    for (const [rel, s] of withExamples) {
      const prefix = Object.keys(unions).find((p) => rel.startsWith(p));
      if (!prefix || rel.includes("channel-state")) continue;
      for (const ex of s.examples ?? []) expect(validator.validate(unions[prefix], ex).violations, rel).toEqual([]);
      // every notification example also meets the N1 base envelope
      if (prefix === "notifications/")
        for (const ex of s.examples ?? [])
          expect(validator.validate("notifications/base.schema.json", ex).ok).toBe(true);
    }
  });

  it("union schemas refuse an unknown discriminator value", () => {
    expect(validator.validate("requests/operation-request.schema.json", { operationName: "Teleport" }).ok).toBe(false);
    expect(validator.validate("answers/answer.schema.json", { statusCode: 0 }).ok).toBe(false);
    expect(validator.validate("notifications/interaction-state-message.schema.json", { state: "Exploded" }).ok).toBe(
      false,
    );
  });
});

interface Negative {
  label: string;
  path: string;
  data: unknown;
}

/**
 * One negative fixture per required field (removed) and per const/enum value (replaced),
 * found by walking the schema alongside its first example.
 */
function negativeFixtures(schema: JsonSchema, all: Map<string, JsonSchema>, rel: string): Negative[] {
  const example = schema.examples?.[0];
  const out: Negative[] = [];
  const walk = (s: Record<string, unknown>, value: unknown, pointer: string[], fileRel: string): void => {
    const [resolved, resolvedRel] = deref(s, all, fileRel);
    if (!value || typeof value !== "object" || Array.isArray(value)) return;
    const props = (resolved.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const field of (resolved.required ?? []) as string[]) {
      if (!(field in (value as object))) continue;
      out.push({
        label: `missing required ${[...pointer, field].join(".")}`,
        path: jsonPath([...pointer, field]),
        data: mutate(example, [...pointer], (o) => delete o[field]),
      });
    }
    for (const [field, sub] of Object.entries(props)) {
      if (!(field in (value as object))) continue;
      const [subResolved] = deref(sub, all, resolvedRel);
      if ("const" in subResolved) {
        out.push({
          label: `wrong const ${[...pointer, field].join(".")}`,
          path: jsonPath([...pointer, field]),
          data: mutate(example, pointer, (o) => (o[field] = `${String(subResolved.const)}-mutated`)),
        });
      }
      if (Array.isArray(subResolved.enum)) {
        out.push({
          label: `value outside enum ${[...pointer, field].join(".")}`,
          path: jsonPath([...pointer, field]),
          data: mutate(example, pointer, (o) => (o[field] = "not-in-enum")),
        });
      }
      walk(sub, (value as Record<string, unknown>)[field], [...pointer, field], resolvedRel);
    }
  };
  walk(schema, example, [], rel);
  return out;
}

function deref(
  s: Record<string, unknown>,
  all: Map<string, JsonSchema>,
  fromRel: string,
): [Record<string, unknown>, string] {
  const ref = s.$ref;
  if (typeof ref !== "string") return [s, fromRel];
  const [file, frag = ""] = ref.split("#");
  const dir = fromRel.split("/").slice(0, -1);
  const parts = file ? [...dir, ...file.split("/")] : fromRel.split("/");
  const norm: string[] = [];
  for (const p of parts) p === ".." ? norm.pop() : p !== "." && norm.push(p);
  const targetRel = file ? norm.join("/") : fromRel;
  let node: unknown = all.get(targetRel);
  for (const seg of frag.split("/").filter(Boolean)) node = (node as Record<string, unknown>)[seg];
  // keywords beside the $ref (e.g. maxItems) still apply: merge them over the target
  const { $ref: _ignored, ...rest } = s;
  return [{ ...(node as Record<string, unknown>), ...rest }, targetRel];
}

function mutate(example: unknown, pointer: string[], change: (o: Record<string, unknown>) => void): unknown {
  const copy = structuredClone(example) as Record<string, unknown>;
  let node = copy;
  for (const p of pointer) node = node[p] as Record<string, unknown>;
  change(node);
  return copy;
}

function jsonPath(pointer: string[]): string {
  return `$${pointer.map((p) => `.${p}`).join("")}`;
}
