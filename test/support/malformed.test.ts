/** The data-driven negative cases of the suites come from the request schemas. */
import { describe, expect, it } from "vitest";
import { malformedRequests } from "../../suites/support/malformed.js";
import { contractValidator } from "../../src/contract/validators.js";
import { operationRequest } from "../../src/harness/requests.js";
import type { ResolvedQueues } from "../../src/harness/settings.js";

const queues: ResolvedQueues = {
  compose: { name: "Drafts", from: "GWS_QUEUE" },
  send: { name: "Outgoing", from: "GWS_QUEUE" },
  transfer: { name: "Tier2", from: "GWS_QUEUE" },
  place: { name: "Later", from: "GWS_QUEUE" },
  create: { name: "Out", from: "GWS_QUEUE" },
};
const validRequest = (operation: string, token: string): Record<string, unknown> =>
  operationRequest(operation, { queues, token });

describe("malformed request derivation", () => {
  it("Send: one case per required field (nested too) and per wrongly typed field", () => {
    const cases = malformedRequests("Send", validRequest("Send", "tok"));
    const labels = cases.map((c) => c.label);
    expect(labels).toEqual(
      expect.arrayContaining([
        "without email_object",
        "without email_object.toAddress",
        "email_object.toAddress of the wrong type",
        "queueName of the wrong type",
      ]),
    );
    for (const c of cases) expect(contractValidator().validate("requests/send.schema.json", c.body).ok).toBe(false);
  });

  it("Transfer: neither target agent nor queue is a missing required field", () => {
    expect(malformedRequests("Transfer", validRequest("Transfer", "t")).map((c) => c.label)).toContain(
      "without any of targetAgent / queueName",
    );
  });

  it("Reply: quoteOriginal given a string is a wrong type", () => {
    const c = malformedRequests("Reply", { operationName: "Reply" }).find(
      (x) => x.label === "quoteOriginal of the wrong type",
    );
    expect(c?.body).toEqual({ operationName: "Reply", quoteOriginal: "yes" });
  });

  it("Accept has nothing to leave out or mistype", () => {
    expect(malformedRequests("Accept", validRequest("Accept", "t"))).toEqual([]);
  });
});
