import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildApp } from "../../src/app";
import { IsolateRuntime } from "../../src/runtime/runtime";
import { useFakeGemini } from "../helpers/fake-google";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { callWorker, chatBody } from "./call";

// Issue 12 item 3: a client key's daily limit under concurrency, and refusals that never
// reached Google do not use it up.
beforeEach(async () => {
  await env.DB.prepare("DELETE FROM usage_calls").run();
  for (const table of ["usage_daily", "usage_daily_client", "usage_daily_outcome", "usage_latency"]) await env.DB.prepare(`DELETE FROM ${table}`).run();
  await env.DB.prepare("UPDATE usage_fold SET through = 0, folded_at = 0 WHERE id = 1").run();
});
afterEach(() => vi.restoreAllMocks());

const KEY_A = fakeGeminiKey("A");

/** The shared fake Gemini, answering key A 30 ms late so calls overlap. */
async function slowGoogle() {
  const google = useFakeGemini();
  await google.setKey(KEY_A, "slow:30");
  return google;
}

function statusCodes(results: Array<{ response: Response; text: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { response, text } of results) {
    const key = response.status === 429 ? `429 ${JSON.parse(text).error.code}` : String(response.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe("a client key's daily limit", () => {
  it("holds for 100 parallel calls on a key with a limit of 1: one is served, 99 get 429 client_daily_limit", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }], clientOptions: { dailyLimit: 1 } });
    const google = await slowGoogle();
    const results = await Promise.all(
      Array.from({ length: 100 }, () => callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody() })),
    );
    expect(statusCodes(results)).toEqual({ "200": 1, "429 client_daily_limit": 99 });
    expect(google.received()).toHaveLength(1);
    const refused = results.find((r) => r.response.status === 429)!;
    expect(Number(refused.response.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("is not used up by requests refused with a 400 before they reached Google", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }], clientOptions: { dailyLimit: 2 } });
    const google = await slowGoogle();
    for (const bad of [chatBody({ messages: [] }), chatBody({ temperature: "hot" }), "{not json"]) {
      const { response } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: bad });
      expect(response.status).toBe(400);
    }
    expect(google.received()).toHaveLength(0);
    const served = await Promise.all([1, 2, 3].map(() => callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody() })));
    expect(statusCodes(served)).toEqual({ "200": 2, "429 client_daily_limit": 1 });
  });

  it("across two isolates admits at most the limit in each until the rows reach D1, then holds in both", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }], clientOptions: { dailyLimit: 3 } });
    await slowGoogle();
    const isolates = [buildApp(new IsolateRuntime()), buildApp(new IsolateRuntime())];
    const send = async (app: (typeof isolates)[number]) => {
      const waits: Promise<unknown>[] = [];
      const ctx = { waitUntil: (p: Promise<unknown>) => void waits.push(p), passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
      const request = new Request("http://proxy.test/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${client}`, "content-type": "application/json" },
        body: chatBody(),
      });
      const response = await app.fetch(request, env, ctx);
      const text = await response.text();
      await Promise.all(waits);
      return { response, text };
    };
    // Both cold at once: each isolate counts only its own calls until it syncs with D1.
    const burst = await Promise.all(isolates.flatMap((app) => Array.from({ length: 5 }, () => send(app))));
    const served = burst.filter((r) => r.response.status === 200).length;
    expect(served).toBeGreaterThanOrEqual(3);
    expect(served).toBeLessThanOrEqual(3 * isolates.length);
    // Once the ledger rows are in D1, a fresh isolate (and every isolate after its next sync) refuses.
    const late = await send(buildApp(new IsolateRuntime()));
    expect(late.response.status).toBe(429);
    expect(JSON.parse(late.text).error.code).toBe("client_daily_limit");
  });
});
