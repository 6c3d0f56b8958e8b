// What every kind of upstream failure does — the one place that answers "how is a 429 handled?".
// For each kind (src/gemini/classify.ts tells them apart): whether another key may succeed,
// whether it is the key's own doing, what it does to the key (src/pool/key-pool.ts applies it),
// and what the client hears when it ends the call (each front door renders that in its own
// protocol's shape). When the attempts run out, `endOfAttempts` decides the answer as a whole.
import type { UpstreamFailure } from "../gemini/failure";
import type { Outcome } from "../usage/schema";

/** What a failure does to the key it happened on. */
export type KeyEffect =
  | "none"
  | "cool" // per-minute 429: not used for the model until Google's retry delay, in this isolate's memory
  | "exhaust" // per-day 429: exhausted for the model until Pacific midnight, written to KV
  | "invalidate" // API_KEY_INVALID: invalid until the admin acts, written to KV
  | "suspend" // 403, or Google refusing the key's project: suspended, re-checked after an hour, written to KV
  | "refuse_model" // Google refusing one model on the key's project (Imagen unbilled): that model blocked until Pacific midnight, written to KV
  | "sideline" // Google's 5xx: skipped for 10 s in this isolate, used if nothing else is left
  | "sideline_briefly"; // network error, timeout: the same for 5 s

export interface FailurePolicy {
  /** Another key may succeed: the attempt loop goes on. */
  retry: boolean;
  /** The key's own doing (its quota, its validity), not Google's or the client's. */
  keyFault: boolean;
  key: KeyEffect;
  /** The answer when this failure ends the call on its own. */
  answer: (failure: UpstreamFailure) => CallFailure;
}

/** A failed call as every front door renders it: status, message, codes, ledger outcome. */
export interface CallFailure {
  status: number;
  message: string;
  /** OpenAI's error `type`; other protocols map the status. */
  type: string;
  code: string;
  /** The request field at fault, when there is one (OpenAI's `param`). */
  param?: string | null;
  outcome: Outcome;
  retryAfterSeconds?: number;
}

const fail = (status: number, type: string, code: string, outcome: Outcome, message: string, retryAfterSeconds?: number): CallFailure => ({
  status,
  message,
  type,
  code,
  outcome,
  ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
});

/** A 5xx keeps the key aside this long; a client may come back then. */
export const SIDELINE_SECONDS = 10;

export const FAILURE_POLICY: { [K in UpstreamFailure["kind"]]: FailurePolicy } = {
  rate_minute: {
    retry: true,
    keyFault: true,
    key: "cool",
    answer: (f) => fail(429, "rate_limit_error", "rate_limit_exceeded", "rate_limited", f.message, 60),
  },
  rate_day: {
    retry: true,
    keyFault: true,
    key: "exhaust",
    answer: (f) => fail(429, "rate_limit_error", "rate_limit_exceeded", "rate_limited", f.message, 60),
  },
  invalid_key: {
    retry: true,
    keyFault: true,
    key: "invalidate",
    answer: (f) => fail(503, "server_error", "no_key_available", "no_key", `No usable Gemini key: ${f.message}`),
  },
  // Also Google refusing the key's PROJECT (src/gemini/classify.ts), with the reason prefixed:
  // ErrorInfo SERVICE_DISABLED, BILLING_DISABLED, CONSUMER_SUSPENDED…, or a FAILED_PRECONDITION
  // that names billing or the free tier ("free tier is not available in your country. Please
  // enable billing"). Enabling billing on that project lifts it, and another key's project may
  // not have the refusal: the key's doing. "User location is not supported" without billing is
  // the Worker's location: `region`, which no key fixes.
  suspended: {
    retry: true,
    keyFault: true,
    key: "suspend",
    answer: (f) => fail(503, "server_error", "no_key_available", "no_key", `No usable Gemini key: ${f.message}`),
  },
  // Imagen on a key whose project is not billed (src/gemini/classify.ts): the next paid key may
  // be billed. Only that model is blocked on the key, the key serves every other model.
  model_refused: {
    retry: true,
    keyFault: true,
    key: "refuse_model",
    answer: (f) => fail(503, "server_error", "no_key_available", "no_key", `No usable Gemini key: ${f.message}`),
  },
  overloaded: {
    retry: true,
    keyFault: false,
    key: "sideline",
    answer: (f) => fail(503, "upstream_error", "overloaded", "upstream_error", `Gemini is overloaded: ${f.message}`, SIDELINE_SECONDS),
  },
  server: {
    retry: true,
    keyFault: false,
    key: "sideline",
    answer: (f) => fail(502, "upstream_error", "server", "upstream_error", `Gemini failed on every attempt: ${f.message}`),
  },
  network: {
    retry: true,
    keyFault: false,
    key: "sideline_briefly",
    answer: (f) => fail(502, "upstream_error", "upstream_unreachable", "upstream_error", `Could not reach Gemini: ${f.message}`),
  },
  timeout: {
    retry: true,
    keyFault: false,
    key: "sideline_briefly",
    answer: (f) => fail(502, "upstream_error", "upstream_timeout", "timeout", `Gemini did not answer in time: ${f.message}`),
  },
  empty: {
    retry: true,
    keyFault: false,
    key: "none",
    answer: () => fail(502, "upstream_error", "empty_reply", "upstream_error", "Gemini returned an empty reply on every attempt."),
  },
  region: {
    retry: false,
    keyFault: false,
    key: "none",
    answer: (f) =>
      fail(
        502,
        "upstream_error",
        "region_not_supported",
        "upstream_error",
        `Google refuses requests from this Worker's region: ${f.message} Set a placement hint toward a supported region (see README).`,
      ),
  },
  not_found: {
    retry: false,
    keyFault: false,
    key: "none",
    answer: (f) => fail(404, "invalid_request_error", "model_not_found", "client_error", f.message),
  },
  // A file or cached content Google will not give this key (expired after 48 h, deleted, or
  // never under it): Google says 403 PERMISSION_DENIED, yet the key is fine and no other key
  // holds the file. The client hears 404.
  file_inaccessible: {
    retry: false,
    keyFault: false,
    key: "none",
    answer: (f) =>
      fail(404, "invalid_request_error", "file_not_accessible", "client_error", `${f.message} (files expire 48 hours after upload; upload it again)`),
  },
  client: {
    retry: false,
    keyFault: false,
    key: "none",
    answer: (f) => {
      const client = f as Extract<UpstreamFailure, { kind: "client" }>;
      return fail(client.status === 413 ? 413 : 400, "invalid_request_error", (client.googleStatus ?? "invalid_request").toLowerCase(), "client_error", f.message);
    },
  },
  client_gone: {
    retry: false,
    keyFault: false,
    key: "none",
    answer: () => fail(499, "upstream_error", "client_disconnected", "aborted", "The client closed the connection."),
  },
};

