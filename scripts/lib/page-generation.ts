/**
 * Everything `npm run samples` derives from the spec folder, as path → text: from the normative
 * page the generated page data (samples, doc-defect evidence, the page's hash) and each schema's
 * `examples`; from interpretation.md the contract's sentences with their levels. The generator
 * writes these files; the spec-sync checks compare them with what is committed.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pageDataFile, schemaExamplesFromSamples } from "../../src/contract/page-samples-files.js";
import { extractPageSamples } from "../../src/contract/page-samples.js";
import { PAGE_DATA_FILE } from "../../src/contract/page-data.js";
import { REPO_ROOT, SCHEMAS_DIR } from "../../src/contract/schemas.js";
import { CONTRACT_SENTENCES_PATH, contractSentencesFileText } from "../../src/contract/contract-sentences.js";
import { INTERPRETATION_FILE, PAGE_FILE, readSpecFile } from "../../src/contract/spec-sync-folder.js";
import { docDefectEvidence } from "../../src/contract/doc-defects.js";

export function generatedFromSpec(): { sources: string[]; files: Map<string, string> } {
  const page = readSpecFile(PAGE_FILE);
  const interpretation = readSpecFile(INTERPRETATION_FILE);
  const samples = extractPageSamples(page.text);
  const files = new Map<string, string>();
  files.set(relative(REPO_ROOT, PAGE_DATA_FILE), pageDataFile(page, docDefectEvidence(page.text, samples)));
  for (const [schemaPath, examples] of schemaExamplesFromSamples(samples)) {
    const full = join(SCHEMAS_DIR, schemaPath);
    const schema = JSON.parse(readFileSync(full, "utf8")) as Record<string, unknown>;
    schema.examples = examples;
    files.set(relative(REPO_ROOT, full), `${JSON.stringify(schema, null, 2)}\n`);
  }
  files.set(relative(REPO_ROOT, CONTRACT_SENTENCES_PATH), contractSentencesFileText(interpretation.text));
  return { sources: [page.path, interpretation.path], files };
}
