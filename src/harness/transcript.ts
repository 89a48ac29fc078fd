/**
 * The run's transcript: every HTTP exchange and notification, with timestamps and the
 * scenario that caused it, so a verdict can be re-checked later (transcript.jsonl).
 * Each worker appends to its own file in the run's transcript folder (the run context's
 * transcriptDir, set by the scenario layer); the command merges them after the run. Secrets never reach it: headers that carry credentials are replaced and every
 * configured secret string is masked (redact()).
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { AsyncLocalStorage } from "node:async_hooks";

export type TranscriptEntry = { worker?: string } & (
  | {
      kind: "http";
      seq: number;
      ts: number;
      scenario?: string;
      agent?: string;
      method: string;
      url: string;
      requestHeaders: Record<string, string>;
      requestBody?: unknown;
      status?: number;
      responseHeaders?: Record<string, string>;
      responseBody?: unknown;
      durationMs: number;
      error?: string;
      /** The answer body went past --max-answer-bytes (this many bytes): reading stopped there. */
      tooLargeAfter?: number;
      /** Operation name when the request is a contract operation. */
      operation?: string;
    }
  | { kind: "notification"; seq: number; ts: number; scenario?: string; agent: string; channel: string; data: unknown }
  | {
      kind: "inject";
      seq: number;
      ts: number;
      scenario?: string;
      adapter: string;
      email: unknown;
      ok: boolean;
      error?: string;
    }
  | { kind: "event"; seq: number; ts: number; scenario?: string; agent?: string; message: string }
  | {
      kind: "check";
      seq: number;
      ts: number;
      scenario?: string;
      requirement: string;
      level: string;
      passed: boolean;
      message: string;
      measuredMs?: number;
      /** Judged by a watch that a refused request changed nothing (R3, T4, T8). */
      watch?: boolean;
      /** Found after the scenario's test had ended: merged into its results before verdicts (report/late-checks.ts). */
      late?: boolean;
      /** How long after its cause (the refused request) the late effect showed. */
      delayMs?: number;
    }
  | {
      /** A watch opened: what a refused request must not cause from `since` on (rejudge replays it). */
      kind: "watch";
      seq: number;
      ts: number;
      scenario?: string;
      requirement: string;
      what: string;
      ids: string[];
      tokens: string[];
      agents: string[];
      since: number;
    }
);

export const REDACTED = "REDACTED";
const SENSITIVE_HEADERS =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-csrf-token|x-csrf-header|x-xsrf-token)$/i;

let secrets: string[] = [];
/** The running scenario, per async context: scenarios of one file may run concurrently. */
const scenarioContext = new AsyncLocalStorage<string>();
let seq = 0;
/** Where this worker appends its entries (undefined: not recorded to disk). */
let transcriptDir: string | undefined;
const listeners = new Set<(e: TranscriptEntry) => void>();

/** Registers the run's secrets (passwords, Basic tokens) so that nothing written contains them. */
export function setSecrets(values: string[]): void {
  secrets = [...new Set(values.filter((v) => v.length >= 3))].sort((a, b) => b.length - a.length);
}

/** Sets the folder this worker's entries go to (the run context's transcriptDir). */
export function setTranscriptDir(dir: string | undefined): void {
  if (dir && dir !== transcriptDir) mkdirSync(dir, { recursive: true });
  transcriptDir = dir;
}

/** Runs `body` with `name` as the scenario every entry it records is attributed to. */
export function inScenario<T>(name: string, body: () => Promise<T>): Promise<T> {
  return scenarioContext.run(name, body);
}

export function getCurrentScenario(): string | undefined {
  return scenarioContext.getStore();
}

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = SENSITIVE_HEADERS.test(k) ? REDACTED : redactText(Array.isArray(v) ? v.join(", ") : String(v));
  }
  return out;
}

export function redactText(text: string): string {
  let t = text;
  for (const s of secrets) if (t.includes(s)) t = t.split(s).join(REDACTED);
  return t;
}

/** Deep copy with every string redacted. */
export function redactValue<T>(value: T): T {
  if (typeof value === "string") return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SENSITIVE_HEADERS.test(k) ? REDACTED : redactValue(v);
    return out as T;
  }
  return value;
}

/** What a caller gives: seq and worker are added; ts defaults to now; scenario defaults to the running scenario (null: none). */
type NewEntry = TranscriptEntry extends infer E
  ? E extends TranscriptEntry
    ? Omit<E, "seq" | "ts" | "scenario" | "worker"> & { ts?: number; scenario?: string | null }
    : never
  : never;

/** This process's worker id, on every entry (a merged transcript holds one copy of an agent's stream per worker). */
export const WORKER_ID = `${process.pid}-${threadId}`;

/** Appends an entry (redacted) and notifies listeners (the scenario layer attaches it to Allure). */
let recording = true;
/** Load mode keeps no transcript: thousands of exchanges a second would only cost CPU and disk. */
export function setRecording(on: boolean): void {
  recording = on;
}

export function record(entry: NewEntry): TranscriptEntry {
  if (!recording) return entry as TranscriptEntry;
  const scenario = entry.scenario === null ? undefined : (entry.scenario ?? getCurrentScenario());
  const full = redactValue({
    seq: ++seq,
    worker: WORKER_ID,
    ...entry,
    ts: entry.ts ?? Date.now(),
    scenario,
  }) as TranscriptEntry;
  if (transcriptDir) appendFileSync(join(transcriptDir, `worker-${WORKER_ID}.jsonl`), `${JSON.stringify(full)}\n`);
  for (const l of listeners) l(full);
  return full;
}

export function onRecord(listener: (e: TranscriptEntry) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
