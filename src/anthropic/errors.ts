import type { CallFailure } from "../proxy/failure-policy";
import { redactSecrets } from "../util/redact";
import { sseEvent } from "./sse";

// Anthropic's error shape and status codes (docs: "Errors"): every error is
// `{"type":"error","error":{"type","message"}}`, its type named by the status.

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string };
}

export function anthropicError(type: AnthropicErrorType, message: string): AnthropicErrorBody {
  return { type: "error", error: { type, message } };
}

/**
 * The status and type Anthropic would answer for a failed call. Anthropic has no 502/503:
 * Google overloaded is its 529 overloaded_error, every other upstream or pool failure its 500
 * api_error; a 4xx Anthropic does not list is an invalid_request_error with its own status.
 */
export function anthropicStatus(failure: Pick<CallFailure, "status" | "code">): { status: number; type: AnthropicErrorType } {
  switch (failure.status) {
    case 400:
      return { status: 400, type: "invalid_request_error" };
    case 401:
      return { status: 401, type: "authentication_error" };
    case 403:
      return { status: 403, type: "permission_error" };
    case 404:
      return { status: 404, type: "not_found_error" };
    case 413:
      return { status: 413, type: "request_too_large" };
    case 429:
      return { status: 429, type: "rate_limit_error" };
  }
  if (failure.code === "overloaded") return { status: 529, type: "overloaded_error" };
  if (failure.status >= 500) return { status: 500, type: "api_error" };
  return { status: failure.status, type: "invalid_request_error" };
}

/** A failed call in Anthropic's shape, with retry-after when the failure says when to come back. */
export function anthropicFailure(failure: CallFailure): Response {
  const { status, type } = anthropicStatus(failure);
  const headers: Record<string, string> = {};
  if (failure.retryAfterSeconds !== undefined) headers["retry-after"] = String(failure.retryAfterSeconds);
  return Response.json(anthropicError(type, redactSecrets(failure.message)), { status, headers });
}

/** The `error` event that ends a stream that already began (no retry is possible then). */
export function anthropicStreamError(failure: Pick<CallFailure, "status" | "code" | "message">): string {
  return sseEvent("error", anthropicError(anthropicStatus(failure).type, redactSecrets(failure.message)));
}

export function anthropicAuthFailure(): Response {
  return Response.json(
    anthropicError("authentication_error", "invalid x-api-key: use a client key created in the admin panel (as x-api-key or Authorization: Bearer)."),
    { status: 401 },
  );
}
