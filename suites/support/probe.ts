/**
 * A second CometD session for an agent ("probe"), as the T5 scenarios open it, and the check
 * they share: the agent's next notification (its Accepted) reaches the probe too.
 */
import { CometdSession, type ProxyRoute } from "../../src/harness/cometd-session.js";
import type { Answer, InboundHandle, Scenario } from "../../src/harness/scenario.js";
import type { AgentHandle } from "../../src/harness/target.js";

/** A session with the agent's credentials and HTTP cookie (T5: the same login as its REST calls). */
export function openProbeSession(s: Scenario, agent: AgentHandle, label: string, via?: ProxyRoute): CometdSession {
  return new CometdSession(s.settings.cometdUrl, agent.name, agent.credentials, {
    cookie: agent.http.cookieHeader(),
    label,
    tlsInsecure: s.settings.tlsInsecure,
    via,
  });
}

/**
 * Accepts the invitation and waits for its Accepted: first on the agent's main session (O1 judges
 * a missing Accepted there), then on the probe. Resolves whether the probe got it within the
 * notification budget; the caller judges that under its own rule. `judgeAccept` judges Accept's
 * answer under the caller's rules before O1 does (a refused Accept stops the scenario).
 */
export async function acceptSeenOnProbe(
  s: Scenario,
  invitation: InboundHandle,
  probe: CometdSession,
  what: string,
  judgeAccept?: (accept: Answer) => void,
): Promise<boolean> {
  const { agent, id, token } = invitation;
  const accept = await s.operate(agent, id, s.request("Accept", token));
  judgeAccept?.(accept);
  s.requireOk(accept, "O1.answer-ok");
  await s.awaitNotification(agent, (d) => d.id === id && d.state === "Accepted", {
    what: `Accepted for ${id}`,
    requirement: "O1.accepted-notification",
    after: accept,
  });
  const seen = await s.waitOn(
    { ...agent, session: probe },
    (d) => d.id === id && d.state === "Accepted",
    what,
    s.settings.notifyBudgetMs,
  );
  return seen !== undefined;
}
