/**
 * Allowed variations of the reference server: like the faults (faults/), switched on by name,
 * but each one CONFORMING — a form the contract allows that another vendor's server may take.
 * A clean conformance run must pass with any of them, and with all at once: that is how the
 * suite proves it is fair (interpretation.md, MAY clauses and "Deployment data and routing").
 * This list is the one declaration: name, the rule that allows it, what it does, its switches.
 */
import { REFERENCE_CAPACITY, REFERENCE_INBOUND_DELAY_MS } from "./deployment.js";
import { REFERENCE_SESSION_SWEEP } from "./bayeux.js";

/** What the domain (world.ts) and the HTTP layer (server.ts) read. Absent: the default behaviour. */
export interface VariationSwitches {
  /** Reply, ReplyAll, Send and CreateEmail must name a queue, and every queueName must be one the server knows. */
  requireQueue?: boolean;
  /** Accept's success is an empty HTTP 200. */
  emptyAccept?: boolean;
  /** An inbound e-mail's Text has CRLF line ends and a final line end, as mail transport may leave it. */
  crlfText?: boolean;
  /** An agent is offered at most this many interactions at once (Invited, Accepted and ReplyCreated count). */
  capacity?: number;
  /** Every Invited that depends on routing (inbound, re-offer, Transfer to a queue) is delivered this much later. */
  inboundDelayMs?: number;
  /** After Transfer to a queue and PlaceInQueue the interaction is offered again to another Ready agent. */
  reofferElsewhere?: boolean;
  /** Failure answers of operations and the channel use HTTP 200 with the error envelope; auth refusals stay 401. */
  failuresAs200?: boolean;
  /** CC lists are stored as `a,b`: no spaces, in the server's own order (Accepted and ReplyAll carry that form). */
  ccCompact?: boolean;
  /** Undocumented vendor fields in every notification (top level, email_object, userData) and every answer body. */
  vendorFields?: boolean;
  /** Bayeux sessions are swept with re-handshake advice; the agent's notifications are held for its next subscription. */
  sessionSweep?: boolean;
  /** After StopProcessing, Send and CancelReplyEmail the former holder is told the end state (Completed, Sent, Cancelled; capabilities []). */
  endStates?: boolean;
  /** Each notification is published before the HTTP answer of its call; every answer comes this much later (ms, uniformly drawn). */
  notifyFirst?: { minMs: number; maxMs: number };
  /** An inbound e-mail is Invited to every Ready agent with room at once; the first Accept holds it, the others get Revoked. */
  ringAll?: boolean;
  /** A Revoked invitation is offered once more (another Ready agent with room, else the same one). */
  reofferRevoked?: boolean;
}

export interface Variation {
  name: string;
  /** The rule (interpretation.md) that allows it. */
  rule: string;
  description: string;
  switches: VariationSwitches;
}

