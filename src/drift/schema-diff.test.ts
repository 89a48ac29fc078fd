/** diff-schemas: the repository's schemas/ against a modified copy in a temp dir, and git refs. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCHEMAS_DIR } from "../contract/schemas.js";
import { runDriftCli } from "./cli.js";
import { diffSchemas, exportedDeclarations, loadSchemaSet, type SchemaChange } from "./schema-diff.js";
import { memoryIo } from "./test-helpers.js";

// Schemas edited in place by the tests: loosely typed on purpose.
// Schemas edited in place by the tests: any nested shape.
// biome-ignore lint/suspicious/noExplicitAny: a test's free-form edits of nested JSON Schema objects
type Json = Record<string, any>;

function modifiedCopy(edit: (read: (rel: string) => Json, write: (rel: string, v: Json) => void) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "schemas-"));
  cpSync(SCHEMAS_DIR, join(dir, "schemas"), { recursive: true });
  const path = (rel: string): string => join(dir, "schemas", rel);
  edit(
    (rel) => JSON.parse(readFileSync(path(rel), "utf8")) as Json,
    (rel, v) => writeFileSync(path(rel), JSON.stringify(v, null, 2)),
  );
  return dir;
}

const pick = (changes: SchemaChange[], schema: string, path?: string): SchemaChange[] =>
  changes.filter((c) => c.schema === schema && c.path === path);

describe("diff-schemas", () => {
  const copy = modifiedCopy((read, write) => {
    const accepted = read("notifications/accepted.schema.json");
    accepted.properties.priority = { type: "string" }; // optional field added
    accepted.properties.mediaType = { type: "string" }; // required field added
    accepted.required.push("mediaType");
    delete accepted.properties.outQueues; // field removed
    write("notifications/accepted.schema.json", accepted);
    const reply = read("requests/reply.schema.json");
    reply.properties.quoteOriginal = { type: ["boolean", "string"] }; // type widened
    reply.properties.tone = { type: "string" }; // optional field added
    reply.required.push("queueName"); // optional → required
    write("requests/reply.schema.json", reply);
    const defs = read("common/defs.schema.json");
    defs.$defs.Attachment.properties.size = { type: "integer", minimum: 0 }; // type narrowed
    defs.$defs.StateName.enum.push("Completed"); // enum widened
    write("common/defs.schema.json", defs);
  });

  it("classifies field changes as breaking or not, per direction", async () => {
    const diff = await diffSchemas(loadSchemaSet(SCHEMAS_DIR), loadSchemaSet(copy));
    const c = diff.changes;
    const accepted = "notifications/accepted.schema.json";
    expect(pick(c, accepted, "$.priority")).toMatchObject([{ change: "field-added", breaking: false }]);
    expect(pick(c, accepted, "$.mediaType")).toMatchObject([
      { change: "required-added", breaking: true, breaksProducer: true, breaksConsumer: false },
    ]);
    expect(pick(c, accepted, "$.mediaType")[0].explanation).toMatch(
      /breaks the server that notifies: it must now send the field/,
    );
    expect(pick(c, accepted, "$.outQueues")).toMatchObject([
      { change: "field-removed", breaking: true, breaksConsumer: true },
    ]);
    expect(pick(c, accepted, "$.outQueues")[0].explanation).toMatch(/breaks a notification consumer \(client\)/);
    expect(pick(c, accepted, "$.email_object.attachments[].size")).toMatchObject([
      { change: "type-narrowed", breaksProducer: true, before: "integer | string", after: "integer" },
    ]);

    const reply = "requests/reply.schema.json";
    expect(pick(c, reply, "$.tone")).toMatchObject([{ change: "field-added", breaking: false }]);
    expect(pick(c, reply, "$.queueName")).toMatchObject([{ change: "required-added", breaksProducer: true }]);
    expect(pick(c, reply, "$.queueName")[0].explanation).toMatch(
      /breaks a request producer \(client\): it must now send the field/,
    );
    expect(pick(c, reply, "$.quoteOriginal")).toMatchObject([{ change: "type-widened", breaksConsumer: true }]);
    expect(pick(c, reply, "$.quoteOriginal")[0].explanation).toMatch(/breaks the server that reads requests/);

    expect(pick(c, "notifications/interaction-state-message.schema.json", "$.state")).toMatchObject([
      { change: "values-widened", breaksConsumer: true },
    ]);
    // every change is listed once: nothing else moved
    expect(c.length).toBe(8);
  });

  it("lists the resulting changes in the generated types", async () => {
    const diff = await diffSchemas(loadSchemaSet(SCHEMAS_DIR), loadSchemaSet(copy));
    expect(diff.typeError).toBeUndefined();
    const byName = new Map(diff.types.map((t) => [t.name, t]));
    expect(byName.get("AcceptedNotification")).toMatchObject({
      change: "changed",
      added: expect.arrayContaining(["priority?: string;", "mediaType: string;"]),
      removed: ["outQueues?: string;"],
    });
    expect(byName.get("Attachment")).toMatchObject({
      change: "changed",
      added: ["size: number;"],
      removed: ["size: number | string;"],
    });
    expect(byName.get("StateName")?.change).toBe("changed");
    expect(byName.has("GwsContract")).toBe(false);
  });

  it("a schema file added or removed: types added or removed", async () => {
    const added = modifiedCopy((read, write) => {
      write("notifications/completed.schema.json", {
        ...read("notifications/revoked.schema.json"),
        $id: "https://gws-conformance.dev/schemas/notifications/completed.schema.json",
        title: "CompletedNotification",
      });
    });
    const diff = await diffSchemas(loadSchemaSet(SCHEMAS_DIR), loadSchemaSet(added));
    expect(diff.changes).toMatchObject([
      { schema: "notifications/completed.schema.json", change: "schema-added", breaking: false },
    ]);
    expect(diff.types.filter((t) => t.change === "added").map((t) => t.name)).toContain("CompletedNotification");
    const back = await diffSchemas(loadSchemaSet(added), loadSchemaSet(SCHEMAS_DIR));
    expect(back.changes).toMatchObject([{ change: "schema-removed", breaking: true }]);
    expect(back.types.filter((t) => t.change === "removed").map((t) => t.name)).toContain("CompletedNotification");
  });

  it("reads a side from a git ref", async () => {
    const head = loadSchemaSet("HEAD");
    expect(head.label).toBe("HEAD (git)");
    expect(head.files.has("notifications/accepted.schema.json")).toBe(true);
    const diff = await diffSchemas(head, loadSchemaSet("HEAD"));
    expect(diff.changes).toEqual([]);
    expect(diff.types).toEqual([]);
  });

  it("parses exported declarations by name, comments dropped", () => {
    const decls = exportedDeclarations(
      '/** doc */\nexport type A =\n  | "x"\n  | "y";\n/**\n * more\n */\nexport interface B {\n  /** f */\n  f?: string;\n}\n',
    );
    expect([...decls]).toEqual([
      ["A", ["export type A =", '| "x"', '| "y";']],
      ["B", ["export interface B {", "f?: string;", "}"]],
    ]);
  });

  it("CLI: --fail-on-breaking exits 1 on breaking changes; an unknown side exits 2", async () => {
    const io = memoryIo();
    expect(await runDriftCli("diff-schemas", [SCHEMAS_DIR, copy, "--fail-on-breaking"], io)).toBe(1);
    expect(io.text()).toMatch(/breaking changes: 6/);
    expect(io.text()).toMatch(/generated type changes:/);
    expect(await runDriftCli("diff-schemas", [SCHEMAS_DIR, copy], memoryIo())).toBe(0);
    const bad = memoryIo();
    expect(await runDriftCli("diff-schemas", ["no-such-ref-or-dir", SCHEMAS_DIR], bad)).toBe(2);
    expect(bad.stderr.join("")).toMatch(/neither a directory nor a git ref/);
  });
});
