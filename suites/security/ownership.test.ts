/**
 * T8 ownership and T6 isolation: only the agent an interaction is offered to or owned by may
 * operate on it or hear of it.
 */
import { describe } from "vitest";
import { allowedOperations } from "../../src/contract/lifecycle.js";
import type { RequirementId } from "../../src/generated/requirement-ids.js";
import { scenario, type Answer } from "../../src/harness/scenario.js";
import { BUDGETS } from "../../src/harness/budgets.js";
import { interactionIn, REACHABLE_STATES, validRequest } from "../support/states.js";
import { createReply, expectOwnerStillCan, sendBody } from "../support/rules.js";

const area = "security";

describe.concurrent("T8 another agent's interaction", () => {
  for (const state of REACHABLE_STATES) {
    scenario(
      `${state}: every operation by another agent is refused, changes nothing and notifies no one`,
      { area, requirements: ["T8.foreign-refused", "T8.foreign-no-effect"], needs: ["second-agent"] },
      async (s) => {
        const it = await interactionIn(s, state);
        const requirements: RequirementId[] = ["T8.foreign-refused", "T8.foreign-no-effect"];
        // The intruder is an agent that was not offered it (a server MAY offer one e-mail to several
        // Ready agents: each may operate on it until the first Accept holds it).
        const intruder = s.intruderFor(it.agent, it.id);
        if (!intruder) {
          s.unjudged(
            requirements,
            `every agent was offered ${it.id} and none accepted it yet (Deployment data and routing: offers to ` +
              "several agents): no agent is another agent's intruder in this state",
          );
          return;
        }
        const ops = allowedOperations(state);
        let first: Answer | undefined;
        for (const op of ops) {
          const answer = await s.operate(intruder, it.id, validRequest(s, op, it.token));
          if (!answer.refused && state === "Invited" && (await s.wasOffered(intruder, it.id))) {
            // Its offer had not reached the suite when the intruder was chosen: it was offered it too.
            s.unjudged(
              requirements,
              `${intruder.name} turned out to be offered ${it.id} too (offers to several agents)`,
            );
            if (op === "Accept") await s.operate(intruder, it.id, { operationName: "StopProcessing" });
            return;
          }
          s.expectRefused(
            answer,
            "T8.foreign-refused",
            `${intruder.name} sends ${op} on ${it.agent.name}'s interaction in ${state}`,
          );
          first ??= answer;
        }
        await s.expectNoNotification([it.id], "T8.foreign-no-effect", `${ops.length} operations by ${intruder.name}`, {
          since: first,
        });
        // Held as it was for the budget; nothing changed: the owner can still do what the state allows.
        await expectOwnerStillCan(s, it, state, "T8.foreign-no-effect", `after ${ops.length} foreign operations`);
      },
    );
  }
});

describe.concurrent("T6 per-agent notifications", () => {
  scenario(
    "another agent hears nothing of an interaction it was never offered",
    { area, requirements: ["T6.no-leak"], needs: ["second-agent"] },
    async (s) => {
      const it = await s.accepted();
      const reply = await createReply(s, it, "Reply", { subjectPrefix: "Re: " });
      const send = await s.operate(it.agent, reply.id, sendBody(s, it.token));
      s.expectOk(send, "O6.answer-ok");
      const others = s.target.agents.filter((a) => a.name !== it.agent.name);
      const offered = s.target.monitor.offersOf(it.id)?.offered ?? [];
      for (const other of others) {
        // An agent offered the e-mail beside the holder (offers to several agents) heard of it by
        // that offer and MAY hear its end (Revoked); anything else about it is a leak.
        const offerOrItsEnd = (d: Record<string, unknown>): boolean =>
          offered.includes(other.name) && d.id === it.id && (d.state === "Invited" || d.state === "Revoked");
        // A leak may trail the owner's notifications: watch for a window, then look at everything seen.
        const leak = await s.waitOn(
          other,
          (d) => !offerOrItsEnd(d) && (d.id === it.id || d.id === reply.id || JSON.stringify(d).includes(it.token)),
          `any notification about ${it.token}`,
          BUDGETS.quietWindowMs,
        );
        s.check(
          "T6.no-leak",
          !leak,
          leak
            ? `${other.name} got ${String(leak.data.state)} for ${String(leak.data.id)}`
            : `${other.name} got nothing about ${it.id} or ${reply.id}`,
        );
      }
    },
  );
});
