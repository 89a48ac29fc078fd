/** What a schema documents: $ref into common/defs, unions, opaque maps, paths. */
import { describe, expect, it } from "vitest";
import { loadSchemaFiles } from "../contract/schemas.js";
import { childPath, flatten, parentPath } from "./json-shape.js";
import { envelopeOf, outcomeOf, callTargetOf } from "./messages.js";
import { schemaModel, selectUnionMember } from "./schema-model.js";

const files = loadSchemaFiles();

describe("schema model", () => {
  it("resolves $ref into common/defs.schema.json and keeps required-ness and rules", () => {
    const m = schemaModel(files, "notifications/accepted.schema.json");
    expect(m.fields.get("$.email_object.Subject")).toMatchObject({ types: ["string"], required: true, requiredFromRoot: true, rule: "N3" });
    expect(m.fields.get("$.email_object.attachments[].size")).toMatchObject({ types: ["integer", "string"], required: true, requiredFromRoot: false });
    expect(m.fields.get("$.state")).toMatchObject({ types: ["string"], values: ["Accepted"] });
    expect(m.fields.get("$.userData")).toMatchObject({ opaque: true });
    expect(m.fields.has("$.email_object.subject")).toBe(false);
  });

  it("anyOf alternatives document their fields without requiring them (Transfer, O9)", () => {
    const m = schemaModel(files, "requests/transfer.schema.json");
    expect(m.fields.get("$.targetAgent")).toMatchObject({ types: ["string"], required: false });
    expect(m.fields.get("$.queueName")).toMatchObject({ types: ["string"], required: false });
  });

  it("picks the member of a discriminated union", () => {
    expect(selectUnionMember(files, "notifications/interaction-state-message.schema.json", { state: "Revoked" })).toBe("notifications/revoked.schema.json");
    expect(selectUnionMember(files, "notifications/interaction-state-message.schema.json", { state: "Completed" })).toBeUndefined();
    expect(selectUnionMember(files, "requests/operation-request.schema.json", { operationName: "CancelReplyEmail" })).toBe("requests/cancel-reply-email.schema.json");
    expect(selectUnionMember(files, "answers/answer.schema.json", { status: "ok" })).toBe("answers/ok.schema.json");
  });
});

describe("shapes and envelopes", () => {
  it("paths", () => {
    expect(childPath("$", "a b")).toBe('$["a b"]');
    expect(parentPath('$.x["a b"]')).toBe("$.x");
    expect(parentPath("$.x[]")).toBe("$.x");
    expect(flatten({ a: [{ b: 1.5 }], u: { k: 1 } }, (p) => p === "$.u").map((n) => `${n.path}:${n.type}`)).toEqual(["$:object", "$.a:array", "$.a[]:object", "$.a[].b:number", "$.u:object"]);
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
    expect(callTargetOf("http://h/api/v2/me/interactions/ab%2Fc")).toEqual({ kind: "interaction", id: "ab/c", singular: false });
    expect(callTargetOf("http://h/api/v2/me/interaction/x")).toEqual({ kind: "interaction", id: "x", singular: true });
    expect(callTargetOf("http://h/api/v2/me/interactions/")).toEqual({ kind: "collection" });
    expect(callTargetOf("http://h/api/v2/me/channels/email")).toEqual({ kind: "channel", channel: "email" });
    expect(callTargetOf("http://h/control/inbound-emails")).toBeUndefined();
  });
});
