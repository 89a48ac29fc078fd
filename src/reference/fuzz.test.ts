/**
 * R2 on the reference server itself: no request, however malformed, gets a 5xx or crashes it.
 * fast-check generates requests from the contract's schemas (valid bodies of every operation,
 * the channel request and the inbound e-mail of the control API) and mutates them (fields
 * dropped or of another type, unknown and duplicate keys, truncated JSON, invalid UTF-8, deep
 * nesting, bodies over 1 MiB, bad percent-encodings and overlong paths, overlong headers, wrong
 * methods and content types, wrong or no credentials); the Bayeux endpoint gets garbage and meta
 * messages out of order. Every answer is checked: no 5xx, every REST refusal in R1 form, every
 * Bayeux answer a list of Bayeux replies; the server logs no unexpected error; memory stays flat.
 *
 * GWS_FUZZ_RUNS sets the number of requests per endpoint (default 10,000 REST + 10,000 Bayeux);
 * GWS_FUZZ_SEED replays a run (the seed is printed at the start).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lifecycle } from "../contract/lifecycle.js";
import { startReferenceServer, type ReferenceServer } from "./server.js";
import { arbitraryOfFile, mutatedBody } from "./test-support/schema-arbitrary.js";
import { rawRequest, type RawAnswer, type RawRequest } from "./test-support/raw-http.js";
import { basicAuth, inject } from "./test-support/client.js";

const FUZZ_RUNS = Number(process.env.GWS_FUZZ_RUNS ?? 10_000);
const SEED = process.env.GWS_FUZZ_SEED ? Number(process.env.GWS_FUZZ_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
/** Whole-test budget: the fuzz must fit CI (2 minutes for both endpoints on a 2-core machine). */
const BUDGET_MS = 110_000;

let server: ReferenceServer;
const unexpected: string[] = [];
let ids: string[] = [];

beforeAll(async () => {
  server = await startReferenceServer({ log: (line) => unexpected.push(line) });
  // Real interaction ids, so that some generated operations reach real interactions.
  ids = await Promise.all(
    [0, 1, 2, 3].map((i) =>
      inject(server.controlUrl, {
        to: "support@contact-center.example",
        from: "pat@example.org",
        subject: `fuzz-${i}`,
        text: "hi",
      }),
    ),
  );
  console.log(`fuzz seed ${SEED} (replay: GWS_FUZZ_SEED=${SEED}), ${FUZZ_RUNS} requests per endpoint`);
});
afterAll(() => server.close());

const agent = { username: "agent1", password: "secret1" };

// ----- REST and control API --------------------------------------------------------------------

const operationBodies = fc.oneof(...lifecycle.operations.map((o) => arbitraryOfFile(o.request)));
const bodyFor = {
  operation: mutatedBody(operationBodies),
  channel: mutatedBody(arbitraryOfFile("requests/channel-state.schema.json")),
  control: mutatedBody(arbitraryOfFile("control/inbound-email.schema.json")),
};

/** Interaction ids as a client might put them in the path: real, unknown, badly percent-encoded, overlong. */
const idSegment = fc.oneof(
  fc.constantFrom(...["REAL0", "REAL1", "REAL2", "REAL3"]),
  fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(s)),
  fc.constantFrom("%E0%A4%A", "%", "%ZZ", "%C0%AF", "%FF%FE", "%00", "..%2F..%2Fetc", "%E0%A4%A%E0"),
  fc.integer({ min: 9_000, max: 20_000 }).map((n) => "x".repeat(n)),
  fc
    .uint8Array({ minLength: 1, maxLength: 8 })
    .map((b) => Buffer.from(b.map((x) => (x < 0x21 || x === 0x7f ? 0x41 : x))).toString("latin1")),
);

