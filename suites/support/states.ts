/**
 * Puts a fresh interaction of the scenario into a notified state of the lifecycle, and builds a
 * valid request for any operation from its schema's examples (schemas/requests/*.schema.json):
 * the data-driven suites (capabilities, negative) iterate over lifecycle.json with these.
 */
import { contractValidator } from "../../src/contract/validators.js";
import { requireOperation } from "../../src/contract/lifecycle.js";
import type { AgentHandle } from "../../src/harness/target.js";
import type { Scenario } from "../../src/harness/scenario.js";
import { createReply, sendBody } from "./rules.js";

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
  const caps = (n: Record<string, unknown>): string[] => (Array.isArray(n.capabilities) ? (n.capabilities as string[]) : []);
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
 * A valid request for `operation`: the first example of its request schema, made concrete for
 * this scenario (Send gets real addresses; Transfer goes to a queue so no second agent is needed).
 */
export function validRequest(operation: string, token: string): Record<string, unknown> {
  if (operation === "Send") return sendBody(token);
  if (operation === "Transfer") return { operationName: "Transfer", queueName: "Tier2-Email" };
  const schema = requireOperation(operation).request;
  const example = contractValidator().files.get(schema)?.examples?.[0];
  if (!example || typeof example !== "object") throw new Error(`schemas/${schema} has no example to build a request from`);
  return structuredClone(example) as Record<string, unknown>;
}
