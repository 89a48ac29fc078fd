/**
 * load.html in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
 * puppeteer-core) opens the file from file:// with the network off, and the page must render
 * both charts (uPlot canvases) and the figures without a script error. A report of a real
 * (short) load run against the embedded reference server is rendered.
 */
import { referenceTarget } from "../reference/deployment.js";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromiumMissing, launchChromium, PAGE_BUDGET_MS } from "../../test/support/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setRecording } from "../harness/transcript.js";
import { startReferenceServer, type ReferenceServer } from "../reference/server.js";
import { buildLoadReport, writeLoadReports, type LoadReport } from "./report.js";
import { runLoad } from "./runner.js";
import { coveredMs, isPartialSecond } from "./timeline.js";

let server: ReferenceServer;
let report: LoadReport;
let html: string;

beforeAll(async () => {
  setRecording(false);
  server = await startReferenceServer({ agentCount: 4 });
  const target = referenceTarget(server, { notifyBudgetMs: 5000, inboundBudgetMs: 5000 });
  const outcome = await runLoad({ target, agents: server.agents, rate: 20, durationMs: 2_000 });
  report = buildLoadReport(outcome, {
    target: target.label,
    settings: {},
    rate: 20,
    agentsConfigured: 4,
    objectives: { maxViolations: 0, maxErrors: 0, maxP99Ms: 1000 },
  });
  html = writeLoadReports(mkdtempSync(join(tmpdir(), "gws-load-html-")), report).html;
});
afterAll(async () => {
  setRecording(true);
  await server?.close();
});

describe.skipIf(!!chromiumMissing)(
  `load.html in headless Chromium${chromiumMissing ? ` — skipped: ${chromiumMissing}` : ""}`,
  () => {
    it("renders the verdict, the two charts and the latency table from file://, offline, without a script error", {
      timeout: 60_000,
    }, async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        const requests: string[] = [];
        page.on("request", (r) => requests.push(r.url()));
        await page.setViewport({ width: 1100, height: 1400 });
        await page.goto(pathToFileURL(html).href, { waitUntil: "load", timeout: 20_000 });
        await page.waitForFunction(() => document.body.dataset.rendered === "true", { timeout: PAGE_BUDGET_MS });
        expect(errors).toEqual([]);
        // Self-contained: the only request is the file itself.
        expect(requests.filter((u) => !u.startsWith("file:"))).toEqual([]);
        expect(await page.$$eval("#latency canvas", (c) => c.length)).toBeGreaterThan(0);
        expect(await page.$$eval("#throughput canvas", (c) => c.length)).toBeGreaterThan(0);
        // uPlot drew its legend with the series names.
        const text = await page.evaluate(() => document.body.textContent ?? "");
        expect(text).toContain("notification p99");
        expect(text).toContain("e-mails injected");
        expect(await page.$eval("#verdict", (e) => e.textContent)).toBe(report.verdict);
        // The latency table: the row of Accept's notifications counts every e-mail.
        const rows = await page.$$eval("tr", (trs) =>
          trs.map((tr) => Array.from(tr.cells, (c) => (c.textContent ?? "").trim())),
        );
        expect(rows.find((cells) => cells[0] === "notification after Accept")?.[1]).toBe("40");
      } finally {
        await browser.close();
      }
    });

    it("printed: legends show every series name with its colour and no '--', the charts fit the page", {
      timeout: 60_000,
    }, async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.setViewport({ width: 1100, height: 1400 });
        await page.goto(pathToFileURL(html).href, { waitUntil: "load", timeout: 20_000 });
        await page.waitForFunction(() => document.body.dataset.rendered === "true", { timeout: PAGE_BUDGET_MS });
        // On screen the legend's values follow the cursor ("--" without one).
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is judged (print hides values)
        expect(await page.$eval("#latency .u-legend", (e) => (e as HTMLElement).innerText)).toContain("--");
        await page.emulateMediaType("print");
        // The charts are resized for paper when the print media query starts to match.
        await page.waitForFunction(
          () => (document.querySelector("#latency .uplot") as HTMLElement).getBoundingClientRect().width <= 700,
          { timeout: PAGE_BUDGET_MS },
        );
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is judged (print hides values)
        const legends = await page.$$eval(".u-legend", (ls) => ls.map((l) => (l as HTMLElement).innerText));
        expect(legends).toHaveLength(2);
        for (const text of legends) expect(text).not.toContain("--");
        expect(legends.join(" ")).toContain("notification p99");
        expect(legends.join(" ")).toContain("e-mails injected");
        const markers = await page.$$eval(".u-legend .u-marker", (ms) =>
          ms.map((m) => getComputedStyle(m).getPropertyValue("print-color-adjust")),
        );
        expect(markers.length).toBeGreaterThan(0);
        expect(new Set(markers)).toEqual(new Set(["exact"]));
        if (process.env.GWS_SCREENSHOT_DIR)
          await page.screenshot({ path: join(process.env.GWS_SCREENSHOT_DIR, "load-print.png"), fullPage: true });
      } finally {
        await browser.close();
      }
    });

    it("the partial first and last seconds are marked, left out of the throughput chart and named under it", {
      timeout: 60_000,
    }, async () => {
      // Every second of the run, contiguous; the run started and ended within its first and last.
      const t = report.timeline;
      const [started, ended] = [Date.parse(report.startedAt), Date.parse(report.endedAt)];
      expect(t.map((s) => s.second - t[0].second)).toEqual(t.map((_, i) => i));
      expect(t[0].second).toBe(Math.floor(started / 1000));
      expect(t[t.length - 1].second).toBe(Math.floor(ended / 1000));
      for (const s of t) expect(s.coveredMs).toBe(coveredMs(s.second, started, ended));
      for (const s of t.slice(1, -1)) expect(s.coveredMs).toBe(1000);
      const partial = t.map((s, i) => [i, isPartialSecond(s)] as const).filter(([, p]) => p);
      expect(partial.length).toBeGreaterThan(0);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(pathToFileURL(html).href, { waitUntil: "load", timeout: 20_000 });
        await page.waitForFunction(() => document.body.dataset.rendered === "true", { timeout: PAGE_BUDGET_MS });
        // The chart data embedded in the page: the partial seconds have no throughput point.
        const embedded = /^const d = (.*);$/m.exec(readFileSync(html, "utf8"))?.[1];
        const injected = (JSON.parse(embedded ?? "{}") as { injected: unknown[] }).injected;
        expect(injected.map((v, i) => v === null && i)).toEqual(t.map((s, i) => isPartialSecond(s) && i));
        expect(await page.$eval("#partial-seconds", (e) => e.textContent)).toMatch(
          /^Partial seconds.*0 s \(\d+ ms of 1000\)/,
        );
      } finally {
        await browser.close();
      }
    });
  },
);
