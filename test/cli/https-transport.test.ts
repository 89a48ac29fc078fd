/**
 * HTTPS targets (T5 over TLS): the reference server serving TLS with a self-signed certificate
 * made here with openssl for the host name `localhost` only (no IP address in it: a client that
 * swapped the host name for 127.0.0.1, as the T5.reconnect proxy once did, fails verification). The CometD client honours
 * --tls-insecure and NODE_EXTRA_CA_CERTS; the T5.reconnect proxy keeps the host name (Host, SNI,
 * certificate check). In process: the session and the proxy; as a vendor runs it: the transport
 * scenarios through the command, trusting the certificate through NODE_EXTRA_CA_CERTS.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUDGETS, waitForItem } from "../../src/harness/budgets.js";
import { CometdSession } from "../../src/harness/cometd-session.js";
import { TcpProxy } from "../../src/harness/tcp-proxy.js";
import { REFERENCE_QUEUE_ENV } from "../../src/reference/deployment.js";
import { startReferenceServer, type ReferenceServer } from "../../src/reference/server.js";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "gws-tls-"));
const certFile = join(dir, "cert.pem");
const keyFile = join(dir, "key.pem");
let server: ReferenceServer;
let root: string;

beforeAll(async () => {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  server = await startReferenceServer({ tls: { cert: readFileSync(certFile), key: readFileSync(keyFile) } });
  root = `https://localhost:${server.port}`;
});
afterAll(() => server?.close());

describe("the CometD client over HTTPS", () => {
  const agent = (): { name: string; credentials: { username: string; password: string } } => ({
    name: server.agents[0].username,
    credentials: server.agents[0],
  });

  it("refuses a certificate it cannot verify, and accepts it with --tls-insecure", async () => {
    const strict = new CometdSession(`${root}/api/v2/notifications`, agent().name, agent().credentials, {
      label: "tls-strict",
    });
    try {
      const r = await strict.handshake(3_000);
      expect(r.ok).toBe(false);
    } finally {
      await strict.close();
    }
    const insecure = new CometdSession(`${root}/api/v2/notifications`, agent().name, agent().credentials, {
      label: "tls-insecure",
      tlsInsecure: true,
    });
    try {
      expect(await insecure.connect(5_000)).toEqual({ ok: true });
    } finally {
      await insecure.close();
    }
  });

  it("reaches the target through the cutting proxy with its host name kept, and comes back after a cut", async () => {
    const proxy = await TcpProxy.to(`${root}/api/v2/notifications`);
    const route = proxy.route(`${root}/api/v2/notifications`);
    expect(new URL(route.url).hostname).toBe("localhost");
    expect(route.hostHeader).toBe(`localhost:${server.port}`);
    const session = new CometdSession(`${root}/api/v2/notifications`, agent().name, agent().credentials, {
      label: "tls-proxy",
      tlsInsecure: true,
      via: route,
    });
    try {
      expect(await session.connect(5_000)).toEqual({ ok: true });
      const before = proxy.accepted;
      proxy.dropAll();
      // The client comes back by itself, through the proxy again.
      await waitForItem(proxy.connections, (n) => n > before, {
        what: "a new connection after the cut",
        budgetName: "cometdConnect",
        budgetMs: BUDGETS.cometdConnectMs,
      });
    } finally {
      await session.close();
      await proxy.close();
    }
  });
});

describe("the transport scenarios against an HTTPS target", () => {
  it("pass with the self-signed certificate trusted through NODE_EXTRA_CA_CERTS", async () => {
    const out = mkdtempSync(join(tmpdir(), "gws-tls-run-"));
    const run = await runCli(["run", "--suites", "suites/transport", "--out", out, "--no-allure"], {
      NODE_EXTRA_CA_CERTS: certFile,
      GWS_BASE_URL: `${root}/api/v2`,
      GWS_CONTROL_URL: `${root}/control`,
      GWS_AGENTS: server.agents.map((a) => `${a.username}:${a.password}`).join(","),
      ...REFERENCE_QUEUE_ENV,
    });
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      requirements: Array<{ id: string; status: string; message: string }>;
    };
    const status = (id: string): string | undefined => summary.requirements.find((r) => r.id === id)?.status;
    for (const id of ["T1.api-root", "T2.interaction-path", "T5.handshake", "T5.subscribe", "T5.reconnect"])
      expect(status(id), `${id}: ${run.stdout}`).toBe("PASS");
  });
});
