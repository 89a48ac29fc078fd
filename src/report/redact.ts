/**
 * Redaction of whole output trees (allure-results/ before the HTML report is built), the last
 * line of defence behind the harness's own redaction (src/harness/transcript.ts): passwords and
 * Basic tokens never reach a file under --out. Secrets are also matched in their JSON-escaped
 * form, since a password with a quote or a backslash is written escaped in JSON files.
 */
import { type Dirent, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REDACTED } from "../harness/transcript.js";

/** Every form a secret may take in a text file: as is, and JSON-escaped. Longest first. */
export function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s.length < 3) continue;
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

export function redactWith(text: string, forms: readonly string[]): string {
  let t = text;
  for (const f of forms) if (t.includes(f)) t = t.split(f).join(REDACTED);
  return t;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Rewrites every text file under `dir` that holds a secret. Returns the files changed. Binary files are left alone. */
export function redactTree(dir: string, secrets: readonly string[]): string[] {
  const forms = secretForms(secrets);
  const changed: string[] = [];
  if (forms.length === 0) return changed;
  const walk = (d: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) {
        walk(path);
        continue;
      }
      let text: string;
      try {
        text = utf8.decode(readFileSync(path));
      } catch {
        continue; // not UTF-8 text: the harness attaches JSON only
      }
      const red = redactWith(text, forms);
      if (red !== text) {
        writeFileSync(path, red);
        changed.push(path);
      }
    }
  };
  walk(dir);
  return changed;
}
