/**
 * Accessors over schemas/doc-defects.json: the normative page's own contradictions
 * (related-facts.md #1–#12), each with the reading the contract took and the rules that settle
 * it. The drift report lists each as a doc-defect, links the schema-vs-page findings that are its
 * reading, and names it when a server's traffic follows the page's other reading.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import type { DocDefect, DocDefectEvidence, DocDefectRegistry } from "../generated/contract-types.js";
import type { PageSample } from "./page-samples.js";
import { readSchemasJson } from "./schemas.js";

export type { DocDefect };

export const docDefects: readonly DocDefect[] = readSchemasJson<DocDefectRegistry>("doc-defects.json").defects;

/** What a piece of traffic looks like, to find the contradiction whose other reading it follows. */
export interface DefectProbe {
  field?: string;
  /** The documented fields beside `field` (for a letter-case variant, #8). */
  documentedSiblings?: readonly string[];
  capability?: string;
  subtype?: string;
  envelope?: string;
  operation?: string;
}

/** The known contradiction, if any, whose other reading an observed field, capability, subtype or envelope follows. */
export function defectForHint(probe: DefectProbe): DocDefect | undefined {
  return docDefects.find((d) =>
    (d.hints ?? []).some((h) => {
      switch (h.kind) {
        case "field":
          return probe.field === h.name;
        case "capability":
          return probe.capability === h.name;
        case "subtype":
          return probe.subtype === h.name;
        case "envelope":
          return probe.envelope === h.envelope && probe.operation === h.operation;
        case "case-variant": {
          const field = probe.field?.toLowerCase();
          return (
            field !== undefined &&
            (probe.documentedSiblings ?? []).some((s) => s !== probe.field && s.toLowerCase() === field)
          );
        }
        default:
          return false;
      }
    }),
  );
}

/** The known contradiction whose reading a schema-vs-page difference is. */
export function defectExplaining(schema: string, path: string): DocDefect | undefined {
  return docDefects.find((d) => (d.explains ?? []).some((e) => e.schema === schema && e.path === path));
}

// The evidence's JSON Schemas describe page samples, not API messages: no types are required of them.
const evidenceAjv = new Ajv2020({ strictTypes: false, strictTuples: false });

/** Whether one piece of evidence holds for the page text and its repaired samples. */
export function evidenceHolds(e: DocDefectEvidence, page: string, samples: readonly PageSample[]): boolean {
  if ("pageContains" in e) return page.includes(e.pageContains);
  if ("pageMatches" in e) return new RegExp(e.pageMatches, e.flags).test(page);
  if ("sample" in e) return evidenceAjv.validate(e.matches, samples.find((s) => s.id === e.sample)?.json ?? {});
  return evidenceAjv.validate(e.samples, samples);
}

/**
 * Which contradictions the page still shows, by related-facts number: every piece of a defect's
 * evidence holds. `npm run samples` computes it from the spec folder and commits it with the page
 * data (src/generated/page-samples.json); the drift report reads the committed result.
 */
export function docDefectEvidence(page: string, samples: readonly PageSample[]): Record<string, boolean> {
  return Object.fromEntries(
    docDefects.map((d) => [String(d.fact), d.evidence.every((e) => evidenceHolds(e, page, samples))]),
  );
}
