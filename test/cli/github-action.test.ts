/**
 * The GitHub Action (action.yml) run locally: its shell steps are executed in order with bash, as
 * the runner would (inputs and expressions substituted, GITHUB_OUTPUT and a temporary
 * GITHUB_STEP_SUMMARY file), against the embedded reference server with a MUST fault on. The
 * `uses:` steps (setup-node, upload-artifact) are GitHub's own and are only checked to be there.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/contract/schemas.js";
import { CLI_BUDGET_MS } from "./run-cli.js";

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  if?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  "working-directory"?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(REPO_ROOT, "action.yml"), "utf8")) as Action;

/** Runs the action's steps as a runner would; returns each run step's exit code, the outputs and the job summary. */
function runAction(inputs: Record<string, string>, env: Record<string, string>) {
  const workspace = mkdtempSync(join(tmpdir(), "gws-action-"));
  const summaryFile = join(workspace, "step-summary.md");
  writeFileSync(summaryFile, "");
  const outputs: Record<string, Record<string, string>> = {};
  const given = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, inputs[k] ?? v.default ?? ""]));
  const expr = (text: string): string =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, e: string) => {
      const input = /^inputs\.([\w-]+)$/.exec(e);
      if (input) return given[input[1]] ?? "";
      if (e === "github.action_path") return REPO_ROOT;
      const out = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e);
      if (out) return outputs[out[1]]?.[out[2]] ?? "";
      throw new Error(`expression the test does not know: ${e}`);
    });
  const baseEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GWS_") && v !== undefined) baseEnv[k] = v;
  const codes: Record<string, number | null> = {};
  for (const step of action.runs.steps) {
    if (step.uses || !step.run) continue;
    // Every run step here runs when earlier ones passed, or always (if: always()).
    expect(step.if === undefined || step.if === "always()", `${step.id}: if ${step.if}`).toBe(true);
    const outputFile = join(workspace, `output-${step.id}`);
    writeFileSync(outputFile, "");
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expr(String(v))]));
    const r = spawnSync("bash", ["-e", "-c", expr(step.run)], {
      cwd: step["working-directory"] ? expr(step["working-directory"]) : workspace,
      env: { ...baseEnv, ...env, ...stepEnv, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, CI: "true" },
      encoding: "utf8",
      timeout: CLI_BUDGET_MS,
    });
    codes[step.id ?? step.name ?? "?"] = r.status;
    outputs[step.id ?? ""] = Object.fromEntries(
      readFileSync(outputFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    if (r.status !== 0 && step.id !== "gate") throw new Error(`step ${step.id} exited ${r.status}: ${r.stderr}`);
  }
  return { codes, outputs, summary: readFileSync(summaryFile, "utf8"), workspace, out: join(workspace, given.out) };
}

describe("the GitHub Action, run locally", () => {
  it("is composite: setup-node, install, gws-conformance run with the settings as inputs, the job summary, the upload, the gate", () => {
    expect(action.runs.using).toBe("composite");
    const steps = action.runs.steps;
    expect(steps[0].uses).toMatch(/^actions\/setup-node@/);
    expect(steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))?.if).toMatch(/always\(\)/);
    expect(steps.map((s) => s.id).filter(Boolean)).toEqual(["install", "run", "summary", "gate"]);
    for (const input of ["base-url", "agents", "control-url", "queue", "inject", "expected-failures", "args"])
      expect(action.inputs[input], input).toBeDefined();
    // Every setting input reaches the run step as its GWS_* variable.
    const run = steps.find((s) => s.id === "run")!;
    const input = (name: string): string => `\${{ inputs.${name} }}`;
    expect(run.env).toMatchObject({
      GWS_BASE_URL: input("base-url"),
      GWS_AGENTS: input("agents"),
      GWS_CONTROL_URL: input("control-url"),
      GWS_QUEUE: input("queue"),
    });
  });

  it("with a MUST fault: the job summary says NON_CONFORMANT with the failing requirement, the reports are written, the gate step exits 1", () => {
    const r = runAction({ args: "--only O3 --no-allure" }, { GWS_REFERENCE_FAULT: "reply-ignores-prefix" });
    expect(r.outputs.run).toMatchObject({ "exit-code": "1", verdict: "NON_CONFORMANT" });
    expect(r.codes.gate).toBe(1);
    expect(r.summary).toMatch(
      /^## GWS e-mail conformance: NON_CONFORMANT — embedded reference server \(fault reply-ignores-prefix\)$/m,
    );
    expect(r.summary).toMatch(/^\*\*CI gate: exit 1\*\* — /m);
    expect(r.summary).toMatch(/^\| FAIL \| `O3\.[\w-]+` \| MUST \| /m);
    for (const f of ["summary.json", "certificate.md", "certificate.html", "junit.xml"])
      expect(existsSync(join(r.out, f)), f).toBe(true);
  });

  it("a configuration error: the summary says there is no report, the gate exits 2", () => {
    const r = runAction({ "base-url": "http://127.0.0.1:9/api/v2" }, {});
    expect(r.outputs.run["exit-code"]).toBe("2");
    expect(r.codes.gate).toBe(2);
    expect(r.summary).toMatch(/no report \(configuration error/);
  });
});
