/**
 * Names in notifications that schemas/lifecycle.json does not have: states that are not
 * notified states (N1–N5), capabilities the state neither documents nor tolerates (N6; Forward
 * on Accepted is tolerated, O5), and interactionSubTypes the schemas and the lifecycle do not
 * give for the state and the operation that caused it (N2, N3 const InboundNew; O3/O4
 * OutboundReply; O5 free; O8 the requested one or OutboundReply).
 */
import type { DriftUnknownCapability, DriftUnknownState, DriftUnknownSubtype } from "../generated/contract-types.js";
import { lifecycle, operationOf, stateOf, toleratedCapabilities } from "../contract/lifecycle.js";
import type { OperationCall } from "./messages.js";
import type { NotificationEntry } from "../report/transcript-io.js";
import type { SchemaModel } from "./schema-fields.js";

export interface LifecycleDrift {
  unknownStates: DriftUnknownState[];
  unknownCapabilities: DriftUnknownCapability[];
  unknownSubtypes: DriftUnknownSubtype[];
}

/** O8: "the requested one or OutboundReply". */
const REQUESTED_OR_OUTBOUND_REPLY = "requested-or-OutboundReply";
const OUTBOUND_REPLY = "OutboundReply";

const knownCapabilityNames = new Set(lifecycle.capabilities.map((c) => c.name));

export function isNotifiedState(state: string): boolean {
  return stateOf(state)?.notified === true;
}

/**
 * The subtypes a notification may carry, or undefined for "any" (Forward, O5) or "not judged
 * here" (the state's schema does not document interactionSubType: field drift reports it).
 */
export function expectedSubtypes(
  state: string,
  model: SchemaModel | undefined,
  creator: OperationCall | undefined,
  requestedAnywhere: readonly string[],
): string[] | undefined {
  const field = model?.fields.get("$.interactionSubType");
  if (!isNotifiedState(state) || !field) return undefined;
  if (field.values) return field.values.filter((v): v is string => typeof v === "string");
  const created = creator ? operationOf(creator.operation)?.creates : undefined;
  if (creator && created) {
    if (created.interactionSubType === null) return undefined;
    if (created.interactionSubType === REQUESTED_OR_OUTBOUND_REPLY) {
      const requested = (creator.entry.requestBody as { interactionSubType?: unknown } | undefined)?.interactionSubType;
      return typeof requested === "string" ? [requested, OUTBOUND_REPLY] : [OUTBOUND_REPLY];
    }
    return [created.interactionSubType];
  }
  // Creator unknown: what any creating operation could have led to.
  const fixed = lifecycle.operations
    .map((o) => o.creates?.interactionSubType)
    .filter((s): s is string => typeof s === "string" && s !== REQUESTED_OR_OUTBOUND_REPLY);
  return [...new Set([...fixed, OUTBOUND_REPLY, ...requestedAnywhere])];
}

function bump<T extends { count: number }>(map: Map<string, T>, key: string, make: () => Omit<T, "count">): void {
  const hit = map.get(key);
  if (hit) hit.count++;
  else map.set(key, { ...make(), count: 1 } as T);
}

export function lifecycleDriftOf(
  notifications: readonly NotificationEntry[],
  modelOfState: (state: string) => SchemaModel | undefined,
  creatorOf: ReadonlyMap<string, OperationCall>,
  requestedSubtypes: readonly string[],
): LifecycleDrift {
  const states = new Map<string, DriftUnknownState>();
  const caps = new Map<string, DriftUnknownCapability>();
  const subtypes = new Map<string, DriftUnknownSubtype>();
  for (const n of notifications) {
    const d = (n.data ?? {}) as Record<string, unknown>;
    if (typeof d.state !== "string") continue;
    const state = d.state;
    const known = isNotifiedState(state);
    if (!known) bump(states, state, () => ({ state }));
    if (Array.isArray(d.capabilities)) {
      const tolerated = toleratedCapabilities(state);
      for (const c of d.capabilities) {
        if (typeof c !== "string") continue; // a type mismatch, reported by field drift
        const knownElsewhere = knownCapabilityNames.has(c);
        // On an unknown state only names lifecycle.json has nowhere are news; the state itself is reported.
        if (known ? !tolerated.includes(c) : !knownElsewhere)
          bump(caps, `${state}|${c}`, () => ({ state, capability: c, knownElsewhere }));
      }
    }
    if (typeof d.interactionSubType === "string") {
      const creator = typeof d.id === "string" ? creatorOf.get(d.id) : undefined;
      const expected = expectedSubtypes(state, modelOfState(state), creator, requestedSubtypes);
      if (expected && !expected.includes(d.interactionSubType)) {
        const subtype = d.interactionSubType;
        const operation = creator?.operation ?? null;
        bump(subtypes, `${state}|${subtype}|${operation}`, () => ({ state, subtype, operation }));
      }
    }
  }
  return {
    unknownStates: [...states.values()].sort((a, b) => a.state.localeCompare(b.state)),
    unknownCapabilities: [...caps.values()].sort((a, b) =>
      `${a.state}|${a.capability}`.localeCompare(`${b.state}|${b.capability}`),
    ),
    unknownSubtypes: [...subtypes.values()].sort((a, b) =>
      `${a.state}|${a.subtype}`.localeCompare(`${b.state}|${b.subtype}`),
    ),
  };
}
