/** Shared by the drift tests: fixture paths and a CLI io that records what was printed. */
import { join } from "node:path";
import { REPO_ROOT } from "../contract/schemas.js";
import type { CliIo } from "./cli.js";
import { readTranscript, type TranscriptEntry } from "../report/transcript-io.js";

export const FIXTURES = join(REPO_ROOT, "test", "fixtures", "drift");

type FixtureName = "clean" | "drifted" | "other-readings" | "rejudge-differs" | "late-effect";

export function fixture(name: FixtureName): TranscriptEntry[] {
  return readTranscript(fixturePath(name));
}

export function fixturePath(name: string): string {
  return join(FIXTURES, `${name}.jsonl`);
}

export function memoryIo(): CliIo & { stdout: string[]; stderr: string[]; text(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    text: () => [...stdout, ...stderr].join("\n"),
  };
}
