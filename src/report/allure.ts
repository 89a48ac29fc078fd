/**
 * The single-file Allure 3 HTML report (opens from file://, no Java, offline), generated from
 * allure-results/ with the awesome plugin's singleFile option and the configuration of
 * allure-requirements.ts (tree by area and rule, categories, resolutions). Its exit code says
 * nothing about the tests; failure to generate is reported, never fatal to the run.
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ALLURE_BUDGET_MS = 60_000;

/**
 * The allure package's command-line entry, wherever the package manager put the package (its
 * `exports` name only the library: the CLI sits beside dist/ in the package).
 */
function allureCli(): string {
  return join(dirname(dirname(fileURLToPath(import.meta.resolve("allure")))), "cli.js");
}

/** `config`: the allurerc settings (name, plugins, categories, resolutions); the output folder is added here. */
export function generateAllureReport(
  resultsDir: string,
  outDir: string,
  config: Record<string, unknown>,
): Promise<{ ok: boolean; message: string }> {
  if (!existsSync(resultsDir)) return Promise.resolve({ ok: false, message: `no Allure results in ${resultsDir}` });
  const configFile = join(outDir, "allurerc.mjs");
  const settings = { ...config, output: join(outDir, "allure-report") };
  writeFileSync(configFile, `export default ${JSON.stringify(settings, null, 2)};\n`);
  const args = [allureCli()];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args, "generate", resultsDir, "--config", configFile, "--output", join(outDir, "allure-report")], {
      cwd: outDir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let err = "";
    child.stdout.resume();
    child.stderr.on("data", (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), ALLURE_BUDGET_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `allure could not start: ${e.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const index = join(outDir, "allure-report", "index.html");
      resolve(existsSync(index) ? { ok: true, message: index } : { ok: false, message: `allure generate exited ${code}: ${err.trim().slice(-400)}` });
    });
  });
}
