/**
 * From a verdict to its evidence (issue 18, item 2): for a requirement that FAILed, WARNed or
 * ERRORed, the transcript entry of the exchange or message that broke it (its `seq` within its
 * worker) and a reproduction — the requests of that scenario that led to it as `curl` commands,
 * plus the command that judges the requirement alone again. schemathesis's "Reproduce with" is
 * the model. One module for every report: summary.json carries the result (and so the
 * certificates), Allure marks the entry, the terminal calls `reproduce` itself.
 *
 * How the entry is found: the first failed check of the requirement; the entry is the last HTTP
 * exchange, notification or injection of the same scenario and worker recorded before that check
 * (a check is recorded right after what it judged). Without a failed check (an ERROR) it is the
 * last failed exchange of the first scenario that meant to judge it, or of the run's pre-flight.
 *
 * Nothing secret is written: credentials are shell variables — GWS_AGENT1 is `user:pass` of the
 * first agent of the run's settings (the same order as GWS_AGENTS) — and URLs start with
 * $GWS_BASE_URL, $GWS_CONTROL_URL or $GWS_COMETD_URL, so the commands run against any deployment.
 * Interaction ids the server gave are variables too (ID_1 …), set by default to the recorded value
 * with a comment saying where it came from: against a new server, set them from its notifications.
 */
import type { RequirementEvidence } from "../generated/contract-types.js";
import type { TranscriptEntry } from "../harness/transcript.js";

/** Where the evidence is and how to reproduce it: summary.json's `evidence` (one schema, its generated type). */
export type Reproduction = RequirementEvidence;

/** What of the run's settings the commands need (summary.json's `settings`, already redacted). */
export interface ReproduceSettings {
  baseUrl?: unknown;
  cometdUrl?: unknown;
  controlUrl?: unknown;
  agents?: unknown;
}

/** A requirement as summary.json or the verdicts hold it. */
export interface ReproducedRequirement {
  id: string;
  tests?: readonly string[];
}

type Entry = TranscriptEntry;
type Shown = Extract<Entry, { kind: "http" | "notification" | "inject" }>;

/** More requests than this are summarised in one comment line (the last ones are kept). */
export const MAX_CURL_REQUESTS = 40;

export const rerunCommand = (id: string): string => `npx gws-conformance run --only ${id}`;

const isShown = (e: Entry): e is Shown => e.kind === "http" || e.kind === "notification" || e.kind === "inject";
const isFailedHttp = (e: Entry): boolean =>
  e.kind === "http" && (e.error !== undefined || (e.status ?? 0) >= 500 || e.tooLargeAfter !== undefined);

/** One line naming an entry (what the certificate and the terminal print beside its seq). */
export function entryLine(e: Entry): string {
  switch (e.kind) {
    case "http": {
      let path = e.url;
      try {
        path = new URL(e.url).pathname;
      } catch {}
      const op = e.operation ? ` (${e.operation})` : "";
      return `HTTP ${e.method} ${path}${op} → ${e.status ?? e.error ?? "no answer"}${e.agent ? ` [${e.agent}]` : ""}`;
    }
    case "notification": {
      const d = (e.data ?? {}) as Record<string, unknown>;
      const what = [d.messageTypeName, d.notificationType, d.state].filter((x) => typeof x === "string").join(" ");
      return `CometD ${e.channel} → ${e.agent}${what ? `: ${what}` : ""}${typeof d.id === "string" ? ` id=${d.id}` : ""}`;
    }
    case "inject":
      return `inject an e-mail (${e.adapter})${e.ok ? "" : ` FAILED: ${e.error ?? ""}`}`;
    case "watch":
      return `watch (${e.requirement}): ${e.what}`;
    case "event":
      return `event: ${e.message}`;
    case "check":
      return `check ${e.requirement}: ${e.message.split("\n")[0]}`;
  }
}

