/**
 * Conservative requests: the body of every operation the suite sends, built from the target's
 * settings, never from a schema's `examples` or the page's placeholder texts. Every field the
 * page does not mark optional is sent: `queueName` on Reply, ReplyAll, Send and CreateEmail (O3,
 * O6, O8: a server MAY require it), a real queue for Transfer and PlaceInQueue (O9, O11), and on
 * Forward too (O5: optional, harmless). Queue names are deployment data: the configured ones
 * (interpretation.md, "Deployment data and routing"); Send names its own (GWS_SEND_QUEUE, default
 * the compose queue). Optional fields a server may echo back into a notification where the
 * contract fixes the value are not sent (CreateEmail's interactionType).
 */
import {
  QUEUE_PURPOSES,
  QUEUE_SETTINGS,
  type QueuePurpose,
  type ResolvedQueue,
  type ResolvedQueues,
} from "./settings.js";

/** The queue purpose an operation names, if any (QUEUE_SETTINGS is the one table of it). */
export function queuePurposeOf(operation: string): QueuePurpose | undefined {
  return QUEUE_PURPOSES.find((p) => QUEUE_SETTINGS[p].operations.includes(operation));
}

/** The e-mail an outbound Send carries (O6): real addresses of the scenario, its token in the subject. */
export function sendEmailObject(token: string): Record<string, string> {
  return {
    toAddress: `customer.${token}@example.org`,
    fromAddress: "support@contact-center.example",
    subject: `Re: your order [${token}]`,
    text: "It ships today.",
  };
}

export interface RequestContext {
  queues: ResolvedQueues;
  /** The scenario's subject token (Send's addresses and subject carry it). */
  token: string;
  /** Transfer to this agent instead of a queue (O9). */
  targetAgent?: string;
}

/**
 * A valid request for `operation` in this deployment, with `extra` fields on top (a scenario's
 * subjectPrefix, quoteOriginal, ...). A field in `extra` set to undefined is left out.
 */
export function operationRequest(
  operation: string,
  ctx: RequestContext,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = { operationName: operation };
  const purpose = queuePurposeOf(operation);
  if (purpose && !(operation === "Transfer" && ctx.targetAgent)) body.queueName = ctx.queues[purpose].name;
  if (operation === "Transfer" && ctx.targetAgent) body.targetAgent = ctx.targetAgent;
  if (operation === "Send") body.email_object = sendEmailObject(ctx.token);
  // O8: interactionSubType is requested (O8.subtype judges it: the requested one or "OutboundReply").
  // interactionType is optional and left out: a server may echo it into ReplyCreated, whose
  // interactionType N4 requires to be "Email" — the page's example "Outbound" would turn that into a FAIL.
  if (operation === "CreateEmail") body.interactionSubType = "OutboundNew";
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete body[k];
    else body[k] = v;
  }
  return body;
}

/** The configured queue a request names, with the setting it came from (a refusal's likely cause). */
export function configuredQueueOf(body: unknown, queues: ResolvedQueues): ResolvedQueue | undefined {
  const name = (body as { queueName?: unknown } | undefined)?.queueName;
  if (typeof name !== "string") return undefined;
  return Object.values(queues).find((q) => q.name === name);
}

/** `queue "Tier2" from GWS_TRANSFER_QUEUE: the target may not know this queue` — for a refusal's verdict message. */
export function queueHint(body: unknown, queues: ResolvedQueues): string | undefined {
  const q = configuredQueueOf(body, queues);
  return q ? `queue ${JSON.stringify(q.name)} from ${q.from}: the target may not know this queue` : undefined;
}
