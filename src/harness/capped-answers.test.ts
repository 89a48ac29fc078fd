/**
 * Bounded memory and "who answered" at the lowest level: the REST client and the Bayeux
 * client (capped XMLHttpRequest) against small real servers (test/support/hostile-targets.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import * as hostile from "../../test/support/hostile-targets.js";
import { CometdSession } from "./cometd-session.js";
import { HttpClient } from "./http-client.js";
import { judgeAnswer } from "./judge-answer.js";

const agent = { username: "agent1", password: "secret1" };
let open: hostile.HostileTarget | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});
const use = async (t: Promise<hostile.HostileTarget>): Promise<hostile.HostileTarget> => (open = await t);

describe("HttpClient reads an answer up to maxAnswerBytes", () => {
  it("stops at the cap on an endless body, keeps a prefix only, and R1 fails it", async () => {
    const t = await use(hostile.endlessBody("rest"));
    const rssBefore = process.memoryUsage().rss;
    const x = await new HttpClient(t.baseUrl, agent, { maxAnswerBytes: 64 * 1024 }).post("/me/channels/email", {
      operationName: "Ready",
    });
    expect(x.status).toBe(200);
    expect(x.tooLargeAfter).toBe(64 * 1024);
    expect(x.body).toBeUndefined();
    expect(x.rawBody.length).toBeLessThanOrEqual(2_000);
    expect(t.bytesWritten()).toBeLessThan(16 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    const j = judgeAnswer({
      method: "POST",
      url: x.url,
      status: x.status,
      body: x.body,
      operation: "Ready",
      malformedRequest: false,
      tooLargeAfter: x.tooLargeAfter,
    });
    expect(j.checks).toEqual([
      { requirement: "R2.no-5xx", passed: true, message: expect.any(String) },
      {
        requirement: "R1.ok-envelope",
        passed: false,
        message: expect.stringMatching(/answer larger than 65536 bytes/),
      },
    ]);
  });
});

describe("CometdSession tells a handshake that got no answer from one that got a wrong answer", () => {
  const handshake = async (url: string): Promise<Awaited<ReturnType<CometdSession["handshake"]>>> => {
    const s = new CometdSession(url, "agent1", agent, { maxAnswerBytes: 64 * 1024 });
    try {
      return await s.handshake(5_000);
    } finally {
      await s.close();
    }
  };

  it("connection refused: not answered", async () => {
    const t = await use(hostile.deadPort());
    expect(await handshake(t.cometdUrl)).toMatchObject({
      ok: false,
      answered: false,
      reason: expect.stringMatching(/ECONNREFUSED/),
    });
  });

  it("HTML 200: answered, not Bayeux JSON", async () => {
    const t = await use(hostile.htmlHandshake());
    expect(await handshake(t.cometdUrl)).toMatchObject({
      ok: false,
      answered: true,
      httpCode: 200,
      reason: expect.stringMatching(/not Bayeux JSON/),
    });
  });

  it("500: answered, with the status", async () => {
    const t = await use(hostile.json500());
    expect(await handshake(t.cometdUrl)).toMatchObject({
      ok: false,
      answered: true,
      httpCode: 500,
      reason: expect.stringMatching(/HTTP 500/),
    });
  });

  it("an endless body: answered, reading stopped at the cap", async () => {
    const t = await use(hostile.endlessBody("bayeux"));
    const rssBefore = process.memoryUsage().rss;
    expect(await handshake(t.cometdUrl)).toMatchObject({
      ok: false,
      answered: true,
      reason: expect.stringMatching(/answer larger than 65536 bytes/),
    });
    expect(t.bytesWritten()).toBeLessThan(16 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
