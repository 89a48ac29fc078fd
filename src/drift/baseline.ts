/**
 * Shape baselines for release CI (docs/drift.md): the shapes a server sends — per
 * server-produced message type the JSON paths with their types and the answer envelopes; the
 * capability sets per state; the states; the interactionSubTypes per state. A new run is
 * compared with a saved baseline; any shape added or gone is listed exactly.
 * Requests are the suite's own and are left out: a baseline describes the server.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { ShapeBaseline, ShapeBaselineMessageType } from "../generated/contract-types.js";
import type { JsonSchema } from "../contract/schemas.js";
import { contractValidator, formatViolations } from "../contract/validators.js";
import { nodesOf } from "./field-drift.js";
import { messagesOf } from "./messages.js";
import { modelsOf } from "./schema-fields.js";
import type { TranscriptEntry } from "../report/transcript-io.js";

export const SHAPE_BASELINE_SCHEMA = "reports/shape-baseline.schema.json";

export interface BaselineOptions {
  files?: Map<string, JsonSchema>;
  source?: string;
  now?: Date;
}

const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

export function buildShapeBaseline(entries: readonly TranscriptEntry[], opts: BaselineOptions = {}): ShapeBaseline {
  const modelOf = modelsOf(opts.files ?? contractValidator().files);
  const types = new Map<string, { paths: Map<string, Set<string>>; envelopes: Set<string> }>();
  const capabilitySets = new Map<string, Set<string>>();
  const states = new Set<string>();
  const subtypes = new Map<string, Set<string>>();

  for (const m of messagesOf(entries)) {
    if (m.producer !== "server") continue;
    const t = types.get(m.key) ?? { paths: new Map(), envelopes: new Set() };
    types.set(m.key, t);
    if (m.direction === "answer") t.envelopes.add(m.envelope);
    // Opaque documented maps (userData) are one path: their keys are data, not shape.
    if (m.data !== null && typeof m.data === "object") {
      for (const n of nodesOf(m.data, m.schema ? modelOf(m.schema) : undefined)) {
        const set = t.paths.get(n.path) ?? new Set<string>();
        set.add(n.type);
        t.paths.set(n.path, set);
      }
    }
    if (m.direction !== "notification") continue;
    const d = m.data as Record<string, unknown>;
    if (typeof d?.state !== "string") continue;
    states.add(d.state);
    if (Array.isArray(d.capabilities)) {
      const set = capabilitySets.get(d.state) ?? new Set<string>();
      set.add(JSON.stringify(d.capabilities.map(String).sort()));
      capabilitySets.set(d.state, set);
    }
    if (typeof d.interactionSubType === "string") {
      const set = subtypes.get(d.state) ?? new Set<string>();
      set.add(d.interactionSubType);
      subtypes.set(d.state, set);
    }
  }

  const messageTypes: Record<string, ShapeBaselineMessageType> = {};
  for (const key of [...types.keys()].sort()) {
    const t = types.get(key)!;
    messageTypes[key] = {
      paths: Object.fromEntries([...t.paths.keys()].sort().map((p) => [p, sortedUnique(t.paths.get(p)!)])),
      envelopes: sortedUnique(t.envelopes),
    };
  }
  return {
    kind: "gws-shape-baseline",
    version: 1,
    createdAt: (opts.now ?? new Date()).toISOString(),
    ...(opts.source ? { source: opts.source } : {}),
    messageTypes,
    capabilitySets: Object.fromEntries(
      [...capabilitySets.keys()]
        .sort()
        .map((s) => [s, sortedUnique(capabilitySets.get(s)!).map((j) => JSON.parse(j) as string[])]),
    ),
    states: sortedUnique(states),
    subtypes: Object.fromEntries([...subtypes.keys()].sort().map((s) => [s, sortedUnique(subtypes.get(s)!)])),
  };
}

export interface ShapeChange {
  change: "added" | "removed";
  what: "message-type" | "path" | "envelope" | "capability-set" | "state" | "subtype";
  /** The message type (answer:<operation>:<outcome>, notification:<state>) or the state concerned. */
  where: string;
  path?: string;
  /** The JSON type, envelope, capability list, state or subtype added or removed. */
  value: string;
}

