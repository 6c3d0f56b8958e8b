// Google's error bodies (google.rpc.Status JSON) as the live Gemini API sends them. The
// per-minute 429 is the recorded fixture; the others keep its shape with the reason,
// quotaId or status Google uses for that case.
import recorded429 from "../fixtures/gemini/google-429-retry-info.json?raw";
import liveErrors from "../fixtures/gemini/issue-22372-live-errors.json?raw";

export interface GoogleReply {
  status: number;
  body: unknown;
}

export const perMinute429: GoogleReply = { status: 429, body: JSON.parse(recorded429) };

export function perDay429(): GoogleReply {
  const body = JSON.parse(recorded429) as { error: { details: Array<Record<string, unknown>> } };
  body.error.details = [
    {
      "@type": "type.googleapis.com/google.rpc.QuotaFailure",
      violations: [{ quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier" }],
    },
    { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "51s" },
  ];
  return { status: 429, body };
}

/** Google's 400 body for an unknown key. */
export const apiKeyInvalidBody = {
  error: {
    code: 400,
    message: "API key not valid. Please pass a valid API key.",
    status: "INVALID_ARGUMENT",
    details: [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "API_KEY_INVALID",
        domain: "googleapis.com",
        metadata: { service: "generativelanguage.googleapis.com" },
      },
    ],
  },
};

export const apiKeyInvalid: GoogleReply = { status: 400, body: apiKeyInvalidBody };

export const consumerSuspended: GoogleReply = {
  status: 403,
  body: {
    error: {
      code: 403,
      message: "Permission denied: Consumer 'api_key:redacted' has been suspended.",
      status: "PERMISSION_DENIED",
      details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "CONSUMER_SUSPENDED", domain: "googleapis.com" }],
    },
  },
};

export const overloaded: GoogleReply = {
  status: 503,
  body: { error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } },
};

export const internalError: GoogleReply = {
  status: 500,
  body: { error: { code: 500, message: "An internal error has occurred. Please retry or report in the troubleshooting guide.", status: "INTERNAL" } },
};

export const regionRefused: GoogleReply = {
  status: 400,
  body: { error: { code: 400, message: "User location is not supported for the API use.", status: "FAILED_PRECONDITION" } },
};

/** A live 400 caused by the request itself (recorded). */
export const clientMistake: GoogleReply = {
  status: 400,
  body: (JSON.parse(liveErrors) as { thinkingLevelAndBudgetResponse: unknown }).thinkingLevelAndBudgetResponse,
};

export const textReply = {
  candidates: [{ content: { role: "model", parts: [{ text: "Hello from Gemini." }] }, finishReason: "STOP", index: 0 }],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 4, totalTokenCount: 9 },
  modelVersion: "gemini-2.5-flash",
};

/** A candidate with no parts: Google answered, but with nothing (retried on another key). */
export const emptyReply = {
  candidates: [{ content: { role: "model" }, finishReason: "STOP", index: 0 }],
  usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 },
};
