/**
 * O8 CreateEmail (T3). It runs alone: the created interaction carries nothing of the scenario's
 * (no subject token), so it is recognised as "the first new ReplyCreated after the answer"; no
 * other scenario may create one meanwhile.
 */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";
import { sendBody } from "../support/rules.js";

describe.concurrent("O8 CreateEmail", () => {
  scenario(
    "CreateEmail at {root}/me/interactions: ok, ReplyCreated for a new interaction of the requested subtype, owned by the agent (Send works)",
    {
      area: "operations",
      requirements: ["T3.create-path", "O8.answer-ok", "O8.reply-created", "O8.subtype", "O8.owned"],
      exclusive: true,
    },
    async (s) => {
      const agent = s.agent(0);
      const known = new Set(s.target.agents.flatMap((a) => a.session.items().map((n) => n.data.id)));
      const token = s.newToken();
      const answer = await s.operate(agent, null, s.request("CreateEmail", token));
      s.check(
        "T3.create-path",
        answer.ok,
        `POST ${s.settings.baseUrl}/me/interactions answered HTTP ${answer.exchange.status}`,
      );
      s.requireOk(answer, "O8.answer-ok");
      const replyId = typeof answer.body?.replyInteractionId === "string" ? answer.body.replyInteractionId : undefined;
      const created = await s.awaitNotification(
        agent,
        (d) => d.state === "ReplyCreated" && (replyId ? d.id === replyId : !known.has(d.id)),
        {
          what: "ReplyCreated for the created e-mail",
          requirement: "O8.reply-created",
          after: answer,
        },
      );
      const id = String(created.id);
      s.claim(id, [agent]);
      const sub = created.interactionSubType;
      s.check(
        "O8.subtype",
        sub === "OutboundNew" || sub === "OutboundReply",
        `interactionSubType ${JSON.stringify(sub)}; requested "OutboundNew" (or "OutboundReply", contradiction #7)`,
      );
      const send = await s.operate(agent, id, sendBody(s, token));
      s.expectOk(send, "O8.owned");
    },
  );
});
