/**
 * npm run bench:load — the reference server's capacity on this machine: with 200 agents, the
 * highest e-mail rate at which the p99 notification latency stays ≤ 100 ms with 0 violations
 * and 0 errors, found by doubling the rate from --start-rate until a step misses, then halving
 * the gap. Printed beside the raw CometD floor (cometd-nodejs-server deliver → client callback)
 * measured in the same run. The server runs in a child process and the load generator reports
 * its own event-loop lag, so a figure limited by the client is flagged as such.
 * Judges nothing (exit 0 unless the bench itself breaks); the best step's load.json and
 * load.html are written to --out.
 *
 * Options: --agents N (200) --step-duration D (10s) --max-p99-ms N (100) --start-rate R (25)
 *          --max-rate R (3200) --refine N (3 halvings) --out DIR (reports/bench-load)
 */
import {
  durationMs,
  parseFlags,
  positiveNumber,
  runProgram,
  wholeNumber,
  type CliIo,
} from "../src/cli/command-line.js";
import { isEntryModule } from "../src/cli/entry.js";
import { referenceTarget } from "../src/reference/deployment.js";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../src/contract/schemas.js";
import { setRecording } from "../src/harness/transcript.js";
import { buildLoadReport, writeLoadReports, type LoadReport } from "../src/load/report.js";
import { runLoad } from "../src/load/runner.js";
import { numberedAgents } from "../src/reference/server.js";
import { percentile, rawCometdFloor } from "./lib/cometd-floor.js";

export interface BenchLoadArgs {
  agents: number;
  stepMs: number;
  maxP99Ms: number;
  startRate: number;
  maxRate: number;
  refine: number;
  out: string;
}

/** The command line (see the options above); a bad value is named. */
export function parseBenchLoadArgs(argv: readonly string[]): BenchLoadArgs {
  const { flags } = parseFlags(argv, {
    agents: { type: "string" },
    "step-duration": { type: "string" },
    "max-p99-ms": { type: "string" },
    "start-rate": { type: "string" },
    "max-rate": { type: "string" },
    refine: { type: "string" },
    out: { type: "string" },
  });
  const number = (flag: keyof typeof flags, fallback: number): number => {
    const v = flags[flag];
    return v === undefined ? fallback : positiveNumber(`--${flag}`, v);
  };
  return {
    agents: flags.agents === undefined ? 200 : wholeNumber("--agents", flags.agents, 1),
    stepMs: durationMs("--step-duration", flags["step-duration"] ?? "10s"),
    maxP99Ms: number("max-p99-ms", 100),
    startRate: number("start-rate", 25),
    maxRate: number("max-rate", 3200),
    refine: flags.refine === undefined ? 3 : wholeNumber("--refine", flags.refine),
    out: flags.out ?? join(REPO_ROOT, "reports", "bench-load"),
  };
}
/** Generator event-loop lag (p99) above which a step's figure may be the client's, not the server's. */
const CLIENT_LAG_MS = 20;
/** Budget for the child server to say it is ready. */
const SERVER_START_MS = 30_000;

interface Step {
  rate: number;
  report: LoadReport;
  pass: boolean;
  /** CPU time used during the step, as a share of one core: the server (child) and the generator (this process). */
  serverCpu: number;
  generatorCpu: number;
}

/** CPU seconds (user + system) a process has used so far (Linux /proc; 0 elsewhere). */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return 0;
  }
}