const restRequest = fc.record({
  where: fc.constantFrom("interaction", "interaction", "interaction", "collection", "channel", "control", "other"),
  id: idSegment,
  method: fc.oneof(
    { weight: 12, arbitrary: fc.constant("POST") },
    { weight: 1, arbitrary: fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD") },
  ),
  auth: fc.constantFrom("agent", "agent", "agent", "wrong", "none", "garbage"),
  contentType: fc.constantFrom(
    "application/json",
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "",
    "application/json; charset=latin1",
  ),
  bigHeader: fc.oneof(
    { weight: 40, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 8_000, max: 40_000 }) },
  ),
  huge: fc.oneof({ weight: 400, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  operation: bodyFor.operation,
  channel: bodyFor.channel,
  control: bodyFor.control,
});
type RestCase = typeof restRequest extends fc.Arbitrary<infer T> ? T : never;

function toRaw(c: RestCase): { req: RawRequest; mutation: string } {
  const id = c.id.startsWith("REAL") ? ids[Number(c.id.slice(4))] : c.id;
  const [path, gen] =
    c.where === "interaction"
      ? [`/api/v2/me/interactions/${id}`, c.operation]
      : c.where === "collection"
        ? ["/api/v2/me/interactions", c.operation]
        : c.where === "channel"
          ? ["/api/v2/me/channels/email", c.channel]
          : c.where === "control"
            ? ["/control/inbound-emails", c.control]
            : [`/api/v2/${id}`, c.operation];
  const headers: Array<[string, string]> = [];
  if (c.contentType) headers.push(["content-type", c.contentType]);
  if (c.auth === "agent") headers.push(["authorization", basicAuth(agent)]);
  if (c.auth === "wrong") headers.push(["authorization", basicAuth({ ...agent, password: "wrong" })]);
  if (c.auth === "garbage") headers.push(["authorization", "Basic %%%not-base64"]);
  if (c.bigHeader) headers.push(["x-filler", "f".repeat(c.bigHeader)]);
  const body = c.huge ? Buffer.alloc(1024 * 1024 + 10, "a") : gen.body;
  return {
    req: { method: c.method, path, headers, body: c.method === "GET" || c.method === "HEAD" ? undefined : body },
    mutation: c.huge ? "body over 1 MiB" : gen.mutation,
  };
}

/** R1: a refusal carries {"status":"error","errorDescription":"…"}. */
function r1Problem(a: RawAnswer): string | undefined {
  try {
    const b = JSON.parse(a.body.toString("utf8")) as { status?: unknown; errorDescription?: unknown };
    if (b.status === "error" && typeof b.errorDescription === "string" && b.errorDescription.length > 0)
      return undefined;
    return `not an R1 error envelope: ${a.body.toString("utf8").slice(0, 120)}`;
  } catch {
    return `not JSON: ${a.body.toString("latin1").slice(0, 120)}`;
  }
}

function memoryWatch(): { sample(): void; growthBytes(): number } {
  const samples: number[] = [];
  return {
    sample: () => void samples.push(process.memoryUsage().rss),
    // From the first tenth of the run (warmed up) to its end: a leak grows with the request count.
    growthBytes: () => samples[samples.length - 1] - samples[Math.floor(samples.length / 10)],
  };
}

describe("the reference server never answers 5xx and never crashes", () => {
  it(`REST and control API: ${FUZZ_RUNS} generated requests, every refusal in R1 form`, {
    timeout: BUDGET_MS,
  }, async () => {
    const started = Date.now();
    const statuses = new Map<number, number>();
    const mem = memoryWatch();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(restRequest, async (c) => {
        const { req, mutation } = toRaw(c);
        const a = await rawRequest(server.port, req);
        if (++n % 100 === 0) mem.sample();
        const how = `${mutation}, auth ${c.auth}, content-type ${JSON.stringify(c.contentType)}`;
        const what = `${req.method} ${req.path.slice(0, 80)} (${how})`;
        if (a.status === undefined) throw new Error(`${what}: no answer (${a.error})`);
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        if (a.status >= 500) throw new Error(`${what}: HTTP ${a.status} ${a.body.toString("utf8").slice(0, 200)}`);
        if (a.status >= 400 && req.method !== "HEAD") {
          const p = r1Problem(a);
          if (p) throw new Error(`${what}: HTTP ${a.status} ${p}`);
        }
      }),
      { numRuns: FUZZ_RUNS, seed: SEED, endOnFailure: true },
    );
    const seen = JSON.stringify(Object.fromEntries([...statuses].sort()));
    const growth = (mem.growthBytes() / 2 ** 20).toFixed(1);
    console.log(`REST fuzz: ${n} requests in ${Date.now() - started} ms; statuses ${seen}; RSS growth ${growth} MiB`);
    expect(unexpected).toEqual([]);
    expect(mem.growthBytes()).toBeLessThan(150 * 2 ** 20);
    // Still serving: a valid call after the storm.
    const after = await rawRequest(server.port, {
      method: "POST",
      path: "/api/v2/me/channels/email",
      headers: [["authorization", basicAuth(agent)]],
      body: Buffer.from('{"operationName":"Ready"}'),
    });
    expect(after.status).toBe(200);
  });
});

// ----- Bayeux endpoint -------------------------------------------------------------------------