export const VARIATIONS: readonly Variation[] = [
  {
    name: "require-queue",
    rule: "O3",
    description:
      "Reply, ReplyAll, Send and CreateEmail without queueName, and any operation naming a queue the server " +
      "does not know, get a failure answer (O3, O6, O8: a server MAY require it; Deployment data).",
    switches: { requireQueue: true },
  },
  {
    name: "empty-accept",
    rule: "R1",
    description: "Accept answers an empty HTTP 200 with no body (R1 MAY, contradiction 4).",
    switches: { emptyAccept: true },
  },
  {
    name: "crlf-text",
    rule: "N3",
    description:
      "The e-mail's Text reaches Accepted and quoted replies with CRLF line ends and a final line end " +
      "(N3 MAY: mail transport).",
    switches: { crlfText: true },
  },
  {
    name: "capacity",
    rule: "T7",
    description:
      `An agent is offered at most ${REFERENCE_CAPACITY} interactions at once; an e-mail for a full agent goes ` +
      "to another Ready agent with room, or waits (Deployment data: capacity).",
    switches: { capacity: REFERENCE_CAPACITY },
  },
  {
    name: "inbound-delay",
    rule: "T7",
    description:
      "Every Invited that depends on routing (an inbound e-mail, a re-offer, a Transfer to a queue) arrives " +
      `${REFERENCE_INBOUND_DELAY_MS} ms after its cause (Deployment data: the offer budget).`,
    switches: { inboundDelayMs: REFERENCE_INBOUND_DELAY_MS },
  },
  {
    name: "reoffer-elsewhere",
    rule: "T6",
    description:
      "After Transfer to a queue and PlaceInQueue the interaction is offered again (Invited, same id) to " +
      "another Ready agent (Deployment data: routing is the server's).",
    switches: { reofferElsewhere: true },
  },
  {
    name: "failures-http-200",
    rule: "R2",
    description:
      "Failure answers of operations and of the channel are HTTP 200 with the error envelope instead of a 4xx " +
      "(R2 MAY); authentication refusals stay 401 (T4).",
    switches: { failuresAs200: true },
  },
  {
    name: "cc-compact",
    rule: "O4",
    description:
      "The server stores a CC list as `a,b`: without spaces and in its own order (reversed), and reports and " +
      "copies it so in Accepted and ReplyAll (Deployment data: address lists are lists).",
    switches: { ccCompact: true },
  },
  {
    name: "vendor-fields",
    rule: "N1",
    description:
      "Undocumented vendor fields (x-vendor-…) at the top of every notification, in its email_object and " +
      "userData, and in every answer with a body (N1: servers may add fields; drift reports them).",
    switches: { vendorFields: true },
  },
  {
    name: "session-sweep",
    rule: "T5",
    description:
      `Every ${REFERENCE_SESSION_SWEEP.everyMs} ms the oldest subscribed Bayeux session (at least ` +
      `${REFERENCE_SESSION_SWEEP.minAgeMs} ms old) is dropped: its next /meta/connect is told 402::session_unknown, ` +
      "advice reconnect handshake. The agent's notifications are held until a new subscription of that agent " +
      "comes back, so a client that subscribes again loses nothing (Deployment data and routing: re-handshake).",
    switches: { sessionSweep: true },
  },
  {
    name: "end-states",
    rule: "N1",
    description:
      "After StopProcessing, Send and CancelReplyEmail the agent that held the interaction gets a notification " +
      "of its end state (Completed, Sent, Cancelled) with empty capabilities (Deployment data: states the page " +
      "does not name; N1 allows any state string).",
    switches: { endStates: true },
  },
  {
    name: "notify-first",
    rule: "N8",
    description:
      "Each notification is published before the HTTP answer to the call that caused it, and every answer " +
      "comes 20–120 ms later (Deployment data: a notification MAY arrive before the answer).",
    switches: { notifyFirst: { minMs: 20, maxMs: 120 } },
  },
  {
    name: "ring-all",
    rule: "T6",
    description:
      "An inbound e-mail is Invited to every Ready agent with room at once; the first Accept holds it and the " +
      "others' invitations end with Revoked; their later operations on it fail (Deployment data and routing: " +
      "offers to several agents, T6, T8).",
    switches: { ringAll: true },
  },
  {
    name: "reoffer-revoked",
    rule: "T6",
    description:
      "A Revoked invitation is offered once more (Invited, same id), routed as an inbound e-mail: to the same " +
      "agent when it is Ready with room, else to another (Deployment data and routing: after Revoked the server " +
      "MAY offer it again, to any Ready agent, the same one included).",
    switches: { reofferRevoked: true },
  },
];

/** The environment variable of the embedded server's variations, `all` or names (read by the command only). */
export const VARIATIONS_ENV = "GWS_REFERENCE_VARIATIONS";

/** Names → switches. `all` switches every variation on. Throws for an unknown name, listing the valid ones. */
export function variationSwitches(names: readonly string[] | "all" | undefined): VariationSwitches {
  const chosen =
    names === "all"
      ? VARIATIONS
      : (names ?? []).map((n) => VARIATIONS.find((v) => v.name === n) ?? unknownVariation(n));
  return Object.assign({}, ...chosen.map((v) => v.switches)) as VariationSwitches;
}

/** Parses `all` or `a,b` (the CLI flag and the environment variable); empty → none. */
export function parseVariations(text: string | undefined): string[] | "all" | undefined {
  const t = (text ?? "").trim();
  if (!t) return undefined;
  if (t === "all") return "all";
  const names = t
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) if (!VARIATIONS.some((v) => v.name === n)) unknownVariation(n);
  return names;
}

function unknownVariation(name: string): never {
  throw new Error(`unknown variation "${name}"; valid variations: all, ${VARIATIONS.map((v) => v.name).join(", ")}`);
}
