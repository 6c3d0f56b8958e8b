// The attempts run out on the keys' own faults (per-minute 429, per-day 429, invalid,
// suspended; 3 attempts over 4 keys): the client hears 429 with Retry-After, not a 502 it
// would retry at once — in OpenAI's shape on /v1 and Google's on /v1beta.
import { afterEach, describe, expect, it, vi } from "vitest";
import * as google from "../helpers/google-replies";
import { CLIENT_KEY, chatRequest, fakeGoogle, seed, type FakeKey } from "../pool/harness";
import { isolate } from "../free-plan/harness";

const KEYS: FakeKey[] = [
  { id: "minute", behaviour: google.perMinute429 },
  { id: "day", behaviour: google.perDay429() },
  { id: "invalid", behaviour: google.apiKeyInvalid },
  { id: "suspended", behaviour: google.consumerSuspended },
];

afterEach(() => vi.restoreAllMocks());

describe("attempts that ran out on the keys' own faults", () => {
  it("OpenAI front door: 429 rate_limit_exceeded with Retry-After, after 3 attempts", async () => {
    await seed(KEYS);
    const upstream = fakeGoogle(KEYS);
    const worker = isolate();
    const response = await worker.call(chatRequest());
    expect(upstream.total()).toBe(3);
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await response.json()).toMatchObject({ error: { type: "rate_limit_error", code: "rate_limit_exceeded" } });
  });

  it("native front door: the same answer in Google's shape", async () => {
    await seed(KEYS);
    fakeGoogle(KEYS);
    const worker = isolate();
    const response = await worker.call(
      new Request("http://proxy.test/v1beta/models/gemini-2.5-flash:generateContent", {
        method: "POST",
        headers: { "x-goog-api-key": CLIENT_KEY, "content-type": "application/json" },
        body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
      }),
    );
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await response.json()).toMatchObject({ error: { code: 429, status: "RESOURCE_EXHAUSTED" } });
  });
});
