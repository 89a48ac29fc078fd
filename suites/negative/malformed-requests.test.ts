/**
 * R3: a body without operationName, an unknown operationName and malformed JSON are refused
 * without effect. (Per-operation malformed requests: malformed-<state>.test.ts.)
 */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";

const area = "negative";

describe.concurrent("R3 refused requests", () => {
  scenario(
    "a body without operationName, an unknown operationName and malformed JSON are refused without effect",
    { area, requirements: ["R3.missing-operation-name", "R3.unknown-operation-name", "R2.no-5xx", "R3.no-effect"] },
    async (s) => {
      const it = await s.accepted();
      const none = await s.operate(
        it.agent,
        it.id,
        s.request("Reply", it.token, { operationName: undefined, subjectPrefix: "Re: " }),
      );
      s.expectRefused(none, "R3.missing-operation-name", "a body without operationName");
      const unknown = await s.operate(it.agent, it.id, { operationName: "Teleport" });
      s.expectRefused(unknown, "R3.unknown-operation-name", "operationName Teleport");
      const notString = await s.operate(it.agent, it.id, { operationName: 7 });
      s.expectRefused(notString, "R3.unknown-operation-name", "operationName 7 (a number)");
      const malformed = await s.operate(it.agent, it.id, undefined, { rawBody: '{"operationName": "Reply",' });
      s.expectRefused(malformed, "R3.missing-operation-name", "malformed JSON (no readable operationName)");
      await s.expectNoNotification([it.id], "R3.no-effect", "4 refused requests", { since: none });
      const reply = await s.operate(it.agent, it.id, s.request("Reply", it.token));
      s.check("R3.no-effect", reply.ok, `after the refused requests Reply answered HTTP ${reply.exchange.status}`);
    },
  );
});
