/** Shape baselines: save, compare, exit codes and the exact listing of what changed. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contractValidator } from "../contract/validators.js";
import { buildShapeBaseline, compareShapeBaselines, formatShapeChange } from "./baseline.js";
import { runDriftCli } from "./cli.js";
import { fixture, fixturePath, memoryIo } from "./test-helpers.js";

describe("shape baseline", () => {
  const clean = buildShapeBaseline(fixture("clean"));

  it("records per server message type the paths with types and envelopes; capability sets, states, subtypes", () => {
    expect(contractValidator().validate("reports/shape-baseline.schema.json", clean).violations).toEqual([]);
    expect(Object.keys(clean.messageTypes).some((k) => k.startsWith("request:"))).toBe(false);
    expect(clean.messageTypes["answer:ReplyAll:ok"]).toEqual({
      paths: { $: ["object"], "$.replyInteractionId": ["string"], "$.status": ["string"] },
      envelopes: ["status"],
    });
    expect(clean.messageTypes["notification:Accepted"].paths["$.email_object.attachments[].size"]).toEqual(["integer"]);
    // userData is a map: one path, whatever its keys
    expect(
      Object.keys(clean.messageTypes["notification:Invited"].paths).filter((p) => p.startsWith("$.userData")),
    ).toEqual(["$.userData"]);
    expect(clean.states).toEqual(["Accepted", "Invited", "ReplyCreated"]);
    expect(clean.subtypes).toEqual({
      Accepted: ["InboundNew"],
      Invited: ["InboundNew"],
      ReplyCreated: ["OutboundForward", "OutboundNew", "OutboundReply"],
    });
    expect(clean.capabilitySets.Invited).toEqual([["Accept", "Reject"]]);
  });

  it("equal shapes: no change", () => {
    expect(compareShapeBaselines(clean, buildShapeBaseline(fixture("clean")))).toEqual([]);
  });

  it("lists exactly what was added and what is gone, per message type", () => {
    const changes = compareShapeBaselines(clean, buildShapeBaseline(fixture("drifted"))).map(formatShapeChange);
    expect(changes).toEqual([
      "+ message type notification:Completed (7 path(s))",
      "- answer:Accept:ok  $.status: string",
      "+ answer:Accept:ok  $.statusCode: integer",
      "+ answer:Accept:ok  envelope statusCode",
      "- answer:Accept:ok  envelope status",
      "+ notification:Accepted  $.email_object.Priority: string",
      "+ notification:Accepted  $.email_object.attachments[].size: boolean",
      "- notification:Accepted  $.email_object.attachments[].size: integer",
      "+ state Completed",
      '+ Accepted  capabilities ["Archive","PlaceInQueue","PlaceInWorkbin","Reply","ReplyAll","StopProcessing","Transfer","UpdateProperties"]',
      '- Accepted  capabilities ["Forward","PlaceInQueue","PlaceInWorkbin","Reply","ReplyAll","StopProcessing","Transfer","UpdateProperties"]',
      "+ Completed  capabilities []",
      '+ Invited  interactionSubType "InboundCollaboration"',
      '- Invited  interactionSubType "InboundNew"',
    ]);
  });

  it("a server that stops sending a shape: removed", () => {
    const before = buildShapeBaseline(fixture("drifted"));
    const changes = compareShapeBaselines(before, clean);
    expect(
      changes.filter((c) => c.change === "removed" && c.what === "path").map((c) => `${c.where} ${c.path} ${c.value}`),
    ).toEqual([
      "answer:Accept:ok $.statusCode integer",
      "notification:Accepted $.email_object.Priority string",
      "notification:Accepted $.email_object.attachments[].size boolean",
    ]);
    expect(changes).toContainEqual({
      change: "removed",
      what: "message-type",
      where: "notification:Completed",
      value: "7 path(s)",
    });
  });
});

describe("drift --save-baseline / --baseline", () => {
  it("exits 0 on the same shapes and 1 with the listing when they changed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drift-baseline-"));
    const file = join(dir, "baseline.json");
    const io1 = memoryIo();
    expect(
      await runDriftCli("drift", ["--transcript", fixturePath("clean"), "--out", dir, "--save-baseline", file], io1),
    ).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).kind).toBe("gws-shape-baseline");

    const io2 = memoryIo();
    expect(
      await runDriftCli("drift", ["--transcript", fixturePath("clean"), "--out", dir, "--baseline", file], io2),
    ).toBe(0);
    expect(io2.text()).toContain("same shapes");

    const io3 = memoryIo();
    expect(
      await runDriftCli("drift", ["--transcript", fixturePath("drifted"), "--out", dir, "--baseline", file], io3),
    ).toBe(1);
    expect(io3.text()).toContain("14 shape change(s)");
    expect(io3.text()).toContain("+ notification:Accepted  $.email_object.Priority: string");
  });

  it("a baseline that is not one: exit 2", async () => {
    const io = memoryIo();
    expect(
      await runDriftCli(
        "drift",
        [
          "--transcript",
          fixturePath("clean"),
          "--out",
          mkdtempSync(join(tmpdir(), "drift-")),
          "--baseline",
          fixturePath("clean"),
        ],
        io,
      ),
    ).toBe(2);
    expect(io.stderr.join("\n")).toMatch(/cannot read baseline/);
  });
});
