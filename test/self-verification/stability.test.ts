/** No flakes: the full suite, run several times against the reference server, gives the same verdicts (scripts/stability.ts). */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/contract/schemas.js";

/** CI runs a small N; `npm run stability` defaults to 20. */
const RUNS = Number(process.env.GWS_STABILITY_RUNS ?? 3);

describe("stability", () => {
  it(`${RUNS} full runs give the same verdict for every scenario`, async () => {
    const out = mkdtempSync(join(tmpdir(), "gws-stability-"));
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "scripts", "stability.ts"), "--runs", String(RUNS), "--out", out], { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "inherit"] });
      const timer = setTimeout(() => child.kill("SIGKILL"), RUNS * 90_000);
      child.on("close", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    const report = JSON.parse(readFileSync(join(out, "stability.json"), "utf8")) as { flakes: unknown[] };
    expect(report.flakes).toEqual([]);
    expect(code).toBe(0);
  });
});
