/**
 * Target settings: ONE definition feeds the CLI flags, the environment variables and the
 * optional config file (JSON). Bad or missing settings stop the run before any test, all of them
 * reported at once, each naming its variable and flag and the way out (the CLI exits 2).
 */
import { readFileSync } from "node:fs";
import { didYouMean } from "./suggest.js";

export interface AgentCredentials {
  username: string;
  password: string;
}

export type InjectKind = "http" | "smtp" | "command";

export interface TargetSettings {
  /** API root, e.g. http://host:8080/api/v2 (T1). Undefined: start the embedded reference server. */
  baseUrl?: string;
  /** CometD endpoint (T5); default `{baseUrl}/notifications`. */
  cometdUrl?: string;
  agents: AgentCredentials[];
  inject: InjectKind;
  controlUrl?: string;
  injectCommand?: string;
  smtpUrl?: string;
  mailbox?: string;
  /** Declared invitation timeout (N5); enables the Revoked scenarios. */
  inviteTimeoutMs?: number;
  /** N8 budget for a required notification; undefined: the target's default (5000, shorter for the embedded server). */
  notifyBudgetMs?: number;
  /**
   * Budget of every Invited that depends on routing (an inbound e-mail, a re-offer, a Transfer to a
   * queue); undefined: the notification budget.
   */
  inboundBudgetMs?: number;
  tlsInsecure: boolean;
  /** Largest HTTP or Bayeux answer body the harness reads; past it the read stops (R1, T5). */
  maxAnswerBytes: number;
  /** Queue names (deployment data): one for every purpose, overridden per purpose. */
  queue?: string;
  composeQueue?: string;
  sendQueue?: string;
  transferQueue?: string;
  placeQueue?: string;
  createQueue?: string;
  /**
   * The most interactions the suite holds open on one agent at once, across all parallel workers;
   * undefined: the target's default (DEFAULT_MAX_OPEN_PER_AGENT; the embedded server declares its own).
   */
  maxOpenPerAgent?: number;
  /**
   * The target's declared capacity: how many interactions it offers one agent at once (its own
   * figure, Deployment data and routing). Declared: T7 is also judged at full capacity.
   */
  agentCapacity?: number;
}

/**
 * What a queue name is for (interpretation.md, "Deployment data and routing"): the page does not
 * mark queueName optional on Reply, ReplyAll, Send and CreateEmail (O3, O6, O8), Transfer and
 * PlaceInQueue name a queue (O9, O11), Forward may (O5). Send's queue (where the outgoing e-mail
 * goes) may differ from the one replies wait in while composed: its own setting, default the compose queue.
 */
export type QueuePurpose = "compose" | "send" | "transfer" | "place" | "create";
export const QUEUE_PURPOSES: readonly QueuePurpose[] = ["compose", "send", "transfer", "place", "create"];

/**
 * The setting of each purpose (overrides its `fallback` purpose's queue, else GWS_QUEUE) and the
 * operations that name that queue.
 */
type QueueSetting = { key: keyof TargetSettings; env: string; operations: readonly string[]; fallback?: QueuePurpose };
export const QUEUE_SETTINGS: Record<QueuePurpose, QueueSetting> = {
  compose: { key: "composeQueue", env: "GWS_COMPOSE_QUEUE", operations: ["Reply", "ReplyAll", "Forward"] },
  send: { key: "sendQueue", env: "GWS_SEND_QUEUE", operations: ["Send"], fallback: "compose" },
  transfer: { key: "transferQueue", env: "GWS_TRANSFER_QUEUE", operations: ["Transfer"] },
  place: { key: "placeQueue", env: "GWS_PLACE_QUEUE", operations: ["PlaceInQueue"] },
  create: { key: "createQueue", env: "GWS_CREATE_QUEUE", operations: ["CreateEmail"] },
};

/** A queue name and the setting it came from (named in a verdict when an operation naming it is refused). */
export interface ResolvedQueue {
  name: string;
  /** e.g. "GWS_TRANSFER_QUEUE", "GWS_QUEUE" or "the embedded reference server". */
  from: string;
}
export type ResolvedQueues = Record<QueuePurpose, ResolvedQueue>;

/**
 * The queue of each purpose from the settings (its own setting, else its fallback purpose's queue,
 * else GWS_QUEUE); undefined where none is set.
 */
