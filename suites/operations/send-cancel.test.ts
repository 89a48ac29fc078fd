/** O6 Send and O7 CancelReplyEmail on an interaction in ReplyCreated. */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";
import { createReply, expectLetGo, expectRefusedWithoutEffect, sendBody } from "../support/rules.js";

const area = "operations";

describe.concurrent("O6 Send", () => {
  scenario(
    "Send answers ok; afterwards the interaction has left the agent",
    { area, requirements: ["O6.answer-ok", "O6.leaves-agent"] },
    async (s) => {
      const inbound = await s.accepted();
      const reply = await createReply(s, inbound, "Reply", { subjectPrefix: "Re: " });
      await expectLetGo(s, inbound, reply.id, sendBody(s, inbound.token), {
        ok: "O6.answer-ok",
        lost: "O6.leaves-agent",
        probe: "Send",
      });
    },
  );

  scenario(
    "Send without email_object.toAddress is refused, and the reply can still be sent properly",
    { area, requirements: ["O6.missing-to-address", "R3.no-effect", "O6.answer-ok"] },
    async (s) => {
      const inbound = await s.accepted();
      const reply = await createReply(s, inbound, "Reply");
      const bad = await s.operate(
        inbound.agent,
        reply.id,
        sendBody(s, inbound.token, {
          email_object: { subject: "no recipient", text: "x", fromAddress: "support@contact-center.example" },
        }),
      );
      const refused = await expectRefusedWithoutEffect(
        s,
        bad,
        [reply.id, inbound.id],
        { refused: "O6.missing-to-address", noEffect: "R3.no-effect" },
        "Send without toAddress",
      );
      // Had the bad Send been taken, the reply would be gone: a second Send says nothing more.
      if (!refused) s.stop("O6.missing-to-address", "the Send without toAddress was accepted");
      const good = await s.operate(inbound.agent, reply.id, sendBody(s, inbound.token));
      s.expectOk(good, "O6.answer-ok");
    },
  );
});

describe.concurrent("O7 CancelReplyEmail", () => {
  scenario(
    "CancelReplyEmail answers ok; Send on it then fails; the inbound stays Accepted (a new Reply works)",
    { area, requirements: ["O7.answer-ok", "O7.send-after-cancel", "O7.source-stays"] },
    async (s) => {
      const inbound = await s.accepted();
      const reply = await createReply(s, inbound, "ReplyAll");
      await expectLetGo(s, inbound, reply.id, s.request("CancelReplyEmail", inbound.token), {
        ok: "O7.answer-ok",
        lost: "O7.send-after-cancel",
        probe: "Send",
      });
      const again = await s.operate(inbound.agent, inbound.id, s.request("Reply", inbound.token));
      s.expectOk(again, "O7.source-stays");
    },
  );
});
