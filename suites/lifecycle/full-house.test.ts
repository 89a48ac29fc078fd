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
import { scenario, type InboundHandle } from "../../src/harness/scenario.js";
import { spareAgent } from "../../src/harness/target.js";
import type { Notification } from "../../src/contract/notification.js";
import { setChannel } from "../support/rules.js";

/** The prerequisite named when a wait crossed a re-handshake gap (src/harness/gaps.ts). */
const GAP = "the agent's CometD subscription held during the wait";
/**
 * How many probes a gap may spoil before the scenario gives up (ERROR naming the gap). A target
 * that sweeps sessions every second or two spoils about every other probe window (the offer
 * budget): eight keeps a clean run from ending in ERROR by bad luck (≈ 0.5⁹), and each spoiled
 * probe costs one offer budget.
 */
const MAX_GAPPED = 8;

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
        // Fill every Ready agent: e-mails one after the other, each accepted wherever the target
        // offers it, until one is offered to nobody within the offer budget — it waits, the house is
        // full (other scenarios' leftovers count too). The declared capacity bounds how many it takes.
        const held: InboundHandle[] = [];
        const most = capacity * ready.length + 1;
        // The e-mails offered to nobody: the last one waited through a window with no re-handshake
        // gap (the house is full). One whose window a gap crossed proves nothing (its Invited MAY
        // have been lost: Deployment data and routing) — another is sent, and it may be waiting too.
        const waiting: string[] = [];
        /** When the first e-mail that may still be waiting was injected (gaps since then matter at the end). */
        let firstWaitingAt: number | undefined;
        let gapped = 0;
        let full = false;
        for (let i = 0; i < most + gapped; i++) {
          const token = s.newToken();
          let got: InboundHandle | undefined;
          const injectedAt = Date.now();
          try {
            // Only a gap on a Ready agent spoils the probe: an offer lost on the NotReady agent
            // could only hide a fault (T7), and the end of the scenario checks the gaps again.
            got = await s.inboundOrNone({ agent: ready[i % ready.length], token, gapsMatterOn: ready });
          } catch (e) {
            if (!(e instanceof PreconditionError) || e.prerequisite !== GAP || gapped >= MAX_GAPPED) throw e;
            gapped++;
            waiting.push(token);
            firstWaitingAt ??= injectedAt;
            continue;
          }
          if (!got) {
            waiting.push(token);
            firstWaitingAt ??= injectedAt;
            full = true;
            break;
          }
          if (got.agent.name === notReady.name) {
            // Evidence: a NotReady agent was offered it (T7), the house full or not.
            s.check(
              "T7.not-ready-not-offered",
              false,
              `${notReady.name} was NotReady yet was offered ${got.id} (${held.length} e-mails accepted by ` +
                `${ready.map((a) => a.name).join(", ")}, declared capacity ${capacity})`,
            );
            return;
          }
          held.push(got);
          s.requireOk(await s.operate(got.agent, got.id, { operationName: "Accept" }), "O1.answer-ok");
        }
        if (!full && held.length < most)
          throw new PreconditionError(
            GAP,
            `the last ${gapped} e-mail(s) offered to nobody waited across a re-handshake gap`,
          );
        if (!full) {
          s.unjudged(
            ["T7.not-ready-not-offered", "T7.ready-offered"],
            `the Ready agents took ${most} e-mails (declared capacity ${capacity} each): the house was never full`,
          );
          return;
        }
        const budget = s.settings.inboundBudgetMs;
        s.check(
          "T7.not-ready-not-offered",
          true,
          `every Ready agent full (${held.length} accepted, declared capacity ${capacity}): the next e-mail was ` +
            `offered to nobody within ${budget} ms, ${notReady.name} (NotReady) neither`,
        );
        // Room on one Ready agent: the waiting e-mail reaches a Ready agent within the offer budget.
        const freed = held[0];
        if (!freed) throw new PreconditionError("room on a Ready agent", "no e-mail was offered to any Ready agent");
        const stop = await s.operate(freed.agent, freed.id, { operationName: "StopProcessing" });
        if (!stop.ok)
          throw new PreconditionError(
            "room on a Ready agent",
            `StopProcessing on ${freed.id} answered ${s.describeAnswer(stop)}: the suite could not free a slot`,
          );
        const isIt = (d: Notification): boolean =>
          d.state === "Invited" && waiting.some((t) => JSON.stringify(d).includes(t));
        const found = await Promise.all(
          s.target.agents.map((a) => s.waitOn(a, isIt, `Invited for ${waiting.join(" or ")} on ${a.name}`, budget)),
        );
        const reached = s.target.agents.filter((_, i) => found[i] !== undefined);
        // Offered to nobody, yet an agent's subscription had a gap since the waiting e-mails were
        // sent: the offer MAY have been lost in it (Deployment data and routing) — ERROR, not FAIL.
        if (!reached.length)
          s.unjudgeableAcrossGap(
            s.target.agents,
            firstWaitingAt ?? Date.now(),
            `the Invited for ${waiting.join(" or ")}`,
          );
        const onNotReady = reached.some((a) => a.name === notReady.name);
        s.check(
          "T7.not-ready-not-offered",
          !onNotReady,
          `the waiting e-mail went to ${reached.map((a) => a.name).join(", ") || "nobody"}`,
        );
        s.check(
          "T7.ready-offered",
          reached.some((a) => a.name !== notReady.name),
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
