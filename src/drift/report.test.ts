/** The drift report over hand-written transcripts (test/fixtures/drift/*.jsonl). */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contractValidator } from "../contract/validators.js";
import { readTranscript, type TranscriptEntry } from "../report/transcript-io.js";
import {
  buildDriftReport,
  mergeRepeatedFindings,
  renderDriftMarkdown,
  serverDrift,
  writeDriftOutputs,
} from "./report.js";
import { baselineComparison } from "./report-sections.js";
import { fixture } from "./test-helpers.js";

const NOW = new Date("2026-01-01T12:00:00Z");

describe("drift report: the clean transcript", () => {
  const report = buildDriftReport(fixture("clean"), { now: NOW, transcript: "clean.jsonl" });

  it("has no server drift; the suite's own negative request (R3: a wrong type) is folded into one labelled line, not a message type", () => {
    expect(serverDrift(report)).toEqual([]);
    expect(report.summary.serverDrift).toBe(0);
    const reply = report.messageTypes.find((t) => t.key === "request:Reply")!;
    expect(reply.producer).toBe("suite");
    expect(reply.typeMismatches).toEqual([]); // the off-schema request is not among the Reply requests
    // ...with the R2 request whose body is raw text (no operation can be read from it).
    expect(report.suiteRequests).toEqual({ negative: 2, malformedJson: 1, operations: ["(none)", "Reply"] });
    const md = renderDriftMarkdown(report);
    expect(md).toMatch(
      /^\*\*The suite's own negative requests\*\* \(R2\/R3.*: 2 request\(s\) naming \(none\), Reply, 1 of them raw text \(not JSON\)\.$/m,
    );
    expect(contractValidator().validate("reports/drift.schema.json", report).violations).toEqual([]);
  });

  it("every table of drift.md has a legend naming each of its columns", () => {
    const md = renderDriftMarkdown(report).split("\n");
    const heads = md.filter((l, i) => l.startsWith("| ") && md[i + 1]?.startsWith("| ---"));
    expect(heads.length).toBeGreaterThan(3);
    for (const head of heads) {
      const at = md.indexOf(head);
      const legend = md.slice(at).find((l) => l.startsWith("_Columns — "));
      expect(legend, head).toBeDefined();
      for (const col of head.split(" | ").map((c) => c.replace(/^\| |\s*\|$/g, "").trim()))
        expect(legend, `${col} in ${head}`).toContain(`**${col}**: `);
      expect(legend).not.toMatch(/\*\*([^*]+)\*\*: \1;/); // a column explained, not echoed
    }
  });

  it("a finding repeated for several message types is one, naming each type, counts summed", () => {
    const twice = mergeRepeatedFindings([
      {
        id: "a",
        class: "server-drift",
        kind: "missing-required",
        subject: "answer:Accept:ok",
        path: "$.x",
        summary: "no x",
        count: 2,
      },
      {
        id: "b",
        class: "server-drift",
        kind: "missing-required",
        subject: "answer:Reply:ok",
        path: "$.x",
        summary: "no x",
        count: 3,
      },
      {
        id: "c",
        class: "server-drift",
        kind: "missing-required",
        subject: "answer:Send:ok",
        path: "$.y",
        summary: "no y",
        count: 1,
      },
    ]);
    expect(twice).toEqual([
      {
        id: "a",
        class: "server-drift",
        kind: "missing-required",
        subject: "answer:Accept:ok",
        subjects: ["answer:Accept:ok", "answer:Reply:ok"],
        path: "$.x",
        summary: "no x",
        count: 5,
      },
      {
        id: "c",
        class: "server-drift",
        kind: "missing-required",
        subject: "answer:Send:ok",
        path: "$.y",
        summary: "no y",
        count: 1,
      },
    ]);
    // "never seen" is one row per field with the types that lacked it, not one line per type.
    const md = renderDriftMarkdown(report);
    expect(md).not.toMatch(/^- never seen: /m);
    const rows = md.split("\n").filter((l) => /^\| `\$[^`]*` \| (yes|no) \|/.test(l));
    expect(new Set(rows.map((r) => r.split(" | ")[0])).size).toBe(rows.length);
  });

  it("a baseline comparison is in drift.json and drift.md: added, gone, changed and the exit reason", () => {
    const b = baselineComparison("base.json", [
      { change: "added", what: "path", where: "notification:Accepted", path: "$.channel", value: "string" },
      { change: "removed", what: "path", where: "notification:Accepted", path: "$.channel", value: "number" },
      { change: "removed", what: "path", where: "notification:Accepted", path: "$.gone", value: "string" },
      { change: "added", what: "state", where: "states", value: "Parked" },
    ]);
    expect(b).toEqual({
      file: "base.json",
      added: [{ what: "state", where: "states", value: "Parked" }],
      gone: [{ what: "path", where: "notification:Accepted", path: "$.gone", value: "string" }],
      changed: [
        { what: "path", where: "notification:Accepted", path: "$.channel", before: ["number"], after: ["string"] },
      ],
      exitCode: 1,
      exitReason: expect.stringMatching(/1 added, 1 gone, 1 changed/),
    });
    const withBaseline = { ...report, baseline: b };
    expect(contractValidator().validate("reports/drift.schema.json", withBaseline).violations).toEqual([]);
    const md = renderDriftMarkdown(withBaseline);
    expect(md).toContain("## Against the baseline `base.json`");
    expect(md).toMatch(/^\*\*Exit 1\*\*: .*1 added, 1 gone, 1 changed/m);
    expect(md).toMatch(/^\| ~ \| path \| `notification:Accepted` \| `\$\.channel` \| number → string \|$/m);
    expect(baselineComparison("base.json", [])).toMatchObject({ exitCode: 0, added: [], gone: [], changed: [] });
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
