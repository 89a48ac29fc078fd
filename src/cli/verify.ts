/**
 * `gws-conformance verify DIR`: does the certificate in DIR match its transcript and the contract
 * of the installed suite? It recomputes, from the files alone:
 *   - the transcript's SHA-256 (transcript.jsonl) against the one the summary and certificates carry;
 *   - the contract's hashes (every file under the installed suite's schemas/, requirements.json)
 *     against the ones that judged the run, naming each file that differs;
 *   - certificate.md and certificate.html against what summary.json renders (byte for byte);
 *   - the verdict against the requirement statuses it was computed from;
 *   - each PASS, FAIL and WARN requirement against the check records of the transcript;
 *   - results.json, junit.xml, allure-results/, allure-report/ and load.json (verify-reports.ts),
 *     naming what it cannot recompute (NOT_COVERED).
 * Exit 0: everything matches; 1: a mismatch, each named; 2: bad usage (no such folder, no summary).
 * Hashes detect a changed file; they are not a signature (docs/decisions.md).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { contractValidator, formatViolations } from "../contract/validators.js";
import { renderCertificate, renderCertificateHtml } from "../report/certificate.js";
import { contractDifferences, contractFingerprint, fileSha256 } from "../report/fingerprint.js";
import { suiteVersion, type ConformanceSummary } from "../report/summary.js";
import { readTranscript, type TranscriptEntry } from "../report/transcript-io.js";
import { verdictFromStatuses } from "../report/verdicts.js";
import { parseFlags, reportCliError, UsageError, type CliIo } from "./command-line.js";
import { NOT_COVERED, verifyAllure, verifyJunit, verifyLoad } from "./verify-reports.js";

export const VERIFY_USAGE = `usage: gws-conformance verify DIR

Checks that the certificate of a run (DIR: the run's --out folder, or a folder holding its
summary.json, certificate.md and/or certificate.html, and transcript.jsonl) matches its
transcript and the contract of the installed suite: it recomputes the SHA-256 of the transcript
and of every file under schemas/, re-renders the certificates from summary.json, recomputes the
verdict from the requirement statuses and compares each PASS, FAIL and WARN with the checks the
transcript records. The reports beside it: results.json gives the summary's statuses, junit.xml
is exactly what results.json and summary.json render, allure-results/ holds one result per
requirement with the summary's status, and allure-report/ carries the summary's verdict in its
title and its counts and statuses; a load run's load.json follows from its objectives and
load.html from load.json. What it cannot recompute is named ("not covered").

Exit codes: 0 everything matches, 1 a mismatch (each one named), 2 bad usage.`;

export interface VerifyCheck {
  name: string;
  ok: boolean;
  message: string;
}

const short = (h: string | undefined): string => (h ? `${h.slice(0, 12)}…` : "none");

/** The first line where two texts differ, for a readable mismatch. */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split("\n");
  const e = expected.split("\n");
  const quote = (line: string | undefined): string => JSON.stringify((line ?? "(end of file)").slice(0, 120));
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) return `line ${i + 1}: has ${quote(a[i])}, the summary says ${quote(e[i])}`;
  }
  return "same lines, different bytes";
}

/** Every requirement's check records in a transcript: how many passed, failed MUST, failed SHOULD. */
type CheckCounts = { passed: number; mustFailed: number; shouldFailed: number };

/** The transcript's checks counted per requirement, or why the transcript cannot be read (the line). */
function transcriptChecks(path: string): Map<string, CheckCounts> | string {
  let entries: TranscriptEntry[];
  try {
    entries = readTranscript(path);
  } catch (e) {
    return (e as Error).message;
  }
  const out = new Map<string, CheckCounts>();
  for (const e of entries) {
    if (e.kind !== "check") continue;
    const c = out.get(e.requirement) ?? { passed: 0, mustFailed: 0, shouldFailed: 0 };
    if (e.passed) c.passed++;
    else if (e.level === "MUST") c.mustFailed++;
    else c.shouldFailed++;
    out.set(e.requirement, c);
  }
  return out;
}

