/**
 * The evidence in the Allure report (issue 18, items 2 and 3), added to the per-requirement results
 * of allure-requirements.ts:
 *   - for a FAIL, WARN or ERROR, a first step "⚑ what broke it" naming the transcript entry that
 *     broke the requirement (reproduce.ts: the same entry the certificate names), with that entry
 *     in full (request and answer, or the notification's body) and the reproduction (curl
 *     commands and the rerun) as attachments;
 *   - in the scenario steps under such a requirement, every HTTP step carries its request and
 *     answer bodies and every notification step its body (redacted: the transcript is), as step
 *     parameters, and the step of the offending entry is marked "⚑" and failed;
 *   - rule titles ("O3 Reply") for the report's tree, from the suites' own describe titles.
 * Steps are matched to transcript entries by the "· seq N" their titles end with (allure-bridge.ts).
 */
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TranscriptEntry } from "../harness/transcript.js";
import type { AllureStep } from "./allure-requirements.js";
import { entryLine, type Reproduction } from "./reproduce.js";

/** The entries of the run by scenario, then by seq (one scenario runs in one worker). */
export type EntryIndex = Map<string, Map<number, TranscriptEntry>>;

export function indexEntries(entries: readonly TranscriptEntry[]): EntryIndex {
  const out: EntryIndex = new Map();
  for (const e of entries) {
    if (!e.scenario || e.kind === "check") continue;
    const bySeq = out.get(e.scenario) ?? new Map<number, TranscriptEntry>();
    out.set(e.scenario, bySeq);
    bySeq.set(e.seq, e);
  }
  return out;
}

/** "O3" → "O3 Reply": the describe title (second part of a scenario's name) that starts with the rule's ID. */
export function ruleTitles(scenarioNames: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of scenarioNames) {
    const describe = name.split(" > ")[1]?.trim();
    const rule = describe ? /^([A-Z]\d+)\s+\S/.exec(describe)?.[1] : undefined;
    // The shortest such title: "R3 refused requests" rather than "R3 refused requests in Invited".
    if (rule && describe && (!out.has(rule) || describe.length < (out.get(rule) ?? "").length)) out.set(rule, describe);
  }
  return out;
}

const SEQ_IN_TITLE = /· seq (\d+)$/;
const pretty = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v, null, 2));

function writeAttachment(resultsDir: string, ext: string, text: string): string {
  const source = `${randomUUID()}-attachment.${ext}`;
  writeFileSync(join(resultsDir, source), text);
  return source;
}

/** The parameters showing an entry's bodies in its step. */
function bodyParameters(e: TranscriptEntry): Array<{ name: string; value: string }> {
  if (e.kind === "http")
    return [
      ...(e.requestBody !== undefined ? [{ name: "request body", value: pretty(e.requestBody) }] : []),
      ...(e.responseBody !== undefined ? [{ name: "answer body", value: pretty(e.responseBody) }] : []),
      ...(e.error ? [{ name: "error", value: e.error }] : []),
    ];
  if (e.kind === "notification") return [{ name: "notification body", value: pretty(e.data) }];
  if (e.kind === "inject") return [{ name: "e-mail", value: pretty(e.email) }];
  return [];
}

/**
 * A scenario's raw steps with the bodies of their entries as parameters, and the offending
 * entry's step marked. `scenario`: the scenario's name; `offending`: the entry that broke the requirement.
 */
export function withBodies(
  steps: readonly AllureStep[],
  scenario: string,
  index: EntryIndex,
  offending: Reproduction | undefined,
): AllureStep[] {
  const bySeq = index.get(scenario);
  if (!bySeq) return [...steps];
  const mark = offending?.scenario === scenario ? offending.seq : undefined;
  return steps.map((step) => {
    const seq = Number(SEQ_IN_TITLE.exec(step.name ?? "")?.[1] ?? Number.NaN);
    const entry = Number.isNaN(seq) ? undefined : bySeq.get(seq);
    const inner = withBodies(step.steps ?? [], scenario, index, offending);
    if (!entry) return { ...step, steps: inner };
    const marked = seq === mark;
    return {
      ...step,
      name: marked ? `⚑ ${step.name}` : step.name,
      ...(marked ? { status: "failed" as const, statusDetails: { message: "this broke the requirement" } } : {}),
      steps: inner,
      parameters: [...(step.parameters ?? []), ...bodyParameters(entry)],
    };
  });
}

