/**
 * Reading stored transcripts (src/harness/transcript.ts format: one JSON entry per line).
 * A path may be a transcript file, a run directory holding transcript.jsonl, or a directory of
 * per-worker files (worker-*.jsonl, as a run writes them before the merge).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { TranscriptEntry } from "../harness/transcript.js";

export type { TranscriptEntry };
export type HttpEntry = Extract<TranscriptEntry, { kind: "http" }>;
export type NotificationEntry = Extract<TranscriptEntry, { kind: "notification" }>;
export type CheckEntry = Extract<TranscriptEntry, { kind: "check" }>;
export type InjectEntry = Extract<TranscriptEntry, { kind: "inject" }>;

const KINDS = new Set(["http", "notification", "inject", "event", "check", "watch"]);

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
    if (typeof kind !== "string" || !KINDS.has(kind)) throw new Error(`${source}:${i + 1}: not a transcript entry (kind ${JSON.stringify(kind)})`);
    out.push(value as TranscriptEntry);
  }
  return out;
}

/** The transcript file(s) a path names: a file, DIR/transcript.jsonl, or every *.jsonl in DIR. */
export function transcriptFiles(path: string): string[] {
  if (!existsSync(path)) throw new Error(`no such transcript: ${path}`);
  if (!statSync(path).isDirectory()) return [path];
  const merged = join(path, "transcript.jsonl");
  if (existsSync(merged)) return [merged];
  const parts = readdirSync(path).filter((f) => f.endsWith(".jsonl")).sort().map((f) => join(path, f));
  if (parts.length === 0) throw new Error(`${path} holds no transcript.jsonl and no *.jsonl`);
  return parts;
}

/** Reads every entry of a transcript path (see transcriptFiles). */
export function readTranscript(path: string): TranscriptEntry[] {
  return transcriptFiles(path).flatMap((f) => parseTranscript(readFileSync(f, "utf8"), f));
}

/**
 * Entries in time order: by ts, then by their order in the input (per-worker seq restarts, so
 * seq alone does not order a merged transcript).
 */
export function inTimeOrder(entries: readonly TranscriptEntry[]): TranscriptEntry[] {
  return entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.ts - b.e.ts || a.i - b.i).map(({ e }) => e);
}