/** A status the transcript's checks cannot have produced, or undefined when they agree. */
function disagreement(status: string, c: CheckCounts | undefined): string | undefined {
  const n = c ?? { passed: 0, mustFailed: 0, shouldFailed: 0 };
  if (status === "PASS" && (n.passed === 0 || n.mustFailed || n.shouldFailed))
    return `PASS, but the transcript has ${n.passed} passed and ${n.mustFailed + n.shouldFailed} failed check(s)`;
  if (status === "FAIL" && n.mustFailed === 0) return "FAIL, but the transcript has no failed MUST check";
  if (status === "WARN" && (n.shouldFailed === 0 || n.mustFailed))
    return `WARN, but the transcript has ${n.shouldFailed} failed SHOULD and ${n.mustFailed} failed MUST check(s)`;
  return undefined;
}

/** Verifies the run in `dir` against the contract in `schemasDir` (default: the installed suite's). */
export function verifyRun(
  dir: string,
  opts: { schemasDir?: string } = {},
): { summary: ConformanceSummary; checks: VerifyCheck[] } {
  const summaryPath = join(dir, "summary.json");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`no such folder ${dir}`);
  if (!existsSync(summaryPath)) throw new UsageError(`${dir} has no summary.json (is it a run's --out folder?)`);
  let summary: ConformanceSummary;
  try {
    summary = JSON.parse(readFileSync(summaryPath, "utf8")) as ConformanceSummary;
  } catch (e) {
    throw new UsageError(`${summaryPath} is not JSON: ${(e as Error).message}`);
  }
  const checks: VerifyCheck[] = [];
  const add = (name: string, ok: boolean, message: string): void => void checks.push({ name, ok, message });

  const shape = contractValidator().validate("reports/summary.schema.json", summary);
  add(
    "summary.json",
    shape.ok,
    shape.ok ? "a summary of this suite's schema" : `not a valid summary:\n${formatViolations(shape.violations)}`,
  );
  if (!shape.ok) return { summary, checks };

  // The transcript.
  const transcriptPath = join(dir, "transcript.jsonl");
  const transcriptHash = fileSha256(transcriptPath);
  if (!summary.transcriptSha256) add("transcript.jsonl", false, "the summary records no transcript hash");
  else if (!transcriptHash)
    add("transcript.jsonl", false, `missing (the certificate names transcript ${short(summary.transcriptSha256)})`);
  else if (transcriptHash !== summary.transcriptSha256)
    add(
      "transcript.jsonl",
      false,
      `sha256 ${short(transcriptHash)}, the certificate names ${short(summary.transcriptSha256)}: ` +
        "the transcript was changed or is another run's",
    );
  else add("transcript.jsonl", true, `sha256 ${short(transcriptHash)} as the certificate names`);

  // The contract of the installed suite.
  const installed = contractFingerprint(opts.schemasDir);
  const recorded = summary.contract;
  if (
    installed.schemasSha256 === recorded.schemasSha256 &&
    installed.requirementsSha256 === recorded.requirementsSha256
  ) {
    add(
      "contract",
      true,
      `schemas/ ${short(installed.schemasSha256)} and requirements.json ${short(installed.requirementsSha256)}: ` +
        "the installed suite's contract judged this run",
    );
  } else {
    const files = contractDifferences(recorded, installed);
    add(
      "contract",
      false,
      "the installed suite's contract differs from the one that judged the run " +
        `(schemas/ ${short(installed.schemasSha256)} vs ${short(recorded.schemasSha256)}` +
        `${installed.requirementsSha256 === recorded.requirementsSha256 ? "" : "; requirements.json differs"}): ` +
        (files.join(", ") || "the file list is the same, the listing hash is not"),
    );
  }

  // The certificates: exactly what the summary renders.
  const versionNote =
    summary.suiteVersion === suiteVersion()
      ? ""
      : ` (rendered by suite ${summary.suiteVersion}, installed ${suiteVersion()}: the renderer may differ)`;
  const certificates: Array<[string, (s: ConformanceSummary) => string]> = [
    ["certificate.md", renderCertificate],
    ["certificate.html", renderCertificateHtml],
  ];
  const present = certificates.filter(([name]) => existsSync(join(dir, name)));
  if (present.length === 0) add("certificate", false, "neither certificate.md nor certificate.html is in the folder");
  for (const [name, render] of present) {
    const actual = readFileSync(join(dir, name), "utf8");
    const expected = render(summary);
    add(
      name,
      actual === expected,
      actual === expected
        ? `states exactly what summary.json says (verdict ${summary.verdict})`
        : `differs from what summary.json says: ${firstDifference(actual, expected)}${versionNote}`,
    );
  }

  // The verdict against the statuses it comes from.
  const recomputed = verdictFromStatuses(summary.requirements, summary.runErrors);
  add(
    "verdict",
    recomputed === summary.verdict,
    recomputed === summary.verdict
      ? `${summary.verdict} follows from the requirement statuses`
      : `the summary says ${summary.verdict}, its requirement statuses give ${recomputed}`,
  );

  // Each judged requirement against the transcript's checks.
  const byReq = transcriptHash ? transcriptChecks(transcriptPath) : undefined;
  if (typeof byReq === "string") add("statuses", false, `the transcript cannot be read: ${byReq}`);
  else if (byReq) {
    const wrong = summary.requirements
      .map((r) => ({ id: r.id, why: disagreement(r.status, byReq.get(r.id)) }))
      .filter((x) => x.why);
    add(
      "statuses",
      wrong.length === 0,
      wrong.length === 0
        ? "every PASS, FAIL and WARN agrees with the transcript's checks"
        : wrong
            .slice(0, 10)
            .map((w) => `${w.id}: ${w.why}`)
            .join("; ") + (wrong.length > 10 ? ` (+${wrong.length - 10} more)` : ""),
    );
  }
  // The other report files: recomputed where they can be (src/cli/verify-reports.ts).
  checks.push(...verifyJunit(dir, summary), ...verifyAllure(dir, summary), ...verifyLoad(dir));
  return { summary, checks };
}

