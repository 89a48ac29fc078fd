/**
 * What the product needs from the normative page at run time, committed as generated data
 * (src/generated/page-samples.json, written by `npm run samples` from the spec folder): the
 * page's repaired JSON samples, which of its known contradictions it shows, and the page's
 * SHA-256 so a reader can tell which edition it was made from. Nothing here reads ../shared.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PageSample } from "./page-samples.js";

export interface PageData {
  $comment: string;
  /** The page the data was generated from. */
  source: { file: string; sha256: string };
  repairs: Array<{ name: string; why: string }>;
  samples: PageSample[];
  /** related-facts.md contradiction number → whether the page still shows it (drift's doc defects). */
  docDefectsOnPage: Record<string, boolean>;
}

export const PAGE_DATA_FILE = join(dirname(fileURLToPath(import.meta.url)), "..", "generated", "page-samples.json");

let cached: PageData | undefined;

export function committedPageData(): PageData {
  cached ??= JSON.parse(readFileSync(PAGE_DATA_FILE, "utf8")) as PageData;
  return cached;
}

export function committedPageSamples(): PageSample[] {
  return committedPageData().samples;
}
