/**
 * The Allure report by requirement. allure-vitest writes one raw result per scenario (its steps,
 * a line per HTTP exchange and notification, and all of them in one attachment: allure-bridge.ts); a scenario judges several requirements and a
 * requirement is judged by several scenarios, so the command turns them, after the run, into ONE
 * Allure test per requirement of the registry (docs/decisions.md, "Allure by requirement"):
 *   - status from the requirement's verdict: FAIL → failed (red), ERROR → broken, SKIP and
 *     NOT_TESTABLE → skipped with the reason, PASS → passed, WARN → passed with the tag and
 *     category "SHOULD warning" (Allure has no warning status; a warning never fails a run);
 *     a FAIL the expected-failures baseline lists is failed with an "accepted" resolution
 *     carrying the baseline's reason;
 *   - labels epic = area, feature = rule, story = requirement ID; the report's tree groups by
 *     epic and feature, so a requirement is two clicks from the top (area → rule → requirement);
 *   - the description holds the requirement's text, a link leads to its row in certificate.html;
 *   - one step per scenario that judged it, with the requirement's status in that scenario, its
 *     checks of the requirement, and the scenario's own steps and its attachment (one file per
 *     place it stands: Allure shows a file linked twice as "missed").
 * Allure's counts then are the summary's counts: passed = PASS + WARN, failed = FAIL, broken =
 * ERROR, skipped = SKIP + NOT_TESTABLE.
 *
 * Layout of allure-results/: the raw scenario results move to allure-results/scenarios/ (Allure
 * reads only the folder's own files; merge reads them there), the attachments stay, and the
 * per-requirement results are written beside them.
 */
import { createHash, randomUUID } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { extname, join } from "node:path";
import { SCENARIO_LABEL } from "../harness/allure-bridge.js";
import type { CheckRecord } from "../harness/checks.js";
import type { RunResults, ScenarioResult } from "./results.js";
import { declares, type RequirementVerdict, type Status, type Verdicts } from "./verdicts.js";
import type { TranscriptEntry } from "../harness/transcript.js";
import { type EntryIndex, indexEntries, ruleTitles, whatBrokeItStep, withBodies } from "./allure-evidence.js";
import { type Reproduction, type ReproduceSettings, reproduce } from "./reproduce.js";

export const SCENARIOS_SUBDIR = "scenarios";
const API = "GWS Interactions On E-mail Channel";

type AllureStatus = "passed" | "failed" | "broken" | "skipped";

interface AllureAttachment {
  name: string;
  source: string;
  type: string;
}
export interface AllureStep {
  name: string;
  status?: AllureStatus;
  statusDetails?: { message?: string; trace?: string };
  stage?: string;
  start?: number;
  stop?: number;
  steps: AllureStep[];
  attachments: AllureAttachment[];
  parameters: Array<{ name: string; value: string }>;
}
interface AllureResult extends AllureStep {
  uuid: string;
  historyId?: string;
  testCaseId?: string;
  fullName?: string;
  description?: string;
  labels: Array<{ name: string; value: string }>;
  links: Array<{ name?: string; url: string; type?: string }>;
}

const isRawResult = (name: string): boolean => name.endsWith("-result.json") || name.endsWith("-container.json");
const md5 = (s: string): string => createHash("md5").update(s).digest("hex");
/** The Allure test case id of a requirement (stable across runs: Allure's history follows it). */
export const requirementTestCaseId = (id: string): string => md5(`gws-email-conformance/requirement/${id}`);
/** The uuid of a requirement's result file: fixed per requirement, so other reports can link to its test. */
export const requirementUuid = (id: string): string =>
  md5(`gws-email-conformance/result/${id}`).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
/**
 * The link from the run's folder to a requirement's test in the Allure report: Allure 3 names a
 * test result md5(its uuid) (@allurereport/core, store/convert.js) and routes `#/<test result id>`.
 */
