import { redactSecrets } from "../util/redact";
import { retryAfter } from "./errors";
import type { CallFailure } from "./failure-policy";

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
};

/** Google's error body (google.rpc.Status JSON). */
export function googleErrorBody(status: number, message: string): object {
  return { error: { code: status, message, status: STATUS_NAMES[status] ?? "UNKNOWN" } };
}

/** Google's error shape, for clients of the native /v1beta routes. */
export function googleError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json(googleErrorBody(status, message), { status, headers });
}

/** A failed call in Google's shape, for native clients. */
export function googleFailure(failure: CallFailure): Response {
  return googleError(failure.status, redactSecrets(failure.message), retryAfter(failure));
}
