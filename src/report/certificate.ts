/**
 * The certificate of a run, as certificate.md and as a self-contained certificate.html (one file,
 * no script, printable): what was tested (target, the settings it declared, date, suite version,
 * spec edition and the content hashes of the contract that judged it), the verdict in the title,
 * MUST failures (expected ones named as expected: they are still failures of the target) and
 * SHOULD warnings apart, the MUST requirements left unjudged and why, errors with the
 * prerequisite that broke, every requirement by area with its status, the requirements that are
 * not testable with the reason, and the fingerprints `gws-conformance verify` checks.
 *
 * Both files are rendered from summary.json alone and deterministically, so `verify` can tell
 * whether a certificate is exactly what its summary says. A PARTIAL or INCOMPLETE run's
 * certificate says in its first line that it is not a statement of conformance.
 */
import { allureTestHref } from "./allure-requirements.js";
import { CSP_META } from "./offline-html.js";
import type { ConformanceSummary } from "./summary.js";

type RequirementRecord = ConformanceSummary["requirements"][number];
type Verdict = ConformanceSummary["verdict"];

const API = "GWS Interactions On E-mail Channel";
const AREA_ORDER = [
  "transport",
  "security",
  "answers",
  "operations",
  "notifications",
  "lifecycle",
  "capabilities",
  "negative",
  "control",
];
const areaRank = (a: string): number => (AREA_ORDER.includes(a) ? AREA_ORDER.indexOf(a) : AREA_ORDER.length);

/** Only these two verdicts are statements about conformance. */

/** The anchor of a requirement's row in the certificate (certificate.html#O3.reply-created): the ID itself. */
export const certificateAnchor = (id: string): string => id;

export const isStatement = (v: Verdict): boolean => v === "CONFORMANT" || v === "NON_CONFORMANT";

/** The first line of the certificate (its title): the verdict, or that it is not a statement. */
export function certificateTitle(v: Verdict): string {
  switch (v) {
    case "CONFORMANT":
      return `Conformance statement: CONFORMANT — ${API}`;
    case "NON_CONFORMANT":
      return `Conformance statement: NON_CONFORMANT — ${API}`;
    default:
      return `Not a statement of conformance: ${v} run — ${API}`;
  }
}

const VERDICT_LEAD: Record<Verdict, string> = {
  CONFORMANT: "CONFORMANT: every testable MUST requirement of the registry was judged and passed, and nothing errored.",
  NON_CONFORMANT: "NON_CONFORMANT: at least one MUST requirement failed.",
  PARTIAL:
    "PARTIAL: nothing failed, but this run did not judge every testable MUST requirement " +
    "(listed under “MUST requirements not judged”). " +
    "It says nothing about conformance: only a run, or merged shards, that judges all of them can.",
  INCOMPLETE:
    "INCOMPLETE: no MUST requirement failed, but some could not be judged because a precondition " +
    "or the suite broke (see “Errors”). " +
    "It says nothing about conformance.",
};

// ------------------------------------------------------------------------------------------------
// The document, once, as blocks; rendered to Markdown and to HTML below.

/** A piece of inline text. */
interface Span {
  text: string;
  strong?: boolean;
  code?: boolean;
  /** A requirement status: coloured in HTML. */
  status?: string;
  /** A link: to a row of this file (#ID) or to the Allure report beside it. */
  href?: string;
  /** Kept as written, line breaks included (HTML: pre-wrap; Markdown: one line). */
  pre?: boolean;
}
type Cell = Span[];
/** A list item; `evidence` and `code` (shell lines) for a FAIL, WARN or ERROR. */
interface Item {
  spans: Span[];
  sub?: string;
  id?: string;
  evidence?: Span[];
  code?: string[];
}
type Block =
  | { kind: "h2"; text: string; id: string }
  | { kind: "h3"; text: string; id: string }
  | { kind: "p"; spans: Span[]; className?: string }
  | { kind: "list"; items: Item[] }
  | {
      kind: "table";
      head: string[];
      rows: Array<{ cells: Cell[]; id?: string; data?: Record<string, string> }>;
      className?: string;
    };

