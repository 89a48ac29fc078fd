/**
 * The stream monitor's judgement of routing and of refused requests' effects, on hand-fed streams:
 * re-offers come from the lifecycle (releases), notifications wait while a request is on its way,
 * and a watch flags what no successful request explains, whenever it arrives.
 */
import { describe, expect, it } from "vitest";
import type { RequirementId } from "../generated/requirement-ids.js";
import type { ReceivedNotification } from "./cometd-session.js";
import type { SubscriptionGap } from "./gaps.js";
import { StreamMonitor, type Judge, type NotificationSource } from "./monitor.js";

class Stream implements NotificationSource {
  private readonly list: ReceivedNotification[] = [];
  private readonly listeners = new Set<(n: ReceivedNotification) => void>();
  items(): readonly ReceivedNotification[] {
    return this.list;
  }
  onItem(l: (n: ReceivedNotification) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  push(data: Record<string, unknown>, at = Date.now()): void {
    const n = { index: this.list.length, receivedAt: at, channel: "/me/interactions", data };
    this.list.push(n);
    for (const l of this.listeners) l(n);
  }
}

class Recorder implements Judge {
  readonly name = "test scenario";
  readonly checks: Array<{ requirement: RequirementId; passed: boolean; message: string }> = [];
  readonly moves: string[] = [];
  check(requirement: RequirementId, passed: boolean, message: string): boolean {
    this.checks.push({ requirement, passed, message });
    return passed;
  }
  observed(agent: string, _id: string, state: string, reoffer: boolean): void {
    this.moves.push(`${agent}:${state}${reoffer ? " (offer)" : ""}`);
  }
  failed(requirement: RequirementId): string[] {
    return this.checks.filter((c) => c.requirement === requirement && !c.passed).map((c) => c.message);
  }
}

const eo = {
  subject: "s",
  interactionId: "I1",
  ToAddress: "t",
  FromAddress: "f",
  Subject: "s",
  Text: "",
  MimeType: "text/plain",
};
const note = (state: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  messageTypeName: "InteractionStateMessage",
  id: "I1",
  channel: "email",
  state,
  capabilities: state === "Invited" ? ["Accept", "Reject"] : [],
  email_object: eo,
  interactionType: "Email",
  interactionSubType: "InboundNew",
  userData: {},
  currentQueue: "q",
  ...extra,
});

function setup(): { monitor: StreamMonitor; judge: Recorder; a1: Stream; a2: Stream } {
  const monitor = new StreamMonitor();
  const a1 = new Stream();
  const a2 = new Stream();
  monitor.attach("a1", a1);
  monitor.attach("a2", a2);
  const judge = new Recorder();
  monitor.claimId("I1", judge, ["a1"]);
  return { monitor, judge, a1, a2 };
}

const done = (
  monitor: StreamMonitor,
  operation: string,
  ok = true,
  body: Record<string, unknown> = { operationName: operation },
): void => monitor.operationDone({ agent: "a1", operation, id: "I1", body, startedAt: Date.now() - 5, ok });