export function queuesFromSettings(s: TargetSettings): Partial<ResolvedQueues> {
  const out: Partial<ResolvedQueues> = {};
  const resolve = (purpose: QueuePurpose): ResolvedQueue | undefined => {
    const own = QUEUE_SETTINGS[purpose];
    const value = s[own.key] as string | undefined;
    if (value) return { name: value, from: own.env };
    if (own.fallback) return resolve(own.fallback);
    return s.queue ? { name: s.queue, from: "GWS_QUEUE" } : undefined;
  };
  for (const purpose of QUEUE_PURPOSES) {
    const q = resolve(purpose);
    if (q) out[purpose] = q;
  }
  return out;
}

export class SettingsError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = "SettingsError";
  }
}

type Kind = "url" | "agents" | "inject" | "string" | "positiveInt" | "bytes" | "boolean";

export interface SettingDefinition {
  key: keyof TargetSettings;
  env: string;
  flag: string;
  kind: Kind;
  help: string;
  secret?: boolean;
}

/** The one list of target settings (issue: harness and suites, "Target settings"). */
export const SETTING_DEFINITIONS: SettingDefinition[] = [
  {
    key: "baseUrl",
    env: "GWS_BASE_URL",
    flag: "--base-url",
    kind: "url",
    help: "API root, e.g. http://host:8080/api/v2. Unset: the embedded reference server is started for the run.",
  },
  {
    key: "cometdUrl",
    env: "GWS_COMETD_URL",
    flag: "--cometd-url",
    kind: "url",
    help: "CometD (Bayeux) endpoint. Default {base-url}/notifications.",
  },
  {
    key: "agents",
    env: "GWS_AGENTS",
    flag: "--agents",
    kind: "agents",
    secret: true,
    help: "Agent credentials, user:pass,user:pass. Scenarios that need a second agent SKIP with one.",
  },
  {
    key: "inject",
    env: "GWS_INJECT",
    flag: "--inject",
    kind: "inject",
    help: "How an inbound e-mail is injected: http (default), smtp or command.",
  },
  {
    key: "controlUrl",
    env: "GWS_CONTROL_URL",
    flag: "--control-url",
    kind: "url",
    help: "Test-control root for the http adapter (POST {control-url}/inbound-emails).",
  },
  {
    key: "injectCommand",
    env: "GWS_INJECT_COMMAND",
    flag: "--inject-command",
    kind: "string",
    help: "Command for the command adapter; gets the e-mail as JSON on standard input.",
  },
  {
    key: "smtpUrl",
    env: "GWS_SMTP_URL",
    flag: "--smtp-url",
    kind: "url",
    secret: true,
    help: "SMTP server for the smtp adapter, e.g. smtp://user:pass@mail:25.",
  },
  {
    key: "mailbox",
    env: "GWS_MAILBOX",
    flag: "--mailbox",
    kind: "string",
    help: "Mailbox address the smtp adapter delivers to.",
  },
  {
    key: "inviteTimeoutMs",
    env: "GWS_INVITE_TIMEOUT_MS",
    flag: "--invite-timeout-ms",
    kind: "positiveInt",
    help: "Declared invitation timeout in ms; enables the Revoked scenarios (N5).",
  },
  {
    key: "notifyBudgetMs",
    env: "GWS_NOTIFY_BUDGET_MS",
    flag: "--notify-budget-ms",
    kind: "positiveInt",
    help: "Notification budget in ms (N8), default 5000 (the embedded reference server declares a shorter one).",
  },
  {
    key: "inboundBudgetMs",
    env: "GWS_INBOUND_BUDGET_MS",
    flag: "--inbound-budget-ms",
    kind: "positiveInt",
    help:
      "Offer budget in ms: inbound e-mail, re-offer and Transfer to a queue until Invited " +
      "(default: the notification budget).",
  },
  {
    key: "tlsInsecure",
    env: "GWS_TLS_INSECURE",
    flag: "--tls-insecure",
    kind: "boolean",
    help: "Accept self-signed TLS certificates (default off).",
  },
  {
    key: "queue",
    env: "GWS_QUEUE",
    flag: "--queue",
    kind: "string",
    help:
      "Queue name the target knows, for every operation that names one " +
      "(required with --base-url unless each purpose below is set).",
  },
  {
    key: "composeQueue",
    env: "GWS_COMPOSE_QUEUE",
    flag: "--compose-queue",
    kind: "string",
    help: "Queue for Reply, ReplyAll and Forward (default --queue).",
  },
  {
    key: "sendQueue",
    env: "GWS_SEND_QUEUE",
    flag: "--send-queue",
    kind: "string",
    help: "Queue for Send (default --compose-queue).",
  },
  {
    key: "transferQueue",
    env: "GWS_TRANSFER_QUEUE",
    flag: "--transfer-queue",
    kind: "string",
    help: "Queue for Transfer to a queue (default --queue).",
  },
  {
    key: "placeQueue",
    env: "GWS_PLACE_QUEUE",
    flag: "--place-queue",
    kind: "string",
    help: "Queue for PlaceInQueue (default --queue).",
  },
  {
    key: "createQueue",
    env: "GWS_CREATE_QUEUE",
    flag: "--create-queue",
    kind: "string",
    help: "Queue for CreateEmail (default --queue).",
  },
  {
    key: "maxOpenPerAgent",
    env: "GWS_MAX_OPEN_PER_AGENT",
    flag: "--max-open-per-agent",
    kind: "positiveInt",
    help:
      "Most interactions the suite holds open on one agent at once, across parallel workers (default 4; the " +
      "embedded reference server declares its own); at most the target's capacity.",
  },
  {
    key: "agentCapacity",
    env: "GWS_AGENT_CAPACITY",
    flag: "--agent-capacity",
    kind: "positiveInt",
    help:
      "The target's declared capacity: most interactions it offers one agent at once. Declared, T7 is also " +
      "judged at full capacity (every Ready agent full: a NotReady agent is not offered the next e-mail).",
  },
  {
    key: "maxAnswerBytes",
    env: "GWS_MAX_ANSWER_BYTES",
    flag: "--max-answer-bytes",
    kind: "bytes",
    help:
      "Largest answer body read from the target, HTTP or Bayeux (default 1048576 = 1 MiB); " +
      "a larger one is a failure and its reading stops.",
  },
];

