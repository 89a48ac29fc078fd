/**
 * Sections of drift.md added for reading it like a diff: the legend of every column, the
 * suite's own negative requests as one labelled line, and the comparison with a saved baseline
 * (what was added, what is gone, what changed, and the exit reason), also in drift.json.
 */
import type { DriftReport } from "../generated/contract-types.js";
import type { ShapeChange } from "./baseline.js";
import { groupBy } from "./json-shape.js";

const cell = (v: unknown): string =>
  String(v ?? "")
    .replace(/\|/g, "\\|")
    .replace(/\n/g, " ");
const code = (v: string): string => `\`${v.replace(/`/g, "'")}\``;

/** A table with its legend: every column's meaning, said under it. */
export function legendTable(head: string[], rows: unknown[][]): string[] {
  if (rows.length === 0) return ["(none)", ""];
  const legend = head.map((h) => `**${h}**: ${LEGEND[h] ?? h}`).join("; ");
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
    "",
    `_Columns — ${legend}._`,
    "",
  ];
}

/** What each column of drift.md's tables means (one legend for every table that has the column). */
export const LEGEND: Record<string, string> = {
  kind: "what sort of difference it is (docs/drift.md lists the kinds)",
  "message type":
    "request:<operation> (the suite's), answer:<operation>:<ok|error|exempt> or notification:<state> (the server's)",
  "message types": "every message type with this same finding",
  path: "the JSON path in the message ($ is the message)",
  what: "the difference in words",
  count: "how many messages (or uses) showed it",
  rule: "the interpretation.md rule that settles the point",
  "page contradiction": "the page's known self-contradiction (related-facts.md #N) that explains it",
  by: "who sent it: the server, or the suite itself",
  schema: "the schema the messages were compared with",
  envelopes: "answer envelopes seen (R1's status, a later edition's statusCode, none) ×how many",
  undocumented: "fields the schema does not name",
  "type mismatches": "fields whose JSON type the schema does not allow",
  "value mismatches": "values outside the schema's enum or const",
  "missing required": "required fields absent",
  "never seen":
    "fields the schema names that no message of the type carried (not a failure: the suite may not provoke them)",
  state: "the interaction state of the notification",
  name: "the state, capability or interactionSubType not in lifecycle.json",
  "caused by": "the operation whose answer preceded it",
  operation: "the operationName",
  envelope: "the answer envelope other than R1's",
  HTTP: "the HTTP statuses seen with it",
  example: "one body as sent (cut at 120 characters)",
  p50: "median, ms",
  p95: "95th percentile, ms",
  p99: "99th percentile, ms",
  max: "largest, ms",
  measured: "answers followed by a notification about the interaction",
  "without notification": "answers no notification followed within the window",
  subject: "the schema or page sample concerned",
  "#": "the contradiction's number in related-facts.md",
  contradiction: "what the page says two ways",
  "the contract's reading": "the reading interpretation.md took",
  "settled by": "the rule that settles it",
  "still on the page": "whether the page text still shows it",
  required: "whether the schema requires the field",
  change: "+ the server sends it now and did not in the baseline; - gone since the baseline; ~ replaced",
  where: "the message type or state",
  before: "the baseline's values",
  after: "this run's values",
  value: "the JSON type, envelope, capability list, state or subtype",
};

/** The suite's negative requests, one labelled line (they are the suite's traffic, not the server's). */
export function suiteRequestsLines(report: DriftReport): string[] {
  const n = report.suiteRequests;
  if (!n || n.negative === 0) return [];
  return [
    `**The suite's own negative requests** (R2/R3: deliberately malformed or off-schema; not server traffic, ` +
      `left out of every table): ${n.negative} request(s) naming ${n.operations.join(", ")}` +
      `${n.malformedJson ? `, ${n.malformedJson} of them raw text (not JSON)` : ""}.`,
    "",
  ];
}

/** The comparison with a saved baseline: the exit reason, then what was added, what is gone, what changed. */
export function baselineLines(report: DriftReport): string[] {
  const b = report.baseline;
  if (!b) return [];
  const row = (sign: string, c: { what: string; where: string; path?: string }, value: string): unknown[] => [
    sign,
    c.what,
    code(c.where),
    c.path ? code(c.path) : "",
    value,
  ];
  return [
    `## Against the baseline ${code(b.file)}`,
    "",
    `**Exit ${b.exitCode}**: ${b.exitReason}`,
    "",
    ...(b.added.length + b.gone.length + b.changed.length
      ? legendTable(
          ["change", "kind", "where", "path", "value"],
          [
            ...b.added.map((c) => row("+", c, c.value)),
            ...b.gone.map((c) => row("-", c, c.value)),
            ...b.changed.map((c) => row("~", c, `${c.before.join(", ")} → ${c.after.join(", ")}`)),
          ],
        )
      : []),
  ];
}

/** A baseline comparison for the report: `changes` grouped into added, gone and changed (both on one path), with the exit reason. */
export function baselineComparison(
  file: string,
  changes: readonly ShapeChange[],
): NonNullable<DriftReport["baseline"]> {
  const key = (c: ShapeChange): string => [c.what, c.where, c.path ?? ""].join("\u0000");
  const groups = groupBy(changes, key);
  const added: Array<Omit<ShapeChange, "change">> = [];
  const gone: Array<Omit<ShapeChange, "change">> = [];
  const changed: NonNullable<DriftReport["baseline"]>["changed"] = [];
  for (const g of groups.values()) {
    const plus = g.filter((c) => c.change === "added");
    const minus = g.filter((c) => c.change === "removed");
    const strip = ({ change: _, ...c }: ShapeChange) => c;
    if (plus.length && minus.length && g[0].what !== "message-type")
      changed.push({
        what: g[0].what,
        where: g[0].where,
        ...(g[0].path !== undefined ? { path: g[0].path } : {}),
        before: minus.map((c) => c.value),
        after: plus.map((c) => c.value),
      });
    else {
      added.push(...plus.map(strip));
      gone.push(...minus.map(strip));
    }
  }
  const n = changes.length;
  return {
    file,
    added,
    gone,
    changed,
    exitCode: n ? 1 : 0,
    exitReason: n
      ? `the server's shapes differ from the baseline: ${added.length} added, ${gone.length} gone, ${changed.length} changed (the drift gate fails)`
      : "the same shapes as the baseline (the drift gate passes)",
  };
}
