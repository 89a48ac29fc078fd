/**
 * Re-judging a stored transcript with today's suite, without contacting the server: the
 * notifications are replayed through a StreamMonitor (N1 envelope, N2–N5 shape, N2 id, N6
 * capabilities, N7 duplicates and transitions, T6 leaks) and every HTTP answer is re-judged as
 * Scenario.judgeAnswer does (R2, R1). The verdicts are compared with the stored `check` entries,
 * per scenario and requirement.
 *
 * Replay, per scenario (an entry's `scenario` names the scenario that caused it):
 *   - the scenario's own notifications (those recorded while it ran) feed one source per agent;
 *   - the interaction ids it owns are claimed: ids it operated on, replyInteractionIds it got,
 *     ids of notifications carrying its injected e-mails' tokens, interactions its operations
 *     created. An id is claimed for the agent that first hears of it (an offer or a creation);
 *   - Transfer to an agent allows that agent (O9); Reject, PlaceInQueue, Transfer to a queue and
 *     Revoked allow a re-offer (O2, O11, N5), as the scenarios do live.
 */
import type { ReceivedNotification } from "../harness/cometd-session.js";
import { StreamMonitor, type Judge, type NotificationSource } from "../harness/monitor.js";
import type { RequirementId } from "../generated/requirement-ids.js";
import { correlate } from "./correlate.js";
import { judgeAnswer } from "../harness/judge-answer.js";
import { groupBy } from "./json-shape.js";
import { isInteractionNotification, operationCallOf } from "./messages.js";
import { inTimeOrder, type CheckEntry, type TranscriptEntry } from "./transcript-io.js";

/** The requirements rejudge can reproduce: the monitor's and judgeAnswer's. Others need the scenario's own logic. */
export const REJUDGED_REQUIREMENTS: readonly RequirementId[] = [
  "R2.no-5xx",
  "R1.ok-envelope",
  "R1.error-envelope",
  "N1.envelope",
  "N2.shape",
  "N2.interaction-id",
  "N3.shape",
  "N4.shape",
  "N5.shape",
  "N6.documented-present",
  "N6.undocumented-extra",
  "N7.no-duplicates",
  "N7.legal-transition",
  "T6.no-leak",
  "T6.own-interactions-only",
];
const REJUDGED = new Set<string>(REJUDGED_REQUIREMENTS);

export type Verdict = "pass" | "fail" | "absent";

export interface RecordedCheck {
  requirement: string;
  passed: boolean;
  message: string;
}

export interface VerdictComparison {
  scenario: string;
  requirement: string;
  stored: Verdict;
  now: Verdict;
  /** The first failing message (or the first message) on each side. */
  storedMessage?: string;
  nowMessage?: string;
}

export interface RejudgeResult {
  scenarios: number;
  storedChecks: number;
  rejudgedChecks: number;
  /** Verdicts that differ: pass ↔ fail, or a failure on one side that the other does not have. */
  differences: VerdictComparison[];
  /** A pass on one side the other side did not judge (e.g. a check today's suite adds): not a difference. */
  unconfirmed: VerdictComparison[];
}

/** A Judge that only collects (rejudge records nothing in a transcript). */
export class CollectingJudge implements Judge {
  readonly checks: RecordedCheck[] = [];
  constructor(readonly name: string) {}
  check(requirement: RequirementId, passed: boolean, message: string): boolean {
    this.checks.push({ requirement, passed, message });
    return passed;
  }
}