export const DEFAULT_NOTIFY_BUDGET_MS = 5000;
/** 1 MiB: far above any answer of the contract, far below what could exhaust the suite's memory. */
export const DEFAULT_MAX_ANSWER_BYTES = 1024 * 1024;
/** The default of GWS_MAX_OPEN_PER_AGENT: small enough for a target that caps offers per agent (capacity). */
export const DEFAULT_MAX_OPEN_PER_AGENT = 4;

function parseValue(def: SettingDefinition, raw: string, source: string): unknown {
  const name = source === def.flag ? `${def.env} (${def.flag})` : `${def.env} (${source})`;
  switch (def.kind) {
    case "url": {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        throw new SettingsError(name, `"${def.secret ? "<redacted>" : raw}" is not a URL`);
      }
      if (def.key === "smtpUrl") {
        if (!/^smtps?:$/.test(u.protocol)) throw new SettingsError(name, "must be an smtp:// or smtps:// URL");
      } else if (!/^https?:$/.test(u.protocol)) throw new SettingsError(name, "must be an http:// or https:// URL");
      return def.key === "smtpUrl" ? raw : raw.replace(/\/+$/, "");
    }
    case "agents": {
      const agents = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map((pair, i) => {
          const colon = pair.indexOf(":");
          if (colon <= 0 || colon === pair.length - 1) throw new SettingsError(name, `entry ${i + 1} is not user:pass`);
          return { username: pair.slice(0, colon), password: pair.slice(colon + 1) };
        });
      if (agents.length === 0) throw new SettingsError(name, "needs at least one user:pass");
      const names = new Set(agents.map((a) => a.username));
      if (names.size !== agents.length) throw new SettingsError(name, "names the same agent twice");
      return agents;
    }
    case "inject":
      if (!["http", "smtp", "command"].includes(raw))
        throw new SettingsError(name, `"${raw}" is not one of http, smtp, command`);
      return raw;
    case "positiveInt": {
      const unit = def.key.endsWith("Ms") ? " of milliseconds" : "";
      if (!/^\d+$/.test(raw) || Number(raw) <= 0) {
        throw new SettingsError(name, `"${raw}" is not a positive whole number${unit}`);
      }
      return Number(raw);
    }
    case "bytes": {
      if (!/^\d+$/.test(raw) || Number(raw) < 1024) {
        throw new SettingsError(name, `"${raw}" is not a whole number of bytes of at least 1024`);
      }
      return Number(raw);
    }
    case "boolean":
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off|)$/i.test(raw)) return false;
      throw new SettingsError(name, `"${raw}" is not a boolean (true/false)`);
    case "string":
      if (!raw) throw new SettingsError(name, "is empty");
      return raw;
  }
}

