import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  queuesFromSettings,
  redactedSettings,
  resolveSettings,
  secretsOf,
  SettingsError,
  SettingsErrors,
  SETTING_DEFINITIONS,
} from "./settings.js";

describe("target settings", () => {
  it("defaults to the embedded reference server with no settings", () => {
    const s = resolveSettings({ env: {} });
    expect(s.baseUrl).toBeUndefined();
    expect(s.notifyBudgetMs).toBeUndefined(); // the target's default: 5000, or the embedded server's own
    // Unset: the target's default (resolveTarget: 4, or what the embedded server declares).
    expect(s.maxOpenPerAgent).toBeUndefined();
    expect(s.inject).toBe("http");
    expect(s.tlsInsecure).toBe(false);
  });

  it("reads a full foreign target from the environment", () => {
    const s = resolveSettings({
      env: {
        GWS_BASE_URL: "http://gws:8080/api/v2/",
        GWS_AGENTS: "a1:p1,a2:p:2",
        GWS_CONTROL_URL: "http://gws:9000/control",
        GWS_NOTIFY_BUDGET_MS: "2500",
        GWS_INVITE_TIMEOUT_MS: "30000",
        GWS_TLS_INSECURE: "true",
        GWS_QUEUE: "Email",
      },
    });
    expect(s.baseUrl).toBe("http://gws:8080/api/v2");
    expect(s.cometdUrl).toBe("http://gws:8080/api/v2/notifications");
    expect(s.agents).toEqual([
      { username: "a1", password: "p1" },
      { username: "a2", password: "p:2" },
    ]);
    expect(s.notifyBudgetMs).toBe(2500);
    expect(s.inviteTimeoutMs).toBe(30000);
    expect(s.tlsInsecure).toBe(true);
  });

  it("flags win over the environment, the environment over the config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "gws-settings-"));
    const file = join(dir, "target.json");
    writeFileSync(
      file,
      JSON.stringify({
        baseUrl: "http://from-file/api/v2",
        GWS_AGENTS: "f:f",
        controlUrl: "http://file/control",
        notifyBudgetMs: 100,
        queue: "Email",
      }),
    );
    const s = resolveSettings({
      env: { GWS_NOTIFY_BUDGET_MS: "200" },
      flags: { notifyBudgetMs: "300" },
      configFile: file,
    });
    expect(s.baseUrl).toBe("http://from-file/api/v2");
    expect(s.agents).toEqual([{ username: "f", password: "f" }]);
    expect(s.notifyBudgetMs).toBe(300);
  });

  it.each([
    [{ GWS_BASE_URL: "not a url" }, "GWS_BASE_URL"],
    [{ GWS_BASE_URL: "ftp://x/api" }, "GWS_BASE_URL"],
    [{ GWS_BASE_URL: "http://x/api/v2" }, "GWS_AGENTS"],
    [{ GWS_BASE_URL: "http://x/api/v2", GWS_AGENTS: "a1" }, "GWS_AGENTS"],
    [{ GWS_BASE_URL: "http://x/api/v2", GWS_AGENTS: "a:1,a:2", GWS_CONTROL_URL: "http://c" }, "GWS_AGENTS"],
    [{ GWS_BASE_URL: "http://x/api/v2", GWS_AGENTS: "a:1" }, "GWS_CONTROL_URL"],
    [{ GWS_BASE_URL: "http://x/api/v2", GWS_AGENTS: "a:1", GWS_CONTROL_URL: "http://c" }, "GWS_QUEUE"],
    [
      {
        GWS_BASE_URL: "http://x/api/v2",
        GWS_AGENTS: "a:1",
        GWS_CONTROL_URL: "http://c",
        GWS_COMPOSE_QUEUE: "d",
        GWS_TRANSFER_QUEUE: "t",
        GWS_PLACE_QUEUE: "p",
      },
      "GWS_QUEUE",
    ],
    [{ GWS_MAX_OPEN_PER_AGENT: "0" }, "GWS_MAX_OPEN_PER_AGENT"],
    [{ GWS_INBOUND_BUDGET_MS: "soon" }, "GWS_INBOUND_BUDGET_MS"],
    [{ GWS_BASE_URL: "http://x/api/v2", GWS_AGENTS: "a:1", GWS_INJECT: "pigeon" }, "GWS_INJECT"],
    [{ GWS_BASE_URL: "http://x/api/v2", GWS_AGENTS: "a:1", GWS_INJECT: "command" }, "GWS_INJECT_COMMAND"],
    [
      { GWS_BASE_URL: "http://x/api/v2", GWS_AGENTS: "a:1", GWS_INJECT: "smtp", GWS_SMTP_URL: "smtp://m:25" },
      "GWS_MAILBOX",
    ],
    [{ GWS_NOTIFY_BUDGET_MS: "-5" }, "GWS_NOTIFY_BUDGET_MS"],
    [{ GWS_TLS_INSECURE: "maybe" }, "GWS_TLS_INSECURE"],
    [{ GWS_COMETD_URL: "http://x/cometd" }, "GWS_COMETD_URL"],
  ])("a bad or missing setting names it: %j", (env, name) => {
    expect(() => resolveSettings({ env })).toThrow(SettingsError);
    try {
      resolveSettings({ env });
    } catch (e) {
      expect((e as SettingsError).setting).toContain(name);
    }
  });

  it("reports every bad or missing setting at once, each with its variable, flag and way out", () => {
    let e: SettingsErrors | undefined;
    try {
      resolveSettings({ env: { GWS_BASE_URL: "http://x/api/v2", GWS_NOTIFY_BUDGET_MS: "soon" } });
    } catch (x) {
      e = x as SettingsErrors;
    }
    expect(e).toBeInstanceOf(SettingsErrors);
    expect(e?.problems.map((p) => p.setting)).toEqual([
      "GWS_NOTIFY_BUDGET_MS (environment)",
      "GWS_AGENTS (--agents)",
      "GWS_CONTROL_URL (--control-url)",
      "GWS_QUEUE (--queue)",
    ]);
    const lines = e?.message.split("\n") ?? [];
    expect(lines[0]).toBe("4 settings to fix (nothing was run):");
    expect(lines[1]).toMatch(/GWS_NOTIFY_BUDGET_MS \(environment\): "soon" is not .*\(flag --notify-budget-ms\)$/);
    // The user never set GWS_INJECT: the default is explained, with both ways out.
    expect(lines[3]).toBe(
      "  - GWS_CONTROL_URL (--control-url): inject is http by default; set GWS_CONTROL_URL (--control-url) " +
        "or choose --inject smtp|command (GWS_INJECT)",
    );
    expect(lines[4]).toMatch(/GWS_QUEUE \(--queue\).*or set GWS_COMPOSE_QUEUE \(--compose-queue\)/);
  });

  it("a chosen GWS_INJECT=http is named as chosen; an unreadable setting is not reported again as missing", () => {
    const env = { GWS_BASE_URL: "http://x/api/v2", GWS_AGENTS: "a1", GWS_INJECT: "http", GWS_QUEUE: "Q" };
    expect(() => resolveSettings({ env })).toThrow(
      /GWS_AGENTS \(environment\): entry 1 is not user:pass[^\n]*\n {2}- GWS_CONTROL_URL \(--control-url\): is required with GWS_INJECT=http/,
    );
    try {
      resolveSettings({ env });
    } catch (x) {
      expect((x as SettingsErrors).problems).toHaveLength(2); // not also "GWS_AGENTS is required"
    }
  });

  it("a misspelt key of the config file gets the nearest setting's name", () => {
    const file = join(mkdtempSync(join(tmpdir(), "gws-settings-")), "target.json");
    writeFileSync(file, JSON.stringify({ GWS_BASE_ULR: "http://x/api/v2", notifyBudgetMS: 100 }));
    expect(() => resolveSettings({ env: {}, configFile: file })).toThrow(
      /unknown setting "GWS_BASE_ULR" in .* \(did you mean GWS_BASE_URL\?\)[\s\S]*"notifyBudgetMS" .*\(did you mean notifyBudgetMs\?\)/,
    );
  });

  it("never echoes a password in an error", () => {
    try {
      resolveSettings({ env: { GWS_BASE_URL: "http://x/api/v2", GWS_AGENTS: "a:hunter2,b" } });
    } catch (e) {
      expect((e as Error).message).not.toContain("hunter2");
    }
  });

  it("knows every secret and redacts them for reports", () => {
    const s = resolveSettings({
      env: {
        GWS_BASE_URL: "http://x/api/v2",
        GWS_AGENTS: "a1:s3cret",
        GWS_INJECT: "smtp",
        GWS_SMTP_URL: "smtp://u:mailpass@m:25",
        GWS_MAILBOX: "in@x",
        GWS_QUEUE: "q",
      },
    });
    expect(secretsOf(s)).toEqual(
      expect.arrayContaining(["s3cret", Buffer.from("a1:s3cret").toString("base64"), "mailpass"]),
    );
    const red = JSON.stringify(redactedSettings(s));
    expect(red).not.toContain("s3cret");
    expect(red).not.toContain("mailpass");
  });

  it("queue names: GWS_QUEUE for every purpose, each purpose's own setting over it (flags and the config file too)", () => {
    const base = { GWS_BASE_URL: "http://x/api/v2", GWS_AGENTS: "a:1", GWS_CONTROL_URL: "http://c" };
    const s = resolveSettings({
      env: { ...base, GWS_QUEUE: "Email", GWS_TRANSFER_QUEUE: "Tier2" },
      flags: { placeQueue: "Later" },
    });
    expect(queuesFromSettings(s)).toEqual({
      compose: { name: "Email", from: "GWS_QUEUE" },
      send: { name: "Email", from: "GWS_QUEUE" },
      transfer: { name: "Tier2", from: "GWS_TRANSFER_QUEUE" },
      place: { name: "Later", from: "GWS_PLACE_QUEUE" },
      create: { name: "Email", from: "GWS_QUEUE" },
    });
    const dir = mkdtempSync(join(tmpdir(), "gws-settings-"));
    const file = join(dir, "target.json");
    writeFileSync(
      file,
      JSON.stringify({
        composeQueue: "D",
        GWS_TRANSFER_QUEUE: "T",
        placeQueue: "P",
        createQueue: "C",
        inboundBudgetMs: 30000,
        maxOpenPerAgent: 2,
      }),
    );
    const f = resolveSettings({ env: base, configFile: file });
    expect(Object.values(queuesFromSettings(f)).map((q) => q.name)).toEqual(["D", "D", "T", "P", "C"]);
    expect([f.inboundBudgetMs, f.maxOpenPerAgent]).toEqual([30000, 2]);
  });

  it("Send's queue: its own setting, else the compose queue (named as that setting), else GWS_QUEUE", () => {
    const base = { GWS_BASE_URL: "http://x/api/v2", GWS_AGENTS: "a:1", GWS_CONTROL_URL: "http://c" };
    const own = resolveSettings({ env: { ...base, GWS_QUEUE: "Email", GWS_SEND_QUEUE: "Outgoing" } });
    expect(queuesFromSettings(own).send).toEqual({ name: "Outgoing", from: "GWS_SEND_QUEUE" });
    expect(queuesFromSettings(own).compose).toEqual({ name: "Email", from: "GWS_QUEUE" });
    const compose = resolveSettings({ env: { ...base, GWS_QUEUE: "Email" }, flags: { composeQueue: "Drafts" } });
    expect(queuesFromSettings(compose).send).toEqual({ name: "Drafts", from: "GWS_COMPOSE_QUEUE" });
    const flag = resolveSettings({ env: { ...base, GWS_QUEUE: "Email" }, flags: { sendQueue: "Out" } });
    expect(queuesFromSettings(flag).send).toEqual({ name: "Out", from: "GWS_SEND_QUEUE" });
    // Without GWS_QUEUE, the compose queue is what is missing (Send follows it): GWS_SEND_QUEUE alone is no way out.
    const purposes = { GWS_TRANSFER_QUEUE: "t", GWS_PLACE_QUEUE: "p", GWS_CREATE_QUEUE: "c" };
    expect(() => resolveSettings({ env: { ...base, ...purposes } })).toThrow(
      /\(or set GWS_COMPOSE_QUEUE \(--compose-queue\)\)$/,
    );
    expect(() => resolveSettings({ env: { ...base, ...purposes, GWS_COMPOSE_QUEUE: "d" } })).not.toThrow();
  });

  it("one definition per setting: every env name and flag is unique", () => {
    const envs = SETTING_DEFINITIONS.map((d) => d.env);
    const flags = SETTING_DEFINITIONS.map((d) => d.flag);
    expect(new Set(envs).size).toBe(envs.length);
    expect(new Set(flags).size).toBe(flags.length);
  });
});

describe("maxAnswerBytes", () => {
  it("defaults to 1 MiB; takes whole bytes ≥ 1024 from flag or env; names the setting otherwise", () => {
    expect(resolveSettings({ env: {} }).maxAnswerBytes).toBe(1024 * 1024);
    expect(resolveSettings({ env: { GWS_MAX_ANSWER_BYTES: "65536" } }).maxAnswerBytes).toBe(65536);
    expect(resolveSettings({ env: {}, flags: { maxAnswerBytes: "2048" } }).maxAnswerBytes).toBe(2048);
    expect(() => resolveSettings({ env: { GWS_MAX_ANSWER_BYTES: "12" } })).toThrow(
      /GWS_MAX_ANSWER_BYTES \(environment\): "12" is not a whole number of bytes of at least 1024/,
    );
    expect(() => resolveSettings({ env: { GWS_MAX_ANSWER_BYTES: "1MB" } })).toThrow(/GWS_MAX_ANSWER_BYTES/);
  });
});
