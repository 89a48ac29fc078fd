/**
 * Ajv validators compiled once from schemas/ (the same files that generate the types and
 * drive the reference server's input checks). Violations are reported the way a vendor
 * reads them: JSON path, what was expected, what was found, and the rule ID.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject, type Options, type ValidateFunction } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { loadSchemaFiles, SCHEMA_ID_BASE, type JsonSchema } from "./schemas.js";

// ajv-formats is CommonJS: under NodeNext its default import is module.exports, which holds the
// plugin as `default` too (and is the plugin itself at run time).
const addFormats = ajvFormats.default;

export interface Violation {
  /** JSON path of the offending value, e.g. `$.email_object.Subject`. */
  path: string;
  /** What the schema expected there. */
  expected: string;
  /** What the message actually had there (JSON, truncated). */
  actual: string;
  /** The contract rule the violated schema encodes (interpretation.md), e.g. `N3`. */
  rule: string;
  /** The schema file that was violated, relative to schemas/. */
  schema: string;
}

export interface ValidationResult {
  ok: boolean;
  violations: Violation[];
}

export function createAjv(files: Map<string, JsonSchema> = loadSchemaFiles(), options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true, discriminator: true, allowUnionTypes: true, ...options });
  addFormats(ajv);
  // x-rule: the contract rule a schema (or sub-schema) encodes; an annotation only.
  ajv.addKeyword({ keyword: "x-rule", schemaType: "string" });
  for (const schema of files.values()) ajv.addSchema(schema);
  return ajv;
}

/**
 * The validators compiled ahead of time by `npm run build` (scripts/build-validators.mjs: Ajv's
 * standalone code for every schema, beside the compiled modules). Each process of a run — the
 * command and every vitest worker — then validates without compiling the schemas first. Used only
 * when it was built from the very schemas loaded now (their hash); otherwise Ajv compiles them here.
 */
export const PRECOMPILED_VALIDATORS = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "generated",
  "validators.cjs",
);

/** The hash the precompiled validators are keyed by: every schema file, in path order. */
export function schemasHash(files: Map<string, JsonSchema>): string {
  const h = createHash("sha256");
  for (const [path, schema] of [...files].sort(([a], [b]) => a.localeCompare(b)))
    h.update(path).update(JSON.stringify(schema));
  return h.digest("hex");
}

type Precompiled = Record<string, ValidateFunction> & { schemasHash?: string };

function loadPrecompiled(files: Map<string, JsonSchema>, file: string): Precompiled | undefined {
  if (!existsSync(file)) return undefined;
  const mod = createRequire(import.meta.url)(file) as Precompiled;
  return mod.schemasHash === schemasHash(files) ? mod : undefined;
}

let shared: ContractValidator | undefined;

/** The process-wide validator (schemas compiled once). */
export function contractValidator(): ContractValidator {
  shared ??= new ContractValidator();
  return shared;
}

export class ContractValidator {
  readonly files: Map<string, JsonSchema>;
  private ajvInstance: Ajv2020 | undefined;
  private readonly precompiled: Precompiled | undefined;
  private readonly compiled = new Map<string, ValidateFunction>();

  /** `precompiled`: false compiles every schema here; a path loads the precompiled validators from there. */
  constructor(files: Map<string, JsonSchema> = loadSchemaFiles(), opts: { precompiled?: false | string } = {}) {
    this.files = files;
    this.precompiled =
      opts.precompiled === false ? undefined : loadPrecompiled(files, opts.precompiled ?? PRECOMPILED_VALIDATORS);
  }

  /** Whether the validators come precompiled (npm run build) rather than compiled here. */
  get isPrecompiled(): boolean {
    return this.precompiled !== undefined;
  }

  /** Ajv with every schema, built only when a validator is not precompiled. */
  private get ajv(): Ajv2020 {
    this.ajvInstance ??= createAjv(this.files);
    return this.ajvInstance;
  }

  /** Validates `data` against a schema named by its path under schemas/ (e.g. `notifications/accepted.schema.json`). */
  validate(schemaPath: string, data: unknown): ValidationResult {
    const fn = this.compile(schemaPath);
    if (fn(data)) return { ok: true, violations: [] };
    return { ok: false, violations: this.explain(schemaPath, fn.errors ?? [], data) };
  }

