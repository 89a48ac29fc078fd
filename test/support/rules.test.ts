/**
 * Unit tests of single rule helpers (suites/support/rules.ts) with a recording stand-in for the
 * scenario: each check can fail, and sees what it judges.
 */
import { describe, expect, it } from "vitest";
import type { AcceptedHandle, Answer, Scenario } from "../../src/harness/scenario.js";
import type { Notification } from "../../src/contract/notification.js";
import {
  checkQuoting,
  checkReplyAddresses,
  checkReplyCc,
  checkReplySubject,
  checkServedAtInteractionPath,
  reportedInbound,
} from "../../suites/support/rules.js";

const ROOT = "http://gws.example/api/v2";

/** The part of a Scenario the helpers use: the settings' root and check(), recorded. */
function recorder(): { s: Scenario; checks: Array<{ id: string; passed: boolean; message: string }> } {
  const checks: Array<{ id: string; passed: boolean; message: string }> = [];
  const s = {
    settings: { baseUrl: ROOT },
    check: (id: string, passed: boolean, message: string) => {
      checks.push({ id, passed, message });
      return passed;
    },
  } as unknown as Scenario;
  return { s, checks };
}

function answer(status: number, body: unknown, url = `${ROOT}/me/interactions/AB12`): Answer {
  const ok = status >= 200 && status < 300 && (body as { status?: string } | undefined)?.status === "ok";
  const refused = status >= 400 || (body as { status?: string } | undefined)?.status === "error";
  return {
    exchange: {
      method: "POST",
      url,
      requestBody: { operationName: "Accept" },
      status,
      headers: {},
      body,
      rawBody: JSON.stringify(body),
      durationMs: 1,
      startedAt: 0,
      answeredAt: 1,
    },
    ok,
    taken: ok,
    refused,
    body: body as Record<string, unknown>,
    operation: "Accept",
  };
}

describe("T1/T2 judged on the exchange", () => {
  it("a success at {root}/me/interactions/{id} passes both", () => {
    const { s, checks } = recorder();
    checkServedAtInteractionPath(s, answer(200, { status: "ok" }), "AB12");
    expect(checks.map((c) => [c.id, c.passed])).toEqual([
      ["T1.api-root", true],
      ["T2.interaction-path", true],
    ]);
  });

  it("a 404 or 405 there fails both, naming the status", () => {
    for (const status of [404, 405]) {
      const { s, checks } = recorder();
      checkServedAtInteractionPath(
        s,
        answer(status, { status: "error", errorDescription: "no such resource" }),
        "AB12",
      );
      expect(checks.map((c) => c.passed)).toEqual([false, false]);
      expect(checks[1].message).toContain(`HTTP ${status}`);
    }
  });

  it("another refusal was routed there: the operation's own rule judges it", () => {
    const { s, checks } = recorder();
    checkServedAtInteractionPath(s, answer(409, { status: "error", errorDescription: "not allowed" }), "AB12");
    expect(checks.map((c) => c.passed)).toEqual([true, true]);
  });

  it("a request the suite sent elsewhere is a suite defect, not a verdict", () => {
    const { s, checks } = recorder();
    const elsewhere = answer(200, { status: "ok" }, `${ROOT}/me/interaction/AB12`);
    expect(() => checkServedAtInteractionPath(s, elsewhere, "AB12")).toThrow(/suite defect/);
    expect(checks).toEqual([]);
  });
});

/** An accepted inbound e-mail: injected as `email`, reported in Accepted as `reported`. */
function inbound(reported: Record<string, unknown>, email: Record<string, unknown> = {}): AcceptedHandle {
  return {
    token: "tok",
    id: "AB12",
    email: {
      to: "support@cc.example",
      from: "pat@example.org",
      subject: "Order [tok]",
      text: "one\ntwo",
      ...email,
    },
    accepted: { id: "AB12", state: "Accepted", email_object: reported },
  } as unknown as AcceptedHandle;
}
const created = (eo: Record<string, unknown>): Notification => ({
  id: "CD34",
  state: "ReplyCreated",
  email_object: eo,
});

