import type { Pick } from "../pool/key-pool";
import type { CallFailure } from "./failure-policy";

/**
 * The answer when the one key a file or cached content lives under cannot serve the call:
 * no other key can (files and caches exist only under the key that created them), so the
 * client hears which name pinned the call and why — rate limited or over quota: 429 with
 * Retry-After; disabled, invalid, suspended or removed: 503 `file_key_unavailable`.
 */
export function pinnedRefusal(pick: Exclude<Pick, { ok: true }>, pinnedBy: string, now: number): CallFailure {
  if (pick.reason === "rate_limited") {
    const seconds = Math.max(1, Math.ceil((pick.retryAt - now) / 1000));
    return {
      status: 429,
      type: "rate_limit_error",
      code: "rate_limit_exceeded",
      outcome: "rate_limited",
      message: `${pinnedBy} lives under one Gemini key, and that key is rate limited or over quota (${pick.detail}). Retry in ${seconds} s.`,
      retryAfterSeconds: seconds,
    };
  }
  return {
    status: 503,
    type: "server_error",
    code: "file_key_unavailable",
    outcome: "no_key",
    message: `${pinnedBy} lives under one Gemini key, and that key cannot be used (${pick.detail}). Upload or create it again to use it.`,
  };
}
