/**
 * Reading and writing transcripts (src/harness/transcript.ts: one JSON entry per line), the one
 * reader every user goes through: the runner merging its workers' parts, `merge` joining shard
 * runs, and the drift tooling (drift, rejudge).
 *
 * Every worker holds a CometD session per agent, so each notification reaches every worker and
 * every worker's part holds a copy of it. Merged, each notification is kept once: the copy of the
 * worker whose scenario it belonged to (recorded with that scenario); an unattributed one, the
 * first worker's copy. A path may name a transcript file, a run directory holding
 * transcript.jsonl, or a directory of parts (worker-*.jsonl, as a run writes them before merging).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { redactValue, type TranscriptEntry } from "../harness/transcript.js";

export type { TranscriptEntry };
export type HttpEntry = Extract<TranscriptEntry, { kind: "http" }>;
export type NotificationEntry = Extract<TranscriptEntry, { kind: "notification" }>;
export type CheckEntry = Extract<TranscriptEntry, { kind: "check" }>;

/** The file a merged run transcript has in a run's output directory. */
export const TRANSCRIPT_FILE = "transcript.jsonl";

const KINDS = new Set<string>(["http", "notification", "inject", "event", "check", "watch"]);

/** Parses JSONL text; a line that is not a transcript entry is an error naming the line. */
export function parseTranscript(text: string, source = "transcript"): TranscriptEntry[] {
  const out: TranscriptEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new Error(`${source}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    const kind = (value as { kind?: unknown } | null)?.kind;
    if (typeof kind !== "string" || !KINDS.has(kind)) {
      throw new Error(`${source}:${i + 1}: not a transcript entry (kind ${JSON.stringify(kind)})`);
    }
    out.push(value as TranscriptEntry);
  }
  return out;
}

function readFile(path: string): TranscriptEntry[] {
  return parseTranscript(readFileSync(path, "utf8"), path);
}

/** Each *.jsonl of a folder of parts, in name order; [] when the folder does not exist (nothing was recorded). */
export function readTranscriptParts(dir: string): TranscriptEntry[][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .map((f) => readFile(join(dir, f)));
}

/**
 * The entries of a transcript path: a file as it is (one worker's part, or a merged transcript);
 * DIR/transcript.jsonl; else every *.jsonl of DIR, merged (mergeTranscriptParts).
 */
export function readTranscript(path: string): TranscriptEntry[] {
  if (!existsSync(path)) throw new Error(`no such transcript: ${path}`);
  if (!statSync(path).isDirectory()) return readFile(path);
  if (existsSync(join(path, TRANSCRIPT_FILE))) return readFile(join(path, TRANSCRIPT_FILE));
  const parts = readTranscriptParts(path);
  if (parts.length === 0) throw new Error(`${path} holds no ${TRANSCRIPT_FILE} and no *.jsonl`);
  return mergeTranscriptParts(parts);
}

/** Parts (of workers, or of shard runs) in one time order, each notification once (see the file's comment). */
export function mergeTranscriptParts(parts: readonly TranscriptEntry[][]): TranscriptEntry[] {
  const all = parts.flat();
  // A notification is the same one when the same agent got the same body (a worker keeps its own
  // duplicates: they all come from the owning worker, so N7 still sees them).
  const key = (e: TranscriptEntry): string | undefined =>
    e.kind === "notification" ? `${e.agent}\u0000${JSON.stringify(e.data)}` : undefined;
  const owner = new Map<string, string>();
  for (const e of all) {
    const k = key(e);
    if (!k) continue;
    if (e.scenario) owner.set(k, e.worker ?? "");
    else if (!owner.has(k)) owner.set(k, e.worker ?? "");
  }
  const kept = all.filter((e) => {
    const k = key(e);
    return !k || owner.get(k) === (e.worker ?? "");
  });
  return kept.sort(compareEntries);
}

/** Time order; within one millisecond, one worker's entries in their own order (seq is per worker). */
export function compareEntries(a: TranscriptEntry, b: TranscriptEntry): number {
  return a.ts - b.ts || String(a.worker).localeCompare(String(b.worker)) || a.seq - b.seq;
}

/**
 * Entries in time order: by ts, then by their order in the input (hand-written transcripts need
 * not carry workers; within one millisecond the input order is the recorded one).
 */
export function inTimeOrder(entries: readonly TranscriptEntry[]): TranscriptEntry[] {
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.ts - b.e.ts || a.i - b.i)
    .map(({ e }) => e);
}

/** Writes transcript.jsonl; every entry passes the run's redaction again (the workers redacted it already). */
export function writeTranscript(path: string, entries: readonly TranscriptEntry[]): void {
  const text = entries.map((e) => JSON.stringify(redactValue(e))).join("\n");
  writeFileSync(path, text + (entries.length ? "\n" : ""));
}
