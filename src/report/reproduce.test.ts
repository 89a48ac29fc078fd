/**
 * reproduce(): the entry that broke a requirement and the curl commands that lead to it, from a
 * hand-written transcript. The commands are run by a shell here (bash -n parses them, and echo
 * shows what the variables expand to); test/cli/reproduce-by-hand.test.ts runs them against a server.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { TranscriptEntry } from "../harness/transcript.js";
import { curlScript, reproduce } from "./reproduce.js";

const BASE = "http://127.0.0.1:4000/api/v2";
const CONTROL = "http://127.0.0.1:4000/control";
const settings = {
  baseUrl: BASE,
  cometdUrl: `${BASE}/notifications`,
  controlUrl: CONTROL,
  agents: [
    { username: "agent1", password: "REDACTED" },
    { username: "agent2", password: "REDACTED" },
  ],
};
const SC = "suites/answers/envelopes.test.ts > R1 answers > failures";
const OTHER = "suites/operations/reply.test.ts > O3 Reply > reply";
const W = "100-0";
const json = { "content-type": "application/json", accept: "application/json", authorization: "REDACTED" };

const transcript: TranscriptEntry[] = [
  {
    kind: "inject",
    seq: 1,
    ts: 1,
    worker: W,
    scenario: SC,
    adapter: "http",
    email: { subject: "it's [gws-1]" },
    ok: true,
  },
  {
    kind: "notification",
    seq: 2,
    ts: 2,
    worker: W,
    scenario: SC,
    agent: "agent2",
    channel: "/me/interactions",
    data: { messageTypeName: "InteractionStateMessage", notificationType: "Invited", id: "ABCDEF123456" },
  },
  {
    kind: "http",
    seq: 3,
    ts: 3,
    worker: W,
    scenario: SC,
    agent: "agent2",
    method: "POST",
    url: `${BASE}/me/interactions/ABCDEF123456`,
    requestHeaders: json,
    requestBody: { operationName: "Accept" },
    status: 200,
    responseBody: { status: "ok" },
    durationMs: 1,
    operation: "Accept",
  },
  // Another scenario of another worker, interleaved: not part of the reproduction.
  {
    kind: "http",
    seq: 3,
    ts: 3,
    worker: "200-0",
    scenario: OTHER,
    agent: "agent1",
    method: "POST",
    url: `${BASE}/me/channels/email`,
    requestHeaders: json,
    requestBody: { operationName: "Ready" },
    status: 200,
    durationMs: 1,
  },
  {
    kind: "http",
    seq: 4,
    ts: 4,
    worker: W,
    scenario: SC,
    agent: "agent2",
    method: "POST",
    url: `${BASE}/me/interactions/unknown-gws-1`,
    requestHeaders: json,
    requestBody: { operationName: "Reply", queueName: "Drafts" },
    status: 404,
    responseBody: { status: "error" },
    durationMs: 1,
    operation: "Reply",
  },
  {
    kind: "check",
    seq: 5,
    ts: 5,
    worker: W,
    scenario: SC,
    requirement: "R1.error-envelope",
    level: "MUST",
    passed: false,
    message: 'Reply answer (HTTP 404): {"status":"error"}',
  },
  {
    kind: "check",
    seq: 6,
    ts: 6,
    worker: W,
    scenario: SC,
    requirement: "R1.ok-envelope",
    level: "MUST",
    passed: true,
    message: "fine",
  },
];

describe("reproduce", () => {
  it("names the exchange recorded before the first failed check, and the scenario's requests up to it as curl", () => {
    const r = reproduce({ id: "R1.error-envelope" }, transcript, settings);
    expect(r).toMatchObject({
      seq: 4,
      worker: W,
      scenario: SC,
      rerun: "npx gws-conformance run --only R1.error-envelope",
    });
    expect(r.what).toBe("HTTP POST /api/v2/me/interactions/unknown-gws-1 (Reply) → 404 [agent2]");
    expect(r.curl).toEqual([
      `ID_1="\${ID_1:-ABCDEF123456}"  # the id the server gave (notification seq 2 on agent2's /me/interactions); set it from your run`,
      `curl -sS -X POST "$GWS_CONTROL_URL/inbound-emails" -H 'content-type: application/json' --data-binary '{"subject":"it'\\''s [gws-1]"}'  # seq 1`,
      `curl -sS -X POST "$GWS_BASE_URL/me/interactions/\${ID_1}" -u "$GWS_AGENT2" -H 'content-type: application/json' -H 'accept: application/json' --data-binary '{"operationName":"Accept"}'  # seq 3`,
      `curl -sS -X POST "$GWS_BASE_URL/me/interactions/unknown-gws-1" -u "$GWS_AGENT2" -H 'content-type: application/json' -H 'accept: application/json' --data-binary '{"operationName":"Reply","queueName":"Drafts"}'  # seq 4`,
    ]);
    expect(r.curl.join("\n")).not.toMatch(/127\.0\.0\.1|REDACTED|Ready/);
  });

  it("writes commands a shell reads back as the recorded requests (quotes, variables)", () => {
    const r = reproduce({ id: "R1.error-envelope" }, transcript, settings);
    const script = r.curl.map((l) => l.replace(/^curl /, "printf '%s\\n' ")).join("\n");
    const out = execFileSync("bash", ["--norc", "--noprofile", "-c", script], {
      env: { PATH: process.env.PATH, GWS_BASE_URL: "http://h/api", GWS_CONTROL_URL: "http://h/c", GWS_AGENT2: "u:p" },
      encoding: "utf8",
    });
    expect(out).toContain(`{"subject":"it's [gws-1]"}`);
    expect(out).toContain("http://h/api/me/interactions/ABCDEF123456");
    expect(out).toContain("u:p");
    expect(out).toContain(`{"operationName":"Reply","queueName":"Drafts"}`);
  });

  it("an ERROR without a failed check points at the failed exchange of the pre-flight; nothing recorded: only the rerun", () => {
    const preflight: TranscriptEntry[] = [
      {
        kind: "http",
        seq: 1,
        ts: 1,
        agent: "agent1",
        method: "POST",
        url: `${BASE}/me/channels/email`,
        requestHeaders: json,
        requestBody: { operationName: "Ready" },
        error: "connect ECONNREFUSED 127.0.0.1:9",
        durationMs: 1,
      },
    ];
    const r = reproduce({ id: "T1.api-root", tests: ["never ran"] }, preflight, settings);
    expect(r.seq).toBe(1);
    expect(r.what).toContain("ECONNREFUSED");
    expect(r.curl).toEqual([
      `curl -sS -X POST "$GWS_BASE_URL/me/channels/email" -u "$GWS_AGENT1" -H 'content-type: application/json' -H 'accept: application/json' --data-binary '{"operationName":"Ready"}'  # seq 1`,
    ]);
    expect(reproduce({ id: "T1.api-root" }, [], settings)).toEqual({
      curl: [],
      rerun: "npx gws-conformance run --only T1.api-root",
    });
  });

  it("an agent missing from the settings gets the next variable; a request with credentials but no agent, $GWS_AUTHORIZATION", () => {
    const lines = curlScript(
      [
        { ...(transcript[2] as Extract<TranscriptEntry, { kind: "http" }>), agent: "agent9" },
        { ...(transcript[2] as Extract<TranscriptEntry, { kind: "http" }>), agent: undefined },
      ],
      settings,
    );
    expect(lines[0]).toContain('-u "$GWS_AGENT3"');
    expect(lines[1]).toContain('-H "authorization: $GWS_AUTHORIZATION"');
  });
});
