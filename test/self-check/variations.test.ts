/**
 * Fair to every conforming server: the full suite against the embedded reference server with every
 * allowed variation switched on (src/reference/variations.ts: queueName required and unknown queues
 * refused, empty Accept, CRLF Text, capacity, inbound delay, re-offers to another agent, failures
 * as HTTP 200) is CONFORMANT with no FAIL, no WARN and no ERROR. Its transcript also shows that no
 * request the suite sent carries a schema example or a placeholder text of the page.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { placeholderStrings, stringLeaves } from "../../src/contract/placeholders.js";
import type { TranscriptEntry } from "../../src/harness/transcript.js";
import { runCli, type CliRun } from "../cli/run-cli.js";

let out: string;
let run: CliRun;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "gws-variations-"));
  run = await runCli(["run", "--out", out, "--no-allure"], { GWS_REFERENCE_VARIATIONS: "all" });
});

describe("every allowed variation at once", () => {
  it("is CONFORMANT: 0 FAIL, 0 WARN, 0 ERROR", () => {
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      verdict: string;
      counts: Record<string, number>;
      requirements: Array<{ id: string; status: string; message: string }>;
    };
    const bad = summary.requirements
      .filter((r) => ["FAIL", "WARN", "ERROR"].includes(r.status))
      .map((r) => `${r.id}=${r.status}: ${r.message.split("\n")[0]}`);
    expect(bad, run.stdout.slice(-3000)).toEqual([]);
    expect(summary.verdict).toBe("CONFORMANT");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/target embedded reference server \(variations all\)/);
    // The suite finished everything it opened (a reply left open fills a capped agent: capacity).
    expect(run.stdout).not.toMatch(/the suite left \d+ interaction/);
  });

  it("no request carried a schema example or a page placeholder (queues came from the settings)", () => {
    const entries = readFileSync(join(out, "transcript.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as TranscriptEntry);
    const requests = entries.filter(
      (e): e is Extract<TranscriptEntry, { kind: "http" }> => e.kind === "http" && typeof e.requestBody === "object",
    );
    expect(requests.length).toBeGreaterThan(100);
    const placeholders = placeholderStrings();
    const found = requests.flatMap((e) =>
      stringLeaves(e.requestBody)
        .filter((v) => placeholders.has(v))
        .map((v) => `${e.operation} ${JSON.stringify(v)}`),
    );
    expect(found).toEqual([]);
    // queueName was sent wherever the page does not mark it optional (the variation refuses it missing).
    for (const op of ["Reply", "ReplyAll", "Send", "CreateEmail"]) {
      const sent = requests.filter(
        (e) => e.operation === op && e.status === 200 && (e.responseBody as { status?: string })?.status === "ok",
      );
      expect(sent.length, op).toBeGreaterThan(0);
      for (const e of sent) expect((e.requestBody as { queueName?: unknown }).queueName, op).toBeTruthy();
    }
  });
});