describe("re-offers come from the lifecycle", () => {
  it("an Invited of another agent's interaction is a leak (T6)", () => {
    const { judge, a2 } = setup();
    a2.push(note("Invited"));
    expect(judge.failed("T6.no-leak")).toHaveLength(1);
  });

  it("after a successful Reject (a release) an Invited on any agent is an offer; that agent then holds it", () => {
    const { monitor, judge, a1, a2 } = setup();
    a1.push(note("Invited"));
    done(monitor, "Reject");
    a2.push(note("Invited"));
    a2.push(note("Accepted", { capabilities: [] }));
    expect(judge.failed("T6.no-leak")).toEqual([]);
    expect(judge.moves).toEqual(["a1:Invited", "a2:Invited (offer)", "a2:Accepted"]);
  });

  it("a refused Reject releases nothing", () => {
    const { monitor, judge, a2 } = setup();
    done(monitor, "Reject", false);
    a2.push(note("Invited"));
    expect(judge.failed("T6.no-leak")).toHaveLength(1);
  });

  it("an Invited that arrives before the Transfer's answer waits for it, then is the named agent's offer", () => {
    const { monitor, judge, a1, a2 } = setup();
    a1.push(note("Accepted", { capabilities: [] }));
    const finished = monitor.beginOperation();
    a2.push(note("Invited"));
    expect(judge.moves).toEqual(["a1:Accepted"]); // not judged yet
    done(monitor, "Transfer", true, { operationName: "Transfer", targetAgent: "a2" });
    finished();
    expect(judge.failed("T6.no-leak")).toEqual([]);
    expect(judge.moves).toEqual(["a1:Accepted", "a2:Invited (offer)"]);
  });

  it("Revoked releases too; a re-offer to the same agent is a new offer, not a duplicate (N7)", () => {
    const { judge, a1 } = setup();
    a1.push(note("Invited"));
    a1.push(note("Revoked", { capabilities: [], email_object: { subject: "s" } }));
    a1.push(note("Invited"));
    expect(judge.failed("N7.no-duplicates")).toEqual([]);
    expect(judge.failed("T6.no-leak")).toEqual([]);
    expect(judge.moves.at(-1)).toBe("a1:Invited (offer)");
  });

  it("the first notification an agent gets of an id must be one the lifecycle allows first (N7, SHOULD)", () => {
    const { judge, a1 } = setup();
    a1.push(note("Accepted", { capabilities: [] }));
    expect(judge.failed("N7.legal-transition")[0]).toMatch(/the first notification a1 got for this id is Accepted/);
  });
});

describe("re-handshake gaps (Deployment data and routing)", () => {
  /** A stream whose session had one re-handshake gap, from `from` to `to`. */
  class GappedStream extends Stream {
    constructor(private readonly gap: SubscriptionGap) {
      super();
    }
    gapsDuring(from: number, to: number): SubscriptionGap[] {
      return this.gap.from <= to && (this.gap.to ?? Date.now()) >= from ? [this.gap] : [];
    }
  }

  it("a transition whose states between may have been lost in a gap is not judged (N7); without the gap it is", () => {
    const t0 = Date.now();
    const gap: SubscriptionGap = { from: t0 + 10, noticedAt: t0 + 20, to: t0 + 30, reason: "402::session_unknown" };
    const monitor = new StreamMonitor();
    const gapped = new GappedStream(gap);
    monitor.attach("a1", gapped);
    const judge = new Recorder();
    monitor.claimId("I1", judge, ["a1"]);
    gapped.push(note("Invited"), t0);
    gapped.push(note("ReplyCreated", { capabilities: [] }), t0 + 40);
    expect(judge.failed("N7.legal-transition")).toEqual([]);

    const { judge: plain, a1 } = setup();
    a1.push(note("Invited"), t0);
    a1.push(note("ReplyCreated", { capabilities: [] }), t0 + 40);
    expect(plain.failed("N7.legal-transition")[0]).toMatch(/Invited → ReplyCreated is not a transition/);
  });
});

describe("states the page does not name (Deployment data and routing)", () => {
  it("an end state is no N7 violation by itself; N7 judges transitions between named states", () => {
    const { monitor, judge, a1 } = setup();
    a1.push(note("Invited"));
    done(monitor, "Accept");
    a1.push(note("Accepted", { capabilities: [] }));
    done(monitor, "StopProcessing");
    a1.push(note("Completed", { capabilities: [] }));
    expect(judge.failed("N7.legal-transition")).toEqual([]);
    // What follows an unnamed state is judged from the last named one: Accepted → Revoked is no transition.
    a1.push(note("Revoked", { capabilities: [] }));
    expect(judge.failed("N7.legal-transition")[0]).toMatch(/Accepted → Revoked is not a transition/);
  });
});

