/**
 * The page's samples are evidence: each, once repaired, validates against its schema and is in
 * its examples. Judged on the committed page data (src/generated/page-samples.json); that it
 * matches the page itself is a spec-sync check (test/spec-sync/page.spec-sync.test.ts).
 */
import { describe, expect, it } from "vitest";
import { committedPageData } from "./page-data.js";
import { schemaExamplesFromSamples } from "./page-samples-files.js";
import { allRepairs } from "./page-samples.js";
import { loadSchemaFiles } from "./schemas.js";
import { contractValidator } from "./validators.js";

const data = committedPageData();
const samples = data.samples;

describe("page samples (committed page data)", () => {
  it("holds every sample of every section (request, success, failure, notification) and the page's hash", () => {
    expect(samples.map((s) => s.id)).toEqual(
      expect.arrayContaining([
        "Accept.http-request",
        "Accept.cometd-response",
        "Reply.cometd-response",
        "ReplyAll.success",
        "Forward.success",
        "Send.http-request",
        "CancelReplyEmail.failed",
        "CreateEmail.http-request",
      ]),
    );
    expect(samples).toHaveLength(24);
    expect(data.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(samples.map((s) => [s.id, s] as const))("%s validates against its schema once repaired", (_id, s) => {
    expect(contractValidator().validate(s.schema, s.json).violations).toEqual([]);
  });

  it("every repair is named and explained, and every named repair is used by some sample", () => {
    expect(data.repairs).toEqual(allRepairs());
    const used = new Set(samples.flatMap((s) => s.repairs));
    for (const r of allRepairs()) {
      expect(r.why.length).toBeGreaterThan(10);
      expect(used.has(r.name), r.name).toBe(true);
    }
  });

  it("the printed text really is invalid JSON where a repair was needed (repairs are not invented)", () => {
    for (const s of samples) {
      const textRepairs = s.repairs.filter(
        (r) => !["boolean-placeholder", "user-data-map", "numeric-size"].includes(r),
      );
      if (textRepairs.length === 0) continue;
      expect(() => JSON.parse(s.raw), s.id).toThrow();
    }
  });

  it("the Reply notification split over two blocks is joined into one with its capabilities", () => {
    const reply = samples.find((s) => s.id === "Reply.cometd-response")!;
    expect(reply.repairs).toContain("join-split-sample");
    expect(reply.json).toMatchObject({
      state: "ReplyCreated",
      receivedAt: "value-of-attr_itx_received_at",
      capabilities: ["Cancel", "Send", "PlaceInWorkbin", "UpdateProperties", "LinkAttachment"],
    });
  });

  it("each schema's examples are exactly its repaired page samples", () => {
    const files = loadSchemaFiles();
    for (const [schema, examples] of schemaExamplesFromSamples(samples))
      expect(files.get(schema)?.examples, schema).toEqual(examples);
  });
});
