// /v1/messages and /v1/messages/count_tokens through `wrangler dev`, driven by the official
// Anthropic SDK (pinned 1.16.0) against the fake Gemini: answers, the SDK's stream helpers,
// Gemini 3 thought signatures round-tripped through thinking blocks, errors as the SDK's classes.

import Anthropic from "@anthropic-ai/sdk";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fake, seedPool, workerUrl, type SeededPool } from "./harness";

const FLASH = "gemini-2.5-flash";
const GEMINI_3 = "gemini-3-pro-preview";
const WEATHER: Anthropic.Tool = {
  name: "get_weather",
  description: "Current weather for a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

let pool: SeededPool;
let client: Anthropic;

const anthropic = (apiKey: string) => new Anthropic({ apiKey, baseURL: workerUrl(), maxRetries: 0, timeout: 30_000 });

async function generateRequests() {
  return (await fake.requests()).filter((r) => r.action === "generateContent" || r.action === "streamGenerateContent");
}

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({ geminiKeys: 2, models: [FLASH, { id: GEMINI_3, category: "pro" }], clientKeyName: "messages-e2e", replace: true });
  client = anthropic(pool.clientKey.key);
});

beforeEach(async () => {
  await fake.reply({});
  await fake.setKey(pool.geminiKeys.map((k) => k.key), "ok");
  await fake.clearRequests();
});