/** The first step of a FAIL, WARN or ERROR: the entry that broke it, in full, and how to reproduce it. */
export function whatBrokeItStep(
  status: "failed" | "broken" | "passed",
  r: Reproduction,
  index: EntryIndex,
  resultsDir: string,
  at: number,
): AllureStep {
  const entry = r.scenario !== undefined && r.seq !== undefined ? index.get(r.scenario)?.get(r.seq) : undefined;
  const script = [...r.curl, r.rerun].join("\n");
  return {
    name:
      r.seq !== undefined
        ? `⚑ what broke it: transcript.jsonl seq ${r.seq}${r.worker ? ` (worker ${r.worker})` : ""} — ${entry ? entryLine(entry) : (r.what ?? "")}`
        : "⚑ no exchange was recorded for it: judge it again with the command attached",
    status,
    statusDetails: { message: r.what ?? "" },
    stage: "finished",
    start: at,
    stop: at,
    steps: [],
    attachments: [
      ...(entry
        ? [
            {
              name: `the entry (seq ${r.seq})`,
              source: writeAttachment(resultsDir, "json", pretty(entry)),
              type: "application/json",
            },
          ]
        : []),
      {
        name: "reproduce (curl, then the rerun)",
        source: writeAttachment(resultsDir, "txt", `${script}\n`),
        type: "text/plain",
      },
    ],
    parameters: [
      ...(r.scenario ? [{ name: "scenario", value: r.scenario }] : []),
      ...(entry ? bodyParameters(entry) : []),
    ],
  };
}

// ------------------------------------------------------------------------------------------------
// The quality gate instead of the success ring (issue 18, item 3)

const escHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** What decides, as a static banner (no script): "MUST failures = 0" met or not, and the verdict. */
export function gateBannerHtml(v: {
  verdict: string;
  requirements: ReadonlyArray<{ id: string; level: string; status: string }>;
}): string {
  const failed = v.requirements.filter((r) => r.level === "MUST" && r.status === "FAIL").map((r) => r.id);
  const errors = v.requirements.filter((r) => r.status === "ERROR").length;
  const met = failed.length === 0;
  const gate = met
    ? `MUST failures = 0: met${errors ? ` (${errors} requirement(s) not judged: ERROR)` : ""}`
    : `MUST failures = 0: NOT met — ${failed.length} MUST failure(s): ${failed.join(", ")}`;
  return [
    `<div id="gws-gate" class="gws-gate ${met ? "met" : "not-met"}" data-verdict="${escHtml(v.verdict)}">`,
    `<strong>Quality gate</strong> ${escHtml(gate)} · <strong>Verdict: ${escHtml(v.verdict)}</strong>`,
    ` · <a href="../certificate.html">certificate</a>`,
    "</div>",
  ].join("");
}

/**
 * The banner above the report, and the success-rate ring of its header hidden (a percentage of
 * passed tests says nothing about conformance: one MUST failure decides). CSS only: the report's
 * classes are its build's (Allure 3.18: styles_chart__…), so a later Allure shows the ring again
 * rather than breaking; the browser test checks both.
 */
export function withGateBanner(html: string, banner: string): string {
  const style =
    "<style>.gws-gate{font:600 15px/1.4 system-ui,sans-serif;padding:10px 16px;margin:0;text-align:center}" +
    ".gws-gate.met{background:#e6f4ea;color:#1b6e20}.gws-gate.not-met{background:#fdecea;color:#b3261e}" +
    '.gws-gate a{color:inherit}[data-testid="report-header"] [class*="styles_chart__"]{display:none!important}</style>';
  if (html.includes('id="gws-gate"')) return html;
  return html.replace(/<\/head>/i, `${style}\n</head>`).replace(/<body([^>]*)>/i, `<body$1>\n${banner}`);
}
