/**
 * O4 ReplyAll: as Reply, plus CC copied, replyInteractionId in the answer, quoting by default. The
 * derivations are judged against Accepted as the server reported the inbound e-mail; CC lists are
 * lists ("Deployment data and routing": separators, spacing and order free).
 */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";
import {
  checkQuoting,
  checkReplyAddresses,
  checkReplyCc,
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
      // createReply judges O4.reply-id-matches: the answer's replyInteractionId is the ReplyCreated's id.
      const reply = await createReply(s, inbound, "ReplyAll", { subjectPrefix: "Re: " });
      checkReplySubtype(s, reply.created, "O4.reply-created");
      checkReplyAddresses(s, inbound, reply.created, { to: "O4.derivation", from: "O4.derivation" });
      checkReplySubject(s, inbound, reply.created, "Re: ", "O4.derivation");
      checkReplyCc(s, inbound, reply.created, "O4.cc");
    },
  );

  scenario(
    "ReplyAll without quoteOriginal quotes the original text (default true)",
    { area, requirements: ["O4.quote-default"] },
    async (s) => {
      const inbound = await s.accepted({ email: { cc: "boss@example.org" } });
      const reply = await createReply(s, inbound, "ReplyAll");
      // Which lines and how they are indented is O3's SHOULD; here only "quoted at all" is the MUST.
      checkQuoting(s, inbound, reply.created, { reqs: { lines: "O4.quote-default" } });
    },
  );
});
