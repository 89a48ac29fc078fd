/**
 * Accessors over schemas/lifecycle.json: the one statement of states, capabilities and
 * what each operation leads to. The reference server and the suites both read it here.
 */
import type { Lifecycle, LifecycleOperation, LifecycleState } from "../generated/contract-types.js";
import { readSchemasJson } from "./schemas.js";

export type { Lifecycle, LifecycleOperation, LifecycleState };

export const lifecycle: Lifecycle = readSchemasJson<Lifecycle>("lifecycle.json");

const statesByName = new Map(lifecycle.states.map((s) => [s.name, s]));
const operationsByName = new Map(lifecycle.operations.map((o) => [o.name, o]));
const capabilityToOperation = new Map(lifecycle.capabilities.map((c) => [c.name, c.operation ?? null]));
const operationToCapability = new Map(
  lifecycle.capabilities.filter((c) => c.operation).map((c) => [c.operation as string, c.name]),
);

export function stateOf(name: string): LifecycleState | undefined {
  return statesByName.get(name);
}

export function requireState(name: string): LifecycleState {
  const s = statesByName.get(name);
  if (!s) throw new Error(`lifecycle.json has no state ${name}`);
  return s;
}

export function operationOf(name: string): LifecycleOperation | undefined {
  return operationsByName.get(name);
}

export function requireOperation(name: string): LifecycleOperation {
  const o = operationsByName.get(name);
  if (!o) throw new Error(`lifecycle.json has no operation ${name}`);
  return o;
}

/** The capabilities the page documents for a state (N2-N5); N6 requires each of them. */
export function documentedCapabilities(state: string): readonly string[] {
  return stateOf(state)?.capabilities ?? [];
}

/** Capabilities a state may list without a warning: documented plus tolerated (Forward on Accepted, O5). */
export function toleratedCapabilities(state: string): readonly string[] {
  const s = stateOf(state);
  if (!s) return [];
  return [...s.capabilities, ...(s.alsoAllowed ?? []).map((a) => a.capability)];
}

/** The operationName a capability names, or null when the capability is untestable (O12). */
export function operationForCapability(capability: string): string | null | undefined {
  return capabilityToOperation.get(capability);
}

/** The capability name that advertises an operation (CancelReplyEmail → Cancel). */
export function capabilityForOperation(operation: string): string | undefined {
  return operationToCapability.get(operation);
}

/**
 * Operations allowed on an interaction in `state`: those its documented capabilities name,
 * plus the tolerated extras (Forward on Accepted, O5). Everything else is refused (R3).
 */
export function allowedOperations(state: string): string[] {
  const ops = new Set<string>();
  for (const cap of toleratedCapabilities(state)) {
    const op = operationForCapability(cap);
    if (op) ops.add(op);
  }
  return [...ops];
}

/** States that a notification may carry, with the schema that describes them. */
export function notifiedStates(): LifecycleState[] {
  return lifecycle.states.filter((s) => s.notified);
}

/** The schema of a notified state (e.g. Accepted → notifications/accepted.schema.json). */
export function notificationSchemaFor(state: string): string | undefined {
  return stateOf(state)?.schema;
}

/**
 * Notified transitions one agent may observe for one interaction id, derived from the
 * operations (`next` / `offersTo`) and events: [from, to], where from null means "first
 * notification of that id on this agent's stream".
 */
export function legalNotifiedTransitions(): Array<[string | null, string]> {
  const out: Array<[string | null, string]> = [];
  const push = (from: string | null, to: string): void => {
    if (!out.some(([f, t]) => f === from && t === to)) out.push([from, to]);
  };
  for (const op of lifecycle.operations) {
    if (op.next && op.next.notify !== "none" && stateOf(op.next.state)?.notified) {
      for (const s of lifecycle.states) if (allowedOperations(s.name).includes(op.name)) push(s.name, op.next.state);
    }
    if (op.creates && op.creates.notify !== "none") push(null, op.creates.state);
    if (op.offersTo && op.offersTo.notify !== "none") push(null, op.offersTo.state);
  }
  for (const ev of lifecycle.events) push(ev.from, ev.to);
  return out;
}

/**
 * Whether reaching `state` means the holder let the interaction go (Reject, Transfer,
 * PlaceInQueue, Revoked): the server MAY then offer it again, by Invited for the same id, to any
 * Ready agent, the same one included (interpretation.md, "Deployment data and routing").
 */
export function releasesHolder(state: string): boolean {
  return stateOf(state)?.releases === true;
}

/** The operations whose success lets the interaction go (their `next` state releases the holder). */
export function releasingOperations(): string[] {
  return lifecycle.operations.filter((o) => o.next && releasesHolder(o.next.state)).map((o) => o.name);
}

/** Whether an operation's success MAY be an empty HTTP 200 (R1 MAY: Accept, contradiction 4). */
export function answerMayBeEmpty(operation: string): boolean {
  return operationOf(operation)?.emptyAnswer === "MAY";
}

/** States the server may move an interaction to on its own from `state` (spontaneous events: Revoked after Invited). */
export function spontaneousSuccessors(state: string): string[] {
  return lifecycle.events.filter((e) => e.spontaneous && e.from === state).map((e) => e.to);
}

/** The state a lifecycle event (schemas/lifecycle.json `events`) leads to. */
export function eventTargetOf(name: string): string {
  const event = lifecycle.events.find((e) => e.name === name);
  if (!event) throw new Error(`lifecycle.json has no event ${name}`);
  return event.to;
}
