/**
 * diff-schemas OLD NEW: what changed between two versions of the contract's schemas, field by
 * field, and whether each change breaks someone — said per direction:
 *   answers and notifications: the server produces, a client consumes;
 *   requests (and control injections): a client produces, the server consumes.
 * A change can break the producer (it must now send something else: a field became required,
 * a type or value set narrowed) or the consumer (it may now get something it did not: a field
 * it relied on was removed or became optional, a type or value set widened). Adding an optional
 * field breaks nobody. The resulting changes of the generated TypeScript types are listed too,
 * through the repository's own bundling (src/contract/generate.ts) and json-schema-to-typescript.
 * Each side is a directory of schemas or a git ref (read with `git show REF:schemas/...`).
 */
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { generateTypes } from "../contract/generate.js";
import { loadSchemaFiles, REPO_ROOT, type JsonSchema } from "../contract/schemas.js";
import { parentPath } from "./json-shape.js";
import { schemaModel, typeAllowed, unionMembers, type FieldModel, type SchemaModel } from "./schema-fields.js";

export interface SchemaSet {
  label: string;
  files: Map<string, JsonSchema>;
}

export type MessageKind = "request" | "answer" | "notification" | "control";

export type ChangeKind =
  | "schema-added"
  | "schema-removed"
  | "field-added"
  | "field-removed"
  | "required-added"
  | "required-removed"
  | "type-narrowed"
  | "type-widened"
  | "type-changed"
  | "values-narrowed"
  | "values-widened"
  | "values-changed"
  | "constraint-changed"
  | "closed"
  | "opened"
  | "member-added"
  | "member-removed";

export interface SchemaChange {
  schema: string;
  kind: MessageKind;
  change: ChangeKind;
  path?: string;
  before?: string;
  after?: string;
  breaking: boolean;
  breaksProducer: boolean;
  breaksConsumer: boolean;
  /** Who is broken and why, in the words of this message's direction. */
  explanation: string;
}

export interface TypeChange {
  name: string;
  change: "added" | "removed" | "changed";
  /** Declaration lines (comments dropped) only in the new / only in the old type. */
  added: string[];
  removed: string[];
}

export interface SchemaDiff {
  before: string;
  after: string;
  changes: SchemaChange[];
  types: TypeChange[];
  /** Set when a side's schemas cannot be turned into types (e.g. two definitions with one name). */
  typeError?: string;
}

// ----- loading --------------------------------------------------------------------------------

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * A side of the diff: an existing directory (its schemas/ subdirectory when it has one, else the
 * directory itself) or, when the argument is no directory, a git ref of the repository.
 */
export function loadSchemaSet(arg: string, repoRoot = REPO_ROOT): SchemaSet {
  if (existsSync(arg) && statSync(arg).isDirectory()) {
    const dir =
      existsSync(join(arg, "schemas")) && statSync(join(arg, "schemas")).isDirectory() ? join(arg, "schemas") : arg;
    const files = loadSchemaFiles(dir);
    if (files.size === 0) throw new Error(`${dir} holds no *.schema.json`);
    return { label: dir, files };
  }
  try {
    git(["rev-parse", "--verify", "--quiet", `${arg}^{commit}`], repoRoot);
  } catch {
    throw new Error(`${arg} is neither a directory nor a git ref of ${repoRoot}`);
  }
  const files = new Map<string, JsonSchema>();
  const listed = git(["ls-tree", "-r", "--name-only", arg, "--", "schemas/"], repoRoot)
    .split("\n")
    .filter((p) => p.endsWith(".schema.json"));
  for (const path of listed)
    files.set(path.slice("schemas/".length), JSON.parse(git(["show", `${arg}:${path}`], repoRoot)) as JsonSchema);
  if (files.size === 0) throw new Error(`git ref ${arg} has no schemas/*.schema.json`);
  return { label: `${arg} (git)`, files };
}

// ----- field-level changes --------------------------------------------------------------------

