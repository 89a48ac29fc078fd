/**
 * Test control: how a black-box suite makes an inbound e-mail arrive (interpretation.md,
 * "Test control"). The target declares one adapter; every adapter takes the same e-mail
 * (schemas/control/inbound-email.schema.json). An adapter that fails throws a
 * PreconditionError: the scenario is an ERROR naming the prerequisite, never a verdict.
 */
import type { TargetSettings } from "../settings.js";
import type { Injector } from "./adapter.js";
import { CommandInjector } from "./command.js";
import { HttpInjector } from "./http.js";
import { SmtpInjector } from "./smtp.js";

export type { InboundEmail, InjectResult, Injector } from "./adapter.js";

export function createInjector(settings: TargetSettings & { controlUrl?: string }): Injector {
  switch (settings.inject) {
    case "http":
      if (!settings.controlUrl) throw new Error("GWS_CONTROL_URL is required with GWS_INJECT=http");
      return new HttpInjector(settings.controlUrl, settings.tlsInsecure, settings.maxAnswerBytes);
    case "command":
      if (!settings.injectCommand) throw new Error("GWS_INJECT_COMMAND is required with GWS_INJECT=command");
      return new CommandInjector(settings.injectCommand);
    case "smtp":
      if (!settings.smtpUrl || !settings.mailbox)
        throw new Error("GWS_SMTP_URL and GWS_MAILBOX are required with GWS_INJECT=smtp");
      return new SmtpInjector(settings.smtpUrl, settings.mailbox, settings.tlsInsecure);
  }
}
