/**
 * Test support: headless Chromium (the Debian package) for the checks that read what a person
 * sees — the Allure report, certificate.html, load.html — rendered from file://. One launcher, so
 * every check uses the flags this machine kind needs and a profile of its own (two browsers at
 * once must not share one). A check skips, naming the reason, when Chromium is not installed.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Why the browser checks cannot run here, or undefined when they can. */
export const chromiumMissing: string | undefined = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; .ci/run installs it)`;

/** No sandbox (root), no GPU, no background network (the machine's network is closed). */
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
  const { default: puppeteer } = await import("puppeteer-core");
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, `--user-data-dir=${mkdtempSync(join(tmpdir(), "gws-chromium-"))}`],
  });
}

/**
 * How long a page rendered from file:// may take to show what a check waits for. Generous: on a
 * 2-core machine running the whole self-test, Chromium shares the CPU with every other test file
 * (a 20 s budget was once missed while the report itself was fine).
 */
export const PAGE_BUDGET_MS = 60_000;

/**
 * Waits (bounded) for `selector`; on a miss the error says what the page showed instead, so a
 * failure can be told apart from a slow machine.
 */
export async function waitForOnPage(
  page: import("puppeteer-core").Page,
  selector: string,
  what: string,
  timeoutMs = PAGE_BUDGET_MS,
): Promise<void> {
  try {
    await page.waitForSelector(selector, { timeout: timeoutMs });
  } catch (e) {
    const shown = await page
      .evaluate(() => (document.body?.textContent ?? "(no body)").slice(0, 600))
      .catch((err: unknown) => `(page unreadable: ${String(err)})`);
    throw new Error(`${what}: ${selector} not on the page within ${timeoutMs} ms (${String(e)}); it showed: ${shown}`);
  }
}