export const allureTestHref = (id: string): string => `allure-report/index.html#/${md5(requirementUuid(id))}`;

/** Moves the raw per-scenario results allure-vitest wrote to allure-results/scenarios/ (kept for merge). */
export function setAsideScenarioResults(resultsDir: string): void {
  if (!existsSync(resultsDir)) return;
  const target = join(resultsDir, SCENARIOS_SUBDIR);
  mkdirSync(target, { recursive: true });
  for (const f of readdirSync(resultsDir, { withFileTypes: true }))
    if (f.isFile() && isRawResult(f.name)) renameSync(join(resultsDir, f.name), join(target, f.name));
}

/**
 * Copies a run's raw Allure material (attachments, scenarios/) into a merged results folder;
 * its per-requirement results are not copied (merge makes them again from the merged verdicts).
 */
export function copyRawResults(fromDir: string, toDir: string): void {
  if (!existsSync(fromDir)) return;
  mkdirSync(join(toDir, SCENARIOS_SUBDIR), { recursive: true });
  for (const f of readdirSync(fromDir, { withFileTypes: true })) {
    // Allure names every file by a UUID: the runs' sets do not collide.
    if (f.isFile() && !isRawResult(f.name)) copyFileSync(join(fromDir, f.name), join(toDir, f.name));
  }
  const scenarios = join(fromDir, SCENARIOS_SUBDIR);
  if (existsSync(scenarios))
    for (const f of readdirSync(scenarios)) copyFileSync(join(scenarios, f), join(toDir, SCENARIOS_SUBDIR, f));
}

/** The raw scenario results of a folder, by the scenario's vitest id. */
function readScenarioResults(resultsDir: string): Map<string, AllureResult> {
  const out = new Map<string, AllureResult>();
  const dir = join(resultsDir, SCENARIOS_SUBDIR);
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith("-result.json")) continue;
    const raw = JSON.parse(readFileSync(join(dir, f), "utf8")) as AllureResult;
    const id = raw.labels?.find((l) => l.name === SCENARIO_LABEL)?.value;
    if (id) out.set(id, raw);
  }
  return out;
}

export const ALLURE_STATUS: Record<Status, AllureStatus> = {
  PASS: "passed",
  WARN: "passed",
  FAIL: "failed",
  ERROR: "broken",
  SKIP: "skipped",
  NOT_TESTABLE: "skipped",
};
const SEVERITY = { MUST: "critical", SHOULD: "normal", MAY: "trivial" } as const;
/** The "verdict" label: what the categories of the report match on. */
const verdictLabel = (v: RequirementVerdict): string => (v.expectedFailure ? `${v.status} (expected)` : v.status);

function checkStep(c: CheckRecord): AllureStep {
  const status: AllureStatus = c.passed ? "passed" : "failed";
  const mark = c.passed ? "✓" : c.level === "MUST" ? "✗ FAIL" : "⚠ WARN";
  return {
    name: `${mark} ${c.requirement} (${c.level}): ${c.message}`.slice(0, 400),
    status,
    ...(c.passed ? {} : { statusDetails: { message: c.message } }),
    stage: "finished",
    start: c.at,
    stop: c.at,
    steps: [],
    attachments: [],
    parameters: c.measuredMs !== undefined ? [{ name: "measured", value: `${c.measuredMs} ms` }] : [],
  };
}