export function verifyCommand(argv: string[], io: CliIo): number {
  try {
    const { flags, positionals } = parseFlags(argv, { help: { type: "boolean", short: "h" } }, { positionals: true });
    if (flags.help) {
      io.out(VERIFY_USAGE);
      return 0;
    }
    if (positionals.length !== 1)
      throw new UsageError(
        positionals.length === 0 ? "name the run's folder (gws-conformance verify DIR)" : "one folder at a time",
      );
    const dir = resolve(positionals[0]);
    // A load run's folder has load.json and no summary: its own checks only.
    const loadOnly = !existsSync(join(dir, "summary.json")) && existsSync(join(dir, "load.json"));
    const { summary, checks } = loadOnly ? { summary: undefined, checks: verifyLoad(dir) } : verifyRun(dir);
    io.out(`gws-conformance verify ${dir}`);
    for (const c of checks) io.out(`  ${(c.ok ? "ok" : "MISMATCH").padEnd(8)} ${c.name}: ${c.message}`);
    if (!loadOnly) for (const n of NOT_COVERED) io.out(`  ${"-".padEnd(8)} not covered: ${n}`);
    const bad = checks.filter((c) => !c.ok);
    if (bad.length) {
      io.out(`verify: MISMATCH — ${bad.map((c) => c.name).join(", ")} ${bad.length === 1 ? "does" : "do"} not match`);
      return 1;
    }
    io.out(
      summary
        ? `verify: the certificate (verdict ${summary.verdict}) and the reports beside it match its transcript and the installed suite's contract`
        : "verify: load.json and load.html hold together",
    );
    return 0;
  } catch (e) {
    return reportCliError(io, "gws-conformance: verify", e, "(see verify --help)");
  }
}
