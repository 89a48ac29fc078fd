/**
 * JSON values as shapes: the JSON type of a value, the paths of a message
 * (`$.email_object.attachments[].size`), and short example texts for reports.
 * Paths use `[]` for every array element, so all elements of an array share one path.
 */

/** JSON Schema's types; a whole number is `integer` (an integer is also a `number`). */
export type JsonType = "string" | "integer" | "number" | "boolean" | "null" | "object" | "array";

export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    case "number":
      return Number.isInteger(value) ? "integer" : "number";
    case "object":
      return "object";
    default:
      // undefined, functions, bigint: not JSON; a transcript cannot hold them.
      return "null";
  }
}

/** The path of a property below `parent`: `$.a.b`, or `$["odd key"]` for keys that are not identifiers. */
export function childPath(parent: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

export function itemsPath(parent: string): string {
  return `${parent}[]`;
}

/** The parent of a path (`$.a.b` → `$.a`, `$.a[]` → `$.a`); undefined for `$`. */
export function parentPath(path: string): string | undefined {
  if (path === "$") return undefined;
  if (path.endsWith("[]")) return path.slice(0, -2);
  if (path.endsWith('"]')) return path.slice(0, path.lastIndexOf('["'));
  return path.slice(0, path.lastIndexOf("."));
}

export interface ObservedNode {
  path: string;
  type: JsonType;
  value: unknown;
}

/**
 * Every node of a value with its path and type, root (`$`) included. `isOpaque(path)` stops the
 * descent below a path whose keys are data, not fields (userData: "the complete map of user data").
 */
export function flatten(value: unknown, isOpaque: (path: string) => boolean = () => false): ObservedNode[] {
  const out: ObservedNode[] = [];
  const walk = (v: unknown, path: string): void => {
    const type = jsonTypeOf(v);
    out.push({ path, type, value: v });
    if (isOpaque(path)) return;
    if (type === "object")
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) walk(child, childPath(path, k));
    else if (type === "array") for (const child of v as unknown[]) walk(child, itemsPath(path));
  };
  walk(value, "$");
  return out;
}

/** A short text of a value for a report: strings quoted and cut, containers summarised. */
export function exampleText(value: unknown, max = 60): string {
  const type = jsonTypeOf(value);
  if (type === "object") {
    const keys = Object.keys(value as object);
    return keys.length === 0
      ? "{}"
      : `{${keys
          .slice(0, 4)
          .map((k) => JSON.stringify(k))
          .join(",")}${keys.length > 4 ? ",…" : ""}}`;
  }
  if (type === "array") return `[${(value as unknown[]).length} item(s)]`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Groups items by a key, keeping input order within each group. */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
