/**
 * Whole lifecycle flows an agent goes through, end to end. Each step is judged by its own
 * rule; the stream monitor judges that every notification is a legal lifecycle transition
 * (N7.legal-transition) and that nothing is duplicated (N7.no-duplicates).
 */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";
import { createReply, expectLetGo, sendBody } from "../support/rules.js";

const area = "lifecycle";

describe.concurrent("lifecycle flows", () => {
  scenario(
    "accept → reply → send",
    {
      area,
      requirements: [
        "O1.answer-ok",
        "O1.accepted-notification",
        "O3.reply-created",
        "O6.answer-ok",
        "O6.leaves-agent",
        "N7.legal-transition",
      ],
    },
    async (s) => {
      const it = await s.accepted();
      const reply = await createReply(s, it, "Reply", { subjectPrefix: "Re: " });
      await expectLetGo(s, it, reply.id, sendBody(s, it.token), {
        ok: "O6.answer-ok",
        lost: "O6.leaves-agent",
        probe: "CancelReplyEmail",
      });
    },
  );

  scenario(
    "reply-all → cancel → reply again → send",
    {
      area,
      requirements: [
        "O4.reply-created",
        "O7.answer-ok",
        "O7.source-stays",
        "O3.reply-created",
        "O6.answer-ok",
        "N7.legal-transition",
      ],
    },
    async (s) => {
      const it = await s.accepted({ email: { cc: "boss@example.org" } });
      const first = await createReply(s, it, "ReplyAll", { subjectPrefix: "Re: " });
      s.requireOk(await s.operate(it.agent, first.id, s.request("CancelReplyEmail", it.token)), "O7.answer-ok");
      // Whether the inbound stays Accepted after the cancel is O7's SHOULD: a refused Reply here
      // stops the flow as a warning, never as O3's MUST failure.
      const second = await createReply(s, it, "Reply", { subjectPrefix: "Re (2): " }, "O7.source-stays");
      s.requireOk(await s.operate(it.agent, second.id, sendBody(s, it.token)), "O6.answer-ok");
    },
  );

  scenario(
    "forward → send, then stop processing the inbound",
    {
      area,
      requirements: ["O5.answer-reply-id", "O6.answer-ok", "O10.answer-ok", "O10.finished", "N7.legal-transition"],
    },
    async (s) => {
      const it = await s.accepted();
      const fwd = await createReply(s, it, "Forward");
      s.requireOk(await s.operate(it.agent, fwd.id, sendBody(s, it.token)), "O6.answer-ok");
      const stop = s.request("StopProcessing", it.token);
      await expectLetGo(s, it, it.id, stop, { ok: "O10.answer-ok", lost: "O10.finished", probe: "Forward" });
    },
  );

  scenario(
    "accept → place in queue",
    { area, requirements: ["O11.answer-ok", "O11.loses-interaction", "N7.legal-transition"] },
    async (s) => {
      const it = await s.accepted();
      const place = s.request("PlaceInQueue", it.token);
      await expectLetGo(s, it, it.id, place, { ok: "O11.answer-ok", lost: "O11.loses-interaction", probe: "Reply" });
    },
  );
});