async function startServerProcess(
  agents: ReturnType<typeof numberedAgents>,
): Promise<{ child: ChildProcess; baseUrl: string; cometdUrl: string; controlUrl: string }> {
  const list = agents.map((a) => `${a.username}:${a.password}`).join(",");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(REPO_ROOT, "src", "reference", "cli.ts"), "--port", "0", "--agents", list],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  let text = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the reference server did not start within ${SERVER_START_MS} ms:\n${text}`)),
      SERVER_START_MS,
    );
    child.stdout!.on("data", (c: Buffer) => {
      text += c.toString();
      if (!/ready; Ctrl-C to stop/.test(text)) return;
      clearTimeout(timer);
      const url = (label: string): string => new RegExp(`${label}\\s+(\\S+)`).exec(text)![1];
      resolve({
        child,
        baseUrl: url("API root"),
        cometdUrl: url("CometD"),
        controlUrl: url("control").replace(/\/inbound-emails$/, ""),
      });
    });
    child.on("exit", (code) => reject(new Error(`the reference server exited (${code}):\n${text}`)));
  });
}

const fmtStep = (s: Step): string => {
  const r = s.report;
  const n = r.latency.notification.all;
  const lag = r.generatorLoopLag.p99Ms;
  return [
    `${String(s.rate).padStart(6)}/s`,
    `completed ${String(r.counts.completed).padStart(6)}/${String(r.counts.injected).padEnd(6)}`,
    `notify p50 ${n.p50Ms.toFixed(1).padStart(6)} p99 ${n.p99Ms.toFixed(1).padStart(7)} ms`,
    `offer p99 ${r.latency.offer.p99Ms.toFixed(1).padStart(7)} ms`,
    `violations ${r.counts.violations} errors ${r.counts.errors}`,
    `generator lag p99 ${lag.toFixed(1)} ms${lag > CLIENT_LAG_MS ? " (client-limited?)" : ""}`,
    `CPU server ${Math.round(s.serverCpu * 100)}% generator ${Math.round(s.generatorCpu * 100)}%`,
    s.pass ? "ok" : "MISSED",
  ].join("  ");
};

async function main(argv: string[], io: CliIo): Promise<number> {
  const {
    agents: AGENTS,
    stepMs: STEP_MS,
    maxP99Ms: MAX_P99_MS,
    startRate: START_RATE,
    maxRate: MAX_RATE,
    refine: REFINE,
    out: OUT,
  } = parseBenchLoadArgs(argv);
  setRecording(false);
  const agents = numberedAgents(AGENTS);
  io.out(`bench:load — ${AGENTS} agents, ${STEP_MS / 1000} s per step`);
  io.out(`objective: p99 notification latency ≤ ${MAX_P99_MS} ms, 0 violations, 0 errors`);
  const floor = await rawCometdFloor(200);
  const floorText = `p50 ${percentile(floor, 50).toFixed(2)} ms, p99 ${percentile(floor, 99).toFixed(2)} ms`;
  io.out(`raw CometD floor (deliver → client callback, 200 messages): ${floorText}`);
  const server = await startServerProcess(agents);
  const target = referenceTarget(
    { ...server, agents },
    { notifyBudgetMs: 5000, inboundBudgetMs: 5000, embedded: false, label: "reference server (child process)" },
  );
  const steps: Step[] = [];
  const step = async (rate: number, counted = true): Promise<Step> => {
    const [server0, self0, t0] = [cpuSecondsOf(server.child.pid), process.cpuUsage(), performance.now()];
    const outcome = await runLoad({ target, agents, rate, durationMs: STEP_MS });
    const wallS = (performance.now() - t0) / 1000;
    const self = process.cpuUsage(self0);
    const cpu = {
      serverCpu: (cpuSecondsOf(server.child.pid) - server0) / wallS,
      generatorCpu: (self.user + self.system) / 1e6 / wallS,
    };
    const report = buildLoadReport(outcome, {
      target: target.label,
      settings: { agents: AGENTS },
      rate,
      agentsConfigured: AGENTS,
      objectives: { maxP99Ms: MAX_P99_MS, maxViolations: 0, maxErrors: 0 },
    });
    const s = { rate, report, pass: report.verdict === "MET", ...cpu };
    if (!counted) return s;
    steps.push(s);
    io.out(fmtStep(s));
    return s;
  };
  try {
    // Warm-up (not counted): JIT, the validators' compilation, the first connections.
    await step(START_RATE, false);
    let pass: Step | undefined;
    let fail: Step | undefined;
    for (let rate = START_RATE; rate <= MAX_RATE; rate *= 2) {
      const s = await step(rate);
      if (s.pass) pass = s;
      else {
        fail = s;
        break;
      }
    }
    for (let i = 0; i < REFINE && pass && fail && fail.rate - pass.rate > Math.max(2, pass.rate / 20); i++) {
      const s = await step(Math.round((pass.rate + fail.rate) / 2));
      if (s.pass) pass = s;
      else fail = s;
    }
    io.out("");
    if (pass) {
      const n = pass.report.latency.notification.all;
      const lag = pass.report.generatorLoopLag.p99Ms;
      const figures = `p99 notification latency ${n.p99Ms} ms ≤ ${MAX_P99_MS} ms, p50 ${n.p50Ms} ms, 0 violations`;
      const above = fail ? `${fail.rate}/s missed` : `not reached up to ${MAX_RATE}/s`;
      io.out(`capacity: ${pass.rate} e-mails/s with ${AGENTS} agents (${figures}); ${above}`);
      io.out(`beside the raw CometD floor: ${floorText}`);
      const whose =
        lag > CLIENT_LAG_MS ? " — above 20 ms: the client may be the limit, not the server" : " (the server's figure)";
      io.out(`load generator event-loop lag at that rate: p99 ${lag} ms${whose}`);
      const pctOf = (share: number): string => `${Math.round(share * 100)}%`;
      const cpu = (s: Step): string => `server ${pctOf(s.serverCpu)} of a core, generator ${pctOf(s.generatorCpu)}`;
      io.out(`CPU at that rate: ${cpu(pass)}${fail ? `; at ${fail.rate}/s: ${cpu(fail)}` : ""}`);
      const files = writeLoadReports(OUT, pass.report);
      io.out(`the capacity step's reports: ${files.json}, ${files.html}`);
    } else io.out(`capacity: even ${START_RATE} e-mails/s missed the objective (see the step above)`);
  } finally {
    server.child.kill("SIGTERM");
  }
  return 0;
}

if (isEntryModule(import.meta.url)) await runProgram("bench:load", main);