/** What one scenario says about one requirement, as an Allure step holding the scenario's own steps. */
function scenarioStep(
  v: RequirementVerdict,
  sc: ScenarioResult,
  raw: AllureResult | undefined,
  ev?: { index: EntryIndex; offending?: Reproduction },
): AllureStep {
  const m = sc.meta;
  const own = m?.checks.filter((c) => c.requirement === v.id) ?? [];
  let status: AllureStatus;
  let message: string | undefined;
  if (sc.state === "skipped" || m?.skipped) [status, message] = ["skipped", m?.skipped ?? "skipped"];
  else if (own.some((c) => !c.passed && c.level === "MUST"))
    [status, message] = [
      "failed",
      own
        .filter((c) => !c.passed)
        .map((c) => c.message)
        .join("\n"),
    ];
  else if (own.length)
    [status, message] = ["passed", undefined]; // a SHOULD warning shows on its check step
  else if (m?.error)
    [status, message] = [
      "broken",
      `${m.error.prerequisite ? `prerequisite "${m.error.prerequisite}": ` : ""}${m.error.message}`,
    ];
  else if (m?.stoppedBy) [status, message] = ["skipped", `not reached: the scenario stopped at ${m.stoppedBy}`];
  else [status, message] = ["broken", sc.errors[0] ?? "the scenario did not judge it"];
  const start = raw?.start ?? sc.startedAt;
  // The scenario's own steps, as allure-vitest recorded them; the folder's status is the worst of
  // theirs (the raw test's status is vitest's: a MUST failure ends it "broken").
  // Under what did not pass, each exchange carries its bodies and the one that broke it is marked.
  const rawSteps = ev ? withBodies(raw?.steps ?? [], sc.name, ev.index, ev.offending) : (raw?.steps ?? []);
  const worst =
    (["failed", "broken", "passed"] as const).find((x) => rawSteps.some((st) => st.status === x)) ?? "passed";
  // Its steps go under the requirements it sets out to judge and under any it found a problem
  // with; elsewhere (checks every scenario makes in passing, R2 or N1 on every answer) the
  // checks alone, which keeps the report small (each scenario's steps are not copied ~20 times).
  const withSteps = raw && (declares(sc, v.id) || status !== "passed" || own.some((c) => !c.passed));
  const scenarioSteps: AllureStep[] = withSteps
    ? [
        {
          name: "the scenario's steps",
          status: worst,
          stage: "finished",
          start: raw.start,
          stop: raw.stop,
          steps: rawSteps,
          attachments: raw.attachments ?? [],
          parameters: [],
        },
      ]
    : [];
  const elsewhere =
    raw && !withSteps ? [{ name: "its steps are under", value: (m?.requirements ?? []).join(", ") }] : [];
  return {
    name: `scenario: ${sc.name}`,
    status,
    ...(message ? { statusDetails: { message } } : {}),
    stage: "finished",
    ...(start !== undefined ? { start, stop: raw?.stop ?? start + sc.durationMs } : {}),
    steps: [...own.map(checkStep), ...scenarioSteps],
    attachments: [],
    parameters: elsewhere,
  };
}

/** The test's title: the ID and the requirement's text; a warning says so (the report's tree shows no tags). */
function title(v: RequirementVerdict): string {
  return `${v.id}${v.status === "WARN" ? " ⚠ SHOULD warning" : ""} — ${v.text}`.slice(0, 220);
}