/** The evidence and reproduction of one requirement from the run's (merged) transcript. */
export function reproduce(
  requirement: ReproducedRequirement,
  entries: readonly Entry[],
  settings: ReproduceSettings = {},
): Reproduction {
  const rerun = rerunCommand(requirement.id);
  const found = offendingEntry(requirement, entries);
  if (!found) return { curl: [], rerun };
  const { entry, scope } = found;
  const upTo = scope.filter((e) => e.seq <= entry.seq);
  return {
    seq: entry.seq,
    ...(entry.worker ? { worker: entry.worker } : {}),
    ...(entry.scenario ? { scenario: entry.scenario } : {}),
    what: entryLine(entry),
    curl: curlScript(upTo, settings),
    rerun,
  };
}

/** The entry that broke it and the entries of its scenario and worker (in recorded order). */
function offendingEntry(
  req: ReproducedRequirement,
  entries: readonly Entry[],
): { entry: Shown; scope: Entry[] } | undefined {
  const sameRun = (a: Entry) => (b: Entry) => b.worker === a.worker && b.scenario === a.scenario;
  const inOrder = (xs: Entry[]): Entry[] => [...xs].sort((a, b) => a.seq - b.seq);
  const check = entries.find((e) => e.kind === "check" && e.requirement === req.id && !e.passed);
  if (check) {
    const scope = inOrder(entries.filter(sameRun(check)));
    const before = scope.filter((e): e is Shown => isShown(e) && e.seq < check.seq);
    const entry = before.at(-1);
    return entry ? { entry, scope } : undefined;
  }
  // No failed check (an ERROR): the first scenario meant to judge it that recorded anything, else
  // the entries outside any scenario (the pre-flight).
  for (const name of [...(req.tests ?? []), undefined]) {
    const own = entries.filter((e) => e.scenario === name);
    const failed = own.filter(isFailedHttp);
    const entry = (failed.length ? failed : own.filter(isShown)).at(-1) as Shown | undefined;
    if (entry) return { entry, scope: inOrder(own.filter(sameRun(entry))) };
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------------
// curl

/** A shell word in single quotes (nothing inside is expanded). */
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
/** Literal text inside double quotes. */
const dqText = (s: string): string => s.replace(/[\\"$`]/g, (c) => `\\${c}`);

interface Vars {
  /** Recorded id → variable name. */
  ids: Map<string, string>;
  lines: string[];
}

/** Server-given ids this entry reveals (a notification's id, an answer's …InteractionId fields). */
function revealedIds(e: Entry): string[] {
  const out: string[] = [];
  const take = (v: unknown): void => {
    if (typeof v === "string" && v.length >= 6) out.push(v);
  };
  if (e.kind === "notification") {
    const d = (e.data ?? {}) as Record<string, unknown>;
    take(d.id);
    take((d.email_object as Record<string, unknown> | undefined)?.interactionId);
  } else if (e.kind === "http" && e.responseBody && typeof e.responseBody === "object") {
    for (const [k, v] of Object.entries(e.responseBody as Record<string, unknown>))
      if (/interactionid$/i.test(k)) take(v);
  }
  return out;
}

function origin(e: Entry): string {
  return e.kind === "notification" ? `${e.kind} seq ${e.seq} on ${e.agent}'s ${e.channel}` : `answer seq ${e.seq}`;
}

/** A literal with every known id and configured root replaced by a variable, as one double-quoted word. */
function dqWord(text: string, roots: Array<[string, string]>, vars: Vars): string {
  let t = dqText(text);
  for (const [value, name] of roots)
    if (value && t.startsWith(dqText(value))) t = `$${name}${t.slice(dqText(value).length)}`;
  for (const [id, name] of vars.ids) t = t.split(dqText(id)).join(`\${${name}}`);
  return `"${t}"`;
}

/** A body in single quotes, with known ids spliced in as variables. */
function sqBody(text: string, vars: Vars): string {
  let parts = [text];
  const out: string[] = [];
  for (const [id, name] of vars.ids) {
    parts = parts.flatMap((p) => p.split(id).flatMap((x, i) => (i === 0 ? [x] : [`\u0000${name}`, x])));
  }
  for (const p of parts) out.push(p.startsWith("\u0000") ? `"$${p.slice(1)}"` : p === "" ? "" : sq(p));
  return out.join("") || "''";
}

function agentVariable(agent: string | undefined, settings: ReproduceSettings, seen: string[]): string | undefined {
  if (!agent) return undefined;
  const listed = Array.isArray(settings.agents)
    ? (settings.agents as Array<{ username?: unknown }>).map((a) => String(a?.username ?? ""))
    : [];
  let i = listed.indexOf(agent);
  if (i < 0) {
    if (!seen.includes(agent)) seen.push(agent);
    i = listed.length + seen.indexOf(agent);
  }
  return `GWS_AGENT${i + 1}`;
}

const SKIPPED_HEADERS = /^(authorization|cookie|host|content-length|connection|accept-encoding|user-agent)$/i;

/** The shell lines reproducing the requests and injections among `entries` (in order). */
export function curlScript(entries: readonly Entry[], settings: ReproduceSettings = {}): string[] {
  const str = (v: unknown): string => (typeof v === "string" ? v : "");
  const roots: Array<[string, string]> = [
    [str(settings.controlUrl), "GWS_CONTROL_URL"],
    [str(settings.cometdUrl), "GWS_COMETD_URL"],
    [str(settings.baseUrl), "GWS_BASE_URL"],
  ];
  const vars: Vars = { ids: new Map(), lines: [] };
  const unknownAgents: string[] = [];
  const commands: Array<{ seq: number; lines: string[] }> = [];
  for (const e of entries) {
    for (const id of revealedIds(e)) {
      if (vars.ids.has(id)) continue;
      const name = `ID_${vars.ids.size + 1}`;
      vars.ids.set(id, name);
      vars.lines.push(
        `${name}="\${${name}:-${dqText(id)}}"  # the id the server gave (${origin(e)}); set it from your run`,
      );
    }
    if (e.kind === "inject") {
      const body = JSON.stringify(e.email);
      if (e.adapter === "http") {
        const control = str(settings.controlUrl);
        const url = control ? dqWord(`${control}/inbound-emails`, roots, vars) : `"$GWS_CONTROL_URL/inbound-emails"`;
        commands.push({
          seq: e.seq,
          lines: [
            `curl -sS -X POST ${url} -H 'content-type: application/json' --data-binary ${sqBody(body, vars)}  # seq ${e.seq}`,
          ],
        });
      } else
        commands.push({
          seq: e.seq,
          lines: [`# seq ${e.seq}: inject this e-mail through the ${e.adapter} adapter: ${body}`],
        });
      continue;
    }
    if (e.kind !== "http") continue;
    const parts = ["curl -sS"];
    const body =
      e.requestBody === undefined
        ? undefined
        : typeof e.requestBody === "string"
          ? e.requestBody
          : JSON.stringify(e.requestBody);
    if (e.method !== "GET" || body !== undefined) parts.push(`-X ${e.method}`);
    parts.push(dqWord(e.url, roots, vars));
    const hasAuth = Object.keys(e.requestHeaders ?? {}).some((k) => k.toLowerCase() === "authorization");
    const agentVar = agentVariable(e.agent, settings, unknownAgents);
    if (hasAuth) parts.push(agentVar ? `-u "$${agentVar}"` : `-H "authorization: $GWS_AUTHORIZATION"`);
    for (const [k, v] of Object.entries(e.requestHeaders ?? {}))
      if (!SKIPPED_HEADERS.test(k)) parts.push(`-H ${sq(`${k}: ${v}`)}`);
    if (body !== undefined) parts.push(`--data-binary ${sqBody(body, vars)}`);
    commands.push({ seq: e.seq, lines: [`${parts.join(" ")}  # seq ${e.seq}`] });
  }
  const kept = commands.slice(-MAX_CURL_REQUESTS);
  const dropped = commands.length - kept.length;
  return [
    ...(dropped > 0 ? [`# ${dropped} earlier request(s) of the scenario left out (transcript.jsonl has them)`] : []),
    ...vars.lines,
    ...kept.flatMap((c) => c.lines),
  ];
}
