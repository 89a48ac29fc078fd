/** The type drift gate: the committed generated files equal a fresh generation from schemas/. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundleSchemas, generateAll, GENERATED_DIR } from "./generate.js";
import { loadSchemaFiles } from "./schemas.js";

describe("generated types", () => {
  it("src/generated/ equals a fresh `npm run gen` (change a schema without regenerating and this fails)", async () => {
    const fresh = await generateAll();
    for (const [name, text] of Object.entries(fresh)) {
      expect(readFileSync(join(GENERATED_DIR, name), "utf8"), `src/generated/${name} is stale: run npm run gen`).toBe(
        text,
      );
    }
  });

  it("a changed schema changes the generated types (the gate can fail)", async () => {
    const files = loadSchemaFiles();
    const accepted = structuredClone(files.get("notifications/accepted.schema.json")!) as {
      properties: Record<string, unknown>;
    };
    accepted.properties.addedByTest = { type: "string" };
    files.set("notifications/accepted.schema.json", accepted);
    const bundled = bundleSchemas(files) as { $defs: Record<string, { properties: Record<string, unknown> }> };
    expect(bundled.$defs.AcceptedNotification.properties).toHaveProperty("addedByTest");
  });

  it("every request, answer and notification has a named type, and files say they are generated", () => {
    const types = readFileSync(join(GENERATED_DIR, "contract-types.ts"), "utf8");
    for (const name of [
      "AcceptRequest",
      "RejectRequest",
      "ReplyRequest",
      "ReplyAllRequest",
      "ForwardRequest",
      "SendRequest",
      "CancelReplyEmailRequest",
      "CreateEmailRequest",
      "TransferRequest",
      "StopProcessingRequest",
      "PlaceInQueueRequest",
      "ChannelStateRequest",
      "OperationRequest",
      "OkAnswer",
      "OkWithReplyIdAnswer",
      "ErrorAnswer",
      "InvitedNotification",
      "AcceptedNotification",
      "ReplyCreatedNotification",
      "RevokedNotification",
      "InteractionStateMessage",
      "InboundEmailInjection",
    ])
      expect(types, name).toMatch(new RegExp(`export (interface|type) ${name}\\b`));
    expect(types.startsWith("/* GENERATED")).toBe(true);
    expect(readFileSync(join(GENERATED_DIR, "requirement-ids.ts"), "utf8").startsWith("/* GENERATED")).toBe(true);
  });
});
