/**
 * load.html: one self-contained page (uPlot and its stylesheet inlined, the data embedded) with
 * the run's figures, latency over time and throughput over time. Opens from file://, needs no
 * network; checked in headless Chromium by src/load/html.test.ts.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { LoadReport } from "./report.js";
import { isPartialSecond } from "./timeline.js";
import { CSP_META } from "../report/offline-html.js";

const require = createRequire(import.meta.url);
const UPLOT_DIR = dirname(require.resolve("uplot/dist/uPlot.iife.min.js"));
let assets: { js: string; css: string } | undefined;
const uplot = (): { js: string; css: string } =>
  (assets ??= {
    js: readFileSync(join(UPLOT_DIR, "uPlot.iife.min.js"), "utf8"),
    css: readFileSync(join(UPLOT_DIR, "uPlot.min.css"), "utf8"),
  });

const esc = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
/** JSON inside a <script>: no "</script>" can close it early. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, "\\u003c");

const cell = (v: number): string => `<td>${v}</td>`;

/**
 * Printed, uPlot's legend would show "--" for every value (they follow the cursor, and paper has
 * none) and drop its colour markers (backgrounds are not printed by default): in print the values
 * are hidden, the markers printed, the cursor overlays hidden, and the charts fitted to the page.
 */
const PRINT_CSS = `@media print{body{margin:0;color:#000}.u-legend .u-value{display:none}
.u-legend,.u-legend *{color:#000}.u-legend .u-marker,.uplot canvas{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.u-legend th::after{content:""}.u-legend .u-series:first-child{display:none}
.u-cursor-x,.u-cursor-y,.u-cursor-pt,.u-select{display:none}.chart{break-inside:avoid}}`;

/** Chart width on paper (A4 or Letter with default margins, CSS pixels). */
const PRINT_WIDTH_PX = 680;