/** The settings that have a value when nothing sets them (the others stay undefined). */
const SETTING_DEFAULTS: Pick<TargetSettings, "agents" | "inject" | "tlsInsecure" | "maxAnswerBytes"> = {
  agents: [],
  inject: "http",
  tlsInsecure: false,
  maxAnswerBytes: DEFAULT_MAX_ANSWER_BYTES,
};

export interface SettingsSources {
  env?: Record<string, string | undefined>;
  /** Values from CLI flags, keyed by setting key (already strings). */
  flags?: Partial<Record<keyof TargetSettings, string>>;
  /** Path of an optional JSON config file whose keys are setting keys or env names. */
  configFile?: string;
}

/**
 * Every bad or missing setting of one resolution: resolveSettings reports them all at once (a
 * user fixes them in one go, not one per run). One problem: its own message; several: a line each.
 * `setting` names them all (comma-separated); `problems` holds each.
 */
export class SettingsErrors extends SettingsError {
  constructor(readonly problems: readonly SettingsError[]) {
    super(problems.map((p) => p.setting).join(", "), "");
    // One problem reads as that problem ("GWS_AGENTS (--agents): …"); several, a line each.
    this.message =
      problems.length === 1
        ? problems[0].message
        : `${problems.length} settings to fix (nothing was run):\n${problems.map((p) => `  - ${p.message}`).join("\n")}`;
    this.name = "SettingsError";
  }
}

/** How a setting is named in an error: its environment variable and its flag ("GWS_AGENTS (--agents)"). */
export function settingName(key: keyof TargetSettings): string {
  const d = SETTING_DEFINITIONS.find((x) => x.key === key);
  return d ? `${d.env} (${d.flag})` : String(key);
}

/**
 * Resolves settings with precedence flags > environment > config file > defaults, then checks
 * that the chosen adapter has what it needs. Every problem is collected and thrown together
 * (SettingsErrors), each naming the environment variable and the flag, and the way out.
 */
