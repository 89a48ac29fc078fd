/**
 * The flags of `gws-conformance drift` itself, apart from src/drift/cli.ts so that the command's
 * entry (src/cli/main.ts) can tell them from a live run's flags without loading the drift code.
 */
export const DRIFT_FLAGS = {
  transcript: { type: "string" },
  "from-run": { type: "string" },
  out: { type: "string" },
  "save-baseline": { type: "string" },
  baseline: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;
