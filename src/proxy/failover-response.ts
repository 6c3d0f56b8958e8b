import { redactSecrets } from "../openai/errors";
import type { UpstreamFailure } from "../gemini/failure";
import type { Outcome } from "../usage/schema";
import { errorResponse } from "./errors";
import type { FailoverError } from "./failover";

export interface FailureAnswer {
  /** The answer in OpenAI's shape, for /v1. */
  response: Response;
  /** What it says, for the native routes to answer in Google's shape. */
  message: string;
  headers: Record<string, string>;
  outcome: Outcome;
  code: string;
}

/** The OpenAI-shaped answer when the attempt loop ends without a usable reply. */
export function answerFailover(error: FailoverError, now = Date.now()): FailureAnswer {
  switch (error.kind) {
    case "no_key":
      return answer(503, "No usable Gemini key: " + error.detail, "server_error", "no_key_available", "no_key");
    case "rate_limited": {
      const seconds = Math.max(1, Math.ceil((error.retryAt - now) / 1000));
      return answer(
        429,
        `Every Gemini key is rate limited or over quota for this model (${error.detail}). Retry in ${seconds} s.`,
        "rate_limit_error",
        "rate_limit_exceeded",
        "rate_limited",
        { "retry-after": String(seconds) },
      );
    }
    case "upstream":
      return answerUpstream(error.failure);
  }
}

function answerUpstream(failure: UpstreamFailure): FailureAnswer {
  const message = redactSecrets(failure.message);
  switch (failure.kind) {
    case "client":
      return answer(failure.status === 413 ? 413 : 400, message, "invalid_request_error", (failure.googleStatus ?? "invalid_request").toLowerCase(), "client_error");
    case "not_found":
      return answer(404, message, "invalid_request_error", "model_not_found", "client_error");
    case "region":
      return answer(502, `Google refuses requests from this Worker's region: ${message} Set a placement hint toward a supported region (see README).`, "upstream_error", "region_not_supported", "upstream_error");
    case "timeout":
      return answer(502, `Gemini did not answer in time: ${message}`, "upstream_error", "upstream_timeout", "timeout");
    case "network":
      return message === "client disconnected"
        ? answer(499, message, "upstream_error", "client_disconnected", "aborted")
        : answer(502, `Could not reach Gemini: ${message}`, "upstream_error", "upstream_unreachable", "upstream_error");
    case "empty":
      return answer(502, "Gemini returned an empty reply on every attempt.", "upstream_error", "empty_reply", "upstream_error");
    default:
      return answer(502, `Gemini failed on every attempt: ${message}`, "upstream_error", failure.kind, "upstream_error");
  }
}

function answer(
  status: number,
  message: string,
  type: string,
  code: string,
  outcome: Outcome,
  headers: Record<string, string> = {},
): FailureAnswer {
  return { response: errorResponse(status, message, type, code, null, headers), message, headers, outcome, code };
}
