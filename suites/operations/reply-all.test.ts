/** O4 ReplyAll: as Reply, plus CC copied, replyInteractionId in the answer, quoting by default. */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";
import {
  checkQuoting,
  checkReplyAddresses,
  checkReplySubject,
  checkReplySubtype,
  createReply,
} from "../support/rules.js";

const area = "operations";

describe.concurrent("O4 ReplyAll", () => {
  scenario(
    "ReplyAll: replyInteractionId names the ReplyCreated that follows; To, From, Subject as Reply; CC copied",
    { area, requirements: ["O4.answer-reply-id", "O4.reply-id-matches", "O4.reply-created", "O4.derivation", "O4.cc"] },
    async (s) => {
      const inbound = await s.accepted({
        email: { replyTo: "replies@example.org", cc: "boss@example.org, team@example.org" },
      });
      const reply = await createReply(s, inbound, "ReplyAll", { subjectPrefix: "Re: " });
      const replyId = reply.answer.body?.replyInteractionId;
      s.check(
        "O4.reply-id-matches",
        replyId === reply.id,
        `replyInteractionId ${JSON.stringify(replyId)}; ReplyCreated id ${reply.id}`,
      );
      checkReplySubtype(s, reply.created, "O4.reply-created");
      checkReplyAddresses(s, inbound.email, reply.created, { to: "O4.derivation", from: "O4.derivation" });
      checkReplySubject(s, inbound.email, reply.created, "Re: ", "O4.derivation");
      const cc = reply.created.email_object?.CCAddresses;
      s.check(
        "O4.cc",
        cc === inbound.email.cc,
        `CCAddresses is ${JSON.stringify(cc)}; expected the inbound ${JSON.stringify(inbound.email.cc)}`,
      );
    },
  );

  scenario(
    "ReplyAll without quoteOriginal quotes the original text (default true)",
    { area, requirements: ["O4.quote-default"] },
    async (s) => {
      const inbound = await s.accepted({ email: { cc: "boss@example.org" } });
      const reply = await createReply(s, inbound, "ReplyAll");
      // Which lines and how they are indented is O3's SHOULD; here only "quoted at all" is the MUST.
      checkQuoting(s, inbound.email, reply.created, { reqs: { lines: "O4.quote-default" } });
    },
  );
});