describe("messages.create", () => {
  it("answers a text message with usage", async () => {
    const message = await client.messages.create({ model: FLASH, max_tokens: 1024, system: "Be brief.", messages: [{ role: "user", content: "Hello" }] });
    expect(message).toMatchObject({ type: "message", role: "assistant", model: FLASH, stop_reason: "end_turn", content: [{ type: "text", text: "Hello from fake Gemini" }] });
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    const [upstream] = await generateRequests();
    expect(upstream!.body).toMatchObject({ systemInstruction: { parts: [{ text: "Be brief." }] } });
  });

  it("streams with the SDK's helpers: finalMessage() equals the concatenated text deltas", async () => {
    await fake.reply({ text: "One two three four five six", streamChunks: 4 });
    const stream = client.messages.stream({ model: FLASH, max_tokens: 1024, messages: [{ role: "user", content: "Count" }] });
    const deltas: string[] = [];
    const types: string[] = [];
    stream.on("text", (text) => deltas.push(text));
    stream.on("streamEvent", (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.content).toEqual([{ type: "text", text: deltas.join("") }]);
    expect(deltas.join("")).toBe("One two three four five six");
    expect(types[0]).toBe("message_start");
    expect(types.at(-1)).toBe("message_stop");
    expect(final.stop_reason).toBe("end_turn");
    expect((await generateRequests())[0]!.action).toBe("streamGenerateContent");
  });

  it("streams thinking as thinking_delta when thinking is on", async () => {
    await fake.reply({ text: "Answer", thoughts: "Let me think" });
    const final = await client.messages
      .stream({ model: FLASH, max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 2048 }, messages: [{ role: "user", content: "Think" }] })
      .finalMessage();
    expect(final.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(final.content[0]).toMatchObject({ type: "thinking", thinking: "Let me think" });
    const [upstream] = await generateRequests();
    expect(upstream!.body).toMatchObject({ generationConfig: { thinkingConfig: { thinkingBudget: 2048, includeThoughts: true } } });
  });

  it("runs a Gemini 3 tool round trip: input_json_delta, and Google's signature back through the thinking block", async () => {
    await fake.reply({ functionCall: { name: "get_weather", args: { city: "Paris" } } });
    const question: Anthropic.MessageParam = { role: "user", content: "Weather in Paris?" };
    const first = await client.messages
      .stream({ model: GEMINI_3, max_tokens: 32_000, thinking: { type: "adaptive" }, tools: [WEATHER], messages: [question] })
      .finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    const toolUse = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === "tool_use")!;
    expect(toolUse).toMatchObject({ name: "get_weather", input: { city: "Paris" } });
    const thinking = first.content.find((b): b is Anthropic.ThinkingBlock => b.type === "thinking")!;
    const [issuedReply] = await generateRequests();
    const issued = (issuedReply!.response as any[]).flatMap((e) => e.candidates?.[0]?.content?.parts ?? []).find((p: any) => p.functionCall).thoughtSignature;
    expect(thinking.signature).toBe(issued);

    await fake.clearRequests();
    const second = await client.messages.create({
      model: GEMINI_3,
      max_tokens: 32_000,
      thinking: { type: "adaptive" },
      tools: [WEATHER],
      messages: [question, { role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: toolUse.id, content: "21 C" }] }],
    });
    expect(second.content).toEqual([{ type: "text", text: "Hello from fake Gemini" }]);
    const [upstream] = await generateRequests();
    expect(upstream!.status).toBe(200);
    const parts = (upstream!.body as any).contents.flatMap((c: any) => c.parts);
    expect(parts.find((p: any) => p.functionCall)).toMatchObject({ functionCall: { name: "get_weather" }, thoughtSignature: issued });
    expect(parts.find((p: any) => p.functionResponse)).toMatchObject({ functionResponse: { name: "get_weather", response: { output: "21 C" } } });
  });

  it("counts tokens with Google's countTokens, without a generate call", async () => {
    const counted = await client.messages.countTokens({ model: FLASH, system: "Be brief.", messages: [{ role: "user", content: "How many tokens is this?" }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
    const requests = await fake.requests();
    expect(requests.map((r) => r.action)).toEqual(["countTokens"]);
    expect((requests[0]!.response as { totalTokens: number }).totalTokens).toBe(counted.input_tokens);
  });
});

describe("errors as the SDK's classes", () => {
  it("AuthenticationError, NotFoundError, BadRequestError", async () => {
    const request = { model: FLASH, max_tokens: 16, messages: [{ role: "user" as const, content: "Hi" }] };
    await expect(anthropic("sk-not-a-client-key").messages.create(request)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(client.messages.create({ ...request, model: "claude-none-9" })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    const bad = await client.messages.create({ ...request, messages: [] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect((bad as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("RateLimitError with retry-after when every key is rate limited, OverloadedError when Google is overloaded", async () => {
    const request = { model: FLASH, max_tokens: 16, messages: [{ role: "user" as const, content: "Hi" }] };
    await fake.settings({ retryDelay: "7s" });
    await fake.setKey(pool.geminiKeys.map((k) => k.key), "rate_limit_minute");
    const limited = await client.messages.create(request).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(Number((limited as InstanceType<typeof Anthropic.RateLimitError>).headers?.get("retry-after"))).toBeGreaterThan(0);

    await fake.setKey(pool.geminiKeys.map((k) => k.key), "overloaded");
    const busy = await client.messages.create({ ...request, model: GEMINI_3 }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(Anthropic.InternalServerError);
    expect((busy as InstanceType<typeof Anthropic.InternalServerError>).status).toBe(529);
    expect((busy as InstanceType<typeof Anthropic.InternalServerError>).error).toMatchObject({ error: { type: "overloaded_error" } });
  });

  it("an upstream failure after the first byte reaches the stream as an error event, which the SDK throws", async () => {
    await fake.reply({ text: "Partial answer that will break", streamChunks: 3 });
    await fake.setKey(pool.geminiKeys.map((k) => k.key), "stream_error_after_first_chunk");
    // Gemini 3: the keys are cooling for Flash after the rate-limit case; overloaded only sidelines them.
    const stream = client.messages.stream({ model: GEMINI_3, max_tokens: 1024, messages: [{ role: "user", content: "Go" }] });
    const texts: string[] = [];
    stream.on("text", (text) => texts.push(text));
    const failure = await stream.finalMessage().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect((failure as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect(texts.length).toBeGreaterThan(0);
  });
});
