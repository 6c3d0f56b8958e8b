// Google's answers as workerd tests script them: the recorded bodies from test/fixtures/gemini/
// and, for the other cases, the fake Gemini's own builders (test/fake-gemini/errors.mjs and
// replies.mjs), so one place spells Google's shapes for the fake, e2e and these scripts.
import * as errors from "../fake-gemini/errors.mjs";
import { candidateResponse } from "../fake-gemini/replies.mjs";
import recorded429 from "../fixtures/gemini/google-429-retry-info.json?raw";
import liveErrors from "../fixtures/gemini/issue-22372-live-errors.json?raw";

export interface GoogleReply {
  status: number;
  body: unknown;
}

/** The recorded per-minute 429. */
export const perMinute429: GoogleReply = { status: 429, body: JSON.parse(recorded429) };

/** A per-day 429: the per-day quotaId, and a RetryInfo as live per-day bodies carry one. */
export function perDay429(): GoogleReply {
  return errors.rateLimited("day", "gemini-2.5-flash", "51s");
}

/** Google's 400 for an unknown key (ErrorInfo API_KEY_INVALID). */
const invalidKey = errors.apiKeyInvalid();
export const apiKeyInvalid: GoogleReply = invalidKey;
export const apiKeyInvalidBody = invalidKey.body;

export const consumerSuspended: GoogleReply = errors.consumerSuspended("redacted");
export const overloaded: GoogleReply = errors.overloaded();
export const internalError: GoogleReply = errors.internalError();
export const regionRefused: GoogleReply = errors.regionNotSupported();

/** A live 400 caused by the request itself (recorded). */
export const clientMistake: GoogleReply = {
  status: 400,
  body: (JSON.parse(liveErrors) as { thinkingLevelAndBudgetResponse: unknown }).thinkingLevelAndBudgetResponse,
};

export const textReply = candidateResponse({
  parts: [{ text: "Hello from Gemini." }],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 4, totalTokenCount: 9 },
  modelVersion: "gemini-2.5-flash",
});

/** A candidate with no parts: Google answered, but with nothing (retried on another key). */
export const emptyReply = {
  candidates: [{ content: { role: "model" }, finishReason: "STOP", index: 0 }],
  usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 },
};
