/** Validator messages are what a vendor reads: JSON path, expected, actual, rule. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { committedPageData } from "./page-data.js";
import { REPO_ROOT } from "./schemas.js";
import { ContractValidator, contractValidator, formatViolations } from "./validators.js";

describe("contract validator", () => {
  const v = contractValidator();

  it("names path, expectation, actual value and rule for a wrong type", () => {
    const r = v.validate("requests/reply.schema.json", { operationName: "Reply", quoteOriginal: "yes" });
    expect(r.violations).toEqual([
      {
        path: "$.quoteOriginal",
        expected: "type boolean",
        actual: '"yes"',
        rule: "O3",
        schema: "requests/reply.schema.json",
      },
    ]);
    expect(formatViolations(r.violations)).toBe(
      '$.quoteOriginal: expected type boolean, got "yes" (rule O3, requests/reply.schema.json)',
    );
  });

  it("names a missing required field by its full path, with the rule of the sub-schema (x-rule)", () => {
    const r = v.validate("notifications/accepted.schema.json", {
      messageTypeName: "InteractionStateMessage",
      id: "1",
      channel: "email",
      state: "Accepted",
      capabilities: [],
      email_object: { ToAddress: "a", FromAddress: "b", Subject: "c", MimeType: "text/plain" },
      interactionType: "Email",
      interactionSubType: "InboundNew",
      userData: {},
      currentQueue: "q",
      receivedAt: "t",
    });
    expect(r.violations).toEqual([
      expect.objectContaining({
        path: "$.email_object.Text",
        expected: "a value (required field)",
        actual: "(missing)",
        rule: "N3",
      }),
    ]);
  });

  it("reports const violations with the expected value", () => {
    const r = v.validate("notifications/base.schema.json", {
      messageTypeName: "InteractionStateMessage",
      id: "1",
      channel: "Email",
      state: "x",
      capabilities: [],
      email_object: {},
    });
    expect(r.violations).toEqual([
      expect.objectContaining({ path: "$.channel", expected: '"email"', actual: '"Email"', rule: "N1" }),
    ]);
  });

  it("throws for a schema that does not exist", () => {
    expect(() => v.validate("requests/nope.schema.json", {})).toThrow(/no schema/);
  });
});

describe("precompiled validators (npm run build: scripts/build-validators.mjs)", () => {
  const built = join(REPO_ROOT, "dist", "src", "generated", "validators.cjs");
  const samples = committedPageData().samples;

  it("exist after the build, for these very schemas, and judge every page sample and its broken copies as Ajv does here", () => {
    const pre = new ContractValidator(undefined, { precompiled: built });
    const here = new ContractValidator(undefined, { precompiled: false });
    expect(pre.isPrecompiled, `${built} missing or built from other schemas: npm run build`).toBe(true);
    for (const s of samples) {
      const broken = [
        s.json,
        { ...(s.json as object), state: 42 },
        { ...(s.json as object), capabilities: "x" },
        null,
        "text",
      ];
      for (const data of broken) expect(pre.validate(s.schema, data), s.id).toEqual(here.validate(s.schema, data));
    }
  });
});
