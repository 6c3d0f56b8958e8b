// Classification of Google's non-2xx answers (status + google.rpc error JSON).
import { describe, expect, it } from "vitest";
import { classifyUpstreamError, parseDuration } from "../../src/gemini/classify";
import type { UpstreamFailure } from "../../src/gemini/failure";
import { FAILURE_POLICY } from "../../src/proxy/failure-policy";
import * as google from "../helpers/google-replies";

const classify = (reply: google.GoogleReply) => classifyUpstreamError(reply.status, JSON.stringify(reply.body));
/** Whether another key may succeed (the failure policy's retry column). */
const isRetryable = (failure: UpstreamFailure) => FAILURE_POLICY[failure.kind].retry;

describe("classifyUpstreamError", () => {
  it("the recorded per-minute 429: rate_minute for RetryInfo's 34.4 s, with its quotaId", () => {
    expect(classify(google.perMinute429)).toEqual({
      kind: "rate_minute",
      retryAfterMs: 34_400,
      quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
      message: "You exceeded your current quota, please check your plan.",
    });
  });

  it("a 429 whose QuotaFailure names a per-day quota: rate_day, even with a RetryInfo", () => {
    expect(classify(google.perDay429())).toMatchObject({ kind: "rate_day", quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier" });
  });

  it("a bare 429 without details cools for a minute", () => {
    expect(classifyUpstreamError(429, '{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"Resource exhausted"}}')).toMatchObject({
      kind: "rate_minute",
      retryAfterMs: 60_000,
    });
  });

  it.each([
    ["400 API_KEY_INVALID", google.apiKeyInvalid, "invalid_key"],
    ["403 PERMISSION_DENIED", google.consumerSuspended, "suspended"],
    ["503 UNAVAILABLE", google.overloaded, "overloaded"],
    ["500 INTERNAL", google.internalError, "server"],
    ["400 FAILED_PRECONDITION location", google.regionRefused, "region"],
    ["400 INVALID_ARGUMENT (recorded)", google.clientMistake, "client"],
  ])("%s -> %s", (_name, reply, kind) => {
    expect(classify(reply).kind).toBe(kind);
  });

  it("a 400 caused by the request keeps Google's status for the client's error code", () => {
    expect(classify(google.clientMistake)).toEqual({
      kind: "client",
      status: 400,
      googleStatus: "INVALID_ARGUMENT",
      message: "You can only set only one of thinking budget and thinking level.",
    });
  });

  it("504 is a timeout, 404 a missing model, an error wrapped in an array is read, a non-JSON body kept as text", () => {
    expect(classifyUpstreamError(504, "").kind).toBe("timeout");
    expect(classifyUpstreamError(404, '{"error":{"code":404,"message":"models/x is not found","status":"NOT_FOUND"}}').kind).toBe("not_found");
    expect(classifyUpstreamError(400, `[${JSON.stringify(google.apiKeyInvalid.body)}]`).kind).toBe("invalid_key");
    expect(classifyUpstreamError(502, "<html>Bad Gateway</html>")).toEqual({ kind: "server", status: 502, message: "<html>Bad Gateway</html>" });
  });

  it("only the client's own mistakes, region refusals and unknown models are not retried", () => {
    const kinds = [google.perMinute429, google.perDay429(), google.apiKeyInvalid, google.consumerSuspended, google.overloaded, google.internalError];
    for (const reply of kinds) expect(isRetryable(classify(reply))).toBe(true);
    expect(isRetryable(classify(google.clientMistake))).toBe(false);
    expect(isRetryable(classify(google.regionRefused))).toBe(false);
    expect(isRetryable({ kind: "empty", message: "" })).toBe(true);
  });
});

describe("parseDuration (google.protobuf.Duration JSON)", () => {
  it.each([
    ["34.4s", 34_400],
    ["1s", 1_000],
    ["0.0005s", 1],
    ["51s", 51_000],
  ])("%s = %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it("refuses what is not a Duration", () => {
    expect(parseDuration("34")).toBeUndefined();
    expect(parseDuration(undefined)).toBeUndefined();
  });
});
