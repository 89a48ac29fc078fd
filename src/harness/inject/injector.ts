/**
 * Test control: how a black-box suite makes an inbound e-mail arrive (interpretation.md,
 * "Test control"). The target declares one adapter; every adapter takes the same e-mail
 * (schemas/control/inbound-email.schema.json). An adapter that fails throws a
 * PreconditionError: the scenario is an ERROR naming the prerequisite, never a verdict.
 */
import type { InboundEmailInjection } from "../../generated/contract-types.js";
import type { TargetSettings } from "../settings.js";
import { record } from "../transcript.js";
import { HttpInjector } from "./http.js";
import { CommandInjector } from "./command.js";
import { SmtpInjector } from "./smtp.js";

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

export function createInjector(settings: TargetSettings & { controlUrl?: string }): Injector {
  switch (settings.inject) {
    case "http":
      if (!settings.controlUrl) throw new Error("GWS_CONTROL_URL is required with GWS_INJECT=http");
      return new HttpInjector(settings.controlUrl, settings.tlsInsecure, settings.maxAnswerBytes);
    case "command":
      if (!settings.injectCommand) throw new Error("GWS_INJECT_COMMAND is required with GWS_INJECT=command");
      return new CommandInjector(settings.injectCommand);
    case "smtp":
      if (!settings.smtpUrl || !settings.mailbox) throw new Error("GWS_SMTP_URL and GWS_MAILBOX are required with GWS_INJECT=smtp");
      return new SmtpInjector(settings.smtpUrl, settings.mailbox, settings.tlsInsecure);
  }
}

/** Records an injection attempt in the transcript (the e-mail has no secrets; redaction still applies). */
export function recordInjection(adapter: string, email: InboundEmail, ok: boolean, error?: string): void {
  record({ kind: "inject", adapter, email, ok, error });
}
