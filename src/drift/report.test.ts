/** The drift report over hand-written transcripts (test/fixtures/drift/*.jsonl). */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contractValidator } from "../contract/validators.js";
import { readTranscript, type TranscriptEntry } from "../report/transcript-io.js";
import { buildDriftReport, renderDriftMarkdown, serverDrift, writeDriftOutputs } from "./report.js";
import { fixture } from "./test-helpers.js";

const NOW = new Date("2026-01-01T12:00:00Z");

describe("drift report: the clean transcript", () => {
  const report = buildDriftReport(fixture("clean"), { now: NOW, transcript: "clean.jsonl" });

  it("has no server drift, though the suite's own requests carry a wrong type (R3 test)", () => {
    expect(serverDrift(report)).toEqual([]);
    expect(report.summary.serverDrift).toBe(0);
    const reply = report.messageTypes.find((t) => t.key === "request:Reply")!;
    expect(reply.producer).toBe("suite");
    expect(reply.typeMismatches).toEqual([
      { path: "$.quoteOriginal", expected: ["boolean"], observed: "string", example: '"yes"', count: 1 },
    ]);
  });

  it("groups requests by operationName, answers by operation and outcome, notifications by state", () => {
    const keys = report.messageTypes.map((t) => t.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        "request:Accept",
        "answer:Accept:ok",
        "answer:Accept:error",
        "answer:Accept:exempt",
        "answer:ReplyAll:ok",
        "notification:Invited",
        "notification:Accepted",
        "notification:ReplyCreated",
      ]),
    );
    const replyAll = report.messageTypes.find((t) => t.key === "answer:ReplyAll:ok")!;
    expect(replyAll.schema).toBe("answers/ok-with-reply-id.schema.json");
    expect(report.messageTypes.find((t) => t.key === "answer:Accept:exempt")!.schema).toBeNull();
    expect(report.messageTypes.find((t) => t.key === "notification:ReplyCreated")!.count).toBe(4);
  });

  it("lists documented fields never seen, with whether they are required", () => {
    const accepted = report.messageTypes.find((t) => t.key === "notification:Accepted")!;
    expect(accepted.neverSeen.map((n) => n.path)).toEqual([
      "$.email_object.ContactID",
      "$.email_object.StructuredText",
      "$.email_object.StructuredTextMimeType",
      "$.email_object.TheComment",
      "$.inQueues",
      "$.outQueues",
    ]);
    expect(accepted.neverSeen.every((n) => !n.required)).toBe(true);
    // userData is a map of data (opaque): its keys are neither drift nor documented fields
    expect(accepted.undocumentedFields).toEqual([]);
  });

  it("matches schemas/reports/drift.schema.json and writes drift.json and drift.md", () => {
    expect(contractValidator().validate("reports/drift.schema.json", report).violations).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), "drift-out-"));
    const written = writeDriftOutputs(report, dir);
    expect(JSON.parse(readFileSync(written.json, "utf8"))).toEqual(report);
    const md = readFileSync(written.markdown, "utf8");
    for (const heading of [
      "## Server drift",
      "## Message types",
      "## Lifecycle names",
      "## Answer envelopes",
      "## Answer time",
      "## Notification latency",
      "## Schema defects",
      "## Doc defects",
    ])
      expect(md).toContain(heading);
  });
});

