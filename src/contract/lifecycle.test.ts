/** The lifecycle data is consistent with itself, the schemas and the page. */
import { describe, expect, it } from "vitest";
import {
  allowedOperations,
  answerMayBeEmpty,
  documentedCapabilities,
  legalNotifiedTransitions,
  lifecycle,
  operationForCapability,
  releasesHolder,
  releasingOperations,
  spontaneousSuccessors,
} from "./lifecycle.js";
import { contractValidator } from "./validators.js";
import { loadSchemaFiles } from "./schemas.js";
import { committedPageSamples } from "./page-data.js";

describe("lifecycle data", () => {
  const files = loadSchemaFiles();

  it("matches its schema", () => {
    expect(contractValidator().validate("lifecycle.schema.json", lifecycle).violations).toEqual([]);
  });

  it("names only states, schemas and capabilities that exist", () => {
    const states = new Set(lifecycle.states.map((s) => s.name));
    const caps = new Set(lifecycle.capabilities.map((c) => c.name));
    const ops = new Set(lifecycle.operations.map((o) => o.name));
    for (const s of lifecycle.states) {
      if (s.schema) expect(files.has(s.schema), s.schema).toBe(true);
      for (const c of s.capabilities) expect(caps.has(c), `${s.name}: ${c}`).toBe(true);
    }
    for (const c of lifecycle.capabilities) if (c.operation) expect(ops.has(c.operation), c.name).toBe(true);
    for (const o of lifecycle.operations) {
      expect(files.has(o.request), o.request).toBe(true);
      expect(files.has(o.answer), o.answer).toBe(true);
      for (const t of [o.next?.state, o.creates?.state, o.offersTo?.state])
        if (t) expect(states.has(t), `${o.name} → ${t}`).toBe(true);
    }
    for (const e of lifecycle.events) for (const t of [e.from, e.to]) if (t) expect(states.has(t), e.name).toBe(true);
  });

  it("the documented capability lists are the page's (Accepted and ReplyCreated samples)", () => {
    const samples = committedPageSamples();
    const accepted = samples.find((s) => s.id === "Accept.cometd-response")!.json as { capabilities: string[] };
    const replyCreated = samples.find((s) => s.id === "ReplyAll.cometd-response")!.json as { capabilities: string[] };
    expect([...documentedCapabilities("Accepted")].sort()).toEqual([...accepted.capabilities].sort());
    expect([...documentedCapabilities("ReplyCreated")].sort()).toEqual([...replyCreated.capabilities].sort());
    expect([...documentedCapabilities("Invited")].sort()).toEqual(["Accept", "Reject"]);
    expect(documentedCapabilities("Revoked")).toEqual([]);
  });

  it("derives allowed operations from capabilities: Forward on Accepted (O5), CancelReplyEmail from Cancel, nothing after Send", () => {
    expect(allowedOperations("Accepted")).toEqual(
      expect.arrayContaining(["Reply", "ReplyAll", "Forward", "Transfer", "StopProcessing", "PlaceInQueue"]),
    );
    expect(allowedOperations("Accepted")).not.toContain("Send");
    expect(allowedOperations("ReplyCreated").sort()).toEqual(["CancelReplyEmail", "Send"]);
    expect(allowedOperations("Invited").sort()).toEqual(["Accept", "Reject"]);
    expect(allowedOperations("Sent")).toEqual([]);
    expect(operationForCapability("PlaceInWorkbin")).toBeNull();
  });

  it("derives the notified transitions an agent may observe", () => {
    const t = legalNotifiedTransitions();
    expect(t).toEqual(
      expect.arrayContaining([
        [null, "Invited"],
        [null, "ReplyCreated"],
        ["Invited", "Accepted"],
        ["Invited", "Revoked"],
      ]),
    );
    expect(t).not.toContainEqual([null, "Accepted"]);
  });

  it("says which operations and events let the holder go (re-offers, Deployment data and routing)", () => {
    expect(releasingOperations().sort()).toEqual(["PlaceInQueue", "Reject", "Transfer"]);
    expect(releasesHolder("Revoked")).toBe(true);
    // Finished interactions are not offered again.
    for (const s of ["Sent", "Cancelled", "Stopped", "Accepted"]) expect(releasesHolder(s), s).toBe(false);
    // Only states the agent no longer holds can release it.
    for (const s of lifecycle.states.filter((x) => x.releases)) expect(s.held, s.name).toBe(false);
  });

  it("Accept alone MAY answer an empty 200 (R1); Revoked is the only thing the server does on its own", () => {
    expect(lifecycle.operations.filter((o) => answerMayBeEmpty(o.name)).map((o) => o.name)).toEqual(["Accept"]);
    expect(spontaneousSuccessors("Invited")).toEqual(["Revoked"]);
    expect(spontaneousSuccessors("Accepted")).toEqual([]);
  });
});
