/**
 * load.html in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
 * puppeteer-core) opens the file from file:// with the network off, and the page must render
 * both charts (uPlot canvases) and the figures without a script error. A report of a real
 * (short) load run against the embedded reference server is rendered.
 */
import { referenceTarget } from "../reference/deployment.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromiumMissing, launchChromium, PAGE_BUDGET_MS } from "../../test/support/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setRecording } from "../harness/transcript.js";
import { startReferenceServer, type ReferenceServer } from "../reference/server.js";
import { buildLoadReport, writeLoadReports, type LoadReport } from "./report.js";
import { runLoad } from "./runner.js";

let server: ReferenceServer;
let report: LoadReport;
let html: string;

beforeAll(async () => {
  setRecording(false);
  server = await startReferenceServer({ agentCount: 4 });
  const target = referenceTarget(server, { notifyBudgetMs: 5000 });
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
  },
);
