/**
 * Offers observed over time: an unanswered invitation is taken back after the target's declared
 * invitation timeout (N5), and an agent that is NotReady is offered nothing over the offer budget
 * (T7). Both wait on purpose — the wait is the behaviour under test — so they share a file: a
 * worker runs one file at a time, and side by side the two waits overlap instead of each holding
 * a worker idle (docs/decisions.md, "Suite files and the run's wall time").
 *
 * T7: setting an agent NotReady affects every scenario that needs that agent: with three agents or
 * more the spare one is used (target.ts spareAgent: the others take the run's e-mails meanwhile);
 * with fewer, the scenario runs alone. Either way the agent is put back to Ready. Where the e-mail
 * went is judged, not only that the NotReady agent did not get it. With a declared capacity
 * (GWS_AGENT_CAPACITY) T7 is also judged at full capacity: that scenario fills every Ready agent,
 * so it runs alone (suites/lifecycle/full-house.test.ts).
 */
import { describe } from "vitest";
import { BUDGETS } from "../../src/harness/budgets.js";
import { scenario } from "../../src/harness/scenario.js";
import { spareAgent } from "../../src/harness/target.js";
import { expectNoLongerHeld, judgeWhereOffered, setChannel } from "../support/rules.js";

describe.concurrent("N5 Revoked", () => {
  scenario(
    "an Invited e-mail left unanswered is revoked (Revoked, capabilities []) and the agent can no longer accept it",
    {
      area: "lifecycle",
      requirements: ["N5.sent-on-timeout", "N5.shape", "N5.operations-fail-after"],
      needs: ["invite-timeout"],
    },
    async (s) => {
      const timeout = s.settings.inviteTimeoutMs!;
      // revokeAfterMs is the contract's hint (Test control); a target with a fixed timeout ignores it.
      const inbound = await s.inbound({ email: { revokeAfterMs: timeout } });
      const invitedAt = Date.now();
      await s.awaitNotification(inbound.agent, (d) => d.id === inbound.id && d.state === "Revoked", {
        what: `Revoked for ${inbound.id} after the declared ${timeout} ms invitation timeout`,
        requirement: "N5.sent-on-timeout",
        // The N8 budget runs from the moment the timeout (plus slack) has passed.
        after: invitedAt + timeout + BUDGETS.revokeSlackMs,
      });
      // Where the agent's stream stood at the Revoked: an Invited after it is a new offer (N5 MAY re-offer).
      const revokedAt = [...inbound.agent.session.items()]
        .reverse()
        .find((n) => n.data.id === inbound.id && n.data.state === "Revoked")?.index;
      await expectNoLongerHeld(
        s,
        inbound.agent,
        inbound.id,
        "Accept",
        inbound.token,
        "N5.operations-fail-after",
        "after Revoked",
        revokedAt,
      );
    },
  );
});

describe.concurrent("T7 channel state", () => {
  scenario(
    "a NotReady agent is not offered inbound e-mails; Ready and NotReady answer per R1",
    {
      area: "operations",
      requirements: ["T7.channel-answer", "T7.not-ready-not-offered", "T7.ready-offered"],
      exclusive: (t) => spareAgent(t) === undefined,
      // The e-mail hinted to the NotReady agent may be routed to any other agent (the hint is only
      // a hint): room for it on every one, reserved before it is sent.
      openOnOthers: "every",
    },
    async (s) => {
      const spare = spareAgent(s.settings);
      const agent = spare ? s.target.agentNamed(spare)! : s.agent(0);
      await s.reserveRoom();
      await setChannel(s, agent, "NotReady");
      const token = s.newToken();
      try {
        s.target.monitor.claimToken(token, s, []);
        s.target.monitor.expectInjection(token, Date.now());
        await s.target.injector.inject(s.emailFor(token, { agent: agent.name }));
        // Absence of an offer can only be observed over a window: the wait is the behaviour under
        // test, and it is the target's declared offer budget (an offer may take that long to come).
        await judgeWhereOffered(s, token, agent, s.settings.inboundBudgetMs);
      } finally {
        await setChannel(s, agent, "Ready");
      }
      // Ready again: an e-mail routed to the agent is offered (T7).
      await s.inbound({ agent });
    },
  );
});