export function messageKindOf(schemaPath: string): MessageKind | undefined {
  if (schemaPath.startsWith("requests/")) return "request";
  if (schemaPath.startsWith("answers/")) return "answer";
  if (schemaPath.startsWith("notifications/")) return "notification";
  if (schemaPath.startsWith("control/")) return "control";
  return undefined;
}

const ROLES: Record<MessageKind, { producer: string; consumer: string }> = {
  request: { producer: "a request producer (client)", consumer: "the server that reads requests" },
  control: { producer: "the suite's injector", consumer: "the target's control endpoint" },
  answer: { producer: "the server that answers", consumer: "an answer consumer (client)" },
  notification: { producer: "the server that notifies", consumer: "a notification consumer (client)" },
};

const WHY: Record<ChangeKind, { producer?: string; consumer?: string; none?: string }> = {
  "schema-added": { none: "a new message type; nothing that exists changes" },
  "schema-removed": {
    producer: "its messages are no longer part of the contract",
    consumer: "it can no longer rely on this message type",
  },
  "field-added": { none: "an optional field: producers may omit it, consumers may ignore it" },
  "field-removed": { consumer: "it can no longer rely on the field" },
  "required-added": { producer: "it must now send the field" },
  "required-removed": { consumer: "the field may now be absent" },
  "type-narrowed": { producer: "values of the types it may have sent are now refused" },
  "type-widened": { consumer: "it may now receive types it does not handle" },
  "type-changed": {
    producer: "values of the old type are now refused",
    consumer: "it may now receive a type it does not handle",
  },
  "values-narrowed": { producer: "values it may have sent are now refused" },
  "values-widened": { consumer: "it may now receive values it does not handle" },
  "values-changed": {
    producer: "values it may have sent are now refused",
    consumer: "it may now receive values it does not handle",
  },
  "constraint-changed": {
    producer: "values it sent may no longer meet the constraint",
    consumer: "values may now fall outside what it expected",
  },
  closed: { producer: "fields beyond the documented ones are now refused" },
  opened: { none: "fields beyond the documented ones are now allowed (consumers already ignore unknown fields)" },
  "member-added": { consumer: "it may now receive a message type it does not handle" },
  "member-removed": { producer: "the message type is no longer part of the contract" },
};

function change(
  schema: string,
  kind: MessageKind,
  c: ChangeKind,
  detail: { path?: string; before?: string; after?: string } = {},
): SchemaChange {
  const why = WHY[c];
  const roles = ROLES[kind];
  const parts: string[] = [];
  if (why.producer) parts.push(`breaks ${roles.producer}: ${why.producer}`);
  if (why.consumer) parts.push(`breaks ${roles.consumer}: ${why.consumer}`);
  if (why.none) parts.push(`non-breaking: ${why.none}`);
  return {
    schema,
    kind,
    change: c,
    ...detail,
    breaking: Boolean(why.producer || why.consumer),
    breaksProducer: Boolean(why.producer),
    breaksConsumer: Boolean(why.consumer),
    explanation: parts.join("; "),
  };
}

function allowsAll(wider: readonly string[], narrower: readonly string[]): boolean {
  if (wider.length === 0) return true;
  if (narrower.length === 0) return false;
  return narrower.every((t) => typeAllowed(t, wider));
}

function typeChange(before: FieldModel, after: FieldModel): ChangeKind | undefined {
  const a = allowsAll(before.types, after.types); // every new type was allowed before → narrowed (or equal)
  const b = allowsAll(after.types, before.types); // every old type is still allowed → widened (or equal)
  if (a && b) return undefined;
  if (a) return "type-narrowed";
  if (b) return "type-widened";
  return "type-changed";
}

function valuesChange(before: FieldModel, after: FieldModel): ChangeKind | undefined {
  const key = (v: unknown): string => JSON.stringify(v);
  const old = before.values?.map(key);
  const now = after.values?.map(key);
  if (!old && !now) return undefined;
  if (!old) return "values-narrowed";
  if (!now) return "values-widened";
  const removed = old.some((v) => !now.includes(v));
  const added = now.some((v) => !old.includes(v));
  if (removed && added) return "values-changed";
  if (removed) return "values-narrowed";
  if (added) return "values-widened";
  return undefined;
}

