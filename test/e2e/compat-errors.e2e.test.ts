// OpenAI compatibility, errors: bodies the Worker must refuse with a 4xx in OpenAI's error shape
// (never a 500, never a call to Google), and Google's own 400 passed on with any API key in
// its message redacted.

import OpenAI from "openai";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectOpenAIError, generateCalls, MODES, rawChat, sdkError } from "./compat-helpers";
import { fake, fakeGeminiKey, openaiClient, seedPool, type SeededPool } from "./harness";

const FLASH = "gemini-2.5-flash";

let pool: SeededPool;
let client: OpenAI;

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({ geminiKeys: 1, models: [FLASH], clientKeyName: "compat-errors", replace: true });
  client = openaiClient(pool.clientKey.key);
});

beforeEach(async () => {
  await fake.clearRequests();
});

describe("malformed requests", () => {
  it.each([
    { name: "truncated JSON", body: '{"model": "gemini-2.5-flash", "messages": [' },
    { name: "not JSON at all", body: "model=gemini-2.5-flash" },
    { name: "an empty body", body: "" },
  ])("$name → 400 invalid_request_error", async ({ body }) => {
    const error = await expectOpenAIError(await rawChat(pool.clientKey.key, body), 400);
    expect(error.type).toBe("invalid_request_error");
    expect(await generateCalls()).toHaveLength(0);
  });

  it.each([
    { name: "model is a number", body: { model: 5, messages: [{ role: "user", content: "hi" }] }, param: "model" },
    { name: "messages is a string", body: { model: FLASH, messages: "hi" }, param: "messages" },
    { name: "messages missing", body: { model: FLASH }, param: "messages" },
    { name: "temperature is a string", body: { model: FLASH, messages: [{ role: "user", content: "hi" }], temperature: "hot" }, param: "temperature" },
    { name: "temperature out of range", body: { model: FLASH, messages: [{ role: "user", content: "hi" }], temperature: 3 }, param: "temperature" },
    { name: "n is not an integer", body: { model: FLASH, messages: [{ role: "user", content: "hi" }], n: 1.5 }, param: "n" },
    { name: "content is a number", body: { model: FLASH, messages: [{ role: "user", content: 7 }] }, param: "messages[0].content" },
    { name: "stream is a string", body: { model: FLASH, messages: [{ role: "user", content: "hi" }], stream: "yes" }, param: "stream" },
  ])("wrong type: $name → 400 with param $param", async ({ body, param }) => {
    const error = await expectOpenAIError(await rawChat(pool.clientKey.key, JSON.stringify(body)), 400);
    expect(error.type).toBe("invalid_request_error");
    expect(error.param).toBe(param);
    expect(await generateCalls()).toHaveLength(0);
  });

  it.each(MODES)("wrong types through the SDK are refused the same way ($name)", async ({ streamed }) => {
    const error = await sdkError(
      client.chat.completions.create({ model: FLASH, messages: [{ role: "user", content: "hi" }], top_p: "high" as never, stream: streamed }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe("top_p");
    expect(error.type).toBe("invalid_request_error");
  });
});

describe("oversized bodies (over Google's 20 MB)", () => {
  const hugeImage = () => `data:image/png;base64,${"A".repeat(21 * 1024 * 1024)}`;

  it.each(MODES)("a 21 MB request from the SDK is a 4xx in OpenAI's shape, not a 500, and Google is not called ($name)", async ({ streamed }) => {
    const error = await sdkError(
      client.chat.completions.create({
        model: FLASH,
        stream: streamed,
        messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: hugeImage() } }] }],
      }),
    );
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.status).toBeLessThan(500);
    expect(error.type).toBe("invalid_request_error");
    expect(error.code).toBe("request_too_large");
    expect(await generateCalls()).toHaveLength(0);
  });

  it("a raw 21 MB body answers 413 request_too_large with OpenAI's error shape", async () => {
    const body = JSON.stringify({ model: FLASH, messages: [{ role: "user", content: "x".repeat(21 * 1024 * 1024) }] });
    const error = await expectOpenAIError(await rawChat(pool.clientKey.key, body), 413);
    expect(error.code).toBe("request_too_large");
    expect(await generateCalls()).toHaveLength(0);
  });
});

describe("Google's own 400", () => {
  it.each(MODES)("keeps Google's message with any API key in it redacted ($name)", async ({ streamed }) => {
    const leaked = fakeGeminiKey();
    await fake.script(pool.geminiKeys[0]!.key, [
      {
        status: 400,
        body: {
          error: {
            code: 400,
            message: `Cached content cachedContents/abc is not accessible with API key ${leaked} (project mismatch).`,
            status: "INVALID_ARGUMENT",
          },
        },
      },
    ]);
    // No cached_content in the request itself: the proxy answers a cache it never saw with its own
    // 404 before Google (test/files); this scripted 400 stands for any Google text naming a key.
    const params = { model: FLASH, stream: streamed, messages: [{ role: "user" as const, content: "hi" }] };
    const error = await sdkError(client.chat.completions.create(params as OpenAI.Chat.Completions.ChatCompletionCreateParams));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.status).toBe(400);
    expect(error.message).toContain("Cached content cachedContents/abc is not accessible with API key");
    expect(error.message).toContain("(project mismatch)");
    const seen = JSON.stringify({ message: error.message, error: error.error, headers: Object.fromEntries(error.headers ?? []) });
    expect(seen).not.toContain(leaked);
    expect(seen).not.toContain(pool.geminiKeys[0]!.key);
    expect(seen).not.toMatch(/AIza[0-9A-Za-z_-]{35}/);
    // the client's own mistake: one upstream call, no failover
    expect(await generateCalls()).toHaveLength(1);
  });
});