/** One agent's notification stream, built from transcript entries. */
export class TranscriptSource implements NotificationSource {
  private readonly received: ReceivedNotification[] = [];
  private readonly listeners = new Set<(n: ReceivedNotification) => void>();
  items(): readonly ReceivedNotification[] {
    return this.received;
  }
  onItem(listener: (n: ReceivedNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  push(entry: Extract<TranscriptEntry, { kind: "notification" }>): void {
    const data = (entry.data && typeof entry.data === "object" ? entry.data : { value: entry.data }) as Record<string, unknown>;
    const n: ReceivedNotification = { index: this.received.length, receivedAt: entry.ts, channel: entry.channel, data };
    this.received.push(n);
    for (const l of this.listeners) l(n);
  }
}

/** The suite's subject tokens (`gws-<hex>`, Scenario.newToken) in an injected e-mail, else its subject. */
function tokensOf(email: unknown): string[] {
  const text = JSON.stringify(email ?? "");
  const tokens = text.match(/gws-[0-9a-f]{6,}/g);
  if (tokens) return [...new Set(tokens)];
  const subject = (email as { subject?: unknown } | undefined)?.subject;
  return typeof subject === "string" && subject.length > 0 ? [subject] : [];
}

/** The interaction ids a scenario owns, from its own entries. */
export function ownedIds(entries: readonly TranscriptEntry[]): Set<string> {
  const owned = new Set<string>();
  const tokens = entries.flatMap((e) => (e.kind === "inject" ? tokensOf(e.email) : []));
  for (const e of entries) {
    const call = operationCallOf(e);
    if (call?.target.kind === "interaction") owned.add(call.target.id);
    if (call?.replyInteractionId) owned.add(call.replyInteractionId);
    if (isInteractionNotification(e) && tokens.length > 0) {
      const id = (e.data as { id?: unknown } | null)?.id;
      const text = JSON.stringify(e.data);
      if (typeof id === "string" && tokens.some((t) => text.includes(t))) owned.add(id);
    }
  }
  for (const id of correlate(entries).creatorOf.keys()) owned.add(id);
  return owned;
}

/** Re-judges one scenario's entries (in time order); returns what today's suite records. */
export function replayScenario(name: string, entries: readonly TranscriptEntry[]): RecordedCheck[] {
  const judge = new CollectingJudge(name);
  const monitor = new StreamMonitor();
  const sources = new Map<string, TranscriptSource>();
  const sourceOf = (agent: string): TranscriptSource => {
    let s = sources.get(agent);
    if (!s) {
      s = new TranscriptSource();
      sources.set(agent, s);
      monitor.attach(agent, s);
    }
    return s;
  };
  const owned = ownedIds(entries);
  const claimed = new Set<string>();
  const claim = (id: string, agent: string | undefined): void => {
    if (claimed.has(id) || !agent) return;
    claimed.add(id);
    monitor.claimId(id, judge, [agent]);
  };

  for (const e of entries) {
    if (isInteractionNotification(e)) {
      const data = (e.data ?? {}) as Record<string, unknown>;
      const id = typeof data.id === "string" ? data.id : undefined;
      if (id && owned.has(id)) claim(id, e.agent);
      sourceOf(e.agent).push(e);
      if (id && data.state === "Revoked") monitor.allowReoffer(id);
      continue;
    }
    const call = operationCallOf(e);
    if (!call) continue;
    const j = judgeAnswer({
      method: call.entry.method,
      url: call.entry.url,
      ...(call.status !== undefined ? { status: call.status } : {}),
      body: call.entry.responseBody,
      operation: call.operation,
      malformedRequest: call.malformedRequest,
      ...(call.entry.error ? { error: call.entry.error } : {}),
      ...(call.entry.tooLargeAfter ? { tooLargeAfter: call.entry.tooLargeAfter } : {}),
    });
    for (const c of j.checks) judge.check(c.requirement, c.passed, c.message);
    if (call.outcome !== "ok") continue;
    if (call.replyInteractionId) claim(call.replyInteractionId, call.entry.agent);
    if (call.target.kind !== "interaction") continue;
    const id = call.target.id;
    const body = (call.entry.requestBody ?? {}) as Record<string, unknown>;
    if (call.operation === "Transfer" && typeof body.targetAgent === "string") monitor.allowAgent(id, body.targetAgent);
    else if (["Transfer", "Reject", "PlaceInQueue"].includes(call.operation)) monitor.allowReoffer(id);
  }
  return judge.checks;
}

function verdictOf(checks: readonly RecordedCheck[]): { verdict: Verdict; message?: string } {
  if (checks.length === 0) return { verdict: "absent" };
  const failed = checks.find((c) => !c.passed);
  return failed ? { verdict: "fail", message: failed.message } : { verdict: "pass", message: checks[0].message };
}

function groupByRequirement(checks: readonly RecordedCheck[]): Map<string, RecordedCheck[]> {
  return groupBy(
    checks.filter((c) => REJUDGED.has(c.requirement)),
    (c) => c.requirement,
  );
}

/** Compares stored and re-judged checks of one scenario, requirement by requirement. */
export function compareVerdicts(scenario: string, stored: readonly RecordedCheck[], now: readonly RecordedCheck[]): VerdictComparison[] {
  const s = groupByRequirement(stored);
  const n = groupByRequirement(now);
  const out: VerdictComparison[] = [];
  for (const requirement of [...new Set([...s.keys(), ...n.keys()])].sort()) {
    const a = verdictOf(s.get(requirement) ?? []);
    const b = verdictOf(n.get(requirement) ?? []);
    if (a.verdict === b.verdict) continue;
    out.push({ scenario, requirement, stored: a.verdict, now: b.verdict, ...(a.message ? { storedMessage: a.message } : {}), ...(b.message ? { nowMessage: b.message } : {}) });
  }
  return out;
}

const isDifference = (c: VerdictComparison): boolean => c.stored === "fail" || c.now === "fail";

export function rejudgeTranscript(entries: readonly TranscriptEntry[]): RejudgeResult {
  const ordered = inTimeOrder(entries);
  const byScenario = groupBy(
    ordered.filter((e) => e.scenario !== undefined),
    (e) => e.scenario!,
  );
  const result: RejudgeResult = { scenarios: byScenario.size, storedChecks: 0, rejudgedChecks: 0, differences: [], unconfirmed: [] };
  for (const [scenario, list] of byScenario) {
    const stored = list.filter((e): e is CheckEntry => e.kind === "check").map(({ requirement, passed, message }) => ({ requirement, passed, message }));
    const now = replayScenario(scenario, list);
    result.storedChecks += stored.filter((c) => REJUDGED.has(c.requirement)).length;
    result.rejudgedChecks += now.length;
    for (const c of compareVerdicts(scenario, stored, now)) (isDifference(c) ? result.differences : result.unconfirmed).push(c);
  }
  return result;
}

/** A check message on one line: multi-line violation lists joined, cut at 240 characters. */
const oneLine = (s: string | undefined): string => {
  const text = (s ?? "").split("\n").map((l) => l.trim()).filter(Boolean).join(" — ");
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
};

export function formatRejudge(result: RejudgeResult): string {
  const lines = [
    `rejudge: ${result.scenarios} scenario(s), ${result.storedChecks} stored check(s) of the re-judged requirements, ${result.rejudgedChecks} check(s) re-judged now`,
  ];
  if (result.differences.length === 0) lines.push("verdicts: the same as stored");
  else {
    lines.push(`verdicts that differ: ${result.differences.length}`);
    for (const d of result.differences) {
      lines.push(`  ${d.requirement}  [${d.scenario}]  stored: ${d.stored}  now: ${d.now}`);
      if (d.stored === "fail" || (d.storedMessage && d.now === "absent")) lines.push(`    stored: ${oneLine(d.storedMessage)}`);
      if (d.now === "fail") lines.push(`    now:    ${oneLine(d.nowMessage)}`);
    }
  }
  if (result.unconfirmed.length > 0) lines.push(`passes judged on one side only (not differences): ${result.unconfirmed.length}`);
  return lines.join("\n");
}
