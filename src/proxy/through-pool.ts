import type { Context } from "hono";
import type { ModelConfig } from "../config/schemas";
import { callGemini } from "../gemini/client";
import { KeyPool } from "../pool/key-pool";
import type { CallLog } from "./call-log";
import type { ProxyEnv } from "./client-auth";
import { withFailover, type AttemptOutcome } from "./failover";
import type { CallFailure } from "./failure-policy";

/** The Google call one attempt makes; the key, base URL, timeout and abort come from the route's context. */
export interface GeminiCallSpec {
  path: string;
  body: unknown;
  query?: Record<string, string>;
  stream?: boolean;
}

export interface ThroughPoolOptions<T> {
  spec: GeminiCallSpec;
  /** Turns a 2xx answer into the route's value, or into a failure another key may fix (e.g. an empty reply). */
  accept: (response: Response) => Promise<AttemptOutcome<T>>;
  /** false for calls Google does not count against a key's quota (countTokens). */
  charge?: boolean;
}

export type ThroughPoolResult<T> = { ok: true; value: T } | { ok: false; failure: CallFailure };

/**
 * Sends one proxied call through the pool with failover, and keeps the books: the ledger's
 * key and attempt count, the key's day counter on success, the ledger row on failure.
 */
export async function throughPool<T>(
  c: Context<ProxyEnv>,
  log: CallLog,
  model: ModelConfig,
  options: ThroughPoolOptions<T>,
): Promise<ThroughPoolResult<T>> {
  const { settings } = c.get("config");
  const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  const signal = c.req.raw.signal;
  const pool = await KeyPool.open(c.get("runtime"), c.env, waitUntil);
  const result = await withFailover<T>({
    pool,
    model,
    maxAttempts: settings.maxAttempts,
    signal,
    attempt: async (key) => {
      log.geminiKeyId = key.id;
      const attempt = await callGemini({
        ...options.spec,
        base: c.env.GEMINI_API_BASE,
        apiKey: key.secret,
        signal,
        timeoutMs: settings.attemptTimeoutMs,
      });
      return attempt.ok ? options.accept(attempt.response) : attempt;
    },
  });
  log.attempts = result.attempts;
  if (!result.ok) {
    log.finish(result.answer.status, result.answer.outcome, result.answer.code);
    return { ok: false, failure: result.answer };
  }
  if (options.charge === false) {
    pool.release(result.key.id, model.id);
  } else {
    pool.recordSuccess(result.key.id, model.id, log.ticket);
    log.served = true;
  }
  return { ok: true, value: result.value };
}
