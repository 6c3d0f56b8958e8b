import { redactSecrets } from "../util/redact";
import type { UpstreamFailure } from "./failure";

interface GoogleErrorDetail {
  "@type"?: string;
  reason?: string;
  retryDelay?: string;
  violations?: Array<{ quotaId?: string; quotaMetric?: string }>;
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: GoogleErrorDetail[] };
}

const DEFAULT_COOLDOWN_MS = 60_000;

const FILE_OR_CACHE = /\bFile\b|CachedContent|cached content/i;

/**
 * google.rpc.ErrorInfo reasons that refuse the key's own project or the key's restrictions,
 * whatever the HTTP status: another key (another project) may well succeed. Prefix of the
 * reason the panel shows.
 */
const PROJECT_REFUSALS: Record<string, string> = {
  SERVICE_DISABLED: "API disabled on the key's project",
  BILLING_DISABLED: "billing/region",
  CONSUMER_SUSPENDED: "project suspended",
  CONSUMER_INVALID: "project invalid",
  API_KEY_SERVICE_BLOCKED: "key restricted",
  API_KEY_IP_ADDRESS_BLOCKED: "key restricted",
  API_KEY_HTTP_REFERRER_BLOCKED: "key restricted",
};

/**
 * Classifies a non-2xx answer from Google by its status and its error JSON (google.rpc
 * details). The message is redacted here, once: Google quotes the key in some of them
 * ("Consumer 'api_key:AIza…' has been suspended"), and it goes on to key states, the
 * admin panel, logs and client answers.
 */
export function classifyUpstreamError(status: number, bodyText: string): UpstreamFailure {
  const body = parseErrorBody(bodyText);
  const error = body?.error;
  const message = redactSecrets(error?.message ?? (bodyText.slice(0, 500) || `HTTP ${status}`));
  const details = error?.details ?? [];
  const reasons = details.map((d) => d.reason).filter((r): r is string => Boolean(r));

  if (reasons.includes("API_KEY_INVALID") || /API key not valid|API key expired/i.test(message)) {
    return { kind: "invalid_key", message };
  }
  if (status === 429) return classifyRateLimit(details, message);
  // Imagen on a project without billing: 400 INVALID_ARGUMENT "Imagen API is only accessible to
  // billed users at this time." The key's project refuses this model, not the request.
  if (/only accessible to billed users/i.test(message)) return { kind: "model_refused", message };
  const projectReason = reasons.find((r) => PROJECT_REFUSALS[r] !== undefined);
  if (projectReason) return { kind: "suspended", message: `${PROJECT_REFUSALS[projectReason]}: ${message}` };
  // "You do not have permission to access the File x or it may not exist", "CachedContent not
  // found (or permission denied)": a file or cache expired, deleted or under another key — the
  // request's doing, not the key's (the key stays active).
  if (status === 403 && FILE_OR_CACHE.test(message) && /permission|not found|not exist/i.test(message)) {
    return { kind: "file_inaccessible", message };
  }
  if (status === 403) return { kind: "suspended", message };
  if (error?.status === "FAILED_PRECONDITION") {
    // Google sends these two without ErrorInfo; only the text tells the project's refusal
    // (billing would lift it: the key's doing) from the caller's location (no key helps).
    if (/billing|free tier/i.test(message)) return { kind: "suspended", message: `billing/region: ${message}` };
    if (/location/i.test(message)) return { kind: "region", message };
  }
  if (status === 401) return { kind: "invalid_key", message };
  if (status === 404) return { kind: "not_found", message };
  if (status === 503) return { kind: "overloaded", status, message };
  if (status === 504) return { kind: "timeout", message };
  if (status >= 500) return { kind: "server", status, message };
  return { kind: "client", status, googleStatus: error?.status, message };
}

function classifyRateLimit(details: GoogleErrorDetail[], message: string): UpstreamFailure {
  const quotaIds = details.flatMap((d) => d.violations ?? []).map((v) => v.quotaId ?? v.quotaMetric ?? "");
  const quotaId = quotaIds.find(Boolean);
  if (quotaIds.some((id) => /PerDay/i.test(id))) return { kind: "rate_day", quotaId, message };
  const retryDelay = details.find((d) => d.retryDelay)?.retryDelay;
  return {
    kind: "rate_minute",
    retryAfterMs: parseDuration(retryDelay) ?? DEFAULT_COOLDOWN_MS,
    quotaId,
    message,
  };
}

/** google.protobuf.Duration in JSON: "34.4s". */
export function parseDuration(value: string | undefined): number | undefined {
  const match = value ? /^(\d+(?:\.\d+)?)s$/.exec(value) : null;
  return match ? Math.ceil(Number(match[1]) * 1000) : undefined;
}

function parseErrorBody(text: string): GoogleErrorBody | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    // Google sometimes wraps the error in a one-element array.
    const body = Array.isArray(parsed) ? parsed[0] : parsed;
    return body && typeof body === "object" ? (body as GoogleErrorBody) : undefined;
  } catch {
    return undefined;
  }
}
