/**
 * R3 for every operation allowed in a state: unknown id, missing required field and wrong type
 * (derived from the request schema) are refused, nothing changes, no notification comes.
 * One suite file per state calls this, so the files run in parallel.
 */
import { allowedOperations, lifecycle } from "../../src/contract/lifecycle.js";
import { scenario } from "../../src/harness/scenario.js";
import { operationRequest } from "../../src/harness/requests.js";
import type { ResolvedQueues } from "../../src/harness/settings.js";
import type { RequirementId } from "../../src/generated/requirement-ids.js";
import { interactionIn, validRequest, type ReachableState } from "./states.js";
import { malformedRequests } from "./malformed.js";

const area = "negative";

/** Which kinds of malformed request an operation has depends on its schema only: any queue name does to work it out (never sent). */
const SHAPE_ONLY: ResolvedQueues = {
  compose: { name: "q", from: "-" },
  send: { name: "q", from: "-" },
  transfer: { name: "q", from: "-" },
  place: { name: "q", from: "-" },
  create: { name: "q", from: "-" },
};

export function malformedRequestScenarios(state: ReachableState): void {
  const interactionOperations = lifecycle.operations.filter(
    (o) => o.path === "interaction" && allowedOperations(state).includes(o.name),
  );
  for (const op of interactionOperations) {
    // Which kinds of malformed request this operation has depends on its schema (Accept has none).
    const kinds = new Set(
      malformedRequests(op.name, operationRequest(op.name, { queues: SHAPE_ONLY, token: "t" })).map((c) => c.kind),
    );
    const judged: RequirementId[] = ["R3.unknown-id", "R3.no-effect"];
    if (kinds.has("missing-required-field")) judged.push("R3.missing-required-field");
    if (kinds.has("wrong-type")) judged.push("R3.wrong-type");
    scenario(
      `${op.name}: unknown id${kinds.size ? ", missing fields and wrong types are" : " is"} refused; the interaction is unchanged`,
      { area, requirements: judged },
      async (s) => {
        const it = await interactionIn(s, state);
        const valid = validRequest(s, op.name, it.token);
        const unknownId = `unknown-${it.token}`;
        const unknown = await s.operate(it.agent, unknownId, valid);
        s.expectRefused(unknown, "R3.unknown-id", `${op.name} on unknown id ${unknownId}`);
        const cases = malformedRequests(op.name, valid);
        for (const c of cases) {
          const answer = await s.operate(it.agent, it.id, c.body);
          s.expectRefused(
            answer,
            c.kind === "wrong-type" ? "R3.wrong-type" : "R3.missing-required-field",
            `${op.name} ${c.label}`,
          );
        }
        await s.expectNoNotification(
          [it.id, unknownId],
          "R3.no-effect",
          `${1 + cases.length} refused ${op.name} requests`,
          { since: unknown },
        );
        // Nothing changed: the valid request still works in the same state.
        const after = await s.operate(it.agent, it.id, valid);
        s.check(
          "R3.no-effect",
          after.ok,
          `after the refused requests, a valid ${op.name} answered ${s.describeAnswer(after)}`,
        );
      },
    );
  }
}
