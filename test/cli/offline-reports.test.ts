/**
 * Issue 18, items 1–3, as a person opens the reports: nothing the product writes reaches the
 * network when opened (certificate.html, the Allure report, load.html: every request the page
 * makes is recorded by request interception, and none may leave file:/data:/blob:), nothing in a
 * run's folder names the analytics (host, measurement id, dataLayer), and from the certificate's
 * MUST failure one click leads to the Allure test whose first step is the transcript entry that
 * broke it, with the quality gate above the report instead of the success ring.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PHONE_HOME_MARKERS } from "../../src/report/offline-html.js";
import { chromiumMissing, launchChromium, PAGE_BUDGET_MS, waitForOnPage } from "../support/chromium.js";
import { readSummary, runCli, tempDir } from "./run-cli.js";

const FAULT = "error-without-description";
const ID = "R1.error-envelope";
/** The schemes a page opened from disk may use: its own file, inline data, blobs it builds. */
const LOCAL = /^(file|data|blob|about|chrome-extension):/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

type Page = import("puppeteer-core").Page;
type Browser = import("puppeteer-core").Browser;

/** A page that records every request it makes (and lets only local ones through). */
async function recordingPage(browser: Browser): Promise<{ page: Page; outside: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1400 });
  const outside: string[] = [];
  await page.setRequestInterception(true);
  page.on("request", (r) => {
    if (LOCAL.test(r.url())) void r.continue();
    else {
      outside.push(r.url());
      void r.abort();
    }
  });
  return { page, outside };
}

describe(`reports of a run with the MUST fault ${FAULT}`, () => {
  const out = tempDir("gws-offline-");
  const loadOut = tempDir("gws-offline-load-");
  let browser: Browser | undefined;

  beforeAll(async () => {
    const run = await runCli(["run", "--out", out, "--only", ID], { GWS_REFERENCE_FAULT: FAULT });
    expect(run.code, run.stderr).toBe(1);
    const load = await runCli(["load", "--rate", "5", "--duration", "1s", "--out", loadOut]);
    expect(load.code, load.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => browser?.close());

  it("no file of the run's folder names the analytics (host, measurement id, dataLayer, gtag)", () => {
    const files = [...filesUnder(out), join(loadOut, "load.html")];
    expect(files.some((f) => f.endsWith(join("allure-report", "index.html")))).toBe(true);
    const hits = files.flatMap((f) => {
      const text = readFileSync(f, "latin1");
      return PHONE_HOME_MARKERS.filter((m) => m.test(text)).map((m) => `${f}: ${m}`);
    });
    expect(hits).toEqual([]);
    for (const html of [
      join(out, "certificate.html"),
      join(out, "allure-report", "index.html"),
      join(loadOut, "load.html"),
    ])
      expect(readFileSync(html, "utf8"), html).toContain('http-equiv="Content-Security-Policy"');
  });

  const missing = chromiumMissing;
  it.skipIf(!!missing)(
    `each HTML report, opened in Chromium, makes no request outside file:/data:${missing ? ` — skipped: ${missing}` : ""}`,
    async () => {
      browser ??= await launchChromium();
      const pages: Array<[string, string, string]> = [
        [join(out, "certificate.html"), "h1", "the certificate's title"],
        [join(out, "allure-report", "index.html"), '[data-testid="tree-leaf"]', "the report's tree"],
        [join(loadOut, "load.html"), "canvas", "the load charts"],
      ];
      for (const [file, selector, what] of pages) {
        const { page, outside } = await recordingPage(browser);
        await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
        await waitForOnPage(page, selector, what);
        expect(outside, file).toEqual([]);
        await page.close();
      }
    },
    PAGE_BUDGET_MS * 4,
  );

  it.skipIf(!!missing)(
    `the recording sees a request that leaves the machine (the check can fail)${missing ? ` — skipped: ${missing}` : ""}`,
    async () => {
      browser ??= await launchChromium();
      const { page, outside } = await recordingPage(browser);
      await page.setContent('<img src="https://www.googletagmanager.com/x.gif">', { waitUntil: "load" });
      expect(outside).toEqual(["https://www.googletagmanager.com/x.gif"]);
      await page.close();
    },
    PAGE_BUDGET_MS,
  );

  it.skipIf(!!missing)(
    `one click from the certificate's failure to the Allure test and the entry that broke it; the gate above the report${missing ? ` — skipped: ${missing}` : ""}`,
    async () => {
      browser ??= await launchChromium();
      const evidence = readSummary(out).requirements.find((r) => r.id === ID)?.evidence;
      expect(evidence?.seq, "summary.json names the entry").toBeTypeOf("number");
      const { page } = await recordingPage(browser);
      await page.goto(pathToFileURL(join(out, "certificate.html")).href);
      const item = `[id="evidence-${ID}"]`;
      await waitForOnPage(page, item, "the failure's item");
      // Its ID leads to its row, and the row's note back to the evidence.
      expect(await page.$eval(`${item} a[href="#${ID}"]`, (a) => a.textContent)).toBe(ID);
      expect(await page.$eval(`tr[id="${ID}"] a`, (a) => a.getAttribute("href"))).toBe(`#evidence-${ID}`);
      expect(await page.$eval(`${item} pre.reproduce`, (p) => p.textContent)).toContain(`--only ${ID}`);
      await page.click(`${item} a[href^="allure-report/"]`);
      await page.waitForFunction(
        (seq) => document.body.textContent?.includes(`what broke it: transcript.jsonl seq ${seq}`),
        { timeout: PAGE_BUDGET_MS },
        evidence?.seq,
      );
      const shown = await page.evaluate(() => ({
        gate: document.getElementById("gws-gate")?.textContent ?? "",
        title: document.title,
        body: document.body.textContent ?? "",
      }));
      expect(shown.body).toContain(ID);
      expect(shown.body).toContain('"status": "error"'); // the answer body, on the marked step
      expect(shown.gate).toContain(`MUST failures = 0: NOT met — 1 MUST failure(s): ${ID}`);
      expect(shown.gate).toContain("Verdict: NON_CONFORMANT");
      await page.screenshot({ path: join(out, "allure-failure-view.png") });
      // The overview: no success-rate ring in the header, the gate instead.
      await page.goto(pathToFileURL(join(out, "allure-report", "index.html")).href);
      await waitForOnPage(page, '[data-testid="tree-leaf"]', "the report's tree");
      const ring = await page.evaluate(() => {
        const header = document.querySelector('[data-testid="report-header"]');
        const percent = [...(header?.querySelectorAll("*") ?? [])].find((e) =>
          /^\d+(\.\d+)?%$/.test(e.textContent?.trim() ?? ""),
        ) as HTMLElement | undefined;
        return { header: !!header, percentShown: !!percent && percent.offsetParent !== null };
      });
      expect(ring).toEqual({ header: true, percentShown: false });
    },
    PAGE_BUDGET_MS * 3,
  );
});