export function renderLoadHtml(r: LoadReport): string {
  const t0 = r.timeline[0]?.second ?? 0;
  // A partial second (the first, the last) has counts but is no rate: left out of the throughput
  // chart (a gap, not a fall to zero), kept in load.json with its coveredMs.
  const rate = (t: LoadReport["timeline"][number], v: number): number | null => (isPartialSecond(t) ? null : v);
  const data = {
    x: r.timeline.map((t) => t.second - t0),
    notifyP50: r.timeline.map((t) => (t.notify.count ? t.notify.p50Ms : null)),
    notifyP99: r.timeline.map((t) => (t.notify.count ? t.notify.p99Ms : null)),
    offerP99: r.timeline.map((t) => (t.offer.count ? t.offer.p99Ms : null)),
    loopLag: r.timeline.map((t) => t.loopLagMaxMs),
    injected: r.timeline.map((t) => rate(t, t.injected)),
    completed: r.timeline.map((t) => rate(t, t.completed)),
    notifications: r.timeline.map((t) => rate(t, t.notifications)),
    violations: r.timeline.map((t) => rate(t, t.violations + t.errors)),
  };
  const partial = r.timeline
    .filter(isPartialSecond)
    .map((t) => `${t.second - t0} s (${t.coveredMs} ms of 1000)`)
    .join(", ");
  const partialNote = partial
    ? `<p class="note" id="partial-seconds">Partial seconds, not drawn as throughput (load.json keeps their counts): ${partial}.</p>`
    : "";
  const row = (
    name: string,
    s: { count: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number },
  ): string => `<tr><th>${esc(name)}</th>${[s.count, s.p50Ms, s.p95Ms, s.p99Ms, s.maxMs].map(cell).join("")}</tr>`;
  const latencyRows = [
    row("offer (inject → Invited)", r.latency.offer),
    ...Object.entries(r.latency.notification).map(([op, s]) =>
      row(op === "all" ? "notification, all operations" : `notification after ${op}`, s),
    ),
    ...Object.entries(r.latency.answer).map(([op, s]) => row(`answer to ${op}`, s)),
    row("load generator event-loop lag", r.generatorLoopLag),
  ].join("\n");
  const objectives = r.objectives
    .map((o) => {
      const rule = `${esc(o.name)} ${o.comparison === "<=" ? "≤" : "≥"} ${o.limit}`;
      return `<li class="${o.met ? "met" : "missed"}">${rule}: ${o.observed} — ${o.met ? "met" : "MISSED"}</li>`;
    })
    .join("");
  const violations = Object.entries(r.violationsByRequirement)
    .map(([id, n]) => {
      const first = r.violations.find((v) => v.requirement === id)?.message.split("\n")[0] ?? "";
      return `<li><b>${esc(id)}</b> ×${n}: ${esc(first)}</li>`;
    })
    .join("");
  const errors = Object.entries(r.errorsByKind)
    .map(([k, n]) => `<li>${esc(k)} ×${n}</li>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${CSP_META}<title>GWS load run: ${esc(r.target)}</title>
<style>${uplot().css}
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{text-align:left;background:#f5f5f5}
.met{color:#176117}.missed{color:#b00020;font-weight:bold}.verdict{font-size:18px}.note{color:#555}
${PRINT_CSS}</style></head>
<body>
<h1>GWS e-mail load run — ${esc(r.target)}</h1>
<p class="verdict">Verdict: <span class="${r.verdict === "MET" ? "met" : "missed"}" id="verdict">${r.verdict}</span></p>
<p>${esc(r.startedAt)} – ${esc(r.endedAt)}; ${r.agents.connected}/${r.agents.configured} agents;
${r.rate} e-mails/s asked; ${r.counts.injected} injected, ${r.counts.completed} completed;
${r.counts.violations} violations, ${r.counts.errors} errors${r.shard ? `; shard ${esc(r.shard)}` : ""}
${r.mergedFrom ? `; merged from ${r.mergedFrom.length} runs` : ""}.</p>
<h2>Objectives</h2><ul>${objectives}</ul>
<h2>Latency over time (ms, per second)</h2><div id="latency" class="chart"></div>
<h2>Throughput (per second)</h2><div id="throughput" class="chart"></div>${partialNote}
<h2>Latency (ms)</h2>
<table><tr><th></th><th>count</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr>
${latencyRows}
</table>
<h2>Violations</h2>${violations ? `<ul id="violations">${violations}</ul>` : "<p>None.</p>"}
<h2>Errors</h2>${errors ? `<ul>${errors}</ul>` : "<p>None.</p>"}
<script>${uplot().js}</script>
<script>
const d = ${scriptJson(data)};
const screenWidth = () => Math.min(1000, document.body.clientWidth - 20);
const axes = (label) => [{ label: "seconds since start" }, { label }];
const x = { label: "second" };
const plots = [
new uPlot({ title: "Latency", width: screenWidth(), height: 300, scales: { x: { time: false } }, axes: axes("ms"), series: [
  x, { label: "notification p50", stroke: "#1f77b4" }, { label: "notification p99", stroke: "#d62728" },
  { label: "offer p99", stroke: "#2ca02c" }, { label: "generator loop lag max", stroke: "#999", dash: [4, 4] } ] },
  [d.x, d.notifyP50, d.notifyP99, d.offerP99, d.loopLag], document.getElementById("latency")),
new uPlot({ title: "Throughput", width: screenWidth(), height: 300, scales: { x: { time: false } }, axes: axes("per second"), series: [
  x, { label: "e-mails injected", stroke: "#1f77b4" }, { label: "e-mails completed", stroke: "#2ca02c" },
  { label: "notifications", stroke: "#ff7f0e" }, { label: "violations + errors", stroke: "#d62728" } ] },
  [d.x, d.injected, d.completed, d.notifications, d.violations], document.getElementById("throughput")) ];
// On paper the charts fit the page; back on screen, the window.
const print = window.matchMedia("print");
const fit = () => plots.forEach((p) => p.setSize({ width: print.matches ? ${PRINT_WIDTH_PX} : screenWidth(), height: 300 }));
print.addEventListener("change", fit);
window.addEventListener("beforeprint", fit);
window.addEventListener("afterprint", fit);
document.body.dataset.rendered = "true";
</script>
</body></html>
`;
}
