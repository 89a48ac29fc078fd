/**
 * Mutants derived from the contract's data, on top of the hand-written faults: each one a change
 * a mutating proxy applies to the reference server's traffic (HTTP answers or Bayeux messages),
 * with the requirement a correct suite must turn FAIL (or WARN for a SHOULD rule).
 * They come from the notification schemas (required fields, const values), the lifecycle
 * (documented capabilities, which notifications are required) and the answer schemas, so a new
 * schema rule gets mutants without new code here.
 */
import { contractValidator } from "../contract/validators.js";
import { documentedCapabilities, lifecycle, notifiedStates } from "../contract/lifecycle.js";
import { isRequirementId, type Level } from "../contract/registry.js";
import type { JsonSchema } from "../contract/schemas.js";
import { BUDGETS } from "../harness/budgets.js";

export type Mutation =
  | { kind: "none" }
  | { kind: "drop-field"; state: string; path: string[] }
  | { kind: "change-const"; state: string; path: string[]; value: unknown }
  | { kind: "remove-capability"; state: string; capability: string }
  | { kind: "duplicate-capability"; state: string; capability: string }
  | { kind: "duplicate-notification"; state: string }
  | { kind: "delay-notification"; state: string; delayMs: number }
  | { kind: "withhold-notification"; state: string }
  | { kind: "reorder-notifications"; first: string }
  | { kind: "status-code-envelope" };

export interface Mutant {
  name: string;
  mutation: Mutation;
  /** Requirements of which one must be FAIL (MUST) or WARN (SHOULD), or one of `caughtAs`. */
  expect: string[];
  level: Exclude<Level, "MAY">;
  /** Statuses that count as caught instead of the level's (scripts/mutation.ts, Fault.caughtAs). */
  caughtAs?: string[];
  /** The suite file or directory that exercises it (the run is limited to it with --suites). */
  suites: string;
  why: string;
}

type Schema = JsonSchema & {
  properties?: Record<string, Schema>;
  required?: string[];
  const?: unknown;
  $ref?: string;
  "x-rule"?: string;
};

function resolve(s: Schema, fromFile: string): { schema: Schema; file: string } {
  if (typeof s.$ref !== "string") return { schema: s, file: fromFile };
  const [file, frag = ""] = s.$ref.split("#");
  const parts: string[] = [];
  for (const p of [...fromFile.split("/").slice(0, -1), ...file.split("/")])
    p === ".." ? parts.pop() : p !== "." && parts.push(p);
  const target = file ? parts.join("/") : fromFile;
  let node: unknown = contractValidator().files.get(target);
  for (const seg of frag.split("/").filter(Boolean)) node = (node as Record<string, unknown>)[seg];
  return {
    schema: { ...(node as Schema), ...(s.maxItems !== undefined ? { maxItems: s.maxItems } : {}) },
    file: target,
  };
}

/** The requirement that judges the shape a schema's rule describes: N1 → N1.envelope, N3 → N3.shape. */
function shapeRequirement(rule: string): string {
  for (const suffix of ["shape", "envelope"]) if (isRequirementId(`${rule}.${suffix}`)) return `${rule}.${suffix}`;
  throw new Error(`no shape requirement for rule ${rule}`);
}

/**
 * Which requirement fails when a notification of a state never comes. Notifications an operation
 * requires (lifecycle `next`/`creates` with notify MUST) fail N8 (the harness judges every MUST
 * notification against the budget); the invitation comes from an inbound e-mail (event Inject, T7).
 */
function missingNotificationRequirement(state: string): string | undefined {
  const byOperation = lifecycle.operations.some(
    (o) =>
      (o.next?.state === state && o.next.notify === "MUST") ||
      (o.creates?.state === state && o.creates.notify === "MUST"),
  );
  if (byOperation) return "N8.within-budget";
  const event = lifecycle.events.find((e) => e.to === state && e.from === null);
  if (event?.rule === "T7") return "T7.ready-offered";
  if (lifecycle.events.some((e) => e.to === state && e.rule === "N5")) return "N5.sent-on-timeout";
  return undefined;
}

/** Where each notified state is exercised: the notification suite, and the Revoked scenario. */
const suitesFor = (state: string): string =>
  state === "Revoked" ? "suites/lifecycle/offers.test.ts" : "suites/notifications";

/**
 * @param notifyBudgetMs the budget the mutation runs declare (N8); a delayed notification comes
 * later than every allowance the suite makes for it.
 */