describe("derivations judged against Accepted", () => {
  const reported = {
    ToAddress: "support@cc.example",
    FromAddress: "pat@example.org",
    CCAddresses: "team@example.org,boss@example.org",
    Subject: "Order [tok]",
    Text: "one\r\ntwo\r\n",
  };

  it("CC: the same list in another form passes; a missing or different list fails", () => {
    const mail = inbound(reported, { cc: "boss@example.org, team@example.org" });
    const { s, checks } = recorder();
    checkReplyCc(s, mail, created({ CCAddresses: "boss@example.org; team@example.org" }), "O4.cc");
    checkReplyCc(s, mail, created({}), "O4.cc");
    checkReplyCc(s, mail, created({ CCAddresses: "boss@example.org" }), "O4.cc");
    expect(checks.map((c) => c.passed)).toEqual([true, false, false]);
  });

  it("CC: Accepted naming none expects none", () => {
    const mail = inbound({ ...reported, CCAddresses: undefined }, { cc: "boss@example.org" });
    const { s, checks } = recorder();
    checkReplyCc(s, mail, created({}), "O4.cc");
    checkReplyCc(s, mail, created({ CCAddresses: "boss@example.org" }), "O4.cc");
    expect(checks.map((c) => c.passed)).toEqual([true, false]);
  });

  it("From = Accepted's ToAddress, not the injected one; To = the injected Reply-To (Accepted has none)", () => {
    const mail = inbound({ ...reported, ToAddress: "Support@cc.example" }, { replyTo: "replies@example.org" });
    const { s, checks } = recorder();
    const good = created({ ToAddress: "replies@example.org", FromAddress: "Support@cc.example" });
    checkReplyAddresses(s, mail, good, { to: "O3.to-reply-to", from: "O3.from-inbound-to" });
    const injectedFrom = created({ ToAddress: "replies@example.org", FromAddress: "support@cc.example" });
    checkReplyAddresses(s, mail, injectedFrom, { to: "O3.to-reply-to", from: "O3.from-inbound-to" });
    expect(checks.map((c) => [c.id, c.passed])).toEqual([
      ["O3.to-reply-to", true],
      ["O3.from-inbound-to", true],
      ["O3.to-reply-to", true],
      ["O3.from-inbound-to", false],
    ]);
  });

  it("Subject = prefix + Accepted's Subject; a required field Accepted lacks falls back to the injected one, said so", () => {
    const { s, checks } = recorder();
    checkReplySubject(
      s,
      inbound({ ...reported, Subject: "Order [tok] (1)" }),
      created({ Subject: "Re: Order [tok] (1)" }),
      "Re: ",
      "O3.subject-prefix",
    );
    const lacking = inbound({ ...reported, Subject: undefined });
    checkReplySubject(s, lacking, created({ Subject: "Re: Order [tok]" }), "Re: ", "O3.subject-prefix");
    expect(checks.map((c) => c.passed)).toEqual([true, true]);
    expect(checks[1].message).toContain("Accepted has no Subject: the injected one");
    expect(reportedInbound(lacking).fallbacks).toHaveLength(1);
  });

  it("quoting: Accepted's lines in order, trailing whitespace and CRLF free; a missing line fails", () => {
    const mail = inbound({ ...reported, Text: "one\r\n\r\ntwo\r\n" });
    const reqs = { lines: "O3.quote-lines" as const };
    const { s, checks } = recorder();
    checkQuoting(s, mail, created({ Text: "> one\n>\n> two" }), { indent: "> ", reqs });
    checkQuoting(s, mail, created({ Text: "> one\n> two" }), { indent: "> ", reqs });
    expect(checks.map((c) => c.passed)).toEqual([true, false]);
  });
});
