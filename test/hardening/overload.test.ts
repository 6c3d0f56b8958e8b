// Issue 12 item 7: when Google's overload ends the attempts the client hears 503 `overloaded`
// with Retry-After (not a 502 it retries at once), and the upstream calls per client call are
// bounded: at most maxAttempts, and a key sidelined after Google's 5xx is a last resort once
// per call and never after Google already failed the call.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, expect, it, vi } from "vitest";
import worker from "../../src/index";
import * as google from "../helpers/google-replies";
import { chatRequest, fakeGoogle, seed, settingsWith, type Behaviour } from "../pool/harness";

afterEach(() => vi.restoreAllMocks());

async function chat(): Promise<{ status: number; retryAfter: string | null; code?: string }> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(chatRequest(), env, ctx);
  const body = (await response.json()) as { error?: { code?: string } };
  await waitOnExecutionContext(ctx);
  return { status: response.status, retryAfter: response.headers.get("retry-after"), code: body.error?.code };
}

async function pool(prefix: string, behaviours: Behaviour[], maxAttempts = 3) {
  const keys = behaviours.map((behaviour, i) => ({ id: `${prefix}-${i}`, behaviour }));
  await seed(keys, settingsWith({ maxAttempts }));
  vi.spyOn(Math, "random").mockReturnValue(0); // keys are tried in order
  return fakeGoogle(keys);
}

it("every key overloaded: the first call tries maxAttempts keys, later calls one sidelined key each, all 503 overloaded with Retry-After", async () => {
  const upstream = await pool("ov-all", [google.overloaded, google.overloaded, google.overloaded, google.overloaded], 3);
  const perCall: number[] = [];
  for (let i = 0; i < 10; i++) {
    const before = upstream.total();
    const answer = await chat();
    perCall.push(upstream.total() - before);
    expect(answer).toMatchObject({ status: 503, code: "overloaded" });
    expect(Number(answer.retryAfter)).toBeGreaterThan(0);
  }
  expect(perCall[0]).toBe(3);
  // Today each call went through maxAttempts sidelined keys again (3 each, 30 in all).
  expect(perCall.slice(1)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
  expect(upstream.total()).toBe(12);
});

it("overloaded then a 500: 503 overloaded with Retry-After, not 502", async () => {
  await pool("ov-mixed", [google.overloaded, google.internalError]);
  const answer = await chat();
  expect(answer).toMatchObject({ status: 503, code: "overloaded" });
  expect(Number(answer.retryAfter)).toBeGreaterThan(0);
});

it("a rate limit and overloads: 503 overloaded with Retry-After; rate limits only: 429 with Retry-After", async () => {
  await pool("ov-rate", [google.perMinute429, google.overloaded, google.overloaded]);
  const mixed = await chat();
  expect(mixed).toMatchObject({ status: 503, code: "overloaded" });
  expect(Number(mixed.retryAfter)).toBeGreaterThan(0);

  await pool("ov-rate-only", [google.perMinute429, google.perMinute429]);
  const limited = await chat();
  expect(limited).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
  expect(Number(limited.retryAfter)).toBeGreaterThan(0);
});

it("a sidelined key is not used after Google failed the call, but a fresh key still is", async () => {
  const upstream = await pool("ov-fresh", [google.overloaded, "ok"]);
  // Call 1: key 0 overloads (sidelined), key 1 serves.
  expect((await chat()).status).toBe(200);
  expect(upstream.callsByKey.get("ov-fresh-0")).toBe(1);
  // Call 2: key 1 (fresh) first; key 0 never asked again while sidelined.
  expect((await chat()).status).toBe(200);
  expect(upstream.callsByKey.get("ov-fresh-0")).toBe(1);
  expect(upstream.callsByKey.get("ov-fresh-1")).toBe(2);
});