export function deriveMutants(notifyBudgetMs: number): Mutant[] {
  const out: Mutant[] = [];
  for (const state of notifiedStates()) {
    const file = state.schema!;
    const root = contractValidator().files.get(file) as Schema;
    const rule = String(root["x-rule"]);
    // Required fields and const values, top level and one object level down (email_object).
    const walk = (schema: Schema, schemaFile: string, path: string[], ruleHere: string): void => {
      for (const field of schema.required ?? []) {
        const sub = schema.properties?.[field];
        if (path.length === 0 && field === "state") continue; // the discriminator: withholding covers it
        const fieldRule = sub ? String(resolve(sub, schemaFile).schema["x-rule"] ?? ruleHere) : ruleHere;
        out.push({
          name: `drop ${state.name} ${[...path, field].join(".")}`,
          mutation: { kind: "drop-field", state: state.name, path: [...path, field] },
          expect: [shapeRequirement(path.length ? fieldRule : ruleHere)],
          level: "MUST",
          suites: suitesFor(state.name),
          why: `required by schemas/${schemaFile}`,
        });
      }
      for (const [field, sub] of Object.entries(schema.properties ?? {})) {
        const r = resolve(sub, schemaFile);
        if ("const" in r.schema && !(path.length === 0 && field === "state")) {
          out.push({
            name: `change ${state.name} ${[...path, field].join(".")}`,
            mutation: {
              kind: "change-const",
              state: state.name,
              path: [...path, field],
              value: `${String(r.schema.const)}-mutated`,
            },
            expect: [shapeRequirement(ruleHere)],
            level: "MUST",
            suites: suitesFor(state.name),
            why: `const ${JSON.stringify(r.schema.const)} in schemas/${schemaFile}`,
          });
        }
        if (path.length === 0 && r.schema.type === "object" && r.schema.properties)
          walk(r.schema, r.file, [field], String(r.schema["x-rule"] ?? ruleHere));
      }
    };
    walk(root, file, [], rule);

    for (const capability of documentedCapabilities(state.name)) {
      out.push({
        name: `remove capability ${capability} from ${state.name}`,
        mutation: { kind: "remove-capability", state: state.name, capability },
        expect: ["N6.documented-present"],
        level: "MUST",
        suites: suitesFor(state.name),
        why: `documented for ${state.name} in lifecycle.json`,
      });
    }
    const first = documentedCapabilities(state.name)[0];
    if (first)
      out.push({
        name: `duplicate capability ${first} in ${state.name}`,
        mutation: { kind: "duplicate-capability", state: state.name, capability: first },
        expect: ["N1.envelope"],
        level: "MUST",
        suites: suitesFor(state.name),
        why: "capabilities are unique (N1)",
      });

    out.push({
      name: `duplicate every ${state.name} notification`,
      mutation: { kind: "duplicate-notification", state: state.name },
      expect: ["N7.no-duplicates"],
      level: "SHOULD",
      suites: suitesFor(state.name),
      why: "one notification per state change (N7)",
    });
    const missing = missingNotificationRequirement(state.name);
    // An Invited that never comes looks, from outside, like an e-mail held for capacity or routed
    // where the suite cannot see: T7 honest both ways makes it ERROR ("not offered"), not FAIL
    // (interpretation.md, Deployment data and routing) — the run is INCOMPLETE, never CONFORMANT.
    const caughtAs = missing === "T7.ready-offered" ? { caughtAs: ["ERROR"] } : {};
    if (missing) {
      out.push({
        name: `withhold every ${state.name} notification`,
        mutation: { kind: "withhold-notification", state: state.name },
        expect: [missing],
        level: "MUST",
        ...caughtAs,
        suites: suitesFor(state.name),
        why: `a required notification (lifecycle.json)`,
      });
      // Revoked is awaited from the declared timeout plus the harness's slack, then the budget.
      const delayMs = notifyBudgetMs + 500 + (state.name === "Revoked" ? BUDGETS.revokeSlackMs : 0);
      out.push({
        name: `delay every ${state.name} notification past the budget`,
        mutation: { kind: "delay-notification", state: state.name, delayMs },
        expect: [missing],
        level: "MUST",
        ...caughtAs,
        suites: suitesFor(state.name),
        why: "N8: later counts as missing",
      });
    }
  }
  out.push({
    name: "deliver each Invited after the next notification of its interaction",
    mutation: { kind: "reorder-notifications", first: "Invited" },
    expect: ["N7.legal-transition"],
    level: "SHOULD",
    suites: "suites/lifecycle/offers.test.ts",
    why: "the lifecycle's first notification of an inbound interaction is Invited",
  });
  out.push({
    name: "answers in the statusCode envelope",
    mutation: { kind: "status-code-envelope" },
    expect: ["R1.ok-envelope"],
    level: "MUST",
    suites: "suites/answers",
    why: "answers/ok.schema.json (R1); the later edition's envelope",
  });
  return out;
}
