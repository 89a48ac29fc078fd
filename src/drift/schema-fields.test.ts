/** What a schema documents: $ref into common/defs, unions, opaque maps, paths. */
import { describe, expect, it } from "vitest";
import { loadSchemaFiles } from "../contract/schemas.js";
import type { TranscriptEntry } from "../report/transcript-io.js";
import { childPath, flatten, parentPath } from "./json-shape.js";
import { callTargetOf, envelopeOf, messagesOf, outcomeOf } from "./messages.js";
import { schemaModel, unionMembers } from "./schema-fields.js";

const files = loadSchemaFiles();

describe("schema model", () => {
  it("resolves $ref into common/defs.schema.json and keeps required-ness and rules", () => {
    const m = schemaModel(files, "notifications/accepted.schema.json");
    expect(m.fields.get("$.email_object.Subject")).toMatchObject({
      types: ["string"],
      required: true,
      requiredFromRoot: true,
      rule: "N3",
    });
    expect(m.fields.get("$.email_object.attachments[].size")).toMatchObject({
      types: ["integer", "string"],
      required: true,
      requiredFromRoot: false,
    });
    expect(m.fields.get("$.state")).toMatchObject({ types: ["string"], values: ["Accepted"] });
    expect(m.fields.get("$.userData")).toMatchObject({ opaque: true });
    expect(m.fields.has("$.email_object.subject")).toBe(false);
  });

  it("anyOf alternatives document their fields without requiring them (Transfer, O9)", () => {
    const m = schemaModel(files, "requests/transfer.schema.json");
    expect(m.fields.get("$.targetAgent")).toMatchObject({ types: ["string"], required: false });
    expect(m.fields.get("$.queueName")).toMatchObject({ types: ["string"], required: false });
  });

  it("a field anyOf branches type differently takes each branch's type; constraints only where all agree", () => {
    const attachment = schemaModel(files, "notifications/accepted.schema.json").fields.get(
      "$.email_object.attachments[].size",
    )!;
    expect(attachment.types).toEqual(["integer", "string"]);
    expect(attachment.constraints).toEqual({});
  });

  it("lists the members of a discriminated union", () => {
    expect(unionMembers(files, "answers/answer.schema.json")).toEqual([
      "answers/ok.schema.json",
      "answers/error.schema.json",
    ]);
    expect(unionMembers(files, "notifications/accepted.schema.json")).toEqual([]);
  });

  it("compares each message with the schema lifecycle.json names: a notified state's own, N1's base else", () => {
    const note = (state: string): TranscriptEntry => ({
      kind: "notification",
      seq: 1,
      ts: 1,
      agent: "a",
      channel: "/me/interactions",
      data: { state },
    });
    const post = (body: unknown): TranscriptEntry => ({
      kind: "http",
      seq: 1,
      ts: 1,
      method: "POST",
      url: "http://h/api/v2/me/interactions/i1",
      requestHeaders: {},
      requestBody: body,
      durationMs: 1,
    });
    const schemas = messagesOf([
      note("Revoked"),
      note("Completed"),
      post({ operationName: "CancelReplyEmail" }),
      post({ operationName: "Teleport" }),
    ]).map((m) => m.schema);
    expect(schemas).toEqual([
      "notifications/revoked.schema.json",
      "notifications/base.schema.json",
      "requests/cancel-reply-email.schema.json",
      null,
    ]);
  });
});

describe("shapes and envelopes", () => {
  it("paths", () => {
    expect(childPath("$", "a b")).toBe('$["a b"]');
    expect(parentPath('$.x["a b"]')).toBe("$.x");
    expect(parentPath("$.x[]")).toBe("$.x");
    expect(flatten({ a: [{ b: 1.5 }], u: { k: 1 } }, (p) => p === "$.u").map((n) => `${n.path}:${n.type}`)).toEqual([
      "$:object",
      "$.a:array",
      "$.a[]:object",
      "$.a[].b:number",
      "$.u:object",
    ]);
  });

  it("envelopes and outcomes: R1 status, the later-edition statusCode, empty and other bodies", () => {
    expect(envelopeOf({ status: "ok" })).toBe("status");
    expect(envelopeOf({ statusCode: 2, statusMessage: "invalid for current state" })).toBe("statusCode");
    expect(envelopeOf(undefined)).toBe("empty");
    expect(envelopeOf("<html>")).toBe("non-json");
    expect(envelopeOf([1])).toBe("other");
    expect(outcomeOf(200, { statusCode: 0 }, false)).toBe("ok");
    expect(outcomeOf(200, { statusCode: 2 }, false)).toBe("error");
    expect(outcomeOf(200, { status: "error", errorDescription: "x" }, false)).toBe("error");
    expect(outcomeOf(401, undefined, false)).toBe("exempt");
    expect(outcomeOf(400, "bad", true)).toBe("exempt");
  });

  it("call targets: interaction (plural or singular, T2), collection (T3), channel (T7), other", () => {
    expect(callTargetOf("http://h/api/v2/me/interactions/ab%2Fc")).toEqual({
      kind: "interaction",
      id: "ab/c",
      singular: false,
    });
    expect(callTargetOf("http://h/api/v2/me/interaction/x")).toEqual({ kind: "interaction", id: "x", singular: true });
    expect(callTargetOf("http://h/api/v2/me/interactions/")).toEqual({ kind: "collection" });
    expect(callTargetOf("http://h/api/v2/me/channels/email")).toEqual({ kind: "channel", channel: "email" });
    expect(callTargetOf("http://h/control/inbound-emails")).toBeUndefined();
  });
});
