import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { record, redactHeaders, redactValue, setSecrets, setTranscriptDir } from "./transcript.js";

describe("transcript redaction", () => {
  it("replaces credential headers and every configured secret, wherever it appears", () => {
    setSecrets(["hunter22", Buffer.from("a:hunter22").toString("base64")]);
    expect(
      redactHeaders({
        Authorization: "Basic abc",
        cookie: "JSESSIONID=1",
        "Set-Cookie": ["a=b"],
        "x-csrf-token": "t",
        accept: "application/json",
      }),
    ).toEqual({
      Authorization: "REDACTED",
      cookie: "REDACTED",
      "Set-Cookie": "REDACTED",
      "x-csrf-token": "REDACTED",
      accept: "application/json",
    });
    expect(redactValue({ body: { note: "password is hunter22" }, list: ["hunter22"] })).toEqual({
      body: { note: "password is REDACTED" },
      list: ["REDACTED"],
    });
  });

  it("writes redacted entries to the worker's file", () => {
    const dir = mkdtempSync(join(tmpdir(), "gws-transcript-"));
    setTranscriptDir(dir);
    try {
      setSecrets(["s3cr3t-pass"]);
      record({
        kind: "http",
        method: "POST",
        url: "http://x/api",
        requestHeaders: { authorization: "Basic czNjcjN0" },
        requestBody: { p: "s3cr3t-pass" },
        durationMs: 1,
      });
    } finally {
      setTranscriptDir(undefined);
    }
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const text = readFileSync(join(dir, files[0]), "utf8");
    expect(text).not.toContain("s3cr3t-pass");
    expect(JSON.parse(text)).toMatchObject({
      kind: "http",
      requestHeaders: { authorization: "REDACTED" },
      requestBody: { p: "REDACTED" },
    });
  });
});
