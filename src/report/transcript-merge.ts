/**
 * transcript.jsonl: the workers' transcript parts merged in time order. Every worker holds a CometD
 * session per agent, so each notification reaches every worker; the copy kept is the one of the
 * worker whose scenario it belonged to (recorded with that scenario), the others are dropped.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { redactValue, type TranscriptEntry } from "../harness/transcript.js";

export function mergeTranscriptParts(parts: TranscriptEntry[][]): TranscriptEntry[] {
  const all = parts.flat();
  const key = (e: TranscriptEntry): string | undefined => (e.kind === "notification" ? `${e.agent}\u0000${JSON.stringify(e.data)}` : undefined);
  // For each notification body: the worker that owns it (recorded with a scenario), else the first worker that saw it.
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

export function readTranscriptParts(dir: string): TranscriptEntry[][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .map((f) =>
      readFileSync(join(dir, f), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as TranscriptEntry),
    );
}

/** Writes transcript.jsonl; every entry passes the run's redaction again (the workers redacted it already). */
export function writeTranscript(path: string, entries: TranscriptEntry[]): void {
  writeFileSync(path, entries.map((e) => JSON.stringify(redactValue(e))).join("\n") + (entries.length ? "\n" : ""));
}