function diffSets(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const b = new Set(before);
  const a = new Set(after);
  return { added: [...a].filter((x) => !b.has(x)).sort(), removed: [...b].filter((x) => !a.has(x)).sort() };
}

/** What `after` has that `before` had not (added) and the reverse (removed). Empty when the shapes are equal. */
export function compareShapeBaselines(before: ShapeBaseline, after: ShapeBaseline): ShapeChange[] {
  const out: ShapeChange[] = [];
  const push = (
    change: ShapeChange["change"],
    what: ShapeChange["what"],
    where: string,
    values: string[],
    path?: string,
  ): void => {
    for (const value of values) out.push({ change, what, where, ...(path !== undefined ? { path } : {}), value });
  };
  const keys = diffSets(Object.keys(before.messageTypes), Object.keys(after.messageTypes));
  for (const k of keys.added)
    push("added", "message-type", k, [`${Object.keys(after.messageTypes[k].paths).length} path(s)`]);
  for (const k of keys.removed)
    push("removed", "message-type", k, [`${Object.keys(before.messageTypes[k].paths).length} path(s)`]);
  for (const key of Object.keys(after.messageTypes)
    .filter((k) => k in before.messageTypes)
    .sort()) {
    const b = before.messageTypes[key];
    const a = after.messageTypes[key];
    for (const path of [...new Set([...Object.keys(b.paths), ...Object.keys(a.paths)])].sort()) {
      const d = diffSets(b.paths[path] ?? [], a.paths[path] ?? []);
      push("added", "path", key, d.added, path);
      push("removed", "path", key, d.removed, path);
    }
    const e = diffSets(b.envelopes, a.envelopes);
    push("added", "envelope", key, e.added);
    push("removed", "envelope", key, e.removed);
  }
  const s = diffSets(before.states, after.states);
  push("added", "state", "states", s.added);
  push("removed", "state", "states", s.removed);
  for (const state of [
    ...new Set([...Object.keys(before.capabilitySets), ...Object.keys(after.capabilitySets)]),
  ].sort()) {
    const d = diffSets(
      (before.capabilitySets[state] ?? []).map((l) => JSON.stringify(l)),
      (after.capabilitySets[state] ?? []).map((l) => JSON.stringify(l)),
    );
    push("added", "capability-set", state, d.added);
    push("removed", "capability-set", state, d.removed);
  }
  for (const state of [...new Set([...Object.keys(before.subtypes), ...Object.keys(after.subtypes)])].sort()) {
    const d = diffSets(before.subtypes[state] ?? [], after.subtypes[state] ?? []);
    push("added", "subtype", state, d.added);
    push("removed", "subtype", state, d.removed);
  }
  return out;
}

/** One line per change: `+ notification:Accepted  $.email_object.Priority: string`. */
export function formatShapeChange(c: ShapeChange): string {
  const sign = c.change === "added" ? "+" : "-";
  switch (c.what) {
    case "path":
      return `${sign} ${c.where}  ${c.path}: ${c.value}`;
    case "message-type":
      return `${sign} message type ${c.where} (${c.value})`;
    case "envelope":
      return `${sign} ${c.where}  envelope ${c.value}`;
    case "state":
      return `${sign} state ${c.value}`;
    case "capability-set":
      return `${sign} ${c.where}  capabilities ${c.value}`;
    case "subtype":
      return `${sign} ${c.where}  interactionSubType ${JSON.stringify(c.value)}`;
  }
}

export function validateShapeBaseline(baseline: unknown, source = "baseline"): ShapeBaseline {
  const r = contractValidator().validate(SHAPE_BASELINE_SCHEMA, baseline);
  if (!r.ok)
    throw new Error(
      `${source} is not a shape baseline (schemas/${SHAPE_BASELINE_SCHEMA}):\n${formatViolations(r.violations)}`,
    );
  return baseline as ShapeBaseline;
}

export function readShapeBaseline(path: string): ShapeBaseline {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`cannot read baseline ${path}: ${(e as Error).message}`);
  }
  return validateShapeBaseline(value, path);
}

export function writeShapeBaseline(baseline: ShapeBaseline, path: string): void {
  validateShapeBaseline(baseline, "the new baseline");
  writeFileSync(path, `${JSON.stringify(baseline, null, 2)}\n`);
}
