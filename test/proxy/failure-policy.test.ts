// One test per row of the failure policy table, and the answers when the attempts run out.
import { describe, expect, it } from "vitest";
import type { UpstreamFailure } from "../../src/gemini/failure";
import { endOfAttempts, FAILURE_POLICY, poolRefusal, type KeyEffect } from "../../src/proxy/failure-policy";

const NOW = Date.parse("2031-06-01T12:00:00.000Z");

const failures = {
  rate_minute: { kind: "rate_minute", retryAfterMs: 34_400, message: "per minute" },
  rate_day: { kind: "rate_day", quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier", message: "per day" },
  invalid_key: { kind: "invalid_key", message: "API key not valid." },
  suspended: { kind: "suspended", message: "Consumer has been suspended." },
  model_refused: { kind: "model_refused", message: "Imagen API is only accessible to billed users at this time." },
  overloaded: { kind: "overloaded", status: 503, message: "The model is overloaded." },
  server: { kind: "server", status: 500, message: "Internal error." },
  network: { kind: "network", message: "Network connection lost." },
  timeout: { kind: "timeout", message: "no answer within 60000 ms" },
  empty: { kind: "empty", message: "empty reply" },
  region: { kind: "region", message: "User location is not supported for the API use." },
  not_found: { kind: "not_found", message: "models/x is not found" },
  file_inaccessible: { kind: "file_inaccessible", message: "You do not have permission to access the File abc or it may not exist." },
  client: { kind: "client", status: 400, googleStatus: "INVALID_ARGUMENT", message: "bad field" },
  client_gone: { kind: "client_gone", message: "the client closed the connection" },
} satisfies { [K in UpstreamFailure["kind"]]: Extract<UpstreamFailure, { kind: K }> };

const rows: Array<[UpstreamFailure["kind"], boolean, boolean, KeyEffect, number, string, string]> = [
  // kind          retry  keyFault key effect          status code                    outcome
  ["rate_minute", true, true, "cool", 429, "rate_limit_exceeded", "rate_limited"],
  ["rate_day", true, true, "exhaust", 429, "rate_limit_exceeded", "rate_limited"],
  ["invalid_key", true, true, "invalidate", 503, "no_key_available", "no_key"],
  ["suspended", true, true, "suspend", 503, "no_key_available", "no_key"],
  ["model_refused", true, true, "refuse_model", 503, "no_key_available", "no_key"],
  ["overloaded", true, false, "sideline", 503, "overloaded", "upstream_error"],
  ["server", true, false, "sideline", 502, "server", "upstream_error"],
  ["network", true, false, "sideline_briefly", 502, "upstream_unreachable", "upstream_error"],
  ["timeout", true, false, "sideline_briefly", 502, "upstream_timeout", "timeout"],
  ["empty", true, false, "none", 502, "empty_reply", "upstream_error"],
  ["region", false, false, "none", 502, "region_not_supported", "upstream_error"],
  ["not_found", false, false, "none", 404, "model_not_found", "client_error"],
  ["file_inaccessible", false, false, "none", 404, "file_not_accessible", "client_error"],
  ["client", false, false, "none", 400, "invalid_argument", "client_error"],
  ["client_gone", false, false, "none", 499, "client_disconnected", "aborted"],
];

describe("the failure policy table", () => {
  it("has a row for every failure kind", () => {
    expect(Object.keys(FAILURE_POLICY).sort()).toEqual(rows.map((r) => r[0]).sort());
  });

  it.each(rows)("%s: retry %s, key's fault %s, key effect %s, answer %i %s (%s)", (kind, retry, keyFault, key, status, code, outcome) => {
    const policy = FAILURE_POLICY[kind];
    expect(policy.retry).toBe(retry);
    expect(policy.keyFault).toBe(keyFault);
    expect(policy.key).toBe(key);
    expect(policy.answer(failures[kind])).toMatchObject({ status, code, outcome });
  });

  it("a client's 413 stays 413", () => {
    expect(FAILURE_POLICY.client.answer({ kind: "client", status: 413, message: "too large" }).status).toBe(413);
  });
});

describe("when the attempts run out", () => {
  const keyAfter = (seconds: number) => ({ ok: false as const, reason: "rate_limited" as const, retryAt: NOW + seconds * 1000, detail: "cooling" });

  it("on the keys' own faults with a rate limit among them: 429 with Retry-After for the first key that frees up", () => {
    const answer = endOfAttempts([failures.rate_minute, failures.rate_day, failures.invalid_key], keyAfter(35), NOW);
    expect(answer).toMatchObject({ status: 429, code: "rate_limit_exceeded", outcome: "rate_limited", retryAfterSeconds: 35 });
  });

  it("the same, with an untried key usable now (attempts ran out first): 429, Retry-After 1", () => {
    const answer = endOfAttempts([failures.rate_minute, failures.invalid_key, failures.suspended], { ok: true }, NOW);
    expect(answer).toMatchObject({ status: 429, retryAfterSeconds: 1, outcome: "rate_limited" });
  });

  it("on invalid and suspended keys only, none left: 503 no_key_available", () => {
    const answer = endOfAttempts([failures.invalid_key, failures.suspended], { ok: false, reason: "no_key", detail: "invalid" }, NOW);
    expect(answer).toMatchObject({ status: 503, code: "no_key_available", outcome: "no_key" });
    expect(answer.retryAfterSeconds).toBeUndefined();
  });

  it("Google overloaded on every key tried: 503 with Retry-After", () => {
    const answer = endOfAttempts([failures.overloaded, failures.overloaded], { ok: true }, NOW);
    expect(answer).toMatchObject({ status: 503, code: "overloaded", retryAfterSeconds: 10 });
  });

  it("Google's own failures among key faults: 502 from the last of Google's; with an overload among only 5xx, 503 overloaded", () => {
    const answer = endOfAttempts([failures.timeout, failures.rate_minute, failures.server], keyAfter(20), NOW);
    expect(answer).toMatchObject({ status: 502, code: "server", outcome: "upstream_error" });
    const overload = endOfAttempts([failures.overloaded, failures.rate_minute, failures.server], keyAfter(20), NOW);
    expect(overload).toMatchObject({ status: 503, code: "overloaded", retryAfterSeconds: 10 });
    expect(endOfAttempts([failures.timeout, failures.rate_day], keyAfter(5), NOW)).toMatchObject({ status: 502, outcome: "timeout" });
  });

  it("a failure no other key can fix answers for itself", () => {
    expect(endOfAttempts([failures.rate_minute, failures.client], { ok: true }, NOW)).toMatchObject({ status: 400, outcome: "client_error" });
    expect(endOfAttempts([failures.client_gone], { ok: true }, NOW)).toMatchObject({ status: 499, outcome: "aborted" });
  });

  it("before any attempt: every key limited is 429 until the first frees up, none usable is 503", () => {
    expect(poolRefusal(keyAfter(61), NOW)).toMatchObject({ status: 429, retryAfterSeconds: 61 });
    expect(poolRefusal({ ok: false, reason: "no_key", detail: "no Gemini key is configured" }, NOW)).toMatchObject({ status: 503 });
  });
});