const t = (text: string): Span => ({ text });
const b = (text: string): Span => ({ text, strong: true });
const c = (text: string): Span => ({ text, code: true });
const st = (status: string): Span => ({ text: status, status: status.split(" ")[0] });
const a = (text: string, href: string): Span => ({ text, href });
const rowHref = (id: string): string => `#${id}`;
const evidenceId = (id: string): string => `evidence-${id}`;

/** The target's declared settings as a vendor would state them (already redacted: no password appears). */
function declaredSettings(settings: Record<string, unknown>): string[] {
  const out: string[] = [];
  const agents = Array.isArray(settings.agents)
    ? (settings.agents as Array<{ username?: string }>).map((a) => a.username).filter(Boolean)
    : [];
  if (typeof settings.baseUrl === "string") out.push(`API root ${settings.baseUrl}`);
  if (typeof settings.cometdUrl === "string") out.push(`CometD ${settings.cometdUrl}`);
  out.push(`${agents.length} agent(s)${agents.length ? ` (${agents.join(", ")})` : ""}`);
  if (typeof settings.inject === "string") out.push(`inbound e-mails injected by ${settings.inject}`);
  out.push(
    typeof settings.inviteTimeoutMs === "number"
      ? `invitation timeout ${settings.inviteTimeoutMs} ms`
      : "no invitation timeout declared (N5 Revoked not tested)",
  );
  if (typeof settings.notifyBudgetMs === "number") out.push(`notification budget ${settings.notifyBudgetMs} ms (N8)`);
  return out;
}

/** Every setting of the run as key → value (passwords already REDACTED; agents by name). */
function settingRows(settings: Record<string, unknown>): Array<[string, string]> {
  return Object.keys(settings)
    .filter((k) => settings[k] !== undefined)
    .sort()
    .map((k) => {
      const v = settings[k];
      if (k === "agents" && Array.isArray(v))
        return [k, (v as Array<{ username?: string }>).map((a) => `${a.username} (password REDACTED)`).join(", ")];
      return [k, typeof v === "string" ? v : String(JSON.stringify(v))];
    });
}

const firstLine = (s: string, max = 300): string => s.split("\n")[0].slice(0, max);
function groupBy<T>(xs: readonly T[], key: (x: T) => string): Array<[string, T[]]> {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return [...m];
}
const statusText = (r: RequirementRecord): string => `${r.status}${r.expectedFailure ? " (expected)" : ""}`;

/**
 * Where a FAIL, WARN or ERROR leads (issue 18, item 2): its row, its Allure test, the transcript
 * entry that broke it and the commands that reproduce it (summary.json's evidence, reproduce.ts).
 */
function evidenceOf(r: RequirementRecord): Pick<Item, "evidence" | "code"> {
  const e = r.evidence;
  const spans: Span[] = [a("row", rowHref(r.id)), t(" · "), a("Allure test", allureTestHref(r.id))];
  if (e?.seq !== undefined)
    spans.push(t(` · transcript.jsonl seq ${e.seq}${e.worker ? ` (worker ${e.worker})` : ""}: ${e.what ?? ""}`));
  else spans.push(t(" · no exchange recorded for it"));
  const code = e
    ? [...(e.curl.length ? ["# the requests that led to it:", ...e.curl] : []), "# judge it again:", e.rerun]
    : [];
  return { evidence: spans, ...(code.length ? { code } : {}) };
}

/** A failure or warning in its list (its row under "Requirements by area" carries the ID as anchor). */
function requirementItem(r: RequirementRecord): Item {
  const expected = r.expectedFailure ? [t(" — "), b("expected by the baseline"), t(`: ${r.expectedFailure}`)] : [];
  return {
    id: evidenceId(r.id),
    spans: [a(r.id, rowHref(r.id)), t(` (${r.rule}, ${r.level}): ${r.text ?? ""}`), ...expected],
    sub: r.message,
    ...evidenceOf(r),
  };
}

/** The one cause most ERRORs share (an INCOMPLETE certificate opens with it), or the run's own error. */
export function rootCause(s: ConformanceSummary): { cause: string; count: number; of: number } | undefined {
  if (s.runErrors.length) return { cause: firstLine(s.runErrors[0], 600), count: 1, of: s.runErrors.length };
  const errors = s.requirements.filter((r) => r.status === "ERROR");
  if (errors.length === 0) return undefined;
  const counts = new Map<string, number>();
  for (const r of errors) counts.set(firstLine(r.message, 600), (counts.get(firstLine(r.message, 600)) ?? 0) + 1);
  const [cause, count] = [...counts].sort((x, y) => y[1] - x[1])[0];
  return { cause, count, of: errors.length };
}

