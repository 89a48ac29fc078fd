/**
 * N6 and the behaviour cross-check: in each state, every documented capability is listed
 * (the stream monitor judges N6 on every notification), every testable capability the target
 * advertises is accepted as an operation (N6.advertised-accepted), and operations the state
 * does not allow are refused (R3.not-capable). Driven by schemas/lifecycle.json.
 */
import { describe } from "vitest";
import { allowedOperations, lifecycle, operationForCapability } from "../../src/contract/lifecycle.js";
import { scenario, type Answer } from "../../src/harness/scenario.js";
import { interactionIn, REACHABLE_STATES, validRequest } from "../support/states.js";
import { expectOwnerStillCan } from "../support/rules.js";

const area = "capabilities";
const operations = lifecycle.operations.filter((o) => o.path === "interaction").map((o) => o.name);

describe.concurrent("N6 capabilities", () => {
  for (const state of REACHABLE_STATES) {
    scenario(
      `${state}: every testable capability the target advertises is accepted as an operation`,
      // The probe, and one fresh interaction (with its reply in ReplyCreated) at a time.
      { area, requirements: ["N6.documented-present", "N6.undocumented-extra", "N6.advertised-accepted"], open: 4 },
      async (s) => {
        const probe = await interactionIn(s, state);
        const testable = probe.capabilities.filter((c) => operationForCapability(c));
        s.check(
          "N6.advertised-accepted",
          testable.length > 0 || probe.capabilities.length === 0,
          `${state} advertises ${JSON.stringify(probe.capabilities)}`,
        );
        for (const capability of testable) {
          const operation = operationForCapability(capability)!;
          // a fresh interaction per capability: each accepted operation changes the state
          const fresh = await interactionIn(s, state);
          const answer = await s.operate(fresh.agent, fresh.id, validRequest(s, operation, fresh.token));
          s.check(
            "N6.advertised-accepted",
            answer.ok,
            `${state} advertises ${capability}; ${operation} answered ${s.describeAnswer(answer)}`,
          );
          // Give back what this capability's check opened before the next one (capacity).
          await s.finishAllBut([probe.id, probe.sourceId]);
        }
      },
    );

    scenario(
      `${state}: operations the state does not allow are refused`,
      { area, requirements: ["R3.not-capable", "R3.no-effect"] },
      async (s) => {
        const probe = await interactionIn(s, state);
        const refusedOps = operations.filter((op) => !allowedOperations(state).includes(op));
        let first: Answer | undefined;
        for (const operation of refusedOps) {
          const answer = await s.operate(probe.agent, probe.id, validRequest(s, operation, probe.token));
          s.expectRefused(answer, "R3.not-capable", `${operation} on an interaction in ${state}`);
          first ??= answer;
        }
        // nothing changed: no notification about it came (checked once for all the refused calls)
        await s.expectNoNotification(
          [probe.id],
          "R3.no-effect",
          `${refusedOps.length} refused operations in ${state}`,
          { since: first },
        );
        // Held as it was for the budget; nothing changed: the owner can still do what the state allows.
        await expectOwnerStillCan(s, probe, state, "R3.no-effect", `after ${refusedOps.length} refused operations`);
      },
    );
  }
});