const show = (v: unknown): string => JSON.stringify(v);
const typesText = (f: FieldModel): string => (f.types.length ? f.types.join(" | ") : "any");
const valuesText = (f: FieldModel): string => (f.values ? f.values.map(show).join(" | ") : "any value");

/** Changes between two versions of one message schema. */
export function diffModels(schema: string, kind: MessageKind, before: SchemaModel, after: SchemaModel): SchemaChange[] {
  const out: SchemaChange[] = [];
  const addedOrRemoved = new Set<string>();
  const below = (path: string): boolean => {
    for (let p = parentPath(path); p !== undefined; p = parentPath(p)) if (addedOrRemoved.has(p)) return true;
    return false;
  };
  const paths = [...new Set([...before.fields.keys(), ...after.fields.keys()])].sort(
    (x, y) => x.length - y.length || x.localeCompare(y),
  );
  for (const path of paths) {
    if (below(path)) continue;
    const b = before.fields.get(path);
    const a = after.fields.get(path);
    if (!b && a) {
      addedOrRemoved.add(path);
      out.push(
        change(schema, kind, a.required ? "required-added" : "field-added", {
          path,
          after: `${typesText(a)}${a.required ? ", required" : ", optional"}`,
        }),
      );
      continue;
    }
    if (b && !a) {
      addedOrRemoved.add(path);
      out.push(
        change(schema, kind, "field-removed", {
          path,
          before: `${typesText(b)}${b.required ? ", required" : ", optional"}`,
        }),
      );
      continue;
    }
    if (!a || !b) continue;
    if (!b.required && a.required)
      out.push(change(schema, kind, "required-added", { path, before: "optional", after: "required" }));
    if (b.required && !a.required)
      out.push(change(schema, kind, "required-removed", { path, before: "required", after: "optional" }));
    const t = typeChange(b, a);
    if (t) out.push(change(schema, kind, t, { path, before: typesText(b), after: typesText(a) }));
    const v = valuesChange(b, a);
    if (v) out.push(change(schema, kind, v, { path, before: valuesText(b), after: valuesText(a) }));
    // A type change already says it; constraints of anyOf branches are only kept where all branches agree.
    if (!t && show(b.constraints) !== show(a.constraints))
      out.push(
        change(schema, kind, "constraint-changed", { path, before: show(b.constraints), after: show(a.constraints) }),
      );
    if (!b.closed && a.closed) out.push(change(schema, kind, "closed", { path }));
    if (b.closed && !a.closed) out.push(change(schema, kind, "opened", { path }));
  }
  return out;
}

/** The model of a union schema without its members: what the union itself documents. */
function ownModel(files: Map<string, JsonSchema>, schema: string): SchemaModel {
  const {
    oneOf: _oneOf,
    anyOf: _anyOf,
    ...own
  } = files.get(schema) as JsonSchema & { oneOf?: unknown; anyOf?: unknown };
  return schemaModel(files, schema, own);
}

/** Field-level changes of every request, answer, notification and control schema. */
export function diffSchemaSets(before: SchemaSet, after: SchemaSet): SchemaChange[] {
  const out: SchemaChange[] = [];
  const paths = [...new Set([...before.files.keys(), ...after.files.keys()])].sort();
  for (const schema of paths) {
    const kind = messageKindOf(schema);
    if (!kind) continue;
    const inBefore = before.files.has(schema);
    const inAfter = after.files.has(schema);
    if (!inBefore) {
      out.push(change(schema, kind, "schema-added"));
      continue;
    }
    if (!inAfter) {
      out.push(change(schema, kind, "schema-removed"));
      continue;
    }
    // Discriminated unions: their members are diffed on their own; here only the member list.
    const membersBefore = unionMembers(before.files, schema);
    const membersAfter = unionMembers(after.files, schema);
    if (membersBefore.length > 0 || membersAfter.length > 0) {
      for (const m of membersAfter.filter((x) => !membersBefore.includes(x)))
        out.push(change(schema, kind, "member-added", { after: m }));
      for (const m of membersBefore.filter((x) => !membersAfter.includes(x)))
        out.push(change(schema, kind, "member-removed", { before: m }));
      // The union's own properties (its discriminator's enum, e.g. StateName) still count.
      out.push(...diffModels(schema, kind, ownModel(before.files, schema), ownModel(after.files, schema)));
      continue;
    }
    out.push(...diffModels(schema, kind, schemaModel(before.files, schema), schemaModel(after.files, schema)));
  }
  return out;
}