describe("drift report: a drifting server", () => {
  const report = buildDriftReport(fixture("drifted"), { now: NOW });
  const drift = serverDrift(report);

  it("names exactly the injected changes", () => {
    expect(drift.map((f) => `${f.kind} ${f.subject} ${f.path ?? ""}`.trim()).sort()).toEqual([
      "envelope answer:Accept",
      "type-mismatch notification:Accepted $.email_object.attachments[].size",
      "undocumented-field notification:Accepted $.email_object.Priority",
      "unknown-capability notification:Accepted $.capabilities[]",
      "unknown-state notification:Completed",
      "unknown-subtype notification:Invited $.interactionSubType",
    ]);
  });

  it("an extra field in Accepted: path, JSON type, example and count", () => {
    const accepted = report.messageTypes.find((t) => t.key === "notification:Accepted")!;
    expect(accepted.undocumentedFields).toEqual([
      { path: "$.email_object.Priority", type: "string", example: '"high"', count: 1 },
    ]);
  });

  it("a type change: attachments[].size boolean where the schema says integer or string", () => {
    const accepted = report.messageTypes.find((t) => t.key === "notification:Accepted")!;
    expect(accepted.typeMismatches).toEqual([
      {
        path: "$.email_object.attachments[].size",
        expected: ["integer", "string"],
        observed: "boolean",
        example: "true",
        count: 1,
      },
    ]);
    expect(drift.find((f) => f.kind === "type-mismatch")!.rule).toBe("N3");
  });

  it("the statusCode envelope of later editions (related-facts)", () => {
    expect(report.envelopes).toEqual([
      { operation: "Accept", kind: "statusCode", count: 1, httpStatuses: [200], example: '{"statusCode":0}' },
    ]);
    const f = drift.find((x) => x.kind === "envelope")!;
    expect(f.summary).toContain("later-edition");
    expect(f.rule).toBe("R1");
    // the envelope is reported once, not also as an undocumented statusCode and a missing status
    const answer = report.messageTypes.find((t) => t.key === "answer:Accept:ok")!;
    expect(answer.envelopes).toEqual([{ kind: "statusCode", count: 1 }]);
    expect(answer.undocumentedFields).toEqual([]);
    expect(answer.missingRequired).toEqual([]);
  });

  it("unknown capability, state and subtype (lifecycle.json)", () => {
    expect(report.lifecycle).toEqual({
      unknownStates: [{ state: "Completed", count: 1 }],
      unknownCapabilities: [{ state: "Accepted", capability: "Archive", knownElsewhere: false, count: 1 }],
      unknownSubtypes: [{ state: "Invited", subtype: "InboundCollaboration", operation: null, count: 1 }],
    });
  });

  it("Forward on Accepted (tolerated, O5) and OutboundNew after a CreateEmail that asked for it (O8) are no drift", () => {
    const clean = buildDriftReport(fixture("clean"), { now: NOW });
    expect(clean.lifecycle.unknownCapabilities).toEqual([]);
    expect(clean.lifecycle.unknownSubtypes).toEqual([]);
  });

  it("renders the findings in drift.md", () => {
    const md = renderDriftMarkdown(report);
    expect(md).toContain("**Server drift: 6**");
    expect(md).toContain("`$.email_object.Priority`");
  });
});

describe("drift report: a folder of worker parts", () => {
  it("counts each notification once, not once per worker (every worker hears every agent's stream)", () => {
    const entries = fixture("drifted");
    const dir = mkdtempSync(join(tmpdir(), "drift-parts-"));
    // Worker 1 ran the scenario; worker 2 only heard its notifications (no scenario of its own).
    const heard: TranscriptEntry[] = entries
      .filter((e) => e.kind === "notification")
      .map(({ scenario: _, ...e }) => ({ ...e, worker: "w2" }));
    const jsonl = (list: TranscriptEntry[]): string => `${list.map((e) => JSON.stringify(e)).join("\n")}\n`;
    writeFileSync(join(dir, "worker-w1.jsonl"), jsonl(entries.map((e) => ({ ...e, worker: "w1" }))));
    writeFileSync(join(dir, "worker-w2.jsonl"), jsonl(heard));
    const fromParts = buildDriftReport(readTranscript(dir), { now: NOW });
    const fromFile = buildDriftReport(entries, { now: NOW });
    expect(heard.length).toBeGreaterThan(0);
    expect(fromParts.summary).toEqual(fromFile.summary);
    const counts = (r: typeof fromFile): Array<[string, number]> => r.messageTypes.map((t) => [t.key, t.count]);
    expect(counts(fromParts)).toEqual(counts(fromFile));
  });
});
