/**
 * The contract's sentences and the level each one carries (interpretation.md, "Levels": a
 * requirement carries the level of the sentence it comes from; anything the file does not state
 * is at most SHOULD). `npm run samples` writes them, with a hash of their source, to
 * src/generated/contract-sentences.json; the registry test holds every requirement's quoted
 * `source` to the level of its sentence from that file, without reading ../shared (a separate
 * *.spec-sync.test.ts checks the generated file against the spec).
 *
 * A rule's text changes level at its markers: `(SHOULD) …` runs to the next marker, an inline
 * `(SHOULD: …)` holds for its parenthesis only. Bullets without a rule and level (the sections
 * "Deployment data and routing", "Test control") and O12 state no level: at most SHOULD.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Level } from "./registry.js";
import { sha256 } from "./spec-sync-folder.js";

export interface ContractSentence {
  /** The rule the sentence belongs to (T1…O12), or null outside the rules. */
  rule: string | null;
  /** The level a marker gives it; null: the file states none (at most SHOULD). */
  level: Level | null;
  /** The section heading it is under. */
  section: string;
  text: string;
}

export interface ContractSentencesFile {
  $comment: string;
  /** sha256 of interpretation.md as read. */
  sourceHash: string;
  sentences: ContractSentence[];
}

export const CONTRACT_SENTENCES_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "generated",
  "contract-sentences.json",
);

const RANK: Record<Level, number> = { MAY: 0, SHOULD: 1, MUST: 2 };

/** The strongest level a requirement from this sentence may have. */
export function ceilingOf(s: Pick<ContractSentence, "level">): Level {
  return s.level ?? "SHOULD";
}

/** Whether `level` is at most `ceiling` (MAY < SHOULD < MUST). */
export function atMost(level: Level, ceiling: Level): boolean {
  return RANK[level] <= RANK[ceiling];
}

/** Whitespace folded: a quote may break lines anywhere. */
export function fold(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Sentences of a run of text: each ends at ". " before a capital, a backtick or a parenthesis ("e.g." is no end). */
function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=(?<!\be\.g)\.)\s+(?=[A-Z`(])/)
    .map((t) => t.trim())
    .filter((t) => /[A-Za-z]/.test(t));
}

/** Splits a rule's text at its level markers into runs, each with its level. */
function runsOf(text: string, start: Level | null): Array<{ level: Level | null; text: string }> {
  const out: Array<{ level: Level | null; text: string }> = [];
  let level = start;
  let rest = text;
  const marker = /\((MUST|SHOULD|MAY)(?:: ([^)]*))?\)/;
  for (;;) {
    const m = marker.exec(rest);
    if (!m) break;
    if (m.index > 0) out.push({ level, text: rest.slice(0, m.index) });
    if (m[2] !== undefined)
      out.push({ level: m[1] as Level, text: m[2] }); // inline: its parenthesis only
    else level = m[1] as Level;
    rest = rest.slice(m.index + m[0].length);
  }
  if (rest.trim()) out.push({ level, text: rest });
  return out;
}

export function parseContractSentences(markdown: string): ContractSentence[] {
  const out: ContractSentence[] = [];
  let section = "";
  const bullets: Array<{ section: string; text: string }> = [];
  // Bullets (continued by indented lines) and paragraphs (runs of other lines) alike.
  let paragraph = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("#")) {
      if (line.startsWith("## ")) section = line.slice(3).trim();
      paragraph = false;
    } else if (line.startsWith("- ")) {
      bullets.push({ section, text: line.slice(2) });
      paragraph = false;
    } else if (line.startsWith("  ") && bullets.length && line.trim() && !paragraph)
      bullets[bullets.length - 1].text += ` ${line.trim()}`;
    else if (!line.trim()) paragraph = false;
    else if (paragraph) bullets[bullets.length - 1].text += ` ${line.trim()}`;
    else {
      bullets.push({ section, text: line.trim() });
      paragraph = true;
    }
  }
  for (const b of bullets) {
    const text = fold(b.text);
    const rule = /^([TRNO]\d+) (?:\((MUST|SHOULD|MAY)\) )?(.*)$/.exec(text);
    const runs = rule ? runsOf(rule[3], (rule[2] as Level | undefined) ?? null) : runsOf(text, null);
    for (const run of runs)
      for (const sentence of sentencesOf(fold(run.text)))
        out.push({ rule: rule ? rule[1] : null, level: run.level, section: b.section, text: sentence });
  }
  return out;
}

export function hashOf(text: string): string {
  return sha256(text);
}

/** The generated file's text for an interpretation.md (`npm run samples` reads the spec folder's). */
export function contractSentencesFileText(markdown: string): string {
  const doc: ContractSentencesFile = {
    $comment: "GENERATED by `npm run samples` from the spec folder's interpretation.md — do not edit.",
    sourceHash: hashOf(markdown),
    sentences: parseContractSentences(markdown),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** The committed sentences (tests read these, not ../shared). */
export function committedSentences(): ContractSentencesFile {
  return JSON.parse(readFileSync(CONTRACT_SENTENCES_PATH, "utf8")) as ContractSentencesFile;
}

/**
 * The sentences a quoted source comes from, and the level a requirement from it may have at most:
 * the weakest ceiling among the sentences that contain the quote (a quote must not borrow a
 * stronger sentence's level).
 */
export function sourceCeiling(
  source: string,
  sentences: readonly ContractSentence[],
): { found: ContractSentence[]; ceiling?: Level } {
  const quote = fold(source);
  const found = sentences.filter((s) => s.text.includes(quote));
  if (found.length === 0) return { found };
  const ceiling = found.map(ceilingOf).reduce((a, b) => (RANK[a] <= RANK[b] ? a : b));
  return { found, ceiling };
}
