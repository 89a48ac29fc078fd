/**
 * O3 Reply: answer, ReplyCreated for a new interaction, and how the reply is derived from the inbound
 * e-mail as the server reported it in Accepted ("Deployment data and routing").
 */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";
import {
  checkQuoting,
  checkReplyAddresses,
  checkReplySubject,
  checkReplySubtype,
  checkTextEmpty,
  createReply,
  sendBody,
} from "../support/rules.js";

const area = "operations";

describe.concurrent("O3 Reply", () => {
  scenario(
    "Reply with a subject prefix: ok, ReplyCreated to the Reply-To address, From the inbound To, prefixed subject, empty text",
    {
      area,
      requirements: [
        "O3.answer-ok",
        "O3.reply-created",
        "O3.to-reply-to",
        "O3.from-inbound-to",
        "O3.subject-prefix",
        "O3.text-empty",
        "N4.new-id",
      ],
    },
    async (s) => {
      const inbound = await s.accepted({ email: { replyTo: "replies@example.org", cc: "boss@example.org" } });
      const reply = await createReply(s, inbound, "Reply", { subjectPrefix: "Re: " });
      checkReplySubtype(s, reply.created, "O3.reply-created");
      checkReplyAddresses(s, inbound, reply.created, { to: "O3.to-reply-to", from: "O3.from-inbound-to" });
      checkReplySubject(s, inbound, reply.created, "Re: ", "O3.subject-prefix");
      checkTextEmpty(s, reply.created, "O3.text-empty", "Reply without quoteOriginal (default false)");
    },
  );

  scenario(
    "Reply without prefix and without Reply-To: subject unchanged, To falls back to the inbound From",
    { area, requirements: ["O3.subject-no-prefix", "O3.to-from-fallback", "O3.text-empty"] },
    async (s) => {
      const inbound = await s.accepted();
      const reply = await createReply(s, inbound, "Reply", { quoteOriginal: false });
      checkReplySubject(s, inbound, reply.created, undefined, "O3.subject-no-prefix");
      checkReplyAddresses(s, inbound, reply.created, { to: "O3.to-from-fallback", from: "O3.from-inbound-to" });
      checkTextEmpty(s, reply.created, "O3.text-empty", "Reply with quoteOriginal false");
    },
  );

  scenario(
    "Reply quoting the original: start line first, every inbound line indented, in order",
    { area, requirements: ["O3.quote-start-line", "O3.quote-lines"] },
    async (s) => {
      const inbound = await s.accepted({ email: { text: "First line\nSecond line\n\nFourth line after a blank" } });
      const reply = await createReply(s, inbound, "Reply", {
        quoteOriginal: true,
        replyToStartLine: "On Monday Pat wrote:",
        indentCharacter: "> ",
      });
      checkQuoting(s, inbound, reply.created, {
        startLine: "On Monday Pat wrote:",
        indent: "> ",
        reqs: { startLine: "O3.quote-start-line", lines: "O3.quote-lines" },
      });
    },
  );

  scenario(
    "after Reply the reply can be sent, and the inbound interaction stays Accepted with the agent: a second Reply is accepted",
    { area, requirements: ["O6.answer-ok", "O3.source-stays"], open: 3 },
    async (s) => {
      const inbound = await s.accepted();
      const first = await createReply(s, inbound, "Reply", { subjectPrefix: "Re: " });
      // Send first (MUST): a second Reply (SHOULD: the inbound stays) can then not change what Send is judged on.
      const send = await s.operate(inbound.agent, first.id, sendBody(s, inbound.token));
      s.expectOk(send, "O6.answer-ok");
      const again = await s.operate(
        inbound.agent,
        inbound.id,
        s.request("Reply", inbound.token, { subjectPrefix: "Re2: " }),
      );
      s.expectOk(again, "O3.source-stays");
    },
  );
});
