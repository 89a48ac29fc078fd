/**
 * Puts a fresh interaction of the scenario into a notified state of the lifecycle, and builds a
 * valid request for any operation from the target's settings: the data-driven suites
 * (capabilities, negative) iterate over lifecycle.json with these.
 */
import type { AgentHandle } from "../../src/harness/target.js";
import type { Scenario } from "../../src/harness/scenario.js";
import { createReply } from "./rules.js";

export interface InteractionInState {
  agent: AgentHandle;
  id: string;
  token: string;
  /** The capabilities the target advertised with that state. */
  capabilities: string[];
  /** For a ReplyCreated interaction, the accepted inbound it came from. */
  sourceId?: string;
}

/** The states a suite can put an interaction in, in the order the lifecycle reaches them. */
export const REACHABLE_STATES = ["Invited", "Accepted", "ReplyCreated"] as const;
export type ReachableState = (typeof REACHABLE_STATES)[number];

export async function interactionIn(s: Scenario, state: ReachableState): Promise<InteractionInState> {
  const caps = (n: Record<string, unknown>): string[] =>
    Array.isArray(n.capabilities) ? (n.capabilities as string[]) : [];
  if (state === "Invited") {
    const i = await s.inbound();
    return { agent: i.agent, id: i.id, token: i.token, capabilities: caps(i.invited) };
  }
  const a = await s.accepted();
  if (state === "Accepted") return { agent: a.agent, id: a.id, token: a.token, capabilities: caps(a.accepted) };
  const r = await createReply(s, a, "Reply", { subjectPrefix: "Re: " });
  return { agent: a.agent, id: r.id, token: a.token, capabilities: caps(r.created), sourceId: a.id };
}

/**
 * A valid request for `operation` in this deployment, built from the target's settings
 * (src/harness/requests.ts: configured queues, real addresses), never from a schema's examples.
 * Transfer goes to the configured queue, so no second agent is needed.
 */
export function validRequest(s: Scenario, operation: string, token: string): Record<string, unknown> {
  return s.request(operation, token);
}
