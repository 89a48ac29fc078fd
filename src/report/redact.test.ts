/** Redaction of a whole output tree (allure-results/): raw and JSON-escaped secrets, binary files untouched. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { redactTree, secretForms } from "./redact.js";

describe("redactTree", () => {
  it("replaces each secret, also in its JSON-escaped form, in every text file below the directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "gws-redact-"));
    const secret = 'p"w\\9-secret';
    const token = Buffer.from(`agent1:${secret}`).toString("base64");
    mkdirSync(join(dir, "nested"));
    writeFileSync(
      join(dir, "a-result.json"),
      JSON.stringify({ message: `login as agent1 with ${secret}`, header: `Basic ${token}` }),
    );
    writeFileSync(join(dir, "nested", "attachment.txt"), `raw ${secret} here`);
    writeFileSync(join(dir, "clean.json"), "{}");
    const binary = Buffer.from([0xff, 0xfe, 0x00, ...Buffer.from(secret)]);
    writeFileSync(join(dir, "image.png"), binary);

    const changed = redactTree(dir, [secret, token]);
    expect(changed.map((p) => p.slice(dir.length + 1)).sort()).toEqual(["a-result.json", "nested/attachment.txt"]);
    const json = readFileSync(join(dir, "a-result.json"), "utf8");
    expect(JSON.parse(json)).toEqual({ message: "login as agent1 with REDACTED", header: "Basic REDACTED" });
    expect(readFileSync(join(dir, "nested", "attachment.txt"), "utf8")).toBe("raw REDACTED here");
    expect(readFileSync(join(dir, "image.png"))).toEqual(binary);
  });

  it("ignores secrets too short to be meaningful and a missing directory", () => {
    expect(secretForms(["ab", "abc"])).toEqual(["abc"]);
    expect(redactTree(join(tmpdir(), "gws-no-such-dir-xyz"), ["secret"])).toEqual([]);
  });
});
