/**
 * R3 for every operation on an interaction: unknown id, missing required field, wrong type, and
 * missing or unknown operationName — each refused, with nothing changed and no notification.
 * Driven by schemas/lifecycle.json and the request schemas.
 */
import { describe } from "vitest";
import { allowedOperations, lifecycle } from "../../src/contract/lifecycle.js";
import { scenario } from "../../src/harness/scenario.js";
import { interactionIn, REACHABLE_STATES, validRequest } from "../support/states.js";
import { malformedRequests } from "../support/malformed.js";
import type { RequirementId } from "../../src/generated/requirement-ids.js";

const area = "negative";
const interactionOperations = lifecycle.operations.filter((o) => o.path === "interaction");

describe("R3 refused requests", () => {
  for (const op of interactionOperations) {
    const state = REACHABLE_STATES.find((st) => allowedOperations(st).includes(op.name));
    if (!state) continue;
    // Which kinds of malformed request this operation has depends on its schema (Accept has none).
    const kinds = new Set(malformedRequests(op.name, validRequest(op.name, "token")).map((c) => c.kind));
    const judged: RequirementId[] = ["R3.unknown-id", "R3.no-effect"];
    if (kinds.has("missing-required-field")) judged.push("R3.missing-required-field");
    if (kinds.has("wrong-type")) judged.push("R3.wrong-type");
    scenario(
      `${op.name}: unknown id${kinds.size ? ", missing fields and wrong types are" : " is"} refused; the interaction is unchanged`,
      { area, requirements: judged },
      async (s) => {
        const it = await interactionIn(s, state);
        const valid = validRequest(op.name, it.token);
        const unknownId = `unknown-${it.token}`;
        const unknown = await s.operate(it.agent, unknownId, valid);
        s.expectRefused(unknown, "R3.unknown-id", `${op.name} on unknown id ${unknownId}`);
        const cases = malformedRequests(op.name, valid);
        for (const c of cases) {
          const answer = await s.operate(it.agent, it.id, c.body);
          s.expectRefused(answer, c.kind === "wrong-type" ? "R3.wrong-type" : "R3.missing-required-field", `${op.name} ${c.label}`);
        }
        await s.expectNoNotification([it.id, unknownId], "R3.no-effect", `${1 + cases.length} refused ${op.name} requests`);
        // Nothing changed: the valid request still works in the same state.
        if (op.name === "Reject" || op.name === "Transfer" || op.name === "PlaceInQueue") s.allowReoffer(it.id);
        const after = await s.operate(it.agent, it.id, valid);
        s.check("R3.no-effect", after.ok, `after the refused requests, a valid ${op.name} answered HTTP ${after.exchange.status} ${JSON.stringify(after.body)?.slice(0, 200)}`);
      },
    );
  }

  scenario(
    "a body without operationName, an unknown operationName and malformed JSON are refused without effect",
    { area, requirements: ["R3.missing-operation-name", "R3.unknown-operation-name", "R2.no-5xx", "R3.no-effect"] },
    async (s) => {
      const it = await s.accepted();
      const none = await s.operate(it.agent, it.id, { subjectPrefix: "Re: " });
      s.expectRefused(none, "R3.missing-operation-name", "a body without operationName");
      const unknown = await s.operate(it.agent, it.id, { operationName: "Teleport" });
      s.expectRefused(unknown, "R3.unknown-operation-name", "operationName Teleport");
      const notString = await s.operate(it.agent, it.id, { operationName: 7 });
      s.expectRefused(notString, "R3.unknown-operation-name", "operationName 7 (a number)");
      const malformed = await s.operate(it.agent, it.id, undefined, { rawBody: '{"operationName": "Reply",' });
      s.expectRefused(malformed, "R3.missing-operation-name", "malformed JSON (no readable operationName)");
      await s.expectNoNotification([it.id], "R3.no-effect", "4 refused requests");
      const reply = await s.operate(it.agent, it.id, { operationName: "Reply" });
      s.check("R3.no-effect", reply.ok, `after the refused requests Reply answered HTTP ${reply.exchange.status}`);
    },
  );
});
