import { openAIError } from "../openai/errors";
import { redactSecrets } from "../util/redact";
import type { CallFailure } from "./failure-policy";

/** Logs a bug with the request's method and path, secrets removed. */
export function logInternalError(request: Request, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  console.error(`unhandled error on ${request.method} ${new URL(request.url).pathname}: ${redactSecrets(detail)}`);
}

/** An OpenAI-shaped error response. */
export function errorResponse(
  status: number,
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
  headers: Record<string, string> = {},
): Response {
  return Response.json(openAIError(message, type, code, param), { status, headers });
}

export function invalidApiKey(): Response {
  return errorResponse(
    401,
    "Incorrect API key provided. Use a client key created in the admin panel.",
    "invalid_request_error",
    "invalid_api_key",
  );
}

/** A model this client key may not use (unconfigured, or not in its allow-list), as every front door renders it. */
export function modelNotFound(modelId: string): CallFailure {
  return {
    status: 404,
    message: `The model \`${modelId}\` does not exist or you do not have access to it.`,
    type: "invalid_request_error",
    code: "model_not_found",
    param: "model",
    outcome: "client_error",
  };
}

/** A failed call in OpenAI's shape, with Retry-After when the failure says when to come back. */
export function openAIFailure(failure: CallFailure): Response {
  return errorResponse(failure.status, redactSecrets(failure.message), failure.type, failure.code, failure.param ?? null, retryAfter(failure));
}

export function retryAfter(failure: CallFailure): Record<string, string> {
  return failure.retryAfterSeconds !== undefined ? { "retry-after": String(failure.retryAfterSeconds) } : {};
}

/** A bug of the proxy's own, without internals or secrets (the log has the detail). */
export function internalFailure(): CallFailure {
  return { status: 500, message: "Internal error in the proxy; see the Worker logs.", type: "server_error", code: "internal_error", outcome: "internal_error" };
}
