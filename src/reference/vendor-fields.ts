/**
 * The vendor-fields variation (variations.ts): what a production server adds beyond the page —
 * undocumented keys at the top of every notification, inside its email_object and userData, and in
 * every answer with a body. The contract's shapes allow additional fields (N1: "servers may add
 * fields"; the answer envelopes of R1 name what must be there, not what may not); drift tooling
 * reports them. A per-message trace id changes from message to message, as real ones do.
 */
import type { Notification } from "../contract/notification.js";

/** The keys this variation adds, where (the variation's test and the drift check name them). */
export const VENDOR_FIELDS = {
  notification: "x-vendor-trace",
  notificationNode: "x-vendor-node",
  emailObject: "x-vendor-mailbox",
  userData: "X-Vendor-Tenant",
  answer: "x-vendor-request-id",
} as const;

let sequence = 0;
const traceId = (prefix: string): string => `${prefix}-${(++sequence).toString(36)}`;

/** A notification with the vendor's fields added (a copy; the documented fields untouched). */
export function withVendorFields(n: Notification): Notification {
  const out: Notification = {
    ...n,
    [VENDOR_FIELDS.notification]: traceId("t"),
    [VENDOR_FIELDS.notificationNode]: "gws-node-2",
  };
  if (n.email_object && typeof n.email_object === "object")
    out.email_object = { ...(n.email_object as Record<string, unknown>), [VENDOR_FIELDS.emailObject]: "support" };
  if (n.userData && typeof n.userData === "object")
    out.userData = { ...(n.userData as Record<string, unknown>), [VENDOR_FIELDS.userData]: "acme" };
  return out;
}

/** An answer body with the vendor's request id added; an empty answer (Accept, R1 MAY) stays empty. */
export function answerWithVendorFields(body: unknown): unknown {
  if (!body || typeof body !== "object" || Array.isArray(body)) return body;
  return { ...(body as Record<string, unknown>), [VENDOR_FIELDS.answer]: traceId("r") };
}
