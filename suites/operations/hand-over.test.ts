/** O2 Reject, O9 Transfer, O10 StopProcessing, O11 PlaceInQueue: the agent lets the interaction go. */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";
import { expectLetGo, expectNoLongerHeld } from "../support/rules.js";

const area = "operations";

describe.concurrent("O2 Reject", () => {
  scenario(
    "Reject on Invited answers ok; the agent can no longer accept it",
    { area, requirements: ["O2.answer-ok", "O2.loses-interaction"] },
    async (s) => {
      const inbound = await s.inbound();
      // O2 MAY: the target may offer it to another Ready agent (the monitor knows from the lifecycle: a release).
      await expectLetGo(s, inbound, inbound.id, s.request("Reject", inbound.token), {
        ok: "O2.answer-ok",
        lost: "O2.loses-interaction",
        probe: "Accept",
      });
    },
  );
});

describe.concurrent("O9 Transfer", () => {
  scenario(
    "Transfer to another agent: ok, the agent loses it, the Ready target agent is invited for the same id",
    {
      area,
      requirements: ["O9.answer-ok", "O9.loses-interaction", "O9.target-invited"],
      needs: ["second-agent"],
      // Room on the agent it transfers to, reserved up front: a full agent's Invited may wait.
      openOnOthers: 1,
    },
    async (s) => {
      const inbound = await s.accepted();
      const target = s.otherAgent(inbound.agent);
      // The target agent becomes a recipient the way every re-offer does: Transfer releases the holder (lifecycle).
      const transfer = await s.operate(
        inbound.agent,
        inbound.id,
        s.request("Transfer", inbound.token, {}, target.name),
      );
      s.requireOk(transfer, "O9.answer-ok");
      // A named Ready agent's Invited follows N8's budget, not the offer budget.
      await s.awaitNotification(target, (d) => d.id === inbound.id && d.state === "Invited", {
        what: `Invited for ${inbound.id} on ${target.name}`,
        requirement: "O9.target-invited",
        after: transfer,
      });
      await expectNoLongerHeld(
        s,
        inbound.agent,
        inbound.id,
        "StopProcessing",
        inbound.token,
        "O9.loses-interaction",
        "after Transfer",
      );
    },
  );

  scenario(
    "Transfer to a queue: ok, the agent loses it",
    { area, requirements: ["O9.answer-ok", "O9.loses-interaction"] },
    async (s) => {
      const inbound = await s.accepted();
      await expectLetGo(s, inbound, inbound.id, s.request("Transfer", inbound.token), {
        ok: "O9.answer-ok",
        lost: "O9.loses-interaction",
        probe: "Reply",
      });
    },
  );
});

describe.concurrent("O10 StopProcessing", () => {
  scenario(
    "StopProcessing answers ok; later operations on the interaction fail",
    { area, requirements: ["O10.answer-ok", "O10.finished"] },
    async (s) => {
      const inbound = await s.accepted();
      const stop = s.request("StopProcessing", inbound.token, { reason: "answered by phone" });
      await expectLetGo(s, inbound, inbound.id, stop, { ok: "O10.answer-ok", lost: "O10.finished", probe: "Reply" });
    },
  );
});

describe.concurrent("O11 PlaceInQueue", () => {
  scenario(
    "PlaceInQueue with a queue answers ok; the agent loses the interaction",
    { area, requirements: ["O11.answer-ok", "O11.loses-interaction"] },
    async (s) => {
      const inbound = await s.accepted();
      await expectLetGo(s, inbound, inbound.id, s.request("PlaceInQueue", inbound.token), {
        ok: "O11.answer-ok",
        lost: "O11.loses-interaction",
        probe: "StopProcessing",
      });
    },
  );
});