function requirementResult(
  v: RequirementVerdict,
  scenarios: ScenarioResult[],
  raws: Map<string, AllureResult>,
  runStart: number,
  ctx: { order: number; ruleTitle?: string; evidence?: RequirementEvidence },
): AllureResult {
  const ev = ctx.evidence;
  const steps = scenarios.map((sc) =>
    scenarioStep(v, sc, sc.id ? raws.get(sc.id) : undefined, ev && { index: ev.index, offending: ev.reproduction }),
  );
  // A requirement no scenario ran for took no time (rather than Allure's "unknown").
  const starts = steps.map((s) => s.start).filter((x): x is number => x !== undefined);
  const stops = steps.map((s) => s.stop).filter((x): x is number => x !== undefined);
  if (starts.length === 0) starts.push(runStart);
  const tags = [
    v.level,
    ...(v.status === "WARN" ? ["SHOULD warning"] : []),
    ...(v.expectedFailure ? ["expected failure"] : []),
    ...(v.status === "NOT_TESTABLE" ? ["not testable"] : []),
  ];
  if (ev?.reproduction)
    steps.unshift(
      whatBrokeItStep(
        v.status === "ERROR" ? "broken" : v.status === "FAIL" ? "failed" : "passed",
        ev.reproduction,
        ev.index,
        ev.resultsDir,
        Math.min(...starts),
      ),
    );
  const message =
    v.status === "NOT_TESTABLE"
      ? `not testable: ${v.message}`
      : v.status === "WARN"
        ? `SHOULD warning (does not fail conformance): ${v.message}`
        : v.message;
  // Skipped (SKIP, NOT_TESTABLE): the reason leads the description, not an error box.
  const skipped = v.status === "SKIP" || v.status === "NOT_TESTABLE";
  const description = [
    ...(skipped
      ? [`**${v.status === "SKIP" ? "Skipped" : "Not testable"}**: ${v.message.replace(/\n/g, "; ")}`, ""]
      : []),
    `**${v.id}** — rule ${v.rule}, ${v.level}, area ${v.area}`,
    "",
    `> ${v.text}`,
    "",
    `Verdict: **${verdictLabel(v)}**${v.status === "PASS" ? "" : ` — ${message.replace(/\n/g, "; ")}`}`,
    ...(v.expectedFailure
      ? [
          "",
          `Expected by the baseline: ${v.expectedFailure} ` +
            "(a failure of the target all the same; it does not fail the CI gate).",
        ]
      : []),
    ...(v.measuredMs !== undefined ? ["", `Largest measured figure: ${v.measuredMs} ms.`] : []),
    "",
    v.tests.length
      ? `Judged by ${v.tests.length} scenario(s); each step below is one of them.`
      : "No scenario judged it.",
  ].join("\n");
  return {
    uuid: requirementUuid(v.id),
    name: title(v),
    // Allure orders the tree by start time: the requirements start in registry order (1 ms apart),
    // so areas and rules read as the registry does; the duration is the scenarios' span.
    fullName: `gws-email-conformance/requirement/${v.id}`,
    historyId: requirementTestCaseId(v.id),
    testCaseId: requirementTestCaseId(v.id),
    status: ALLURE_STATUS[v.status],
    statusDetails: v.status === "PASS" || skipped ? {} : { message },
    stage: "finished",
    start: runStart + ctx.order,
    stop: runStart + ctx.order + Math.max(0, Math.max(...stops, ...starts) - Math.min(...starts)),
    description,
    labels: [
      { name: "epic", value: v.area },
      { name: "feature", value: ctx.ruleTitle ?? v.rule },
      { name: "story", value: v.id },
      { name: "severity", value: SEVERITY[v.level] },
      { name: "verdict", value: verdictLabel(v) },
      { name: "level", value: v.level },
      ...tags.map((value) => ({ name: "tag", value })),
    ],
    links: [
      {
        name: `${v.id}: requirement text and status (certificate.html)`,
        url: `../certificate.html#${encodeURIComponent(v.id)}`,
      },
    ],
    steps,
    attachments: [],
    parameters: [],
  };
}

/**
 * Writes one Allure result per requirement of the registry into `resultsDir` (replacing any
 * written before), from the run's verdicts and the raw scenario results in its scenarios/ folder.
 * Returns how many were written.
 */