  compile(schemaPath: string): ValidateFunction {
    let fn = this.compiled.get(schemaPath);
    if (!fn) {
      if (!this.files.has(schemaPath)) throw new Error(`no schema schemas/${schemaPath}`);
      fn = this.precompiled?.[SCHEMA_ID_BASE + schemaPath] ?? this.ajv.getSchema(SCHEMA_ID_BASE + schemaPath);
      if (!fn) throw new Error(`schema schemas/${schemaPath} did not compile`);
      this.compiled.set(schemaPath, fn);
    }
    return fn;
  }

  private explain(schemaPath: string, errors: ErrorObject[], data: unknown): Violation[] {
    // With oneOf/anyOf Ajv also reports the branches that were not meant; keep the most specific errors.
    const useful = errors.filter((e) => e.keyword !== "oneOf" && e.keyword !== "anyOf");
    const list = useful.length > 0 ? useful : errors;
    const seen = new Set<string>();
    const out: Violation[] = [];
    for (const e of list) {
      const v = this.toViolation(schemaPath, e, data);
      const key = `${v.path}|${v.expected}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(v);
    }
    return out;
  }

  private toViolation(schemaPath: string, e: ErrorObject, data: unknown): Violation {
    let path =
      "$" +
      e.instancePath
        .split("/")
        .slice(1)
        .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, "/").replace(/~0/g, "~")}`))
        .join("");
    let actualValue = valueAt(data, e.instancePath);
    let expected: string;
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case "required":
        path = `${path}.${String(p.missingProperty)}`;
        expected = "a value (required field)";
        actualValue = undefined;
        break;
      case "const":
        expected = JSON.stringify(p.allowedValue);
        break;
      case "enum":
        expected = `one of ${JSON.stringify(p.allowedValues)}`;
        break;
      case "type":
        expected = `type ${String(p.type)}`;
        break;
      case "minLength":
        expected = `a string of at least ${String(p.limit)} character(s)`;
        break;
      case "maxItems":
        expected = `at most ${String(p.limit)} item(s)`;
        break;
      case "uniqueItems":
        expected = `unique items (items ${String(p.j)} and ${String(p.i)} are equal)`;
        break;
      case "additionalProperties":
        path = `${path}.${String(p.additionalProperty)}`;
        expected = "no such field";
        actualValue = valueAt(data, `${e.instancePath}/${String(p.additionalProperty)}`);
        break;
      case "discriminator":
        expected = `a known ${String(p.tag)} (${String(e.message)})`;
        break;
      default:
        expected = `${e.keyword}: ${e.message ?? ""}`.trim();
    }
    return {
      path,
      expected,
      actual: actualValue === undefined ? "(missing)" : truncate(JSON.stringify(actualValue)),
      rule: this.ruleFor(schemaPath, e),
      schema: schemaFileOf(e.schemaPath, schemaPath),
    };
  }

  /** The nearest `x-rule` along the violated schema path (falls back to the file's own rule). */
  private ruleFor(schemaPath: string, e: ErrorObject): string {
    const file = schemaFileOf(e.schemaPath, schemaPath);
    const root = this.files.get(file) as Record<string, unknown> | undefined;
    let rule =
      (root?.["x-rule"] as string | undefined) ?? (this.files.get(schemaPath)?.["x-rule"] as string | undefined) ?? "?";
    const pointer = e.schemaPath.split("#")[1] ?? "";
    let node: unknown = root;
    for (const seg of pointer.split("/").slice(1)) {
      if (!node || typeof node !== "object") break;
      node = (node as Record<string, unknown>)[seg.replace(/~1/g, "/").replace(/~0/g, "~")];
      const r = node && typeof node === "object" ? (node as Record<string, unknown>)["x-rule"] : undefined;
      if (typeof r === "string") rule = r;
    }
    return rule;
  }
}

function schemaFileOf(ajvSchemaPath: string, fallback: string): string {
  const base = ajvSchemaPath.split("#")[0];
  return base.startsWith(SCHEMA_ID_BASE) ? base.slice(SCHEMA_ID_BASE.length) : fallback;
}

function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const seg of pointer.split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[seg.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

function truncate(s: string | undefined, max = 120): string {
  if (s === undefined) return "undefined";
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** One line per violation: `$.email_object.Subject: expected type string, got 42 (rule N3, notifications/accepted.schema.json)`. */
export function formatViolations(violations: Violation[]): string {
  return violations
    .map((v) => `${v.path}: expected ${v.expected}, got ${v.actual} (rule ${v.rule}, ${v.schema})`)
    .join("\n");
}
