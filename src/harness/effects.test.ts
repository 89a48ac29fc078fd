/** What a successful request explains, from the lifecycle data (effects.ts). */
import { describe, expect, it } from "vitest";
import {
  Expectations,
  expectationsAfterState,
  expectationsOf,
  injectionExpectation,
  isNamedState,
  type OperationRecord,
  UNNAMED_STATE,
} from "./effects.js";

const op = (operation: string, extra: Partial<OperationRecord> = {}): OperationRecord => ({
  agent: "a1",
  operation,
  id: "I1",
  body: { operationName: operation },
  startedAt: 1000,
  ok: true,
  ...extra,
});
const seen = (
  state: string,
  extra: Partial<{ agent: string; id: string; receivedAt: number; text: string; firstOfId: boolean }> = {},
) => ({ agent: "a1", id: "I1", state, receivedAt: 1100, text: "{}", firstOfId: false, ...extra });

describe("expectations of an operation", () => {
  it("Accept explains its Accepted on the agent, not before it was sent, not elsewhere", () => {
    const e = new Expectations();
    e.add(...expectationsOf(op("Accept")));
    expect(e.explain(seen("Accepted"))).toBeDefined();
    expect(e.explain(seen("Accepted", { receivedAt: 900 }))).toBeUndefined();
    expect(e.explain(seen("Accepted", { agent: "a2" }))).toBeUndefined();
  });

  it("a refused request explains nothing", () => {
    expect(expectationsOf(op("Accept", { ok: false }))).toEqual([]);
  });

  it("Reply explains ONE new ReplyCreated (a second one is unexplained), or the one its answer names", () => {
    const e = new Expectations();
    e.add(...expectationsOf(op("Reply")));
    expect(e.explain(seen("ReplyCreated", { id: "R1", firstOfId: true }))).toBeDefined();
    expect(e.explain(seen("ReplyCreated", { id: "R2", firstOfId: true }))).toBeUndefined();
    const named = new Expectations();
    named.add(...expectationsOf(op("ReplyAll", { replyInteractionId: "R7" })));
    expect(named.explain(seen("ReplyCreated", { id: "R8", firstOfId: true }))).toBeUndefined();
    expect(named.explain(seen("ReplyCreated", { id: "R7", firstOfId: true }))).toBeDefined();
  });

  it("a releasing operation explains Invited of the same id on any agent, several included; Transfer to an agent, that agent's", () => {
    for (const name of ["Reject", "PlaceInQueue", "Transfer"]) {
      const e = new Expectations();
      e.add(...expectationsOf(op(name)));
      expect(e.explain(seen("Invited", { agent: "a3" })), name).toBeDefined();
      // A server MAY offer it to several Ready agents at once (Deployment data and routing).
      expect(e.explain(seen("Invited", { agent: "a2" })), name).toBeDefined();
      expect(e.explain(seen("Invited", { agent: "a2", id: "OTHER" })), name).toBeUndefined();
    }
    const t = expectationsOf(op("Transfer", { body: { operationName: "Transfer", targetAgent: "a2" } }));
    expect(t.some((x) => x.agent === "a2" && x.state === "Invited")).toBe(true);
    expect(expectationsOf(op("StopProcessing")).map((x) => x.state)).toEqual([UNNAMED_STATE]);
  });

  it("each expectation explains ONE notification: a second Accepted after one Accept is unexplained", () => {
    const e = new Expectations();
    e.add(...expectationsOf(op("Accept")));
    expect(e.explain(seen("Accepted"))).toBeDefined();
    expect(e.explain(seen("Accepted", { receivedAt: 2600 }))).toBeUndefined();
    const named = new Expectations();
    named.add(...expectationsOf(op("Reply", { replyInteractionId: "R7" })));
    expect(named.explain(seen("ReplyCreated", { id: "R7" }))).toBeDefined();
    expect(named.explain(seen("ReplyCreated", { id: "R7", receivedAt: 2600 }))).toBeUndefined();
  });

  it("letting it go explains one end state the page does not name, on the agent that held it (Deployment data)", () => {
    for (const [name, end] of [
      ["StopProcessing", "Completed"],
      ["Send", "Sent"],
      ["CancelReplyEmail", "Cancelled"],
    ]) {
      const e = new Expectations();
      e.add(...expectationsOf(op(name)));
      expect(e.explain(seen(end, { agent: "a2" })), name).toBeUndefined();
      expect(e.explain(seen(end, { receivedAt: 900 })), name).toBeUndefined();
      // A state the page names is no end state: a late Accepted stays unexplained.
      expect(e.explain(seen("Accepted")), name).toBeUndefined();
      expect(e.explain(seen(end)), name).toBeDefined();
      expect(e.explain(seen(end, { receivedAt: 1200 })), `${name}: one`).toBeUndefined();
    }
    // An operation the holder keeps the interaction through has no end state.
    expect(expectationsOf(op("Reply")).some((x) => x.state === UNNAMED_STATE)).toBe(false);
    expect([isNamedState("Accepted"), isNamedState("Sent"), isNamedState("Completed")]).toEqual([true, false, false]);
  });

  it("after Invited the server may revoke on its own; after Revoked it may offer again", () => {
    expect(expectationsAfterState("I1", "Invited", "a1", 5).map((x) => x.state)).toEqual(["Revoked"]);
    expect(expectationsAfterState("I1", "Revoked", "a1", 5).map((x) => [x.state, x.agent])).toEqual([
      ["Invited", undefined],
    ]);
    expect(expectationsAfterState("I1", "Accepted", "a1", 5)).toEqual([]);
  });

  it("an injection explains the Invited carrying its token: one interaction, offered to one agent or several", () => {
    const e = new Expectations();
    e.add(injectionExpectation("gws-abc", 1000));
    expect(e.explain(seen("Invited", { id: "N1", text: '{"subject":"x [gws-abc]"}' }))).toBeDefined();
    expect(e.explain(seen("Invited", { id: "N1", agent: "a2", text: '{"subject":"x [gws-abc]"}' }))).toBeDefined();
    expect(e.explain(seen("Invited", { id: "N2", text: '{"subject":"x [gws-abc]"}' }))).toBeUndefined();
  });
});