// ----- generated types ------------------------------------------------------------------------

/** The index type listing every named type: it changes whenever a type is added or removed. */
const INDEX_TYPE = "GwsContract";

/** Exported declarations by name, comments dropped, one trimmed line per source line. */
export function exportedDeclarations(ts: string): Map<string, string[]> {
  const withoutComments = ts.replace(/\/\*[\s\S]*?\*\//g, "");
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of withoutComments.split("\n")) {
    const m = /^export\s+(?:declare\s+)?(?:interface|type|enum|const)\s+([A-Za-z0-9_$]+)/.exec(raw);
    if (m) {
      current = [];
      out.set(m[1], current);
    } else if (/^\S/.test(raw) && !/^[}\]);|&]/.test(raw)) {
      current = undefined; // another top-level statement
    }
    const line = raw.trim();
    if (current && line) current.push(line);
  }
  return out;
}

export function diffDeclarations(before: Map<string, string[]>, after: Map<string, string[]>): TypeChange[] {
  const out: TypeChange[] = [];
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    if (name === INDEX_TYPE) continue;
    const b = before.get(name);
    const a = after.get(name);
    if (!b && a) out.push({ name, change: "added", added: a, removed: [] });
    else if (b && !a) out.push({ name, change: "removed", added: [], removed: b });
    else if (a && b && a.join("\n") !== b.join("\n")) {
      out.push({
        name,
        change: "changed",
        added: a.filter((l) => !b.includes(l)),
        removed: b.filter((l) => !a.includes(l)),
      });
    }
  }
  return out;
}

export async function diffSchemas(before: SchemaSet, after: SchemaSet): Promise<SchemaDiff> {
  const changes = diffSchemaSets(before, after);
  try {
    const [b, a] = await Promise.all([generateTypes(before.files), generateTypes(after.files)]);
    return {
      before: before.label,
      after: after.label,
      changes,
      types: diffDeclarations(exportedDeclarations(b), exportedDeclarations(a)),
    };
  } catch (e) {
    return { before: before.label, after: after.label, changes, types: [], typeError: (e as Error).message };
  }
}

export function formatSchemaDiff(diff: SchemaDiff): string {
  const lines = [`diff-schemas ${diff.before} → ${diff.after}`];
  const breaking = diff.changes.filter((c) => c.breaking);
  const other = diff.changes.filter((c) => !c.breaking);
  const line = (c: SchemaChange): string =>
    `  ${c.schema}${c.path ? ` ${c.path}` : ""}: ${c.change}${c.before !== undefined || c.after !== undefined ? ` (${c.before ?? "—"} → ${c.after ?? "—"})` : ""}\n      ${c.explanation}`;
  lines.push(`breaking changes: ${breaking.length}`, ...breaking.map(line));
  lines.push(`non-breaking changes: ${other.length}`, ...other.map(line));
  if (diff.typeError) lines.push(`generated types: could not be compared (${diff.typeError})`);
  else {
    lines.push(`generated type changes: ${diff.types.length}`);
    for (const t of diff.types) {
      lines.push(`  ${t.change} ${t.name}`);
      if (t.change === "changed")
        for (const l of [...t.removed.map((x) => `- ${x}`), ...t.added.map((x) => `+ ${x}`)]) lines.push(`      ${l}`);
    }
  }
  return lines.join("\n");
}
