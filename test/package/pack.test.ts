/**
 * Installable: `npm pack` yields a package that installs into an empty folder with only its
 * runtime dependencies (pinned by the npm-shrinkwrap.json it ships; from the local npm cache
 * when it has them) and whose `npx gws-conformance run` judges its embedded reference server
 * CONFORMANT and judges a target given by URL — with no spec folder and no devDependencies.
 * Run by `npm run test:package` (CI calls it); it takes about half a minute.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/contract/schemas.js";
import { REFERENCE_QUEUE_ENV } from "../../src/reference/deployment.js";
import { startReferenceServer, type ReferenceServer } from "../../src/reference/server.js";

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const INSTALL_BUDGET_MS = 180_000;
const RUN_BUDGET_MS = 90_000;

let dir: string;
let tarball: string;

function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  budgetMs = RUN_BUDGET_MS,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (!k.startsWith("GWS_") && !k.startsWith("VITEST") && v !== undefined) clean[k] = v;
    const child = spawn(cmd, args, { cwd, env: { ...clean, CI: "true", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), budgetMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gws-package-"));
  // npm pack runs prepack (the shrinkwrap) and prepare (the build) first.
  const packed = execFileSync(NPM, ["pack", "--pack-destination", dir, "--json"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  tarball = join(dir, (JSON.parse(packed) as Array<{ filename: string }>)[0].filename);
  const app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "vendor-ci", private: true }, null, 2));
  const install = await run(
    NPM,
    ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball],
    app,
    {},
    INSTALL_BUDGET_MS,
  );
  expect(install.code, install.out).toBe(0);
}, INSTALL_BUDGET_MS + 60_000);

describe("the packed package", () => {
  it("ships the compiled command, the suites and the schemas, and no tests of its own", () => {
    const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n");
    expect(files).toContain("package/bin/gws-conformance.js");
    expect(files).toContain("package/dist/src/cli/main.js");
    expect(files).toContain("package/schemas/requirements.json");
    expect(files).toContain("package/npm-shrinkwrap.json");
    expect(files.some((f) => /^package\/dist\/suites\/.+\.test\.js$/.test(f))).toBe(true);
    expect(files.filter((f) => /^package\/(src|test)\//.test(f) || /\.ts$/.test(f))).toEqual([]);
  });

  it("installs only its runtime dependencies", () => {
    const modules = readdirSync(join(dir, "app", "node_modules"));
    for (const dev of ["tsx", "typescript", "faye", "fast-check", "puppeteer-core", "smtp-server"])
      expect(modules, dev).not.toContain(dev);
    expect(existsSync(join(dir, "app", "node_modules", "gws-email-conformance", "dist", "src", "cli", "main.js"))).toBe(
      true,
    );
  });

  it("`npx gws-conformance run` judges the embedded reference server CONFORMANT, with every report", async () => {
    const out = join(dir, "embedded");
    const r = await run("npx", ["gws-conformance", "run", "--out", out], join(dir, "app"));
    expect(r.code, r.out).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.verdict).toBe("CONFORMANT");
    for (const f of ["certificate.md", "junit.xml", "transcript.jsonl", join("allure-report", "index.html")])
      expect(existsSync(join(out, f)), f).toBe(true);
  });

  describe("against a target given by URL", () => {
    let server: ReferenceServer;
    beforeAll(async () => {
      // No server-wide invitation timeout: the declared one (GWS_INVITE_TIMEOUT_MS) reaches it as each e-mail's revokeAfterMs hint.
      server = await startReferenceServer();
    });
    afterAll(async () => server?.close());

    it("`npx gws-conformance run` with GWS_BASE_URL judges it CONFORMANT", async () => {
      const out = join(dir, "by-url");
      const env = {
        GWS_BASE_URL: server.baseUrl,
        GWS_CONTROL_URL: server.controlUrl,
        GWS_AGENTS: server.agents.map((a) => `${a.username}:${a.password}`).join(","),
        GWS_INVITE_TIMEOUT_MS: "600",
        ...REFERENCE_QUEUE_ENV,
      };
      const r = await run("npx", ["gws-conformance", "run", "--out", out, "--no-allure"], join(dir, "app"), env);
      expect(r.code, r.out).toBe(0);
      const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
      expect(summary.target).toBe(server.baseUrl);
      expect(summary.verdict).toBe("CONFORMANT");
    });
  });
});
