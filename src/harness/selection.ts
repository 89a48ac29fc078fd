/**
 * Which requirements a run judges: --only / --skip (requirement IDs, rules, areas or scenario
 * tags) and --level must. The selection reaches the workers in the run context; scenarios with nothing selected are skipped ("filtered out"), and the verdicts
 * mark every requirement outside the selection SKIP with the same reason.
 */
import type { Requirement } from "../generated/contract-types.js";

export interface Selection {
  only?: string[];
  skip?: string[];
  level?: "must" | "should";
}

/** Why `req` is outside the selection (undefined: selected). `tags` are the areas and tags of the scenarios that judge it. */
export function filteredOut(
  req: Pick<Requirement, "id" | "rule" | "area" | "level">,
  sel: Selection | undefined,
  tags: string[] = [],
): string | undefined {
  if (!sel) return undefined;
  const keys = [req.id, req.rule, req.area, ...tags];
  if (sel.only?.length && !sel.only.some((k) => keys.includes(k)))
    return `filtered out by --only ${sel.only.join(",")}`;
  if (sel.skip?.length && sel.skip.some((k) => keys.includes(k))) return `filtered out by --skip ${sel.skip.join(",")}`;
  if (sel.level === "must" && req.level !== "MUST") return "filtered out by --level must";
  return undefined;
}