export function certificateBlocks(s: ConformanceSummary): Block[] {
  const blocks: Block[] = [];
  const reqs = s.requirements;
  // An ERROR's evidence stands in the item of its cause, which carries the first ID of the group.
  const firstOfCause = new Map<string, string>();
  for (const r of reqs) if (r.status === "ERROR" && !firstOfCause.has(r.message)) firstOfCause.set(r.message, r.id);
  const errorsAnchor = (r: RequirementRecord): string =>
    r.status === "ERROR" ? (firstOfCause.get(r.message) ?? r.id) : r.id;
  const by = (pred: (r: RequirementRecord) => boolean): RequirementRecord[] => reqs.filter(pred);
  const none: Span[] = [t("None.")];
  const list = (items: RequirementRecord[]): Block =>
    items.length ? { kind: "list", items: items.map(requirementItem) } : { kind: "p", spans: none };

  const cause = s.verdict === "INCOMPLETE" ? rootCause(s) : undefined;
  if (cause)
    blocks.push({
      kind: "p",
      className: "root-cause",
      spans: [
        b("Root cause:"),
        t(` ${cause.cause}`),
        t(` (${cause.count} of ${cause.of} error(s) share it: `),
        a("errors", "#errors"),
        t(")"),
      ],
    });
  blocks.push({ kind: "p", spans: [b(VERDICT_LEAD[s.verdict])], className: `verdict ${s.verdict}` });
  blocks.push({ kind: "p", spans: [t(`Why: ${s.verdictReason}.`)] });

  const rows: Array<[string, Cell]> = [
    ["Verdict", [st(s.verdict)]],
    ["Target", [t(s.target)]],
    ["Declared settings", [t(declaredSettings(s.settings).join("; "))]],
    ["Date", [t(`${s.endedAt.slice(0, 10)} (run ${s.startedAt} – ${s.endedAt})`)]],
    ["Specification", [t(`${s.specEdition}, read through interpretation.md (rule IDs below)`)]],
    [
      "Contract",
      [
        t("schemas/ "),
        c(s.contract.schemasSha256),
        t(", requirements.json "),
        c(s.contract.requirementsSha256),
        t(" (SHA-256)"),
      ],
    ],
    ["Suite version", [t(`gws-email-conformance ${s.suiteVersion}`)]],
    [
      "CI gate",
      [t(`exit ${s.gate.exitCode}: ${s.gate.reasons.join("; ")} (the gate is the CI decision, not the verdict)`)],
    ],
  ];
  if (s.shard)
    rows.push([
      "Shard",
      [t(`${s.shard}: one slice of the suite; merge the shards (gws-conformance merge) for the verdict`)],
    ]);
  if (s.mergedFrom) rows.push(["Merged from", [t(`${s.mergedFrom.length} shard run(s)`)]]);
  if (s.filter)
    rows.push(["Selection", [t(`${JSON.stringify(s.filter)}: requirements outside it are SKIP, not judged`)]]);
  blocks.push({
    kind: "table",
    head: ["", ""],
    rows: rows.map(([k, v]) => ({ cells: [[b(k)], v] })),
    className: "facts",
  });

  const n = s.counts;
  const exp = s.expected.FAIL + s.expected.WARN;
  blocks.push({
    kind: "p",
    spans: [
      t(
        `${n.PASS} passed, ${n.FAIL} failed (MUST), ${n.WARN} warnings (SHOULD), ${n.ERROR} errors, ` +
          `${n.SKIP} skipped, ${n.NOT_TESTABLE} not testable — of ${reqs.length} requirements.`,
      ),
      ...(exp
        ? [
            t(
              ` ${s.expected.FAIL} of the failures and ${s.expected.WARN} of the warnings are expected by the ` +
                "baseline (they do not fail the CI gate, but they are failures of the target).",
            ),
          ]
        : []),
    ],
  });

  blocks.push({ kind: "h2", text: "MUST failures", id: "must-failures" });
  blocks.push(list(by((r) => r.status === "FAIL")));
  blocks.push({ kind: "h2", text: "SHOULD warnings (do not affect conformance)", id: "should-warnings" });
  blocks.push(list(by((r) => r.status === "WARN")));

  blocks.push({ kind: "h2", text: "MUST requirements not judged", id: "not-judged" });
  if (s.unjudged.length === 0)
    blocks.push({ kind: "p", spans: [t("None: every testable MUST requirement was judged.")] });
  else {
    blocks.push({
      kind: "p",
      spans: [
        t(
          `${s.unjudged.length} testable MUST requirement(s) were not judged, ` +
            "so the run cannot be a statement of conformance for them:",
        ),
      ],
    });
    blocks.push({
      kind: "table",
      head: ["Requirement", "Why not judged", "Detail"],
      rows: s.unjudged.map((u) => ({ cells: [[t(u.id)], [t(u.reason)], [t(firstLine(u.message, 200))]] })),
    });
  }

  if (s.baselineProblems.length) {
    blocks.push({ kind: "h2", text: "Stale expected-failures baseline (fails the CI gate)", id: "stale-baseline" });
    blocks.push({ kind: "list", items: s.baselineProblems.map((p) => ({ spans: [t(p)] })) });
  }

  const errors = by((r) => r.status === "ERROR");
  if (errors.length || s.runErrors.length) {
    blocks.push({ kind: "h2", text: "Errors (not judged: a precondition or the suite broke)", id: "errors" });
    blocks.push({
      kind: "list",
      items: [
        // One item per cause: the IDs it left unjudged (each to its row), the cause in full, its evidence.
        ...groupBy(errors, (r) => r.message).map(([message, rs]) => ({
          id: evidenceId(rs[0].id),
          spans: rs.flatMap((r, i) => [...(i ? [t(", ")] : []), a(r.id, rowHref(r.id)), t(` (${r.level})`)]),
          sub: message,
          ...evidenceOf(rs[0]),
        })),
        ...s.runErrors.map((e) => ({ spans: [t("run: ")], sub: e })),
      ],
    });
  }

  blocks.push({ kind: "h2", text: "Requirements by area", id: "requirements" });
  const areas = [...new Set(reqs.map((r) => r.area))].sort((a, z) => areaRank(a) - areaRank(z));
  for (const area of areas) {
    const rs = by((x) => x.area === area && x.status !== "NOT_TESTABLE");
    if (rs.length === 0) continue;
    blocks.push({ kind: "h3", text: area, id: `area-${area}` });
    blocks.push({
      kind: "table",
      head: ["Requirement", "Level", "Status", "Requirement text", "Note"],
      className: "requirements",
      rows: rs.map((r) => ({
        id: certificateAnchor(r.id),
        data: { requirement: r.id, status: r.status },
        cells: [
          [t(r.id)],
          [t(r.level)],
          [st(statusText(r))],
          [t(r.text ?? "")],
          // The note in full (never cut); what did not pass links to its evidence.
          r.status === "PASS"
            ? [t(r.measuredMs !== undefined ? `measured ${r.measuredMs} ms` : "")]
            : [
                { text: r.message, pre: true },
                ...(r.status === "FAIL" || r.status === "WARN" || r.status === "ERROR"
                  ? [t(" "), a("→ evidence", `#${evidenceId(errorsAnchor(r))}`)]
                  : []),
              ],
        ],
      })),
    });
  }

  blocks.push({ kind: "h2", text: "Not testable", id: "not-testable" });
  blocks.push({ kind: "p", spans: [t("Listed for completeness; no verdict is given on these.")] });
  const nt = by((r) => r.status === "NOT_TESTABLE");
  blocks.push(
    nt.length
      ? {
          kind: "list",
          items: nt.map((r) => ({ spans: [t(`${r.id} (${r.level}): ${r.text ?? ""} — ${r.message}`)], id: r.id })),
        }
      : { kind: "p", spans: none },
  );

  blocks.push({ kind: "h2", text: "Settings (secrets replaced by REDACTED)", id: "settings" });
  blocks.push({
    kind: "table",
    head: ["Setting", "Value"],
    rows: settingRows(s.settings).map(([k, v]) => ({ cells: [[c(k)], [t(v)]] })),
  });

  blocks.push({ kind: "h2", text: "Fingerprints", id: "fingerprints" });
  blocks.push({
    kind: "p",
    spans: [
      t("SHA-256 content hashes. "),
      c("gws-conformance verify DIR"),
      t(
        " recomputes them from the run's folder and the installed suite and says whether this certificate " +
          "matches its transcript and its contract. They detect a changed file; they are not a signature.",
      ),
    ],
  });
  blocks.push({
    kind: "table",
    head: ["What", "SHA-256"],
    className: "fingerprints",
    rows: [
      {
        cells: [[t("transcript.jsonl")], [c(s.transcriptSha256 ?? "(no transcript written)")]],
        data: { fingerprint: "transcript" },
      },
      { cells: [[t("schemas/ (every file)")], [c(s.contract.schemasSha256)]], data: { fingerprint: "schemas" } },
      {
        cells: [[t("schemas/requirements.json")], [c(s.contract.requirementsSha256)]],
        data: { fingerprint: "requirements" },
      },
    ],
  });
  return blocks;
}

