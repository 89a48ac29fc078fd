/**
 * What every injection adapter (http.ts, command.ts, smtp.ts) is and shares: the e-mail it takes
 * (schemas/control/inbound-email.schema.json), its result, and the transcript record of each
 * attempt. Kept apart from injector.ts, which chooses an adapter, so that the adapters import
 * nothing that imports them (no import cycle).
 */
import type { InboundEmailInjection } from "../../generated/contract-types.js";
import { record } from "../transcript.js";

export type InboundEmail = InboundEmailInjection;

export interface InjectResult {
  /** The id the target reported, when it did (suites never depend on it: they match the subject token). */
  interactionId?: string;
}

export interface Injector {
  readonly kind: "http" | "smtp" | "command";
  inject(email: InboundEmail): Promise<InjectResult>;
  close(): Promise<void>;
}

/** Records an injection attempt in the transcript (the e-mail has no secrets; redaction still applies). */
export function recordInjection(adapter: string, email: InboundEmail, ok: boolean, error?: string): void {
  record({ kind: "inject", adapter, email, ok, error });
}
