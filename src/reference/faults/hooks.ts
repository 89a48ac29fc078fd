/**
 * The points at which the reference server lets a fault change what it does (each fault of
 * ./catalog.ts sets some of these hooks; the clean server has none and reads as the contract).
 */
import type { Notification } from "../../contract/notification.js";
import type { JsonAnswer } from "../http-io.js";
import type { OutboundEmail } from "../world.js";

export type { Notification };

/** What the server knows about a notification beyond its body. */
export interface NotifyContext {
  /** For ReplyCreated: the interaction it was created from. */
  sourceId?: string;
}

export interface FaultHooks {
  /** Transforms a notification; [] drops it, two entries duplicate it. */
  notification?(n: Notification, ctx: NotifyContext): Notification[];
  /** Extra delay before a notification is delivered (ms). */
  notificationDelayMs?(n: Notification, budgetMs: number): number;
  /** Transforms an HTTP answer of the API before it is written. */
  answer?(operation: string, a: JsonAnswer): JsonAnswer;
  /** HTTP status for malformed JSON (the clean server answers 400). */
  malformedJsonStatus?: number;
  /** REST calls are served whatever the credentials. */
  acceptAnyCredentials?: boolean;
  /** CometD handshakes are accepted whatever the credentials. */
  acceptAnyHandshake?: boolean;
  /** Notifications go to every connected agent. */
  broadcast?: boolean;
  /** Ownership (T8) is not checked. */
  skipOwnership?: boolean;
  /** NotReady agents are offered e-mails too. */
  offerNotReady?: boolean;
  /** The server caps what one agent is offered at once (and declares it, like the capacity variation). */
  capacity?: number;
  /** While every Ready agent is full (capacity), an inbound e-mail goes to a NotReady agent with room. */
  capacityIgnoresReady?: boolean;
  /** The agents that let an interaction go (Reject, Transfer, PlaceInQueue, Revoked) still get its new holder's Accepted. */
  leakAfterRelease?: boolean;
  /** Transfer to an agent does not invite the target. */
  transferWithoutInvite?: boolean;
  neverRevoke?: boolean;
  skipValidation?: boolean;
  unknownIdOk?: boolean;
  /** Changes the operations allowed in a state. */
  allowedOperations?(state: string, allowed: string[]): string[];
  /** Whether the agent still holds an interaction in a state the lifecycle says it has left. */
  stillHeld?(state: string): boolean;
  /** Changes a derived reply. */
  derive?(operation: string, reply: OutboundEmail, inbound: OutboundEmail & { replyTo?: string }): OutboundEmail;
  /** Overrides quoteOriginal's default for Reply / ReplyAll. */
  quoteDefault?(operation: string): boolean | undefined;
  /** Whether this notification also goes to another agent, given the e-mails offered within the last second. */
  leakUnderLoad?(n: Notification, offersInLastSecond: number): boolean;
  /** A Reply, ReplyAll or Forward refused to a foreign agent (T8) still creates its reply, late. */
  refusedForeignTakesEffect?: boolean;
  /** A refused request on an interaction the agent holds re-sends its state notification, late (R3). */
  refusalNotifiesLate?: boolean;
  /** Any operation refused to a foreign agent (T8) runs later, if the interaction's state still allows it. */
  refusedForeignRunsLate?: boolean;
  /** A refused request on an interaction the agent holds notifies its state later, if the agent still holds it then (R3). */
  refusalNotifiesLateIfHeld?: boolean;
}
