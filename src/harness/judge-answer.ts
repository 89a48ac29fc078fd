/**
 * The judgement of one HTTP answer, as a pure function: R2 (no 5xx) and R1 (the answer
 * envelope). The live harness (Scenario.judgeAnswer) and `rejudge` over a stored transcript
 * (src/drift/rejudge.ts) both call it, so the two cannot disagree.
 */
import { answerMayBeEmpty } from "../contract/lifecycle.js";
import { contractValidator, formatViolations } from "../contract/validators.js";
import type { RequirementId } from "../generated/requirement-ids.js";

/**
 * Failure statuses whose body R1 does not constrain: auth refusals may have any body (T4),
 * 405/413 are transport-level refusals of a request the contract never defines.
 */
export const EXEMPT_STATUSES: ReadonlySet<number> = new Set([401, 403, 405, 413]);

export interface AnswerInput {
  method: string;
  url: string;
  /** undefined when no answer came (network error). */
  status?: number;
  body: unknown;
  operation: string;
  /** The request was sent as raw (malformed) text: any failure body is allowed (R2). */
  malformedRequest: boolean;
  error?: string;
  /** The body went past the answer cap (bytes): reading stopped, the answer is judged without it. */
  tooLargeAfter?: number;
}

export interface AnswerCheck {
  requirement: RequirementId;
  passed: boolean;
  message: string;
}

export interface AnswerJudgement {
  /** 2xx and {"status":"ok"}. */
  ok: boolean;
  /** A failure per R1/R2: {"status":"error"} and/or a 4xx. */
  refused: boolean;
  /**
   * The request was taken: a 2xx that is no failure, R1's success or an envelope the contract does
   * not know. What it may cause (a re-offer, its notifications) is then not a refused request's effect.
   */
  taken: boolean;
  body: Record<string, unknown> | undefined;
  checks: AnswerCheck[];
  /** Set when there was no HTTP answer: a broken precondition, not a verdict. */
  precondition?: string;
}

function pathnameOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

export function judgeAnswer(input: AnswerInput): AnswerJudgement {
  if (input.error || input.status === undefined) {
    const precondition = `${input.method} ${input.url}: ${input.error ?? "no status"}`;
    return { ok: false, refused: false, taken: false, body: undefined, checks: [], precondition };
  }
  const status = input.status;
  const checks: AnswerCheck[] = [];
  checks.push({
    requirement: "R2.no-5xx",
    passed: status < 500,
    message: `${input.method} ${pathnameOf(input.url)} (${input.operation}) answered HTTP ${status}`,
  });
  const body =
    input.body && typeof input.body === "object" && !Array.isArray(input.body)
      ? (input.body as Record<string, unknown>)
      : undefined;
  // R1 (MAY): Accept's success may be an empty HTTP 200 (contradiction 4); the lifecycle data says which operation.
  const empty = input.body === undefined || input.body === "";
  const emptyOk = status === 200 && empty && answerMayBeEmpty(input.operation);
  const ok = (status >= 200 && status < 300 && body?.status === "ok") || emptyOk;
  const refused = status >= 400 || body?.status === "error";
  const v = contractValidator();
  const where = `${input.operation} answer (HTTP ${status})`;
  if (input.tooLargeAfter !== undefined) {
    // R1: an answer is a small JSON envelope; one past the cap cannot be one (and is not read further).
    checks.push({
      requirement: status >= 200 && status < 300 ? "R1.ok-envelope" : "R1.error-envelope",
      passed: false,
      message: `${where}: answer larger than ${input.tooLargeAfter} bytes (--max-answer-bytes); reading stopped there`,
    });
    return { ok: false, refused: status >= 400, taken: false, body: undefined, checks };
  }
  if (emptyOk) {
    const message = `${where}: empty, a success (R1 MAY for ${input.operation})`;
    checks.push({ requirement: "R1.ok-envelope", passed: true, message });
  } else if (status >= 200 && status < 300 && body?.status !== "error") {
    const r = v.validate("answers/ok.schema.json", input.body);
    checks.push({
      requirement: "R1.ok-envelope",
      passed: r.ok,
      message: r.ok
        ? `${where}: {"status":"ok"}`
        : `${where} is not {"status":"ok"}: ${JSON.stringify(input.body)?.slice(0, 200)}\n${formatViolations(r.violations)}`,
    });
  } else if (refused && !input.malformedRequest && !EXEMPT_STATUSES.has(status)) {
    // A failure answer carries {"status":"error","errorDescription":...} (R1); auth refusals and
    // malformed JSON may have any body (T4, R2).
    const r = v.validate("answers/error.schema.json", input.body);
    checks.push({
      requirement: "R1.error-envelope",
      passed: r.ok,
      message: r.ok
        ? `${where}: error envelope with a description`
        : `${where}: ${JSON.stringify(input.body)?.slice(0, 200)}\n${formatViolations(r.violations)}`,
    });
  }
  const taken = ok || (status >= 200 && status < 300 && !refused);
  return { ok, refused, taken, body, checks };
}
