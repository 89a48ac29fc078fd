/**
 * The single-file Allure 3 HTML report (opens from file://, no Java, offline), generated from
 * allure-results/ with the awesome plugin's singleFile option and the configuration of
 * allure-requirements.ts (tree by area and rule, categories, resolutions). Its exit code says
 * nothing about the tests; failure to generate is reported, never fatal to the run.
 *
 * The report is written by a process of its own (allure-generator-process.ts), which the command
 * can start early — `AllureGenerator.start()` while the scenarios run — so that loading Allure's
 * library costs the run nothing; allurerc.mjs is left beside the report for `npx allure generate`.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { gateBannerHtml, withGateBanner } from "./allure-evidence.js";
import { allureReportConfig, allureReportName } from "./allure-requirements.js";
import type { Verdicts } from "./verdicts.js";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ALLURE_BUDGET_MS = 60_000;

export interface AllureOutcome {
  ok: boolean;
  message: string;
}

/** The generator process's file beside this module (compiled, or TypeScript through tsx in development). */
function generatorScript(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ts = here.endsWith(".ts");
  return {
    file: join(dirname(here), `allure-generator-process.${ts ? "ts" : "js"}`),
    execArgv: ts ? ["--import", "tsx"] : [],
  };
}

/** A started generator process: warming up (loading Allure's library), then ready for one report. */
export class AllureGenerator {
  private readonly ready: Promise<void>;
  private failure: string | undefined;
  private stderr = "";

  private constructor(private readonly child: ChildProcess) {
    this.ready = new Promise((resolve) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => {
        this.failure ??= `the Allure generator exited (${code}): ${this.stderr.trim().slice(-400)}`;
        resolve();
      });
      child.once("error", (e) => {
        this.failure ??= `the Allure generator could not start: ${e.message}`;
        resolve();
      });
    });
    child.stderr?.on("data", (c: Buffer) => (this.stderr = (this.stderr + c.toString()).slice(-2000)));
  }

  /** `cwd`: where Allure may write files of its own (known issues): the run's output folder. */
  static start(cwd: string): AllureGenerator {
    const { file, execArgv } = generatorScript();
    const child = fork(file, [], {
      cwd,
      execArgv,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    return new AllureGenerator(child);
  }

  /** Writes outDir/allure-report/ from resultsDir with `config` (also saved as outDir/allurerc.mjs). */
  /** `banner`: HTML put above the report (allure-evidence.ts gateBannerHtml: the quality gate and the verdict). */
  async generate(
    resultsDir: string,
    outDir: string,
    config: Record<string, unknown>,
    banner?: string,
  ): Promise<AllureOutcome> {
    if (!existsSync(resultsDir)) return { ok: false, message: `no Allure results in ${resultsDir}` };
    const output = join(outDir, "allure-report");
    const configFile = join(outDir, "allurerc.mjs");
    writeFileSync(configFile, `export default ${JSON.stringify({ ...config, output }, null, 2)};\n`);
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<AllureOutcome>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, message: `no report within ${ALLURE_BUDGET_MS} ms` }),
        ALLURE_BUDGET_MS,
      );
    });
    const work = (async (): Promise<AllureOutcome> => {
      await this.ready;
      if (this.failure) return { ok: false, message: this.failure };
      return new Promise<AllureOutcome>((resolve) => {
        this.child.once("message", (m: AllureOutcome) => resolve(m));
        this.child.once("exit", () => resolve({ ok: false, message: this.failure ?? "the Allure generator exited" }));
        this.child.send({ resultsDir, configFile, output });
      });
    })();
    try {
      const outcome = await Promise.race([work, budget]);
      const index = join(output, "index.html");
      if (outcome.ok && banner && existsSync(index))
        writeFileSync(index, withGateBanner(readFileSync(index, "utf8"), banner));
      return outcome;
    } finally {
      clearTimeout(timer);
      this.close();
    }
  }

  /** Ends the process (it is used for one report). */
  close(): void {
    if (this.child.connected) this.child.disconnect();
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** `config`: the allurerc settings (name, plugins, categories, resolutions); the output folder is added here. */
export function generateAllureReport(
  resultsDir: string,
  outDir: string,
  config: Record<string, unknown>,
  generator: AllureGenerator = AllureGenerator.start(outDir),
  banner?: string,
): Promise<AllureOutcome> {
  return generator.generate(resultsDir, outDir, config, banner);
}

/**
 * The conformance run's Allure report (run and merge alike): named after the target and the
 * verdict, configured from the verdicts, with the quality-gate banner in place of the ring.
 */
export function generateConformanceAllure(
  resultsDir: string,
  outDir: string,
  targetLabel: string,
  verdicts: Pick<Verdicts, "requirements" | "verdict" | "gate">,
  generator?: AllureGenerator,
): Promise<AllureOutcome> {
  const name = allureReportName(targetLabel, verdicts.verdict);
  return generateAllureReport(
    resultsDir,
    outDir,
    allureReportConfig(verdicts, name),
    generator,
    gateBannerHtml(verdicts),
  );
}
