// Two more paths through the Worker: thought summaries as reasoning_content, and the native
// Gemini API under /v1beta, where the client's own key must never travel to Google.

import OpenAI from "openai";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fake, openaiClient, seedPool, workerUrl, type SeededPool } from "./harness";

const MODEL = "gemini-2.5-flash";
const THOUGHTS = "The user wants a greeting.";
let pool: SeededPool;
let client: OpenAI;

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({ geminiKeys: 1, models: [{ id: MODEL, category: "flash" }], clientKeyName: "native-e2e", replace: true });
  client = openaiClient(pool.clientKey.key);
});

beforeEach(async () => {
  await fake.reply({ thoughts: THOUGHTS, thoughtsTokenCount: 12 });
  await fake.clearRequests();
});

const upstreamBody = async () => (await fake.requests())[0]!.body as any;

describe("thinking", () => {
  it("reasoning_effort asks Google for thoughts and returns them as reasoning_content, never in content", async () => {
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Say hello" }],
      reasoning_effort: "low",
    });
    const message = completion.choices[0]!.message as OpenAI.Chat.Completions.ChatCompletionMessage & { reasoning_content?: string };
    expect(message.content).toBe("Hello from fake Gemini");
    expect(message.reasoning_content).toBe(THOUGHTS);
    const thinking = (await upstreamBody()).generationConfig.thinkingConfig;
    expect(thinking.includeThoughts).toBe(true);
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(12);
  });

  it("streams thoughts as reasoning_content deltas before the content", async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Say hello" }],
      reasoning_effort: "low",
      stream: true,
    });
    let reasoning = "";
    let content = "";
    let contentSeenBeforeReasoningEnded = false;
    for await (const chunk of stream) {
      const delta = (chunk.choices[0]?.delta ?? {}) as { content?: string | null; reasoning_content?: string };
      if (delta.reasoning_content) {
        if (content) contentSeenBeforeReasoningEnded = true;
        reasoning += delta.reasoning_content;
      }
      content += delta.content ?? "";
    }
    expect(reasoning).toBe(THOUGHTS);
    expect(content).toBe("Hello from fake Gemini");
    expect(contentSeenBeforeReasoningEnded).toBe(false);
  });

  it("without a request for thoughts, Google is not asked for them and none come back", async () => {
    const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Say hello" }] });
    const message = completion.choices[0]!.message as { content: string | null; reasoning_content?: string };
    expect(message.content).toBe("Hello from fake Gemini");
    expect(message.reasoning_content ?? "").toBe("");
    const thinking = (await upstreamBody()).generationConfig?.thinkingConfig;
    expect(thinking?.includeThoughts ?? false).toBe(false);
  });
});

describe("native /v1beta passthrough", () => {
  const native = (path: string, init: RequestInit = {}) => fetch(`${workerUrl()}/v1beta/${path}`, init);
  const body = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Say hello" }] }] });

  it("serves generateContent with the client key in x-goog-api-key, and sends Google a pool key instead", async () => {
    const res = await native(`models/${MODEL}:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": pool.clientKey.key, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer.candidates[0].content.parts.at(-1).text).toBe("Hello from fake Gemini");
    const [upstream] = await fake.requests();
    expect(upstream!.apiKey).toBe(pool.geminiKeys[0]!.key);
    expect(upstream!.keyInQuery).toBe(false);
    expect(JSON.stringify(upstream!.headers)).not.toContain(pool.clientKey.key);
  });

  it("accepts the client key as ?key= but never forwards it in the URL", async () => {
    const res = await native(`models/${MODEL}:streamGenerateContent?alt=sse&key=${encodeURIComponent(pool.clientKey.key)}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("Hello");
    const [upstream] = await fake.requests();
    expect(upstream!.keyInQuery).toBe(false);
    expect(upstream!.query).toEqual({ alt: "sse" });
    expect(upstream!.apiKey).toBe(pool.geminiKeys[0]!.key);
  });

  it("refuses a wrong key in Google's error shape, without calling Google", async () => {
    const res = await native(`models/${MODEL}:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": `AIza${"Wrong".repeat(7)}`, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const error = await res.json();
    expect(error.error).toEqual(expect.objectContaining({ code: res.status, message: expect.any(String), status: expect.any(String) }));
    expect(await fake.requests()).toHaveLength(0);
  });
});
