/**
 * R1 answer envelopes and R2 (no 5xx). Every answer of every scenario is judged by the harness
 * (Scenario.judgeAnswer); this scenario makes one success and several failures happen on purpose.
 */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";

describe.concurrent("R1 answers", () => {
  scenario(
    'a success answers {"status":"ok"}; failures answer {"status":"error","errorDescription":…}; nothing answers 5xx',
    { area: "answers", requirements: ["R1.ok-envelope", "R1.error-envelope", "R2.no-5xx"] },
    async (s) => {
      const it = await s.accepted(); // Accept's answer: ok envelope (judged in judgeAnswer)
      // Whether these are refused is R3's (SHOULD); the envelope of each refusal is judged as R1 by the harness.
      const unknown = await s.operate(it.agent, `unknown-${it.token}`, s.request("Reply", it.token));
      s.expectRefused(unknown, "R3.unknown-id", "Reply on an unknown id");
      const wrongState = await s.operate(it.agent, it.id, s.request("Accept", it.token));
      s.expectRefused(wrongState, "R3.not-capable", "Accept on an Accepted interaction");
      const huge = await s.operate(
        it.agent,
        it.id,
        s.request("Reply", it.token, { subjectPrefix: "x".repeat(64 * 1024) }),
      );
      s.check(
        "R2.no-5xx",
        (huge.exchange.status ?? 0) < 500,
        `a 64 KiB subjectPrefix answered HTTP ${huge.exchange.status}`,
      );
    },
  );
});