const channels = fc.oneof(
  fc.constantFrom(
    "/meta/handshake",
    "/meta/connect",
    "/meta/subscribe",
    "/meta/unsubscribe",
    "/meta/disconnect",
    "/me/interactions",
    "/service/x",
    "/meta/unknown",
  ),
  fc.constantFrom("", "/", "//", "/a//b", "/*", "/**", "/a/*/b", "meta/handshake", "/meta/handshake/extra"),
  fc.string({ maxLength: 12 }).map((s) => `/${s}`),
);
const anyValue = fc.jsonValue({ maxDepth: 2 });
const bayeuxMessage = fc.record(
  {
    channel: fc.oneof({ weight: 9, arbitrary: channels }, { weight: 1, arbitrary: anyValue }),
    clientId: fc.oneof(fc.constantFrom("SESSION", "unknown-client"), anyValue),
    id: fc.oneof(fc.nat().map(String), anyValue),
    version: fc.constantFrom("1.0", "0.9", 1),
    supportedConnectionTypes: fc.oneof(fc.constant(["long-polling"]), anyValue),
    connectionType: fc.oneof(fc.constant("long-polling"), anyValue),
    subscription: fc.oneof(channels, fc.array(channels, { maxLength: 3 }), anyValue),
    advice: fc.oneof(fc.constant({ timeout: 0 }), anyValue),
    ext: anyValue,
    data: anyValue,
  },
  { requiredKeys: [] },
);
const bayeuxBody = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(bayeuxMessage, { minLength: 0, maxLength: 3 })
      .map((m) => ({ kind: "batch", messages: m as unknown })),
  },
  { weight: 1, arbitrary: bayeuxMessage.map((m) => ({ kind: "single message", messages: m as unknown })) },
  { weight: 1, arbitrary: anyValue.map((v) => ({ kind: "any JSON", messages: v as unknown })) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => ({ kind: "random bytes", raw: Buffer.from(b) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 100, max: 5_000 })
      .map((n) => ({ kind: "deep nesting", raw: Buffer.from("[".repeat(n) + "]".repeat(n)) })),
  },
);

describe("the Bayeux endpoint answers garbage and out-of-order meta messages with Bayeux errors", () => {
  it(`${FUZZ_RUNS} generated batches: no 5xx, every answer a list of Bayeux replies, no crash`, {
    timeout: BUDGET_MS,
  }, async () => {
    const started = Date.now();
    const mem = memoryWatch();
    // A real session id, so that some messages reach a handshaken session out of order.
    const hs = await rawRequest(server.port, {
      method: "POST",
      path: "/api/v2/notifications/handshake",
      headers: [
        ["content-type", "application/json"],
        ["authorization", basicAuth(agent)],
      ],
      body: Buffer.from(
        JSON.stringify([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["long-polling"] }]),
      ),
    });
    const clientId = (JSON.parse(hs.body.toString("utf8")) as Array<{ clientId: string }>)[0].clientId;
    expect(typeof clientId).toBe("string");
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        bayeuxBody,
        fc.boolean(),
        fc.constantFrom("", "/handshake", "/connect", "/x/y"),
        async (b, authed, suffix) => {
          const text =
            "raw" in b
              ? b.raw
              : Buffer.from(JSON.stringify(b.messages).replaceAll('"SESSION"', JSON.stringify(clientId)));
          // A /meta/connect that the server would hold for its long-poll timeout is asked not to wait.
          const req: RawRequest = {
            method: "POST",
            path: `/api/v2/notifications${suffix}`,
            headers: [["content-type", "application/json"]],
            body: text,
          };
          if (authed) req.headers.push(["authorization", basicAuth(agent)]);
          const a = await rawRequest(server.port, req, 30_000);
          if (++n % 100 === 0) mem.sample();
          const what = `${b.kind} ${text.toString("utf8").slice(0, 160)}`;
          if (a.status === undefined) throw new Error(`${what}: no answer (${a.error})`);
          if (a.status >= 500) throw new Error(`${what}: HTTP ${a.status}`);
          let replies: unknown;
          try {
            replies = JSON.parse(a.body.toString("utf8"));
          } catch {
            throw new Error(
              `${what}: HTTP ${a.status} with a body that is not JSON: ${a.body.toString("latin1").slice(0, 100)}`,
            );
          }
          const ok =
            Array.isArray(replies) &&
            replies.every(
              (r) => r && typeof r === "object" && typeof (r as { channel?: unknown }).channel === "string",
            );
          if (!ok)
            throw new Error(
              `${what}: HTTP ${a.status} not a list of Bayeux replies: ${a.body.toString().slice(0, 200)}`,
            );
        },
      ),
      { numRuns: FUZZ_RUNS, seed: SEED, endOnFailure: true },
    );
    const growth = (mem.growthBytes() / 2 ** 20).toFixed(1);
    console.log(`Bayeux fuzz: ${n} requests in ${Date.now() - started} ms; RSS growth ${growth} MiB`);
    expect(unexpected).toEqual([]);
    expect(mem.growthBytes()).toBeLessThan(150 * 2 ** 20);
  });
});
