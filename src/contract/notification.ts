/**
 * A notification body on /me/interactions as it travels between the server and the suite: a JSON
 * object (N1). Its documented fields are typed loosely on purpose: the reference server's faults
 * break them and the suite judges them (N1–N6) before relying on them; servers may add fields.
 * The generated types (InvitedNotification, AcceptedNotification, ...) describe a valid one.
 */
export type Notification = Record<string, unknown> & {
  id?: unknown;
  state?: unknown;
  capabilities?: unknown;
  email_object?: Record<string, unknown>;
};
