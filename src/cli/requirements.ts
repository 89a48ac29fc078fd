/**
 * `gws-conformance requirements [--json]`: the requirement registry (schemas/requirements.json),
 * the IDs --only, --skip and --expected-failures take, with level, area, rule and text.
 */
import { registry } from "../contract/registry.js";
import { parseFlags, reportCliError, type CliIo } from "./command-line.js";

export const REQUIREMENTS_USAGE = `usage: gws-conformance requirements [--json]

Lists every requirement of the registry (schemas/requirements.json): ID, level (MUST, SHOULD,
MAY), area, and text; NOT TESTABLE ones say so. These are the IDs --only, --skip,
--expected-failures and the reports use; --only also takes a rule (O3) or an area (security).
  --json   one JSON array [{id, rule, level, area, text, excluded?}] instead of the table`;

export function requirementsCommand(argv: string[], io: CliIo): number {
  let flags: { json?: boolean; help?: boolean };
  try {
    flags = parseFlags(argv, { json: { type: "boolean" }, help: { type: "boolean", short: "h" } }).flags;
  } catch (e) {
    return reportCliError(io, "gws-conformance requirements", e, "(see requirements --help)");
  }
  if (flags.help) {
    io.out(REQUIREMENTS_USAGE);
    return 0;
  }
  const rows = registry.requirements.map((r) => ({
    id: r.id,
    rule: r.rule,
    level: r.level,
    area: r.area,
    text: r.text,
    ...(r.excluded ? { excluded: r.excluded } : {}),
  }));
  if (flags.json) {
    io.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  const idWidth = Math.max(...rows.map((r) => r.id.length));
  const areaWidth = Math.max(...rows.map((r) => r.area.length));
  io.out(`${"ID".padEnd(idWidth)}  LEVEL   ${"AREA".padEnd(areaWidth)}  TEXT`);
  for (const r of rows)
    io.out(
      `${r.id.padEnd(idWidth)}  ${r.level.padEnd(6)}  ${r.area.padEnd(areaWidth)}  ${r.text}` +
        (r.excluded ? ` [NOT TESTABLE: ${r.excluded}]` : ""),
    );
  io.out(`${rows.length} requirements (${rows.filter((r) => r.level === "MUST").length} MUST)`);
  return 0;
}
