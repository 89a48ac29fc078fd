/**
 * Re-judging a stored transcript with today's suite, without contacting the server: the
 * notifications are replayed through a StreamMonitor (N1 envelope, N2–N5 shape, N2 id, N6
 * capabilities, N7 duplicates and transitions, T6 leaks) and every HTTP answer is re-judged as
 * Scenario.judgeAnswer does (R2, R1). The verdicts are compared with the stored `check` entries,
 * per scenario and requirement.
 *
 * Replay, per scenario (an entry's `scenario` names the scenario that caused it):
 *   - the scenario's own notifications (those recorded while it ran) feed one source per agent,
 *     with the ReplyCreated notifications no scenario claimed (a refused request's possible effect);
 *   - the interaction ids it owns are claimed: ids it operated on, replyInteractionIds it got,
 *     ids of notifications carrying its injected e-mails' tokens, interactions its operations
 *     created. An id is claimed for the agent that first hears of it (an offer or a creation);
 *   - each operation is replayed as the live harness sees it (Scenario.operate): sent at its start
 *     (notifications wait while it is on its way), its outcome told to the monitor at its answer —
 *     the same code decides re-offers (releases, from the lifecycle) and what an outcome explains;
 *   - each watch the scenario opened ("a refused request changes nothing", R3, T4, T8) is opened
 *     again; what it finds, late effects included, is compared with the stored watch checks.
 */
import type { ReceivedNotification } from "../harness/cometd-session.js";
import { CoordinationState, localCoordination } from "../harness/coordination.js";
import { StreamMonitor, type Judge, type NotificationSource } from "../harness/monitor.js";
import type { RequirementId } from "../generated/requirement-ids.js";
import { correlate } from "./correlate.js";
import { judgeAnswer } from "../harness/judge-answer.js";
import { groupBy } from "./json-shape.js";
import { isInteractionNotification, operationCallOf } from "./messages.js";
import { inTimeOrder, type CheckEntry, type TranscriptEntry } from "../report/transcript-io.js";

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
];
const REJUDGED = new Set<string>(REJUDGED_REQUIREMENTS);

export type Verdict = "pass" | "fail" | "absent";

