/** T4 HTTP Basic on every REST call, and T5 the same credentials on the Bayeux handshake. */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";
import { CometdSession } from "../../src/harness/cometd-session.js";
import { BUDGETS } from "../../src/harness/budgets.js";

const area = "security";

describe.concurrent("T4 REST authentication", () => {
  scenario(
    "operations without credentials or with a wrong password get 401 or 403, change nothing and notify no one",
    {
      area,
      requirements: ["T4.basic-auth", "T4.no-credentials", "T4.wrong-credentials", "T4.unauthenticated-no-effect"],
    },
    async (s) => {
      const it = await s.inbound();
      const agent = it.agent;
      const none = await s.operate(agent, it.id, s.request("Accept", it.token), { auth: "none", noCookies: true });
      s.check(
        "T4.no-credentials",
        none.exchange.status === 401 || none.exchange.status === 403,
        `Accept without credentials answered HTTP ${none.exchange.status}`,
      );
      const wrong = await s.operate(agent, it.id, s.request("Accept", it.token), {
        auth: { username: agent.name, password: `not-the-password-${it.token}` },
        noCookies: true,
      });
      s.check(
        "T4.wrong-credentials",
        wrong.exchange.status === 401 || wrong.exchange.status === 403,
        `Accept with a wrong password answered HTTP ${wrong.exchange.status}`,
      );
      const channel = await agent.http.post(
        "/me/channels/email",
        { operationName: "Ready" },
        { auth: "none", noCookies: true, operation: "Ready" },
      );
      s.judgeAnswer(channel, "Ready");
      s.check(
        "T4.no-credentials",
        channel.status === 401 || channel.status === 403,
        `channel Ready without credentials answered HTTP ${channel.status}`,
      );
      await s.expectNoNotification([it.id], "T4.unauthenticated-no-effect", "unauthenticated Accepts", { since: none });
      // The invitation is still there: the agent's own, authenticated Accept works (O1).
      const own = await s.operate(agent, it.id, s.request("Accept", it.token));
      s.check("T4.basic-auth", own.ok, `Accept with valid Basic credentials answered HTTP ${own.exchange.status}`);
      s.check(
        "T4.unauthenticated-no-effect",
        own.ok,
        "the interaction was still Invited after the unauthenticated attempts",
      );
    },
  );
});

describe.concurrent("T5 CometD authentication", () => {
  scenario(
    "a Bayeux handshake without credentials, or with a wrong password, is refused",
    { area, requirements: ["T5.handshake-auth"] },
    async (s) => {
      const agent = s.agent(0);
      const anonymous = new CometdSession(s.settings.cometdUrl, "anonymous", undefined, {
        label: "anonymous",
        tlsInsecure: s.settings.tlsInsecure,
      });
      try {
        const r = await anonymous.handshake(BUDGETS.cometdConnectMs);
        s.check(
          "T5.handshake-auth",
          !r.ok,
          r.ok ? "a handshake without credentials succeeded" : `refused: ${r.reason}`,
        );
      } finally {
        await anonymous.close();
      }
      const impostor = new CometdSession(
        s.settings.cometdUrl,
        agent.name,
        { username: agent.name, password: `wrong-${s.newToken()}` },
        { label: "impostor", tlsInsecure: s.settings.tlsInsecure },
      );
      try {
        const r = await impostor.handshake(BUDGETS.cometdConnectMs);
        s.check(
          "T5.handshake-auth",
          !r.ok,
          r.ok ? "a handshake with a wrong password succeeded" : `refused: ${r.reason}`,
        );
      } finally {
        await impostor.close();
      }
    },
  );
});
