// Google's error bodies (google.rpc.Status as JSON), shaped like the ones the live
// Gemini API returns. Sources: the recorded fixtures in test/fixtures/gemini/ and
// live bodies quoted in public issue threads. Links inside Google's messages are
// left out on purpose (this repo names no external host but the API base).

const SERVICE = "generativelanguage.googleapis.com";

/**
 * @typedef {{ status: number, body: { error: { code: number, message: string, status: string, details?: object[] } } }} GoogleError
 */

/**
 * @param {number} code
 * @param {string} status
 * @param {string} message
 * @param {object[]} [details]
 * @returns {GoogleError}
 */
export function googleError(code, status, message, details) {
  /** @type {GoogleError["body"]["error"]} */
  const error = { code, message, status };
  if (details && details.length) error.details = details;
  return { status: code, body: { error } };
}

/** 400 for a key Google does not know (ErrorInfo reason API_KEY_INVALID). */
export function apiKeyInvalid() {
  const message = "API key not valid. Please pass a valid API key.";
  return googleError(400, "INVALID_ARGUMENT", message, [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: "API_KEY_INVALID",
      domain: "googleapis.com",
      metadata: { service: SERVICE },
    },
    { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message },
  ]);
}

/** 403 when no x-goog-api-key header was sent at all. */
export function unregisteredCaller() {
  return googleError(
    403,
    "PERMISSION_DENIED",
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  );
}

/**
 * 403 for a suspended key (ErrorInfo reason CONSUMER_SUSPENDED).
 * @param {string} key
 */
export function consumerSuspended(key) {
  const message = `Permission denied: Consumer 'api_key:${key}' has been suspended.`;
  return googleError(403, "PERMISSION_DENIED", message, [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: "CONSUMER_SUSPENDED",
      domain: "googleapis.com",
      metadata: { service: SERVICE, consumer: "projects/000000000000", containerInfo: `api_key:${key}` },
    },
    { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message },
  ]);
}

/**
 * 429 RESOURCE_EXHAUSTED with QuotaFailure and RetryInfo, as in fixture
 * google-429-retry-info.json. Google sends RetryInfo with per-day violations too (live
 * bodies show "GenerateRequestsPerDayPerProjectPerModel-FreeTier" next to retryDelay "47s"),
 * so only the quotaId tells a day's exhaustion from a minute's.
 * @param {"minute" | "day"} window
 * @param {string} model
 * @param {string} [retryDelay] e.g. "34.4s"
 */
export function rateLimited(window, model, retryDelay = "34.4s") {
  const quotaId =
    window === "minute"
      ? "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"
      : "GenerateRequestsPerDayPerProjectPerModel-FreeTier";
  /** @type {object[]} */
  const details = [
    {
      "@type": "type.googleapis.com/google.rpc.QuotaFailure",
      violations: [
        {
          quotaMetric: `${SERVICE}/generate_content_free_tier_requests`,
          quotaId,
          quotaDimensions: { location: "global", model },
          quotaValue: window === "minute" ? "10" : "250",
        },
      ],
    },
  ];
  details.push({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay });
  return googleError(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan.", details);
}

export function overloaded() {
  return googleError(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
}

export function internalError() {
  return googleError(500, "INTERNAL", "An internal error has occurred. Please retry or report in the troubleshooting guide.");
}

export function regionNotSupported() {
  return googleError(400, "FAILED_PRECONDITION", "User location is not supported for the API use.");
}

/**
 * 404 for a model that does not exist (or does not support the method).
 * @param {string} model
 * @param {string} method e.g. "generateContent"
 */
export function modelNotFound(model, method) {
  return googleError(
    404,
    "NOT_FOUND",
    `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
  );
}

/**
 * 400 INVALID_ARGUMENT. With field violations (the "Unknown name" kind), Google joins
 * their descriptions with newlines into the message and lists them in a BadRequest.
 * @param {string} message
 * @param {{ field?: string, description: string }[]} [fieldViolations]
 */
export function invalidArgument(message, fieldViolations) {
  if (!fieldViolations || fieldViolations.length === 0) return googleError(400, "INVALID_ARGUMENT", message);
  return googleError(400, "INVALID_ARGUMENT", message, [
    { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations },
  ]);
}

/** 404 for a path that is no Gemini method at all. */
export function unknownRoute() {
  return googleError(404, "NOT_FOUND", "Requested entity was not found.");
}

/**
 * 403 for a File that is not the caller's, or does not exist (Google does not tell the two
 * apart). The message names the bare id, as in bodies quoted in public threads.
 * @param {string} id the id after "files/"
 */
export function fileAccessDenied(id) {
  return googleError(403, "PERMISSION_DENIED", `You do not have permission to access the File ${id} or it may not exist.`);
}

/** 403 for a cachedContent that is not the caller's, expired or deleted (a recorded live body). */
export function cachedContentAccessDenied() {
  return googleError(403, "PERMISSION_DENIED", "CachedContent not found (or permission denied)");
}

/** 400 when a request names a cachedContent and also sets what the cache holds (a recorded live body). */
export function cachedContentWithConfig() {
  return googleError(
    400,
    "INVALID_ARGUMENT",
    "CachedContent can not be used with GenerateContent request setting system_instruction, tools or tool_config.\n\nProposed fix: move those values to CachedContent from GenerateContent request.",
  );
}

/** 400 for Imagen on a key without billing, as public threads quote it. */
export function imagenBilledOnly() {
  return googleError(400, "INVALID_ARGUMENT", "Imagen API is only accessible to billed users at this time.");
}
