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

export function modelNotFound(model: string): Response {
  return errorResponse(
    404,
    `The model \`${model}\` does not exist or you do not have access to it.`,
    "invalid_request_error",
    "model_not_found",
    "model",
  );
}

/** A failed call in OpenAI's shape, with Retry-After when the failure says when to come back. */
export function openAIFailure(failure: CallFailure): Response {
  return errorResponse(failure.status, redactSecrets(failure.message), failure.type, failure.code, failure.param ?? null, retryAfter(failure));
}

export function retryAfter(failure: CallFailure): Record<string, string> {
  return failure.retryAfterSeconds !== undefined ? { "retry-after": String(failure.retryAfterSeconds) } : {};
}
