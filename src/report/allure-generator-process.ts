/**
 * The process that writes the Allure HTML report (allure.ts forks it). It loads Allure's report
 * library as soon as it starts — the command starts it while the scenarios run, so the loading is
 * paid in the run's idle time, not after it — then writes one report per request it is sent:
 *   parent → {resultsDir, configFile, output}   child → {ok, message}
 * This is what `allure generate` does (allure/dist/commands/commons/generate.js), without its
 * command-line start-up, and with the report made offline (offline-html.ts: no analytics, a CSP).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { offlineAllureHtml } from "./offline-html.js";

interface Job {
  resultsDir: string;
  configFile: string;
  output: string;
}

const core = await import("@allurereport/core");
// The awesome plugin is what the configuration names: loading it now is part of the warm-up.
await import("@allurereport/plugin-awesome");
process.send?.({ ready: true });

process.on("message", (job: Job) => {
  generate(job).then(
    () => {
      const index = join(job.output, "index.html");
      process.send?.(
        existsSync(index) ? { ok: true, message: index } : { ok: false, message: "no index.html written" },
      );
    },
    (e: Error) => process.send?.({ ok: false, message: e.message }),
  );
});
process.on("disconnect", () => process.exit(0));

async function generate(job: Job): Promise<void> {
  const config = await core.readConfig(dirname(job.configFile), job.configFile, { output: job.output });
  const report = new core.AllureReport(config);
  await report.start();
  await report.readDirectory(job.resultsDir);
  await report.done();
  // Nothing phones home (offline-html.ts): the analytics Allure adds out, the network policy in.
  const index = join(job.output, "index.html");
  if (existsSync(index)) writeFileSync(index, offlineAllureHtml(readFileSync(index, "utf8")));
}