export function resolveSettings(sources: SettingsSources): TargetSettings {
  const env = sources.env ?? {};
  const problems: SettingsError[] = [];
  let file: Record<string, unknown> = {};
  if (sources.configFile) {
    try {
      file = JSON.parse(readFileSync(sources.configFile, "utf8")) as Record<string, unknown>;
    } catch (e) {
      problems.push(new SettingsError("--config", `cannot read ${sources.configFile}: ${(e as Error).message}`));
    }
    const known = new Set(SETTING_DEFINITIONS.flatMap((d) => [d.key, d.env]));
    for (const k of Object.keys(file))
      if (!known.has(k)) {
        problems.push(
          new SettingsError("--config", `unknown setting "${k}" in ${sources.configFile}${didYouMean(k, known)}`),
        );
      }
  }
  const out: Record<string, unknown> = {};
  /** The settings a user gave (flag, environment or file), as opposed to defaults. */
  const given = new Set<keyof TargetSettings>();
  for (const def of SETTING_DEFINITIONS) {
    const fromFlag = sources.flags?.[def.key];
    const fromEnv = env[def.env];
    const fileValue = file[def.key] ?? file[def.env];
    let raw: string | undefined;
    let source = "";
    if (fromFlag !== undefined) [raw, source] = [fromFlag, def.flag];
    else if (fromEnv !== undefined && fromEnv !== "") [raw, source] = [fromEnv, "environment"];
    else if (fileValue !== undefined) {
      raw =
        def.kind === "agents" && Array.isArray(fileValue)
          ? (fileValue as AgentCredentials[]).map((a) => `${a.username}:${a.password}`).join(",")
          : String(fileValue);
      source = "config file";
    }
    if (raw === undefined) continue;
    given.add(def.key);
    try {
      out[def.key] = parseValue(def, raw, source);
    } catch (e) {
      if (!(e instanceof SettingsError)) throw e;
      // The flag beside the variable: the way in the user did not take may be the easier one.
      problems.push(
        source === def.flag
          ? e
          : new SettingsError(e.setting, `${e.message.slice(e.setting.length + 2)} (flag ${def.flag})`),
      );
    }
  }
  // Each value was parsed by its definition's kind (parseValue), so it has the field's type.
  const s = { ...SETTING_DEFAULTS, ...out } as TargetSettings;
  // A setting given but unreadable is reported once (above), not again as missing.
  const bad = new Set(SETTING_DEFINITIONS.filter((d) => given.has(d.key) && !(d.key in out)).map((d) => d.key));
  const missing = (key: keyof TargetSettings, why: string): void => {
    if (!bad.has(key)) problems.push(new SettingsError(settingName(key), why));
  };
  if (s.baseUrl || bad.has("baseUrl")) {
    if (s.baseUrl) s.cometdUrl ??= `${s.baseUrl}/notifications`;
    if (s.agents.length === 0)
      missing("agents", "is required when GWS_BASE_URL is set: agent credentials user:pass,user:pass");
    // GWS_INJECT unset means http: say so, the user never chose it.
    const injectChosen = given.has("inject");
    if (s.inject === "http" && !s.controlUrl && !bad.has("inject"))
      missing(
        "controlUrl",
        injectChosen
          ? "is required with GWS_INJECT=http (the http adapter POSTs {control-url}/inbound-emails); " +
              "or choose --inject smtp|command"
          : "inject is http by default; set GWS_CONTROL_URL (--control-url) or choose --inject smtp|command (GWS_INJECT)",
      );
    if (s.inject === "command" && !s.injectCommand)
      missing("injectCommand", "is required with GWS_INJECT=command: the command that gets the e-mail as JSON");
    if (s.inject === "smtp" && !s.smtpUrl)
      missing("smtpUrl", "is required with GWS_INJECT=smtp: the SMTP server, smtp://user:pass@host:25");
    if (s.inject === "smtp" && !s.mailbox)
      missing("mailbox", "is required with GWS_INJECT=smtp: the address the smtp adapter delivers to");
    // Queue names are deployment data: the suite never sends the page's placeholder texts.
    const queues = queuesFromSettings(s);
    // A purpose with a fallback (Send: the compose queue) is named only when its own setting is the way out.
    const fallsBack = (p: QueuePurpose): boolean => QUEUE_SETTINGS[p].fallback !== undefined;
    const noQueue = QUEUE_PURPOSES.filter((p) => !queues[p] && !fallsBack(p) && !bad.has(QUEUE_SETTINGS[p].key));
    if (noQueue.length && !bad.has("queue")) {
      const what = "a queue the target knows, for every operation that names one";
      const or = `(or set ${noQueue.map((p) => settingName(QUEUE_SETTINGS[p].key)).join(", ")})`;
      missing("queue", `is required when GWS_BASE_URL is set: ${what} ${or}`);
    }
  } else if (s.cometdUrl || s.controlUrl) {
    problems.push(
      new SettingsError(
        settingName(s.cometdUrl ? "cometdUrl" : "controlUrl"),
        "is set but GWS_BASE_URL (--base-url) is not (the embedded reference server chooses its own URLs): " +
          "set GWS_BASE_URL to judge your target, or unset it",
      ),
    );
  }
  if (problems.length) throw new SettingsErrors(problems);
  return s;
}

/** Every secret a run knows: passwords, and credentials inside URLs. Redaction scans for these. */
export function secretsOf(s: TargetSettings): string[] {
  const out = s.agents.map((a) => a.password);
  for (const a of s.agents) out.push(Buffer.from(`${a.username}:${a.password}`).toString("base64"));
  if (s.smtpUrl) {
    try {
      const u = new URL(s.smtpUrl);
      if (u.password) out.push(decodeURIComponent(u.password), u.password);
    } catch {
      /* validated earlier */
    }
  }
  return out.filter((x) => x.length > 0);
}

/** Settings as they may appear in a report: passwords and URL credentials replaced. */
export function redactedSettings(s: TargetSettings): Record<string, unknown> {
  const url = (v?: string): string | undefined => {
    if (!v) return v;
    try {
      const u = new URL(v);
      if (u.password) u.password = "REDACTED";
      return u.toString();
    } catch {
      return v;
    }
  };
  return {
    ...s,
    agents: s.agents.map((a) => ({ username: a.username, password: "REDACTED" })),
    smtpUrl: url(s.smtpUrl),
  };
}
