import { callGemini } from "./client";
import type { UpstreamFailure } from "./failure";
import { redactSecrets } from "../util/redact";

export const PROBE_TIMEOUT_MS = 15_000;

export interface ProbeOutcome {
  ok: boolean;
  /** Google's HTTP status; 0 when no answer arrived (network error, timeout). */
  status: number;
  latencyMs: number;
  message?: string;
  failure?: UpstreamFailure;
}

/**
 * Checks a key without spending generation quota. With a model: `countTokens` on it, which
 * needs a valid key with access to that model and is not billed. Without: one page of the
 * model list, which needs a valid key.
 */
export async function probeKey(base: string | undefined, apiKey: string, model: string | null): Promise<ProbeOutcome> {
  const started = Date.now();
  const attempt = model
    ? await callGemini({
        base,
        apiKey,
        path: `models/${model}:countTokens`,
        method: "POST",
        body: { contents: [{ role: "user", parts: [{ text: "ping" }] }] },
        timeoutMs: PROBE_TIMEOUT_MS,
      })
    : await callGemini({ base, apiKey, path: "models", method: "GET", query: { pageSize: "1" }, timeoutMs: PROBE_TIMEOUT_MS });
  const latencyMs = Date.now() - started;
  if (attempt.ok) {
    await attempt.response.body?.cancel();
    return { ok: true, status: attempt.response.status, latencyMs };
  }
  return {
    ok: false,
    status: attempt.status ?? 0,
    latencyMs,
    message: redactSecrets(attempt.failure.message).slice(0, 500),
    failure: attempt.failure,
  };
}
