/** The page's samples are evidence: each, once repaired, validates against its schema and is in its examples. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allRepairs, extractPageSamples } from "./page-samples.js";
import { pageSamplesFile, schemaExamplesFromPage } from "./page-samples-files.js";
import { contractValidator } from "./validators.js";
import { loadSchemaFiles } from "./schemas.js";
import { GENERATED_DIR } from "./generate.js";

const samples = extractPageSamples();

describe("page samples", () => {
  it("extracts every sample of every section (request, success, failure, notification)", () => {
    expect(samples.map((s) => s.id)).toEqual(
      expect.arrayContaining(["Accept.http-request", "Accept.cometd-response", "Reply.cometd-response", "ReplyAll.success", "Forward.success", "Send.http-request", "CancelReplyEmail.failed", "CreateEmail.http-request"]),
    );
    expect(samples).toHaveLength(24);
  });

  it.each(samples.map((s) => [s.id, s] as const))("%s validates against its schema once repaired", (_id, s) => {
    expect(contractValidator().validate(s.schema, s.json).violations).toEqual([]);
  });

  it("every repair is named and explained, and every named repair is used by some sample", () => {
    const used = new Set(samples.flatMap((s) => s.repairs));
    for (const r of allRepairs()) {
      expect(r.why.length).toBeGreaterThan(10);
      expect(used.has(r.name), r.name).toBe(true);
    }
  });

  it("the printed text really is invalid JSON where a repair was needed (repairs are not invented)", () => {
    for (const s of samples) {
      const textRepairs = s.repairs.filter((r) => !["boolean-placeholder", "user-data-map", "numeric-size"].includes(r));
      if (textRepairs.length === 0) continue;
      expect(() => JSON.parse(s.raw), s.id).toThrow();
    }
  });

  it("the Reply notification split over two blocks is joined into one with its capabilities", () => {
    const reply = samples.find((s) => s.id === "Reply.cometd-response")!;
    expect(reply.repairs).toContain("join-split-sample");
    expect(reply.json).toMatchObject({ state: "ReplyCreated", receivedAt: "value-of-attr_itx_received_at", capabilities: ["Cancel", "Send", "PlaceInWorkbin", "UpdateProperties", "LinkAttachment"] });
  });

  it("each schema's examples are exactly its repaired page samples, and the generated samples file is current (npm run samples)", () => {
    const files = loadSchemaFiles();
    for (const [schema, examples] of schemaExamplesFromPage()) expect(files.get(schema)?.examples, schema).toEqual(examples);
    expect(readFileSync(join(GENERATED_DIR, "page-samples.json"), "utf8")).toBe(pageSamplesFile());
  });
});
