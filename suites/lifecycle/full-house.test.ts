/**
 * T7 at full capacity (interpretation.md, Deployment data and routing: "A target MAY declare its
 * capacity per agent … Then T7 is also judged at full capacity: while every Ready agent is full,
 * an inbound e-mail waits; it is not offered to a NotReady agent, and a Ready agent gets it once
 * one has room."). Only with a declared capacity (GWS_AGENT_CAPACITY; the embedded server declares
 * its own): without one the suite cannot know when an agent is full, and the scenario is SKIP with
 * that reason. It fills every Ready agent, so it runs alone (coordination.ts, exclusive).
 */
import { describe } from "vitest";
import { PreconditionError } from "../../src/harness/checks.js";
import { scenario, type AcceptedHandle } from "../../src/harness/scenario.js";
import { spareAgent } from "../../src/harness/target.js";
import type { Notification } from "../../src/contract/notification.js";
import { judgeWhereOffered, setChannel } from "../support/rules.js";

describe("T7 at full capacity", () => {
  scenario(
    "every Ready agent full: an inbound e-mail is not offered to a NotReady agent, and reaches a Ready agent once one has room",
    {
      area: "operations",
      requirements: ["T7.not-ready-not-offered", "T7.ready-offered"],
      needs: ["second-agent", "declared-capacity"],
      exclusive: true,
    },
    async (s) => {
      const capacity = s.settings.agentCapacity!;
      const spare = spareAgent(s.settings);
      const notReady = (spare ? s.target.agentNamed(spare) : undefined) ?? s.target.agents.at(-1)!;
      const ready = s.target.agents.filter((a) => a.name !== notReady.name);
      await setChannel(s, notReady, "NotReady");
      try {
        // Fill: the declared capacity on every Ready agent (wherever the target routes each e-mail,
        // so many accepted e-mails fill every one of them).
        const held: AcceptedHandle[] = [];
        for (const agent of ready) for (let i = 0; i < capacity; i++) held.push(await s.accepted({ agent }));
        // One more, hinted to the NotReady agent: it must wait, not go there.
        const token = s.newToken();
        s.target.monitor.claimToken(token, s, []);
        s.target.monitor.expectInjection(token, Date.now());
        await s.target.injector.inject(s.emailFor(token, { agent: notReady.name }));
        const went = await judgeWhereOffered(s, token, notReady, s.settings.inboundBudgetMs);
        if (went) {
          // A Ready agent took it beyond the declared figure: no NotReady agent was offered it (T7).
          s.check("T7.ready-offered", true, `${went.name} (Ready) was offered the e-mail of the full house`);
          return;
        }
        // Room on one Ready agent: the waiting e-mail reaches a Ready agent within the offer budget.
        const freed = held[0];
        const stop = await s.operate(freed.agent, freed.id, { operationName: "StopProcessing" });
        if (!stop.ok)
          throw new PreconditionError(
            "room on a Ready agent",
            `StopProcessing on ${freed.id} answered ${s.describeAnswer(stop)}: the suite could not free a slot`,
          );
        const budget = s.settings.inboundBudgetMs;
        const isIt = (d: Notification): boolean => d.state === "Invited" && JSON.stringify(d).includes(token);
        const found = await Promise.all(
          ready.map((a) => s.waitOn(a, isIt, `Invited for ${token} on ${a.name}`, budget)),
        );
        const reached = ready.filter((_, i) => found[i] !== undefined);
        s.check(
          "T7.ready-offered",
          reached.length > 0,
          reached.length
            ? `once ${freed.agent.name} had room, ${reached.map((a) => a.name).join(", ")} was offered the waiting e-mail`
            : `${freed.agent.name} had room again (its ${freed.id} stopped), yet no Ready agent was offered the ` +
                `waiting e-mail within ${budget} ms (the offer budget, GWS_INBOUND_BUDGET_MS; declared capacity ${capacity})`,
        );
      } finally {
        await setChannel(s, notReady, "Ready", false);
      }
    },
  );
});
