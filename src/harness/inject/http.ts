/** http adapter: POST {controlUrl}/inbound-emails with the e-mail as JSON; any 2xx means queued. */
import { Agent, request } from "undici";
import { BUDGETS } from "../budgets.js";
import { readCapped } from "../http-client.js";
import { DEFAULT_MAX_ANSWER_BYTES } from "../settings.js";
import { PreconditionError } from "../checks.js";
import { recordInjection, type InboundEmail, type InjectResult, type Injector } from "./adapter.js";

export class HttpInjector implements Injector {
  readonly kind = "http" as const;
  private readonly dispatcher?: Agent;

  constructor(
    readonly controlUrl: string,
    tlsInsecure = false,
    private readonly maxAnswerBytes = DEFAULT_MAX_ANSWER_BYTES,
  ) {
    if (tlsInsecure) this.dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  }

  async inject(email: InboundEmail): Promise<InjectResult> {
    const url = `${this.controlUrl.replace(/\/+$/, "")}/inbound-emails`;
    let status: number;
    let text: string;
    try {
      const res = await request(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(email),
        dispatcher: this.dispatcher,
        headersTimeout: BUDGETS.injectMs,
        bodyTimeout: BUDGETS.injectMs,
        signal: AbortSignal.timeout(BUDGETS.injectMs),
      });
      status = res.statusCode;
      const read = await readCapped(res.body, this.maxAnswerBytes);
      text = read.tooLarge ? `(answer larger than ${this.maxAnswerBytes} bytes; not read further)` : read.text;
    } catch (e) {
      const reason = `POST ${url} failed: ${(e as Error).message}`;
      recordInjection("http", email, false, reason);
      throw new PreconditionError("injection (http adapter)", reason);
    }
    if (status < 200 || status > 299) {
      const reason = `POST ${url} answered ${status}: ${text.slice(0, 300)}`;
      recordInjection("http", email, false, reason);
      throw new PreconditionError("injection (http adapter)", reason);
    }
    recordInjection("http", email, true);
    try {
      const body = JSON.parse(text) as { interactionId?: unknown };
      return typeof body.interactionId === "string" ? { interactionId: body.interactionId } : {};
    } catch {
      return {};
    }
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }
}
