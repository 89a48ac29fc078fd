/**
 * Accessors over schemas/requirements.json, the requirement registry: the IDs tests cite
 * and reports are keyed by. Levels decide verdicts: MUST → FAIL, SHOULD → WARN.
 */
import type { Requirement, RequirementRegistry } from "../generated/contract-types.js";
import { REQUIREMENT_IDS, type RequirementId } from "../generated/requirement-ids.js";
import { readSchemasJson } from "./schemas.js";

export type { Requirement, RequirementId };

/** A requirement's level (interpretation.md, "Levels"): a failed MUST is FAIL, a failed SHOULD WARN; MAY never fails. */
export type Level = Requirement["level"];
export { REQUIREMENT_IDS };

export const registry: RequirementRegistry = readSchemasJson<RequirementRegistry>("requirements.json");

const byId = new Map(registry.requirements.map((r) => [r.id, r]));

export function requirement(id: string): Requirement {
  const r = byId.get(id);
  if (!r) throw new Error(`unknown requirement ID ${id} (not in schemas/requirements.json)`);
  return r;
}

export function isRequirementId(id: string): id is RequirementId {
  return byId.has(id);
}

export function levelOf(id: RequirementId): Level {
  return requirement(id).level;
}

/** Requirements the suites must cover (not excluded). */
export function testableRequirements(): Requirement[] {
  return registry.requirements.filter((r) => !r.excluded);
}

export function excludedRequirements(): Requirement[] {
  return registry.requirements.filter((r) => r.excluded);
}
