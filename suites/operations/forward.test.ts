/** O5 Forward: allowed on Accepted although the Accepted capabilities omit it. */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";
import { createReply, sendBody } from "../support/rules.js";

describe.concurrent("O5 Forward", () => {
  scenario(
    "Forward on Accepted answers ok with replyInteractionId, ReplyCreated follows for that id, and it can be sent",
    { area: "operations", requirements: ["O5.answer-reply-id", "O5.reply-created", "O6.answer-ok"] },
    async (s) => {
      const inbound = await s.accepted();
      // The page's Forward request has no address field (related-facts #6): the agent sets it in Send.
      // createReply holds the ReplyCreated's id to the answer's replyInteractionId (O5.reply-created).
      const fwd = await createReply(s, inbound, "Forward");
      const email = {
        toAddress: "colleague@example.org",
        fromAddress: "support@contact-center.example",
        subject: `Fwd: [${inbound.token}]`,
        text: "FYI",
      };
      const send = await s.operate(inbound.agent, fwd.id, sendBody(s, inbound.token, { email_object: email }));
      s.expectOk(send, "O6.answer-ok");
    },
  );
});
