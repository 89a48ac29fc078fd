/** Conservative requests: built from the settings; never a schema example nor a page placeholder. */
import { describe, expect, it } from "vitest";
import { lifecycle } from "../contract/lifecycle.js";
import { contractValidator } from "../contract/validators.js";
import { REFERENCE_QUEUES } from "../reference/deployment.js";
import { operationRequest, queueHint } from "./requests.js";
import type { ResolvedQueues } from "./settings.js";
import { placeholderStrings, stringLeaves } from "../contract/placeholders.js";

const queues: ResolvedQueues = {
  compose: { name: REFERENCE_QUEUES.compose, from: "GWS_COMPOSE_QUEUE" },
  send: { name: REFERENCE_QUEUES.send, from: "GWS_SEND_QUEUE" },
  transfer: { name: "Tier2", from: "GWS_TRANSFER_QUEUE" },
  place: { name: REFERENCE_QUEUES.place, from: "GWS_QUEUE" },
  create: { name: REFERENCE_QUEUES.create, from: "GWS_QUEUE" },
};

describe("operation requests", () => {
  it.each(lifecycle.operations.map((o) => o.name))(
    "%s: valid per its schema, every queue the configured one, no placeholder",
    (name) => {
      const body = operationRequest(name, { queues, token: "gws-0123456789" });
      const schema = lifecycle.operations.find((o) => o.name === name)!.request;
      expect(contractValidator().validate(schema, body).violations).toEqual([]);
      const placeholders = placeholderStrings();
      expect(stringLeaves(body).filter((v) => placeholders.has(v))).toEqual([]);
    },
  );

  it("sends queueName where the page does not mark it optional, and to Transfer / PlaceInQueue", () => {
    for (const name of ["Reply", "ReplyAll", "Send", "CreateEmail"])
      expect(operationRequest(name, { queues, token: "t" }).queueName, name).toBeTruthy();
    expect(operationRequest("Transfer", { queues, token: "t" })).toEqual({
      operationName: "Transfer",
      queueName: "Tier2",
    });
    expect(operationRequest("Transfer", { queues, token: "t", targetAgent: "a2" })).toEqual({
      operationName: "Transfer",
      targetAgent: "a2",
    });
    // Send names its own queue; Reply, ReplyAll and Forward the compose queue.
    expect(operationRequest("Send", { queues, token: "t" }).queueName).toBe(REFERENCE_QUEUES.send);
    for (const name of ["Reply", "ReplyAll", "Forward"])
      expect(operationRequest(name, { queues, token: "t" }).queueName, name).toBe(REFERENCE_QUEUES.compose);
    expect(operationRequest("Reply", { queues, token: "t" }, { queueName: undefined, subjectPrefix: "Re: " })).toEqual({
      operationName: "Reply",
      subjectPrefix: "Re: ",
    });
  });

  it("CreateEmail requests a subtype but no interactionType (a server may echo it into ReplyCreated, where N4 fixes it)", () => {
    expect(operationRequest("CreateEmail", { queues, token: "t" })).toEqual({
      operationName: "CreateEmail",
      queueName: REFERENCE_QUEUES.create,
      interactionSubType: "OutboundNew",
    });
  });

  it("names the setting a refused queue came from", () => {
    expect(queueHint({ operationName: "Transfer", queueName: "Tier2" }, queues)).toBe(
      'queue "Tier2" from GWS_TRANSFER_QUEUE: the target may not know this queue',
    );
    expect(queueHint({ operationName: "Accept" }, queues)).toBeUndefined();
  });

  it("knows the placeholders: the schemas' examples and the page's request samples", () => {
    const p = placeholderStrings();
    expect(p.has("name-of-the-queue-where-to-place-interaction-while-agent-is-composing-it")).toBe(true);
    expect(p.has("to-address")).toBe(true);
    expect(p.has("Reply")).toBe(false); // operation names are not placeholders
  });
});