// ------------------------------------------------------------------------------------------------
// Markdown

const mdCell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const mdSpans = (spans: Span[], inTable = false): string =>
  spans
    .map((s) => {
      const text = inTable ? mdCell(s.text) : s.text.replace(/\r?\n/g, " ");
      if (s.href) return `[${text.replace(/[[\]]/g, "\\$&")}](${s.href})`;
      return s.code ? `\`${text}\`` : s.strong ? `**${text}**` : text;
    })
    .join("");

export function renderCertificate(s: ConformanceSummary): string {
  const lines: string[] = [`# ${certificateTitle(s.verdict)}`, ""];
  for (const block of certificateBlocks(s)) {
    switch (block.kind) {
      case "h2":
        lines.push(`## ${block.text}`, "");
        break;
      case "h3":
        lines.push(`### ${block.text}`, "");
        break;
      case "p":
        lines.push(mdSpans(block.spans), "");
        break;
      case "list":
        for (const item of block.items) {
          lines.push(`- ${mdSpans(item.spans)}${item.id ? ` <a id="${item.id}"></a>` : ""}`);
          if (item.sub) lines.push(`  - ${item.sub.replace(/\s*\r?\n\s*/g, " ")}`);
          if (item.evidence) lines.push(`  - ${mdSpans(item.evidence)}`);
          if (item.code) lines.push("", "  ```sh", ...item.code.map((l) => `  ${l}`), "  ```", "");
        }
        lines.push("");
        break;
      case "table":
        lines.push(`| ${block.head.join(" | ")} |`, `|${block.head.map(() => "---").join("|")}|`);
        for (const row of block.rows) {
          // Markdown has no row ids: an anchor is what #ID links reach. In the fourth cell (the
          // requirement's text), so that a row still reads "| ID | level | status |" for grep.
          const cells = row.cells.map((cell) => mdSpans(cell, true));
          if (row.id) cells[Math.min(3, cells.length - 1)] += ` <a id="${row.id}"></a>`;
          lines.push(`| ${cells.join(" | ")} |`);
        }
        lines.push("");
        break;
    }
  }
  return lines.join("\n");
}

