/**
 * Transport (T1, T2, T5): the API root, the interaction path, the Bayeux handshake and
 * subscription over long-polling, per-agent delivery, recovery when the target's side
 * of a held long-poll is cut, and recovery when the target forgets the session and has the client
 * handshake again (Deployment data and routing: re-handshake).
 */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";
import { BUDGETS, waitForItem } from "../../src/harness/budgets.js";
import { PreconditionError } from "../../src/harness/checks.js";
import { TcpProxy } from "../../src/harness/tcp-proxy.js";
import { acceptSeenOnProbe, openProbeSession } from "../support/probe.js";
import { checkServedAtInteractionPath } from "../support/rules.js";

const area = "transport";

describe.concurrent("T5 CometD transport", () => {
  scenario(
    "handshake over long-polling with the agent's credentials, /meta/subscribe confirmed, and the agent's notifications delivered",
    { area, requirements: ["T5.handshake", "T5.subscribe", "T1.api-root", "T2.interaction-path"] },
    async (s) => {
      // Routing is the target's: the probe is opened for whichever agent the e-mail is offered to.
      const it = await s.inbound();
      const agent = it.agent;
      const session = openProbeSession(s, agent, "transport-probe");
      try {
        const hs = await session.handshake(BUDGETS.cometdConnectMs);
        s.require(
          "T5.handshake",
          hs.ok,
          hs.ok ? `handshake at ${s.settings.cometdUrl} succeeded (long-polling)` : `handshake refused: ${hs.reason}`,
        );
        const sub = await session.subscribe(BUDGETS.cometdConnectMs);
        s.require(
          "T5.subscribe",
          sub.ok,
          sub.ok ? "/meta/subscribe to /me/interactions confirmed" : `subscription failed: ${sub.reason}`,
        );
        // T1, T2: judged on the Accept's own exchange (where it went, what answered).
        const seen = await acceptSeenOnProbe(s, it, session, "Accepted on the probe session", (accept) =>
          checkServedAtInteractionPath(s, accept, it.id),
        );
        s.check(
          "T5.subscribe",
          seen,
          seen ? "the probe session got the agent's Accepted" : "the probe session got nothing after subscribing",
        );
      } finally {
        await session.close();
      }
    },
  );

  scenario(
    "after the connection holding the long-poll is cut, the client reconnects and notifications still arrive",
    { area, requirements: ["T5.reconnect"] },
    async (s) => {
      // An invitation first (whichever agent the target offers it to): its Accepted must arrive after the cut.
      const it = await s.inbound();
      const agent = it.agent;
      const proxy = await TcpProxy.to(s.settings.cometdUrl);
      // The proxy keeps the target's host name (Host, TLS SNI and certificate check): it works against HTTPS too.
      const session = openProbeSession(s, agent, "reconnect-probe", proxy.route(s.settings.cometdUrl));
      try {
        const c = await session.connect();
        s.require(
          "T5.reconnect",
          c.ok,
          c.ok ? "connected through the cutting proxy" : `could not connect through the proxy: ${c.reason}`,
        );
        const before = proxy.accepted;
        const cutAt = Date.now();
        const cut = proxy.dropAll();
        // The client must come back on its own: a new connection through the proxy (bounded wait).
        const back = await waitForItem(proxy.connections, (n) => n > before, {
          what: "a new connection after the cut",
          budgetName: "cometdConnect",
          budgetMs: BUDGETS.cometdConnectMs,
        }).then(
          () => true,
          () => false,
        );
        s.require(
          "T5.reconnect",
          back,
          back
            ? `cut ${cut} connection(s); the client opened a new one`
            : `cut ${cut} connection(s); the client did not connect again within ${BUDGETS.cometdConnectMs} ms`,
        );
        // Back means a /meta/connect answered after the cut: what the target published while the
        // connection was down MAY be lost with the cut long-poll (a gap), so the Accept waits for it.
        const resumed = await waitForItem(
          session.meta,
          (e) => e.channel === "/meta/connect" && e.successful && e.at > cutAt,
          {
            what: "a /meta/connect answered after the cut",
            budgetName: "cometdConnect",
            budgetMs: BUDGETS.cometdConnectMs,
          },
        ).then(
          () => true,
          () => false,
        );
        s.require(
          "T5.reconnect",
          resumed,
          resumed
            ? "a /meta/connect was answered on the new connection"
            : `no /meta/connect was answered after the cut within ${BUDGETS.cometdConnectMs} ms`,
        );
        // And notifications must reach the same subscription again: the agent's next one.
        const seen = await acceptSeenOnProbe(s, it, session, "Accepted on the reconnected session");
        s.check(
          "T5.reconnect",
          seen,
          seen
            ? "the reconnected session received the agent's next notification"
            : `the reconnected session received nothing within ${s.settings.notifyBudgetMs} ms (meta: ${session.meta
                .items()
                .slice(-4)
                .map((e) => session.meta.describe(e))
                .join("; ")})`,
        );
      } finally {
        await session.close();
        await proxy.close();
      }
    },
  );
  scenario(
    "after the target forgets the session and advises a new handshake, the client handshakes, subscribes again and notifications still arrive",
    { area, requirements: ["T5.reconnect"] },
    async (s) => {
      const it = await s.inbound();
      const agent = it.agent;
      const session = openProbeSession(s, agent, "rehandshake-probe");
      try {
        const c = await session.connect();
        s.require("T5.reconnect", c.ok, c.ok ? "probe session connected" : `could not connect: ${c.reason}`);
        const before = session.handshakeCount;
        // A target cannot be asked to sweep a session, but every Bayeux server forgets one on
        // /meta/disconnect: sent for the probe's clientId on a request of its own, it makes the
        // probe's next /meta/connect "unknown client" (402), advice reconnect "handshake" — the
        // server-advised re-handshake a sweep or a node restart gives.
        const cookie = agent.http.cookieHeader();
        const drop = await agent.http.post(
          s.settings.cometdUrl,
          [{ channel: "/meta/disconnect", clientId: session.clientId }],
          {
            noCookies: true,
            headers: cookie ? { cookie } : {},
          },
        );
        const replies = Array.isArray(drop.body) ? (drop.body as Array<Record<string, unknown>>) : [];
        if (!replies.some((m) => m.channel === "/meta/disconnect" && m.successful === true)) {
          throw new PreconditionError(
            "the target forgets a Bayeux session on /meta/disconnect",
            `${drop.error ?? `HTTP ${drop.status}`} ${JSON.stringify(drop.body)?.slice(0, 200)}`,
          );
        }
        // The client must handshake and subscribe again on its own (bounded wait on /meta/subscribe).
        const again = await waitForItem(session.subscriptions, (e) => e.ok && e.handshake > before, {
          what: "a confirmed subscription after a new handshake",
          budgetName: "cometdConnect",
          budgetMs: BUDGETS.cometdConnectMs,
        }).then(
          () => true,
          () => false,
        );
        const meta = (): string =>
          session.meta
            .items()
            .slice(-4)
            .map((e) => session.meta.describe(e))
            .join("; ");
        s.require(
          "T5.reconnect",
          again,
          again
            ? `the target forgot the session; the client handshook again (#${session.handshakeCount}) and /meta/subscribe confirmed`
            : `no new handshake with a confirmed subscription within ${BUDGETS.cometdConnectMs} ms (meta: ${meta()})`,
        );
        const seen = await acceptSeenOnProbe(s, it, session, "Accepted on the re-subscribed session");
        s.check(
          "T5.reconnect",
          seen,
          seen
            ? "the re-subscribed session received the agent's next notification"
            : `the re-subscribed session received nothing within ${s.settings.notifyBudgetMs} ms (meta: ${meta()})`,
        );
      } finally {
        await session.close();
      }
    },
  );
});
