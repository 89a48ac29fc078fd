/** The page's known contradictions as data (schemas/doc-defects.json): its shape, its evidence, its lookups. */
import { describe, expect, it } from "vitest";
import { committedPageSamples } from "./page-data.js";
import { defectExplaining, defectForHint, docDefectEvidence, docDefects, evidenceHolds } from "./doc-defects.js";
import { readSchemasJson } from "./schemas.js";
import { contractValidator } from "./validators.js";

const samples = committedPageSamples();

describe("doc-defects.json", () => {
  it("matches its schema: each of related-facts #1–#12 once, with the rules that settle it", () => {
    expect(
      contractValidator().validate("doc-defects.schema.json", readSchemasJson("doc-defects.json")).violations,
    ).toEqual([]);
    expect(docDefects.map((d) => d.fact)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});

describe("evidence", () => {
  it("page text: contained as printed, or matching a regular expression with its flags", () => {
    const page = "Ops\nForward\tPOST\tafter Accept\nA successful request results in an EMPTY HTTP-200 RESPONSE.";
    expect(evidenceHolds({ pageContains: "Forward\tPOST" }, page, [])).toBe(true);
    expect(evidenceHolds({ pageContains: "forward\tPOST" }, page, [])).toBe(false);
    expect(evidenceHolds({ pageMatches: "^Forward\tPOST", flags: "m" }, page, [])).toBe(true);
    expect(evidenceHolds({ pageMatches: "^Forward\tPOST" }, page, [])).toBe(false);
    expect(evidenceHolds({ pageMatches: "empty http-200 response", flags: "i" }, page, [])).toBe(true);
  });

  it("a sample meets a JSON Schema; a sample the page no longer prints is checked as {}", () => {
    const lacksReplyId = { not: { required: ["replyInteractionId"] } };
    expect(evidenceHolds({ sample: "Reply.success", matches: lacksReplyId }, "", samples)).toBe(true);
    expect(evidenceHolds({ sample: "ReplyAll.success", matches: lacksReplyId }, "", samples)).toBe(false);
    expect(evidenceHolds({ sample: "No.such-sample", matches: lacksReplyId }, "", samples)).toBe(true);
    expect(evidenceHolds({ sample: "No.such-sample", matches: { required: ["status"] } }, "", samples)).toBe(false);
    expect(evidenceHolds({ samples: { contains: { properties: { repairs: { minItems: 1 } } } } }, "", samples)).toBe(
      true,
    );
    expect(evidenceHolds({ samples: { contains: { properties: { repairs: { minItems: 1 } } } } }, "", [])).toBe(false);
  });

  it("a page that no longer shows a contradiction: its evidence fails (a defect needs all of it)", () => {
    // Without the page text only the contradictions the samples alone show remain (#3, #10, #11).
    const shown = docDefectEvidence("", samples);
    expect(Object.keys(shown).filter((fact) => shown[fact])).toEqual(["3", "10", "11"]);
    // Without samples either: #10 (no sample documents those operations) is all that is left.
    const none = docDefectEvidence("", []);
    expect(Object.keys(none).filter((fact) => none[fact])).toEqual(["10"]);
  });
});

describe("lookups", () => {
  it("traffic that follows the page's other reading names its contradiction", () => {
    expect(defectForHint({ field: "FromnAddress" })?.fact).toBe(12);
    expect(defectForHint({ field: "toAddress", documentedSiblings: ["ToAddress", "Subject"] })?.fact).toBe(8);
    expect(defectForHint({ field: "Priority", documentedSiblings: ["ToAddress"] })).toBeUndefined();
    expect(defectForHint({ capability: "CancelReply" })?.fact).toBe(2);
    expect(defectForHint({ subtype: "OutboundNew" })?.fact).toBe(7);
    expect(defectForHint({ envelope: "empty", operation: "Accept" })?.fact).toBe(4);
    expect(defectForHint({ envelope: "empty", operation: "Reply" })).toBeUndefined();
  });

  it("a schema field that is a contradiction's reading names it", () => {
    expect(defectExplaining("answers/ok.schema.json", "$.replyInteractionId")?.fact).toBe(3);
    expect(defectExplaining("requests/forward.schema.json", "$.queueName")?.fact).toBe(6);
    expect(defectExplaining("requests/forward.schema.json", "$.operationName")).toBeUndefined();
  });
});