// ------------------------------------------------------------------------------------------------
// HTML: one file, no script, printable.

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const htmlSpans = (spans: Span[]): string =>
  spans
    .map((s) =>
      s.href
        ? `<a href="${esc(s.href)}">${esc(s.text)}</a>`
        : s.pre
          ? `<span class="note">${esc(s.text)}</span>`
          : s.code
            ? `<code>${esc(s.text)}</code>`
            : s.strong
              ? `<strong>${esc(s.text)}</strong>`
              : s.status
                ? `<span class="status ${esc(s.status)}">${esc(s.text)}</span>`
                : esc(s.text),
    )
    .join("");
const attrs = (data?: Record<string, string>): string =>
  Object.entries(data ?? {})
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join("");

const STYLE = `
:root { --fail: #b3261e; --warn: #8a5a00; --error: #7b1fa2; --pass: #1b6e20; --skip: #5f6368; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f1f1f; }
body { margin: 2rem auto; max-width: 70rem; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; padding-bottom: .5rem; border-bottom: 3px solid var(--skip); }
body.CONFORMANT h1 { border-color: var(--pass); } body.NON_CONFORMANT h1 { border-color: var(--fail); }
body.PARTIAL h1, body.INCOMPLETE h1 { border-color: var(--warn); }
.not-statement { background: #fff4e5; border: 2px solid var(--warn); padding: .6rem .9rem; font-weight: 600; }
h2 { font-size: 1.2rem; margin: 1.8rem 0 .6rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; text-transform: capitalize; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid #d0d0d0; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } table.facts th { display: none; }
table.facts td:first-child { width: 11rem; white-space: nowrap; }
table.requirements td:first-child { white-space: nowrap; font-family: ui-monospace, monospace; font-size: 12px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; word-break: break-all; }
.status { font-weight: 700; white-space: nowrap; }
.status.PASS, .status.CONFORMANT { color: var(--pass); } .status.FAIL, .status.NON_CONFORMANT { color: var(--fail); }
.status.WARN, .status.PARTIAL, .status.INCOMPLETE { color: var(--warn); } .status.ERROR { color: var(--error); }
.status.SKIP, .status.NOT_TESTABLE { color: var(--skip); }
p.verdict { font-size: 1.1rem; } li { margin: .2rem 0; } li .sub { color: #444; font-size: 13px; }
:target { background: #fff8c5; }
.note { white-space: pre-wrap; overflow-wrap: anywhere; } .evidence { font-size: 13px; }
pre.reproduce { background: #f6f8fa; border: 1px solid #d0d7de; padding: .5rem; font-size: 12px;
  white-space: pre-wrap; overflow-wrap: anywhere; margin: .3rem 0 .6rem; }
p.root-cause { background: #fdecea; border: 2px solid var(--error); padding: .6rem .9rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; padding: 0; }
  h2 { break-after: avoid; } tr, li { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  @page { margin: 15mm; }
}`;

