/**
 * N1–N4, N6–N8 as an agent sees them. The stream monitor judges every notification of every
 * scenario (envelope, per-state schema, capabilities, duplicates); these scenarios make each
 * notification type happen and add the checks that need the scenario's own knowledge.
 */
import { describe } from "vitest";
import { scenario } from "../../src/harness/scenario.js";
import { BUDGETS } from "../../src/harness/budgets.js";
import { sameAddressList, sameText } from "../../src/harness/text.js";
import { createReply } from "../support/rules.js";

const area = "notifications";

describe.concurrent("notifications", () => {
  scenario(
    "Invited and Accepted carry every documented field, the documented capabilities, and arrive within the budget",
    {
      area,
      requirements: [
        "N1.envelope",
        "N2.shape",
        "N2.interaction-id",
        "N3.shape",
        "N3.same-id",
        "N6.documented-present",
        "N8.within-budget",
      ],
    },
    async (s) => {
      await s.accepted({ email: { cc: "boss@example.org", replyTo: "replies@example.org" } });
    },
  );

  scenario(
    "Accepted's email_object carries the inbound e-mail as injected",
    { area, requirements: ["N3.content"] },
    async (s) => {
      const inbound = await s.accepted({ email: { cc: "boss@example.org, team@example.org" } });
      const eo = (inbound.accepted.email_object ?? {}) as Record<string, unknown>;
      const expected: Record<string, string | undefined> = {
        ToAddress: inbound.email.to,
        FromAddress: inbound.email.from,
        Subject: inbound.email.subject,
        Text: inbound.email.text,
        CCAddresses: inbound.email.cc,
      };
      // Text: CRLF versus LF and a final line end are the mail transport's (N3 MAY). Addresses are
      // lists: separators, spacing and order free ("Deployment data and routing").
      const same = (k: string, v: string | undefined): boolean =>
        k === "Text" ? sameText(eo[k], v) : k === "Subject" ? eo[k] === v : sameAddressList(eo[k], v);
      const wrong = Object.entries(expected)
        .filter(([k, v]) => !same(k, v))
        .map(([k, v]) => `${k} is ${JSON.stringify(eo[k])}, injected ${JSON.stringify(v)}`);
      s.check(
        "N3.content",
        wrong.length === 0,
        wrong.length ? wrong.join("; ") : "To, From, Subject, Text and CC as injected",
      );
    },
  );

  scenario(
    "attachments of the inbound e-mail are described in Accepted as {id, name, size, mimetype}",
    { area, requirements: ["N3.attachments"] },
    async (s) => {
      const content = Buffer.from("%PDF-1.4 invoice 42\n").toString("base64");
      const inbound = await s.accepted({
        email: { attachments: [{ name: "invoice-42.pdf", mimetype: "application/pdf", contentBase64: content }] },
      });
      const list = ((inbound.accepted.email_object ?? {}) as Record<string, unknown>).attachments;
      const found = Array.isArray(list)
        ? (list as Array<Record<string, unknown>>).find((a) => a.name === "invoice-42.pdf")
        : undefined;
      s.check(
        "N3.attachments",
        !!found &&
          found.mimetype === "application/pdf" &&
          typeof found.id === "string" &&
          (typeof found.size === "number" || /^\d+$/.test(String(found.size))),
        found
          ? `attachment described as ${JSON.stringify(found)}`
          : `no attachment named invoice-42.pdf in ${JSON.stringify(list)}`,
      );
    },
  );

  scenario(
    "ReplyCreated is about a new interaction and carries the documented fields and capabilities",
    { area, requirements: ["N4.shape", "N4.new-id", "N6.documented-present"] },
    async (s) => {
      const inbound = await s.accepted();
      await createReply(s, inbound, "Reply", { subjectPrefix: "Re: " });
    },
  );

  scenario(
    "one notification per state change: no second Accepted after one Accept",
    { area, requirements: ["N7.no-duplicates", "N7.legal-transition"] },
    async (s) => {
      const inbound = await s.accepted();
      const first = inbound.agent.session
        .items()
        .findIndex((n) => n.data.id === inbound.id && n.data.state === "Accepted");
      // The absence of a duplicate can only be observed over a window: the wait is the behaviour under test.
      const dup = await s.waitOn(
        inbound.agent,
        (d) =>
          d.id === inbound.id &&
          d.state === "Accepted" &&
          inbound.agent.session.items().filter((n) => n.data.id === inbound.id && n.data.state === "Accepted").length >
            1,
        "a second Accepted",
        BUDGETS.quietWindowMs,
      );
      s.check(
        "N7.no-duplicates",
        !dup,
        dup
          ? `a second Accepted for ${inbound.id} arrived (first at index ${first})`
          : `no second Accepted within ${BUDGETS.quietWindowMs} ms`,
      );
    },
  );
});
