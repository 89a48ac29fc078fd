/**
 * The fault layer of the reference server: the catalogue (./catalog.ts, each fault declared once
 * with its rule, level, expected requirements, description and hooks) and the hook points
 * (./hooks.ts). The server asks for the hooks of the fault it was started with.
 */
import { FAULTS } from "./catalog.js";
import type { FaultHooks } from "./hooks.js";

export { defineFault, FAULTS, LEAK_UNDER_LOAD_OFFERS_PER_SECOND } from "./catalog.js";

/** The environment variable naming the embedded server's fault (read by the command only: src/cli/args.ts). */
export const FAULT_ENV = "GWS_REFERENCE_FAULT";
export type { ConformanceFault, DriftFault, FaultDefinition, FaultProbe, Rule } from "./catalog.js";
export type { FaultHooks, Notification, NotifyContext } from "./hooks.js";

/** The hooks of a fault by name (none: the clean server). Throws for an unknown name, listing the valid ones. */
export function faultHooks(name: string | undefined): FaultHooks {
  if (!name) return {};
  const fault = FAULTS.find((f) => f.name === name);
  if (!fault) throw new Error(`unknown fault "${name}"; valid faults: ${FAULTS.map((f) => f.name).join(", ")}`);
  return fault.hooks;
}
