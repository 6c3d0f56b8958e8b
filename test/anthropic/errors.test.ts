import { describe, expect, it } from "vitest";
import { anthropicFailure, anthropicStreamError } from "../../src/anthropic/errors";
import { FAILURE_POLICY, poolRefusal, type CallFailure } from "../../src/proxy/failure-policy";

const failure = (status: number, code: string, extra: Partial<CallFailure> = {}): CallFailure => ({
  status,
  code,
  message: `failed with ${code}`,
  type: "x",
  outcome: "upstream_error",
  ...extra,
});

describe("anthropicFailure", () => {
  it("answers each failure with Anthropic's status and error type, in its shape", async () => {
    const cases: Array<[CallFailure, number, string]> = [
      [failure(400, "invalid_value"), 400, "invalid_request_error"],
      [failure(401, "invalid_api_key"), 401, "authentication_error"],
      [failure(403, "permission_denied"), 403, "permission_error"],
      [failure(404, "model_not_found"), 404, "not_found_error"],
      [failure(413, "request_too_large"), 413, "request_too_large"],
      [poolRefusal({ ok: false, reason: "rate_limited", retryAt: Date.now() + 30_000, detail: "d" }, Date.now()), 429, "rate_limit_error"],
      [failure(500, "internal_error"), 500, "api_error"],
      [FAILURE_POLICY.server.answer({ kind: "server", status: 500, message: "boom" }), 500, "api_error"],
      [FAILURE_POLICY.overloaded.answer({ kind: "overloaded", status: 503, message: "busy" }), 529, "overloaded_error"],
    ];
    for (const [given, status, type] of cases) {
      const response = anthropicFailure(given);
      expect(response.status, given.code).toBe(status);
      expect(await response.json()).toEqual({ type: "error", error: { type, message: expect.any(String) } });
    }
  });

  it("says when to come back on a 429 and a 529", () => {
    const limited = anthropicFailure(poolRefusal({ ok: false, reason: "rate_limited", retryAt: Date.now() + 30_000, detail: "d" }, Date.now()));
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(29);
    expect(anthropicFailure(FAILURE_POLICY.overloaded.answer({ kind: "overloaded", status: 503, message: "busy" })).headers.get("retry-after")).toBe("10");
  });

  it("removes secrets from messages", async () => {
    // Built at run time, so no key-shaped literal sits in the repository.
    const keyShaped = `AIza${"x".repeat(31)}fake`;
    const response = anthropicFailure(failure(400, "x", { message: `bad key ${keyShaped}` }));
    expect(JSON.stringify(await response.json())).not.toContain(keyShaped);
  });
});

describe("anthropicStreamError", () => {
  it("is one SSE `error` event in Anthropic's shape", () => {
    const text = anthropicStreamError(FAILURE_POLICY.overloaded.answer({ kind: "overloaded", status: 503, message: "busy" }));
    const [eventLine, dataLine] = text.trim().split("\n");
    expect(eventLine).toBe("event: error");
    expect(JSON.parse(dataLine!.slice("data: ".length))).toEqual({ type: "error", error: { type: "overloaded_error", message: expect.stringContaining("busy") } });
    expect(text.endsWith("\n\n")).toBe(true);
  });
});
