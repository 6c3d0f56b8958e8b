import type { ModelConfig } from "../config/schemas";
import type { UpstreamFailure } from "../gemini/failure";
import type { KeyPool, Pick } from "../pool/key-pool";
import type { GeminiKeyRecord } from "../pool/types";
import { endOfAttempts, FAILURE_POLICY, poolRefusal, type CallFailure } from "./failure-policy";
import { pinnedRefusal } from "./pinned-refusal";

export type AttemptOutcome<T> = { ok: true; value: T } | { ok: false; failure: UpstreamFailure };

export type FailoverResult<T> =
  | { ok: true; value: T; key: GeminiKeyRecord; attempts: number }
  | { ok: false; attempts: number; lastKeyId: string | null; failures: UpstreamFailure[]; answer: CallFailure };

export interface FailoverOptions<T> {
  pool: KeyPool;
  model: ModelConfig;
  maxAttempts: number;
  signal?: AbortSignal;
  attempt: (key: GeminiKeyRecord) => Promise<AttemptOutcome<T>>;
  /**
   * The one key that may serve the call (a file or cached content lives under it) and what
   * pins it: no other key is tried, and when that key cannot serve, the answer says why.
   */
  pinned?: { keyId: string; by: string };
}

const CLIENT_GONE: UpstreamFailure = { kind: "client_gone", message: "the client closed the connection" };

/**
 * The attempt loop: pick a key, call, and on a failure another key can fix, apply it to the
 * key and try the next one (src/proxy/failure-policy.ts says which is which). A failure only
 * the client can fix ends the loop at once and costs no key anything. The loop ends before
 * the first byte reaches the client: a stream that has started is never retried.
 */
export async function withFailover<T>(options: FailoverOptions<T>): Promise<FailoverResult<T>> {
  const { pool, model, signal, pinned } = options;
  const pick = (tried: ReadonlySet<string>, now: number, lastResort = true): Pick => {
    if (!pinned) return pool.pick(model, tried, now, lastResort);
    if (tried.has(pinned.keyId)) return { ok: false, reason: "no_key", detail: "its key was already tried" };
    return pool.pickPinned(pinned.keyId, model, now);
  };
  const tried = new Set<string>();
  const failures: UpstreamFailure[] = [];
  let lastKeyId: string | null = null;
  let lastResortUsed = false;
  const failed = (answer: CallFailure): FailoverResult<T> => ({ ok: false, attempts: tried.size, lastKeyId, failures, answer });

  while (tried.size < options.maxAttempts) {
    if (signal?.aborted) {
      failures.push(CLIENT_GONE);
      break;
    }
    // A key sidelined after Google's 5xx is a last resort once per call, and never after Google
    // failed this call: an overloaded Google gets one call per client call, not maxAttempts.
    const lastResort = !lastResortUsed && failures.every((f) => FAILURE_POLICY[f.kind].keyFault);
    const picked = pick(tried, Date.now(), lastResort);
    if (!picked.ok) {
      if (failures.length > 0) break;
      return failed(pinned ? pinnedRefusal(picked, pinned.by, Date.now()) : poolRefusal(picked, Date.now()));
    }
    const key = picked.key;
    if (picked.lastResort) lastResortUsed = true;
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
    // A client that went away is its own kind: the key did nothing wrong.
    const failure = signal?.aborted ? CLIENT_GONE : outcome.failure;
    failures.push(failure);
    pool.recordFailure(key.id, model.id, failure);
    if (!FAILURE_POLICY[failure.kind].retry) break;
  }
  const now = Date.now();
  const next = pick(new Set(), now);
  // The pinned key failed on its own fault (rate limited, invalid): say why, and until when.
  const last = failures[failures.length - 1];
  if (pinned && !next.ok && last && FAILURE_POLICY[last.kind].keyFault) return failed(pinnedRefusal(next, pinned.by, now));
  return failed(endOfAttempts(failures, next.ok ? { ok: true } : next, now));
}

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
