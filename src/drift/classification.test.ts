/** The three-way classification: doc-defect, schema-defect, server-drift. */
import { describe, expect, it } from "vitest";
import { committedPageSamples } from "../contract/page-data.js";
import { loadSchemaFiles } from "../contract/schemas.js";
import { pageVsSchemaFindings } from "./findings.js";
import { buildDriftReport } from "./report.js";
import { modelsOf } from "./schema-fields.js";
import { fixture } from "./test-helpers.js";

const INTERPRETATION_RULE = /^(T[1-8]|R[1-3]|N[1-8]|O([1-9]|1[0-2]))$/;

describe("doc defects: the page's own contradictions (related-facts #1–#12)", () => {
  const report = buildDriftReport(fixture("clean"));
  const docs = report.findings.filter((f) => f.class === "doc-defect");

  it("records all twelve, each with the contract's reading and the interpretation.md rule that settles it", () => {
    expect(docs.map((f) => f.relatedFacts)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const f of docs) {
      expect(f.kind).toBe("page-contradiction");
      expect(f.reading, f.id).toBeTruthy();
      for (const rule of f.rule!.split(", ")) expect(rule, f.id).toMatch(INTERPRETATION_RULE);
    }
  });

  it("checks each is still visible on the page (as the committed page data records it)", () => {
    expect(docs.filter((f) => !f.evidenceOnPage).map((f) => f.relatedFacts)).toEqual([]);
  });

  it("a page without the contradiction no longer shows it", () => {
    const fixed = buildDriftReport([], { docDefectsOnPage: {}, pageSamples: [] });
    const f12 = fixed.findings.find((f) => f.relatedFacts === 12 && f.class === "doc-defect")!;
    expect(f12.evidenceOnPage).toBe(false);
  });
});

describe("schema defects: each page sample against its schema", () => {
  const samples = committedPageSamples();

  it("the repository's schemas: only what a contradiction's reading adds (#3 Reply's replyInteractionId, #6 Forward's queueName)", () => {
    const findings = pageVsSchemaFindings(samples, modelsOf(loadSchemaFiles()));
    expect(findings.map((f) => [f.kind, f.subject, f.path, f.relatedFacts, f.rule])).toEqual([
      ["schema-beyond-page", "answers/ok.schema.json", "$.replyInteractionId", 3, "R1"],
      ["schema-beyond-page", "requests/forward.schema.json", "$.queueName", 6, "O5"],
    ]);
    expect(findings.every((f) => f.class === "schema-defect")).toBe(true);
  });

  it("a schema narrower than the page: a sample field it does not document", () => {
    const files = loadSchemaFiles();
    const defs = structuredClone(files.get("common/defs.schema.json")!) as {
      $defs: { InboundEmailObject: { properties: Record<string, unknown> } };
    };
    delete defs.$defs.InboundEmailObject.properties.TheComment;
    files.set("common/defs.schema.json", defs);
    const findings = pageVsSchemaFindings(samples, modelsOf(files));
    const f = findings.find((x) => x.kind === "sample-field-undocumented")!;
    expect(f).toMatchObject({
      class: "schema-defect",
      subject: "Accept.cometd-response",
      path: "$.email_object.TheComment",
      rule: "N3",
    });
    expect(f.repairs).toContain("colon-after-email-object");
  });

  it("a schema stricter than the page: a required field the sample lacks; a type the sample does not have", () => {
    const files = loadSchemaFiles();
    const send = structuredClone(files.get("requests/send.schema.json")!) as {
      properties: Record<string, unknown>;
      required: string[];
    };
    send.properties.priority = { type: "string" };
    send.required.push("priority");
    send.properties.queueName = { type: "integer" };
    files.set("requests/send.schema.json", send);
    const findings = pageVsSchemaFindings(samples, modelsOf(files)).filter((f) => f.subject === "Send.http-request");
    expect(findings.map((f) => [f.kind, f.path]).sort()).toEqual([
      ["sample-lacks-required", "$.priority"],
      ["sample-type-mismatch", "$.queueName"],
    ]);
  });
});

describe("server drift", () => {
  it("is only what observed server traffic does differently from the schemas", () => {
    const report = buildDriftReport(fixture("drifted"));
    const classes = new Set(report.findings.map((f) => f.class));
    expect([...classes].sort()).toEqual(["doc-defect", "schema-defect", "server-drift"]);
    for (const f of report.findings.filter((x) => x.class === "server-drift"))
      expect(f.subject).toMatch(/^(answer|notification):/);
  });

  it("traffic that follows the page's other reading names the contradiction and the contract's reading", () => {
    const report = buildDriftReport(fixture("other-readings"));
    const drift = report.findings.filter((f) => f.class === "server-drift");
    expect(drift.map((f) => [f.kind, f.path ?? "", f.relatedFacts]).sort()).toEqual([
      ["envelope", "", 4],
      ["undocumented-field", "$.email_object.FromnAddress", 12],
      ["undocumented-field", "$.email_object.toAddress", 8],
      ["unknown-capability", "$.capabilities[]", 2],
      ["unknown-subtype", "$.interactionSubType", 7],
    ]);
    for (const f of drift) expect(f.reading).toMatch(/^the server follows the page's other reading; the contract's: /);
    expect(report.lifecycle.unknownSubtypes).toEqual([
      { state: "ReplyCreated", subtype: "OutboundNew", operation: "Reply", count: 1 },
    ]);
  });
});