export function renderCertificateHtml(s: ConformanceSummary): string {
  const title = certificateTitle(s.verdict);
  const out: string[] = [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    CSP_META,
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    `<body class="${s.verdict}" data-verdict="${s.verdict}">`,
    `<h1>${esc(title)}</h1>`,
  ];
  if (!isStatement(s.verdict))
    out.push(
      `<p class="not-statement">This certificate is not a statement of conformance: the run was ${s.verdict}.</p>`,
    );
  for (const block of certificateBlocks(s)) {
    switch (block.kind) {
      case "h2":
        out.push(`<h2 id="${esc(block.id)}">${esc(block.text)}</h2>`);
        break;
      case "h3":
        out.push(`<h3 id="${esc(block.id)}">${esc(block.text)}</h3>`);
        break;
      case "p":
        out.push(`<p${block.className ? ` class="${esc(block.className)}"` : ""}>${htmlSpans(block.spans)}</p>`);
        break;
      case "list":
        out.push("<ul>");
        for (const item of block.items) {
          out.push(
            `<li${item.id ? ` id="${esc(item.id)}"` : ""}>${htmlSpans(item.spans)}` +
              `${item.sub ? `<br><span class="sub note">${esc(item.sub)}</span>` : ""}` +
              `${item.evidence ? `<br><span class="evidence">${htmlSpans(item.evidence)}</span>` : ""}` +
              `${item.code ? `<pre class="reproduce">${esc(item.code.join("\n"))}</pre>` : ""}</li>`,
          );
        }
        out.push("</ul>");
        break;
      case "table":
        out.push(
          `<table${block.className ? ` class="${esc(block.className)}"` : ""}>`,
          `<tr>${block.head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>`,
        );
        for (const row of block.rows)
          out.push(
            `<tr${row.id ? ` id="${esc(row.id)}"` : ""}${attrs(row.data)}>` +
              `${row.cells.map((cell) => `<td>${htmlSpans(cell)}</td>`).join("")}</tr>`,
          );
        out.push("</table>");
        break;
    }
  }
  out.push("</body>", "</html>", "");
  return out.join("\n");
}
