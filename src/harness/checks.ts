/**
 * What a scenario records: one CheckRecord per judged requirement, kept in the vitest task
 * meta (`task.meta.gws`) so the reporter turns them into verdicts. A MUST check that fails
 * fails its test; a SHOULD check that fails is a warning and the test still passes.
 */
import type { Level } from "../contract/registry.js";
import type { RequirementId } from "../generated/requirement-ids.js";
import type {} from "vitest";

/** What a scenario may need that a target can declare it does not have: the only reasons to SKIP. */
export type Need = "second-agent" | "invite-timeout" | "declared-capacity";

/** The skip reason of each need: scenarios record it, the verdicts classify unjudged requirements by it. */
export const SKIP_REASONS: Record<Need, string> = {
  "second-agent": "needs a second agent",
  "invite-timeout": "the target declares no invitation timeout (GWS_INVITE_TIMEOUT_MS)",
  "declared-capacity":
    "the target declares no capacity per agent (GWS_AGENT_CAPACITY): T7 at full capacity is not judged",
};

export interface CheckRecord {
  requirement: RequirementId;
  level: Level;
  passed: boolean;
  message: string;
  /** Epoch ms. */
  at: number;
  /** Measured figures where a check has them (e.g. notification delay in ms). */
  measuredMs?: number;
}

export interface ScenarioMeta {
  /** Requirements the scenario sets out to judge (from its declaration). */
  requirements: RequirementId[];
  area: string;
  tags: string[];
  checks: CheckRecord[];
  /** Set when the scenario could not run to the end because a precondition or the suite broke. */
  error?: { prerequisite?: string; message: string };
  /** Set when the scenario was skipped because the target declares it does not support something. */
  skipped?: string;
  /** The first failure that stopped the scenario early (later requirements were not reached). */
  stoppedBy?: string;
  /**
   * Declared requirements this run of the scenario could not judge although nothing failed, with
   * why (e.g. T8 when every agent was offered the e-mail: nobody is an intruder). SKIP for them.
   */
  unjudged?: Partial<Record<RequirementId, string>>;
}

declare module "vitest" {
  interface TaskMeta {
    gws?: ScenarioMeta;
  }
}

/** A precondition of the suite broke (injection refused, an agent cannot log in): an ERROR, not a verdict. */
export class PreconditionError extends Error {
  constructor(
    readonly prerequisite: string,
    message: string,
  ) {
    super(`precondition "${prerequisite}" failed: ${message}`);
    this.name = "PreconditionError";
  }
}

/** Thrown to stop a scenario after a failed check made its next steps meaningless. */
export class ScenarioStop extends Error {
  constructor(readonly check: CheckRecord) {
    super(`stopped: ${check.requirement} ${check.message}`);
    this.name = "ScenarioStop";
  }
}

/** The error a scenario's test fails with when MUST checks failed; lists each with its rule. */
export class ConformanceFailure extends Error {
  constructor(readonly failures: CheckRecord[]) {
    super(failures.map((f) => `${f.requirement} (${f.level}): ${f.message}`).join("\n"));
    this.name = "ConformanceFailure";
  }
}