export interface RecordedCheck {
  requirement: string;
  passed: boolean;
  message: string;
  /** Found by a watch that a refused request changed nothing (compared apart: only violations are recorded). */
  watch?: boolean;
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
  watchViolation(requirement: RequirementId, message: string): void {
    this.checks.push({ requirement, passed: false, message, watch: true });
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
    const data = (entry.data && typeof entry.data === "object" ? entry.data : { value: entry.data }) as Record<
      string,
      unknown
    >;
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

type WatchEntry = Extract<TranscriptEntry, { kind: "watch" }>;

/** What every scenario of a transcript claims and watches: for attributing a ReplyCreated nobody claims. */
export function transcriptCoordination(entries: readonly TranscriptEntry[]): CoordinationState {
  const state = new CoordinationState();
  const byScenario = groupBy(
    entries.filter((e) => e.scenario !== undefined),
    (e) => e.scenario!,
  );
  for (const [scenario, list] of byScenario) {
    state.claim([...ownedIds(list)]);
    list
      .filter((e): e is WatchEntry => e.kind === "watch")
      .forEach((w, i) => {
        state.cover({ key: `${scenario}#${i + 1}`, agents: w.agents, since: w.since });
      });
  }
  return state;
}

/**
 * Re-judges one scenario's entries (in time order); returns what today's suite records.
 * `unclaimed`: ReplyCreated notifications recorded with no scenario; `coordination`: the whole
 * transcript's claims and watches (transcriptCoordination).
 */
export function replayScenario(
  name: string,
  entries: readonly TranscriptEntry[],
  opts: { unclaimed?: readonly TranscriptEntry[]; coordination?: CoordinationState } = {},
): RecordedCheck[] {
  const judge = new CollectingJudge(name);
  // Watch keys are `${scenario}#n`, as transcriptCoordination covers them.
  const monitor = new StreamMonitor(localCoordination(opts.coordination), name);
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

  // An operation is on its way from its start (ts - duration) to its answer (ts), as live.
  type Step = { at: number; order: number; run: () => void };
  const steps: Step[] = [];
  const pending = new Map<object, () => void>();
  let order = 0;
  const all = [...entries, ...(opts.unclaimed ?? [])];
  for (const e of inTimeOrder(all)) {
    if (isInteractionNotification(e)) {
      steps.push({
        at: e.ts,
        order: order++,
        run: () => {
          const data = (e.data ?? {}) as Record<string, unknown>;
          const id = typeof data.id === "string" ? data.id : undefined;
          if (id && owned.has(id)) claim(id, e.agent);
          sourceOf(e.agent).push(e);
        },
      });
      continue;
    }
    if (e.kind === "watch") {
      steps.push({
        at: e.ts,
        order: order++,
        run: () =>
          void monitor.openWatch({
            judge,
            requirement: e.requirement as RequirementId,
            what: e.what,
            ids: e.ids,
            tokens: e.tokens,
            agents: e.agents,
            since: e.since,
          }),
      });
      continue;
    }
    const call = operationCallOf(e);
    if (!call) continue;
    steps.push({
      at: call.entry.ts - call.entry.durationMs,
      order: order++,
      run: () => pending.set(call, monitor.beginOperation()),
    });
    steps.push({
      at: call.entry.ts,
      order: order++,
      run: () => {
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
        if (call.replyInteractionId && j.ok) claim(call.replyInteractionId, call.entry.agent);
        if (call.target.kind !== "channel" && call.entry.agent) {
          const body =
            call.entry.requestBody && typeof call.entry.requestBody === "object"
              ? (call.entry.requestBody as Record<string, unknown>)
              : undefined;
          monitor.operationDone({
            agent: call.entry.agent,
            operation: call.operation,
            id: call.target.kind === "interaction" ? call.target.id : null,
            body,
            startedAt: Math.round(call.entry.ts - call.entry.durationMs),
            ok: j.taken,
            ...(call.replyInteractionId ? { replyInteractionId: call.replyInteractionId } : {}),
          });
        }
        pending.get(call)?.();
        pending.delete(call);
      },
    });
  }
  steps.sort((a, b) => a.at - b.at || a.order - b.order);
  for (const step of steps) step.run();
  for (const done of pending.values()) done();
  void monitor.settleCandidates();
  return judge.checks;
}

function verdictOf(checks: readonly RecordedCheck[]): { verdict: Verdict; message?: string } {
  if (checks.length === 0) return { verdict: "absent" };
  const failed = checks.find((c) => !c.passed);
  return failed ? { verdict: "fail", message: failed.message } : { verdict: "pass", message: checks[0].message };
}

/** Checks of the re-judged requirements by requirement; a watch's findings apart, as "<id> (watch)". */
function groupByRequirement(checks: readonly RecordedCheck[]): Map<string, RecordedCheck[]> {
  return groupBy(
    checks.filter((c) => c.watch || REJUDGED.has(c.requirement)),
    (c) => (c.watch ? `${c.requirement} (watch)` : c.requirement),
  );
}

/** Compares stored and re-judged checks of one scenario, requirement by requirement. */
export function compareVerdicts(
  scenario: string,
  stored: readonly RecordedCheck[],
  now: readonly RecordedCheck[],
): VerdictComparison[] {
  const s = groupByRequirement(stored);
  const n = groupByRequirement(now);
  const out: VerdictComparison[] = [];
  for (const requirement of [...new Set([...s.keys(), ...n.keys()])].sort()) {
    const a = verdictOf(s.get(requirement) ?? []);
    const b = verdictOf(n.get(requirement) ?? []);
    if (a.verdict === b.verdict) continue;
    out.push({
      scenario,
      requirement,
      stored: a.verdict,
      now: b.verdict,
      ...(a.message ? { storedMessage: a.message } : {}),
      ...(b.message ? { nowMessage: b.message } : {}),
    });
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
  const result: RejudgeResult = {
    scenarios: byScenario.size,
    storedChecks: 0,
    rejudgedChecks: 0,
    differences: [],
    unconfirmed: [],
  };
  const coordination = transcriptCoordination(ordered);
  const unclaimed = ordered.filter(
    (e) =>
      e.scenario === undefined &&
      isInteractionNotification(e) &&
      (e.data as { state?: unknown } | null)?.state === "ReplyCreated",
  );
  for (const [scenario, list] of byScenario) {
    // Late checks (found after the scenario's test had ended) are the scenario's too (src/report/late-checks.ts).
    const stored = list
      .filter((e): e is CheckEntry => e.kind === "check")
      .map(({ requirement, passed, message, watch }) => ({
        requirement,
        passed,
        message,
        ...(watch ? { watch } : {}),
      }));
    const now = replayScenario(scenario, list, { unclaimed, coordination });
    result.storedChecks += stored.filter((c) => REJUDGED.has(c.requirement)).length;
    result.rejudgedChecks += now.length;
    for (const c of compareVerdicts(scenario, stored, now))
      (isDifference(c) ? result.differences : result.unconfirmed).push(c);
  }
  return result;
}

/** A check message on one line: multi-line violation lists joined, cut at 240 characters. */
const oneLine = (s: string | undefined): string => {
  const text = (s ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join(" — ");
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
      if (d.stored === "fail" || (d.storedMessage && d.now === "absent"))
        lines.push(`    stored: ${oneLine(d.storedMessage)}`);
      if (d.now === "fail") lines.push(`    now:    ${oneLine(d.nowMessage)}`);
    }
  }
  if (result.unconfirmed.length > 0)
    lines.push(`passes judged on one side only (not differences): ${result.unconfirmed.length}`);
  return lines.join("\n");
}