describe("offers to several agents, and former recipients (T6, Deployment data and routing)", () => {
  /** An inbound e-mail claimed by its token (as Scenario.inbound claims it): on offer until its first Accept. */
  function inboundSetup(): { monitor: StreamMonitor; judge: Recorder; a1: Stream; a2: Stream; a3: Stream } {
    const monitor = new StreamMonitor();
    const [a1, a2, a3] = [new Stream(), new Stream(), new Stream()];
    monitor.attach("a1", a1);
    monitor.attach("a2", a2);
    monitor.attach("a3", a3);
    const judge = new Recorder();
    monitor.claimToken("gws-tok", judge, []);
    return { monitor, judge, a1, a2, a3 };
  }
  const invited = (): Record<string, unknown> =>
    note("Invited", { email_object: { subject: "[gws-tok]", interactionId: "I1" } });
  const revoked = (): Record<string, unknown> => note("Revoked", { capabilities: [], email_object: { subject: "s" } });

  it("one e-mail Invited to several agents at once: each Invited is an offer; the first Accept holds it, the others' Revoked is no leak", () => {
    const { monitor, judge, a1, a2, a3 } = inboundSetup();
    a1.push(invited());
    a2.push(invited());
    a3.push(invited());
    a2.push(note("Accepted", { capabilities: [] }));
    a1.push(revoked());
    a3.push(revoked());
    expect(judge.failed("T6.no-leak")).toEqual([]);
    expect(monitor.offersOf("I1")).toEqual({ recipients: ["a2"], offered: ["a1", "a2", "a3"], holder: "a2" });
    // Only the agent the scenario has it with moves it: a1 first, then a2 by its Accept.
    expect(judge.moves).toEqual(["a1:Invited", "a2:Accepted"]);
  });

  it("an Invited of the same ring that arrives after the first Accept is an offer, already outbid", () => {
    const { judge, a1, a2 } = inboundSetup();
    a1.push(invited());
    a1.push(note("Accepted", { capabilities: [] }));
    a2.push(invited());
    a2.push(revoked());
    expect(judge.failed("T6.no-leak")).toEqual([]);
    a2.push(note("Accepted", { capabilities: [] }));
    expect(judge.failed("T6.no-leak")).toHaveLength(1);
  });

  it("re-offered to several after a release: a former recipient's Invited after the new holder's Accept is an offer", () => {
    // Seen with ring-all + reoffer-elsewhere + notify-first: a Transfer to a queue re-offers the
    // e-mail to a1 and a3; a1 accepts; a3's Invited (offered in the first round too) comes after.
    const { monitor, judge, a1, a2, a3 } = inboundSetup();
    a1.push(invited());
    a2.push(invited());
    a3.push(invited());
    a2.push(note("Accepted", { capabilities: [] }));
    a1.push(revoked());
    a3.push(revoked());
    const body = { operationName: "Transfer" };
    monitor.operationDone({ agent: "a2", operation: "Transfer", id: "I1", body, startedAt: Date.now() - 5, ok: true });
    a1.push(invited());
    a1.push(note("Accepted", { capabilities: [] }));
    a3.push(invited());
    a3.push(revoked());
    expect(judge.failed("T6.no-leak")).toEqual([]);
    expect(judge.failed("N7.legal-transition")).toEqual([]);
    // Still sharp: a held state on a3's stream is a leak.
    a3.push(note("Accepted", { capabilities: [] }));
    expect(judge.failed("T6.no-leak")).toHaveLength(1);
  });

  it("after the first Accept, a held state on an agent that was only offered it is a leak", () => {
    const { judge, a1, a2 } = inboundSetup();
    a1.push(invited());
    a2.push(invited());
    a1.push(note("Accepted", { capabilities: [] }));
    a2.push(note("Accepted", { capabilities: [] }));
    expect(judge.failed("T6.no-leak")[0]).toMatch(
      /a2 received a notification of an interaction offered to or owned by a1 \(a2 let it go/,
    );
  });

  it("a former holder is a recipient no more once the interaction went on: the new holder's Accepted on its stream is a leak", () => {
    const { monitor, judge, a1, a2 } = setup();
    a1.push(note("Accepted", { capabilities: [] }));
    done(monitor, "Transfer", true, { operationName: "Transfer", targetAgent: "a2" });
    a1.push(note("Transferred", { capabilities: [] })); // a closing notification: no leak
    a2.push(note("Invited"));
    a2.push(note("Accepted", { capabilities: [] }));
    expect(judge.failed("T6.no-leak")).toEqual([]);
    a1.push(note("Accepted", { capabilities: [] }));
    expect(judge.failed("T6.no-leak")).toHaveLength(1);
  });

  it("a late copy of the former holder's own state before anyone else is offered it is no leak", () => {
    const { monitor, judge, a1 } = setup();
    a1.push(note("Invited"));
    done(monitor, "Reject");
    a1.push(note("Invited", { capabilities: ["Accept", "Reject"] }));
    expect(judge.failed("T6.no-leak")).toEqual([]);
  });

  it("a Revoked invitation offered again, to another agent, is an offer; the former one's later Accepted is a leak", () => {
    const { judge, a1, a2 } = inboundSetup();
    a1.push(invited());
    a1.push(revoked());
    a2.push(invited());
    a2.push(note("Accepted", { capabilities: [] }));
    expect(judge.failed("T6.no-leak")).toEqual([]);
    expect(judge.moves).toEqual(["a1:Invited", "a1:Revoked", "a2:Invited (offer)", "a2:Accepted"]);
    a1.push(note("Accepted", { capabilities: [] }));
    expect(judge.failed("T6.no-leak")).toHaveLength(1);
  });
});

describe("watches: a refused request changes nothing, whenever it shows", () => {
  it("the end state of the scenario's own later StopProcessing is not the refusal's; a second Accepted is", () => {
    const { monitor, judge, a1 } = setup();
    const since = Date.now();
    a1.push(note("Invited"), since - 100);
    done(monitor, "Accept");
    a1.push(note("Accepted", { capabilities: [] }), since - 1);
    const w = monitor.openWatch({
      judge,
      requirement: "R3.no-effect",
      what: "a refused Accept",
      ids: ["I1"],
      tokens: [],
      agents: ["a1"],
      since,
    });
    // The Accept before the refusal explained its one Accepted: a late one is the refused request's.
    a1.push(note("Accepted", { capabilities: [] }), since + 750);
    expect(w.violations).toHaveLength(1);
    monitor.operationDone({
      agent: "a1",
      operation: "StopProcessing",
      id: "I1",
      body: { operationName: "StopProcessing" },
      startedAt: since + 1000,
      ok: true,
    });
    a1.push(note("Completed", { capabilities: [] }), since + 1010);
    expect(w.violations).toHaveLength(1);
    expect(judge.failed("N7.legal-transition")).toEqual([]);
  });

  it("flags a notification no successful request explains, also long after the watch opened", () => {
    const { monitor, judge, a1 } = setup();
    const since = Date.now();
    const w = monitor.openWatch({
      judge,
      requirement: "T8.foreign-no-effect",
      what: "a foreign Accept",
      ids: ["I1"],
      tokens: [],
      agents: ["a2"],
      since,
    });
    a1.push(note("Accepted", { capabilities: [] }), since + 1500);
    expect(w.violations).toHaveLength(1);
    expect(judge.failed("T8.foreign-no-effect")[0]).toMatch(
      /a foreign Accept: yet a1 got Accepted for I1 1500 ms after the refused request/,
    );
  });

  it("does not count what the scenario's own later requests cause", () => {
    const { monitor, judge, a1 } = setup();
    const since = Date.now() - 100;
    const w = monitor.openWatch({
      judge,
      requirement: "R3.no-effect",
      what: "refused requests",
      ids: ["I1"],
      tokens: ["gws-t0k"],
      agents: ["a1"],
      since,
    });
    done(monitor, "Accept");
    a1.push(note("Accepted", { capabilities: [] }));
    done(monitor, "Reply");
    a1.push(note("ReplyCreated", { id: "R1", capabilities: [], email_object: { ...eo, Subject: "Re: [gws-t0k]" } }));
    monitor.claimId("R1", judge, ["a1"]);
    expect(w.violations).toEqual([]);
    // A second reply nobody asked for carries the token: the refused request's effect.
    a1.push(note("ReplyCreated", { id: "R2", capabilities: [], email_object: { ...eo, Subject: "Re: [gws-t0k]" } }));
    monitor.claimToken("gws-t0k", judge, []);
    expect(w.violations).toHaveLength(1);
  });

  it("a ReplyCreated nobody claims, on a refused agent's stream, is the watch's when it is the only one covering that agent", async () => {
    const { monitor, judge, a2 } = setup();
    const w = monitor.openWatch({
      judge,
      requirement: "T8.foreign-no-effect",
      what: "a foreign Forward",
      ids: ["I1"],
      tokens: [],
      agents: ["a2"],
      since: Date.now() - 10,
    });
    a2.push(note("ReplyCreated", { id: "X9", capabilities: [] }));
    expect(w.candidates).toHaveLength(1);
    await monitor.settleCandidates();
    expect(w.violations[0]).toMatch(/a ReplyCreated no scenario claims/);
  });
});