export function writeRequirementResults(
  resultsDir: string,
  run: Pick<RunResults, "scenarios" | "startedAt"> & { settings?: ReproduceSettings },
  verdicts: Pick<Verdicts, "requirements">,
  transcript?: readonly TranscriptEntry[],
): number {
  mkdirSync(resultsDir, { recursive: true });
  for (const f of readdirSync(resultsDir, { withFileTypes: true }))
    if (f.isFile() && isRawResult(f.name)) rmSync(join(resultsDir, f.name));
  const raws = readScenarioResults(resultsDir);
  const byName = new Map(run.scenarios.map((s) => [s.name, s]));
  const attached = new Set<string>();
  const titles = ruleTitles(run.scenarios.map((s) => s.name));
  const index = transcript ? indexEntries(transcript) : undefined;
  for (const [order, v] of verdicts.requirements.entries()) {
    const scenarios = v.tests.map((t) => byName.get(t)).filter((s): s is ScenarioResult => !!s);
    const evidence: RequirementEvidence | undefined =
      transcript && index && (v.status === "FAIL" || v.status === "WARN" || v.status === "ERROR")
        ? { index, resultsDir, reproduction: reproduce(v, transcript, run.settings) }
        : undefined;
    const result = requirementResult(v, scenarios, raws, Date.parse(run.startedAt) || 0, {
      order,
      ruleTitle: titles.get(v.rule),
      evidence,
    });
    result.steps = result.steps.map((s) => withOwnAttachments(s, resultsDir, attached));
    writeFileSync(join(resultsDir, `${result.uuid}-result.json`), JSON.stringify(result));
  }
  return verdicts.requirements.length;
}

/** What a FAIL, WARN or ERROR shows of its evidence (allure-evidence.ts). */
interface RequirementEvidence {
  index: EntryIndex;
  resultsDir: string;
  reproduction: Reproduction;
}

/**
 * The step with every attachment file its own: Allure links an attachment file to one place only
 * (a second reference shows "missed"), and a scenario's steps stand under each requirement it sets
 * out to judge — so the second and later uses get a copy of the file. `attached`: the files used so far.
 */
function withOwnAttachments(step: AllureStep, resultsDir: string, attached: Set<string>): AllureStep {
  // Raw steps as allure-vitest wrote them may lack either list (a logged line has neither).
  const attachments = (step.attachments ?? []).map((a) => {
    if (!attached.has(a.source)) {
      attached.add(a.source);
      return a;
    }
    const source = `${randomUUID()}-attachment${extname(a.source)}`;
    const from = join(resultsDir, a.source);
    if (existsSync(from)) copyFileSync(from, join(resultsDir, source));
    attached.add(source);
    return { ...a, source };
  });
  const steps = (step.steps ?? []).map((s) => withOwnAttachments(s, resultsDir, attached));
  return { ...step, attachments, steps };
}

/**
 * The Allure configuration of the report: the tree grouped by area and rule, categories that
 * list MUST failures, expected failures, SHOULD warnings and errors apart, and the baseline's
 * reason as an "accepted" resolution on each expected failure.
 */
export function allureReportConfig(
  verdicts: Pick<Verdicts, "requirements" | "verdict" | "gate">,
  name: string,
): Record<string, unknown> {
  const expected = verdicts.requirements.filter((r) => r.expectedFailure && r.status === "FAIL");
  return {
    name,
    categories: [
      {
        name: "MUST failures",
        matchers: { statuses: ["failed"], labels: { verdict: "^FAIL$" } },
        groupByMessage: false,
        expand: true,
      },
      {
        name: "MUST failures expected by the baseline",
        matchers: { labels: { verdict: "^FAIL \\(expected\\)$" } },
        groupByMessage: false,
      },
      {
        name: "SHOULD warnings (do not fail conformance)",
        matchers: { labels: { verdict: "^WARN" } },
        groupByMessage: false,
        expand: true,
      },
      { name: "Not judged: errors", matchers: { statuses: ["broken"] }, groupByMessage: true },
    ],
    ...(expected.length
      ? {
          resolutions: {
            rules: expected.map((r) => ({
              resolution: "accepted",
              comment: `expected failure (baseline): ${r.expectedFailure}`,
              testCaseId: [requirementTestCaseId(r.id)],
            })),
          },
        }
      : {}),
    plugins: { awesome: { options: { singleFile: true, reportName: name, groupBy: ["epic", "feature"] } } },
  };
}

/** The report's title: the API, the target and the verdict. */
export function allureReportName(target: string, verdict: string): string {
  return `${API}: ${target} — ${verdict}`;
}