/** What the pool can do right after the attempts: a key now, one later, or none at all. */
export type PoolNow = { ok: true } | { ok: false; reason: "rate_limited"; retryAt: number; detail: string } | { ok: false; reason: "no_key"; detail: string };

/** The answer when no key could be picked before any attempt. */
export function poolRefusal(pool: Exclude<PoolNow, { ok: true }>, now: number): CallFailure {
  if (pool.reason === "no_key") return fail(503, "server_error", "no_key_available", "no_key", `No usable Gemini key: ${pool.detail}`);
  const seconds = secondsUntil(pool.retryAt, now);
  return fail(
    429,
    "rate_limit_error",
    "rate_limit_exceeded",
    "rate_limited",
    `Every Gemini key is rate limited or over quota for this model (${pool.detail}). Retry in ${seconds} s.`,
    seconds,
  );
}

/**
 * The answer when the attempts ran out (or a failure no other key can fix ended them).
 * Only the keys' own faults, a rate limit among them: 429 with Retry-After for the first key
 * that frees up (1 s when an untried key is usable now) — a client retries a 502 at once.
 * Only Google overloaded: 503 with Retry-After. Otherwise the last failure's own answer.
 */
export function endOfAttempts(failures: readonly UpstreamFailure[], pool: PoolNow, now: number): CallFailure {
  const last = failures[failures.length - 1];
  if (!last) return FAILURE_POLICY.client_gone.answer({ kind: "client_gone", message: "" });
  if (!FAILURE_POLICY[last.kind].retry) return FAILURE_POLICY[last.kind].answer(last);
  if (failures.every((f) => FAILURE_POLICY[f.kind].keyFault)) {
    const rateLimited = failures.some((f) => f.kind === "rate_minute" || f.kind === "rate_day");
    if (!pool.ok) return poolRefusal(pool, now);
    const detail = failures.map((f) => f.message).join("; ");
    return rateLimited
      ? fail(429, "rate_limit_error", "rate_limit_exceeded", "rate_limited", `The Gemini keys tried are rate limited (${detail}). Retry now: another key is free.`, 1)
      : fail(503, "server_error", "no_key_available", "no_key", `The Gemini keys tried are unusable (${detail}). Retry now: another key is left.`, 1);
  }
  // Google's own failures among them decide: the keys were not the problem. An overload that
  // ended the attempts, or one among nothing but Google's 5xx, is 503 `overloaded` with
  // Retry-After (a client backs off), not a 502 it would retry at once.
  const google = failures.filter((f) => !FAILURE_POLICY[f.kind].keyFault);
  const lastGoogle = google[google.length - 1]!;
  const overload = [...google].reverse().find((f) => f.kind === "overloaded");
  if (overload && (lastGoogle === overload || google.every((f) => f.kind === "overloaded" || f.kind === "server"))) {
    return FAILURE_POLICY.overloaded.answer(overload);
  }
  return FAILURE_POLICY[lastGoogle.kind].answer(lastGoogle);
}

function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}
