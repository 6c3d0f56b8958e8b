import type { ModelConfig } from "../config/schemas";
import type { UpstreamFailure } from "../gemini/failure";
import { isRetryable } from "../gemini/failure";
import type { KeyPool } from "../pool/key-pool";
import type { GeminiKeyRecord } from "../pool/types";

export type AttemptOutcome<T> = { ok: true; value: T } | { ok: false; failure: UpstreamFailure };

export type FailoverResult<T> =
  | { ok: true; value: T; key: GeminiKeyRecord; attempts: number }
  | { ok: false; attempts: number; lastKeyId: string | null; error: FailoverError };

export type FailoverError =
  | { kind: "no_key"; detail: string }
  | { kind: "rate_limited"; retryAt: number; detail: string }
  | { kind: "upstream"; failure: UpstreamFailure };

export interface FailoverOptions<T> {
  pool: KeyPool;
  model: ModelConfig;
  maxAttempts: number;
  signal?: AbortSignal;
  attempt: (key: GeminiKeyRecord) => Promise<AttemptOutcome<T>>;
}

const CLIENT_GONE: UpstreamFailure = { kind: "network", message: "client disconnected" };

/**
 * The attempt loop: pick a key, call, and on a failure another key can fix, record it on
 * the key and try the next one. A failure only the client can fix ends the loop at once
 * and costs no key anything. The loop ends before the first byte reaches the client: a
 * stream that has started is never retried.
 */
export async function withFailover<T>(options: FailoverOptions<T>): Promise<FailoverResult<T>> {
  const { pool, model, signal } = options;
  const tried = new Set<string>();
  let lastFailure: UpstreamFailure | undefined;
  let lastKeyId: string | null = null;

  while (tried.size < options.maxAttempts) {
    if (signal?.aborted) return { ok: false, attempts: tried.size, lastKeyId, error: { kind: "upstream", failure: CLIENT_GONE } };
    const pick = pool.pick(model, tried);
    if (!pick.ok) {
      if (lastFailure) break;
      return {
        ok: false,
        attempts: tried.size,
        lastKeyId,
        error: pick.reason === "rate_limited"
          ? { kind: "rate_limited", retryAt: pick.retryAt, detail: pick.detail }
          : { kind: "no_key", detail: pick.detail },
      };
    }
    const key = pick.key;
    tried.add(key.id);
    lastKeyId = key.id;
    const release = pool.reserve(key.id, model.id);
    const outcome = await attemptSafely(options.attempt, key);
    if (outcome.ok) {
      // The reservation stays until the caller counts the call (recordSuccess) or lets it go (release).
      pool.recordRecovery(key.id);
      return { ok: true, value: outcome.value, key, attempts: tried.size };
    }
    release();
    // The client went away: the key did nothing wrong.
    if (signal?.aborted) return { ok: false, attempts: tried.size, lastKeyId, error: { kind: "upstream", failure: CLIENT_GONE } };
    lastFailure = outcome.failure;
    pool.recordFailure(key.id, model.id, outcome.failure);
    if (!isRetryable(outcome.failure)) break;
  }

  if (!lastFailure) {
    return { ok: false, attempts: tried.size, lastKeyId, error: { kind: "upstream", failure: CLIENT_GONE } };
  }
  // The last key failed for a reason of its own: say what the pool as a whole can do now.
  if (KEY_FAILURES.has(lastFailure.kind)) {
    const next = pool.pick(model, new Set());
    if (!next.ok) {
      const error: FailoverError = next.reason === "rate_limited"
        ? { kind: "rate_limited", retryAt: next.retryAt, detail: lastFailure.message }
        : { kind: "no_key", detail: next.detail };
      return { ok: false, attempts: tried.size, lastKeyId, error };
    }
  }
  return { ok: false, attempts: tried.size, lastKeyId, error: { kind: "upstream", failure: lastFailure } };
}

const KEY_FAILURES = new Set<UpstreamFailure["kind"]>(["rate_minute", "rate_day", "invalid_key", "suspended"]);

/** A reply body that breaks while being read is a network failure of this attempt, not a crash. */
async function attemptSafely<T>(
  attempt: (key: GeminiKeyRecord) => Promise<AttemptOutcome<T>>,
  key: GeminiKeyRecord,
): Promise<AttemptOutcome<T>> {
  try {
    return await attempt(key);
  } catch (error) {
    return { ok: false, failure: { kind: "network", message: `reading the reply failed: ${String(error)}` } };
  }
}
