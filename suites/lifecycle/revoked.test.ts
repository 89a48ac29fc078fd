/** N5 Revoked: an unanswered invitation is taken back after the target's declared invitation timeout. */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";
import { BUDGETS } from "../../src/harness/budgets.js";
import { expectNoLongerHeld } from "../support/rules.js";

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
      await expectNoLongerHeld(
        s,
        inbound.agent,
        inbound.id,
        "Accept",
        inbound.token,
        "N5.operations-fail-after",
        "after Revoked",
      );
    },
  );
});
