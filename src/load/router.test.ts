/**
 * Load mode's routing of notifications to flows (router.ts), one function at a time: the forms the
 * contract allows reach the flow that waits for them.
 */
import { describe, expect, it } from "vitest";
import type { ReceivedNotification } from "../harness/cometd-session.js";
import { LoadRouter, tokenOf } from "./router.js";

const TOKEN = "load-abc123-00000001";
let index = 0;
const n = (data: Record<string, unknown>): ReceivedNotification => ({
  index: index++,
  receivedAt: Date.now(),
  channel: "/me/interactions",
  data,
});
const invited = (id: string) => n({ state: "Invited", id, email_object: { subject: `Load [${TOKEN}]` } });

describe("LoadRouter and FlowInbox", () => {
  it("finds the token in Invited's subject and in the other states' Subject", () => {
    expect(tokenOf({ email_object: { subject: `Load [${TOKEN}]` } })).toBe(TOKEN);
    expect(tokenOf({ email_object: { Subject: `Re: Load [${TOKEN}]` } })).toBe(TOKEN);
    expect(tokenOf({ email_object: {} })).toBeUndefined();
  });

  it("a notification that came before the answer is found from the mark taken before the request", async () => {
    const router = new LoadRouter();
    const inbox = router.open(TOKEN);
    router.route("agent1", invited("i1"));
    router.bind("i1", inbox);
    const mark = inbox.mark;
    // The server notifies before it answers: Accepted (no subject needed: the id is bound).
    router.route("agent1", n({ state: "Accepted", id: "i1" }));
    const got = await inbox.wait((a) => a.data.state === "Accepted", 10, mark);
    expect(got?.agent).toBe("agent1");
    // Nothing older than the mark answers a later wait.
    expect(await inbox.wait((a) => a.data.state === "Invited", 10, mark)).toBeUndefined();
  });

  it("several Invited for one e-mail (offers to several agents) and a re-offer after Revoked all reach the flow", async () => {
    const router = new LoadRouter();
    const inbox = router.open(TOKEN);
    const waiting = inbox.wait((a) => a.data.state === "Invited", 1_000);
    router.route("agent1", invited("i1"));
    router.route("agent2", invited("i1"));
    expect((await waiting)?.agent).toBe("agent1");
    router.route("agent1", n({ state: "Revoked", id: "i1", email_object: { subject: `Load [${TOKEN}]` } }));
    router.route("agent3", invited("i1"));
    const agents = inbox.arrivals.filter((a) => a.data.state === "Invited").map((a) => a.agent);
    expect(agents).toEqual(["agent1", "agent2", "agent3"]);
  });

  it("an end state the page does not name reaches the flow by its id, and nothing reaches a closed flow", () => {
    const router = new LoadRouter();
    const inbox = router.open(TOKEN);
    router.bind("i1", inbox);
    router.route("agent1", n({ state: "Completed", id: "i1", capabilities: [] }));
    expect(inbox.arrivals.map((a) => a.data.state)).toEqual(["Completed"]);
    router.close(inbox);
    router.route("agent1", invited("i1"));
    expect(inbox.arrivals).toHaveLength(1);
  });

  it("a late arrival is handed to the flow's finisher once it gave up waiting", () => {
    const router = new LoadRouter();
    const inbox = router.open(TOKEN);
    const late: string[] = [];
    inbox.onLate = (a) => late.push(String(a.data.state));
    router.route("agent1", invited("i1"));
    expect(late).toEqual(["Invited"]);
  });
});
