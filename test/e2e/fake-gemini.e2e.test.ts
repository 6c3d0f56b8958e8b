// The fake Gemini API on its own: Google's shapes, key behaviours, validation and the
// control API. Runs against the fake started by global-setup (E2E_FAKE_ONLY=1 runs it
// without a Worker).

import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { FIXTURE_DIR } from "../fake-gemini/fixtures.mjs";
import { fake, fakeGeminiKey, fakeUrl } from "./harness";

const KEY = fakeGeminiKey();
const USER_HELLO = { contents: [{ role: "user", parts: [{ text: "Say hello" }] }] };

async function call(model: string, method: string, body: unknown, opts: { key?: string | null; query?: string } = {}) {
  const key = opts.key === undefined ? KEY : opts.key;
  return fetch(`${fakeUrl()}/v1beta/models/${model}:${method}${opts.query ?? ""}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { "x-goog-api-key": key } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
const generate = (body: unknown, opts?: { key?: string | null; query?: string; model?: string }) =>
  call(opts?.model ?? "gemini-2.5-flash", "generateContent", body, opts);

/** Splits an SSE body the way Google frames it (CRLF CRLF) and parses each data payload. */
function sseEvents(text: string): any[] {
  expect(text.endsWith("\r\n\r\n")).toBe(true);
  return text
    .split("\r\n\r\n")
    .filter((frame) => frame.length > 0)
    .map((frame) => {
      expect(frame.startsWith("data: ")).toBe(true);
      return JSON.parse(frame.slice("data: ".length));
    });
}

const fixtureJson = (name: string) => JSON.parse(readFileSync(path.join(FIXTURE_DIR, name), "utf8"));

beforeEach(async () => {
  await fake.reset();
});

describe("generateContent", () => {
  it("answers with the default text, realistic usage and the model version", async () => {
    const res = await generate(USER_HELLO);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.candidates[0].content).toEqual({ parts: [{ text: "Hello from fake Gemini" }], role: "model" });
    expect(body.candidates[0].finishReason).toBe("STOP");
    expect(body.usageMetadata).toMatchObject({ promptTokenCount: 3, candidatesTokenCount: 6, totalTokenCount: 9 });
    expect(body.modelVersion).toBe("gemini-2.5-flash");
    expect(body.responseId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("records every request with the key header, query and parsed body", async () => {
    await generate(USER_HELLO);
    const req = (await fake.requests())[0]!;
    expect(req).toMatchObject({
      method: "POST",
      path: "/v1beta/models/gemini-2.5-flash:generateContent",
      model: "gemini-2.5-flash",
      action: "generateContent",
      apiKey: KEY,
      keyInQuery: false,
      flags: [],
      body: USER_HELLO,
      status: 200,
      outcome: "ok",
    });
    expect((req.response as any).candidates[0].content.parts[0].text).toBe("Hello from fake Gemini");
  });

  it("authenticates only by header and flags a ?key= in the URL", async () => {
    const res = await generate(USER_HELLO, { key: null, query: `?key=${KEY}` });
    expect(res.status).toBe(403);
    expect((await res.json()).error.status).toBe("PERMISSION_DENIED");
    const req = (await fake.requests())[0]!;
    expect(req.keyInQuery).toBe(true);
    expect(req.flags).toEqual(["key_in_query"]);
  });

  it("rejects a malformed key, and unregistered keys when unknownKeys is invalid", async () => {
    const malformed = await generate(USER_HELLO, { key: "not-a-google-key" });
    expect(malformed.status).toBe(400);
    const body = await malformed.json();
    expect(body.error.status).toBe("INVALID_ARGUMENT");
    expect(body.error.details[0]).toMatchObject({ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" });

    await fake.settings({ unknownKeys: "invalid" });
    const registered = fakeGeminiKey();
    await fake.setKey(registered, "ok");
    expect((await generate(USER_HELLO, { key: registered })).status).toBe(200);
    expect((await generate(USER_HELLO)).status).toBe(400);
  });

  it("serves a 404 NOT_FOUND for a model that does not exist", async () => {
    const res = await generate(USER_HELLO, { model: "gemini-9-ultra" });
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body.error.status).toBe("NOT_FOUND");
    expect(body.error.message).toContain("models/gemini-9-ultra is not found for API version v1beta");
  });
});

describe("key behaviours", () => {
  it("rate_limit_minute: 429 with QuotaFailure per-minute quotaId and RetryInfo", async () => {
    await fake.setKey(KEY, "rate_limit_minute");
    const res = await generate(USER_HELLO);
    expect(res.status).toBe(429);
    const { error } = await res.json();
    expect(error.status).toBe("RESOURCE_EXHAUSTED");
    const quota = error.details.find((d: any) => d["@type"].endsWith("QuotaFailure"));
    const retry = error.details.find((d: any) => d["@type"].endsWith("RetryInfo"));
    expect(quota.violations[0].quotaId).toBe("GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
    expect(retry.retryDelay).toBe("34.4s");
  });

  it("rate_limit_day: 429 with the per-day quotaId, and a RetryInfo as Google sends it", async () => {
    await fake.setKey(KEY, "rate_limit_day");
    const { error } = await (await generate(USER_HELLO)).json();
    expect(error.details[0].violations[0].quotaId).toBe("GenerateRequestsPerDayPerProjectPerModel-FreeTier");
    expect(error.details.find((d: any) => d["@type"].endsWith("RetryInfo")).retryDelay).toBe("34.4s");
  });

  it.each([
    ["invalid", 400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."],
    ["suspended", 403, "PERMISSION_DENIED", `Permission denied: Consumer 'api_key:${KEY}' has been suspended.`],
    ["overloaded", 503, "UNAVAILABLE", "The model is overloaded. Please try again later."],
    ["internal", 500, "INTERNAL", "An internal error has occurred."],
    ["region", 400, "FAILED_PRECONDITION", "User location is not supported for the API use."],
  ])("%s answers %i %s", async (behaviour, status, googleStatus, message) => {
    await fake.setKey(KEY, behaviour);
    const res = await generate(USER_HELLO);
    expect(res.status).toBe(status);
    const { error } = await res.json();
    expect(error.code).toBe(status);
    expect(error.status).toBe(googleStatus);
    expect(error.message).toContain(message);
  });

  it("suspended carries ErrorInfo CONSUMER_SUSPENDED", async () => {
    await fake.setKey(KEY, "suspended");
    const { error } = await (await generate(USER_HELLO)).json();
    expect(error.details[0].reason).toBe("CONSUMER_SUSPENDED");
  });

  it("empty answers 200 with a candidate that has no parts", async () => {
    await fake.setKey(KEY, "empty");
    const res = await generate(USER_HELLO);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.candidates[0].content).toEqual({ role: "model" });
  });

  it("slow:<ms> delays the answer", async () => {
    await fake.setKey(KEY, "slow:400");
    const started = Date.now();
    expect((await generate(USER_HELLO)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it("plays one-shot scripts in order, then falls back to the standing behaviour", async () => {
    await fake.script(KEY, [
      "overloaded",
      { status: 429, fixture: "google-429-retry-info.json" },
      { status: 418, body: { error: { code: 418, message: "teapot", status: "UNKNOWN" } } },
      { reply: { text: "scripted" } },
    ]);
    expect((await generate(USER_HELLO)).status).toBe(503);
    const fromFixture = await generate(USER_HELLO);
    expect(fromFixture.status).toBe(429);
    expect(await fromFixture.json()).toEqual(fixtureJson("google-429-retry-info.json"));
    expect((await generate(USER_HELLO)).status).toBe(418);
    expect((await (await generate(USER_HELLO)).json()).candidates[0].content.parts[0].text).toBe("scripted");
    expect((await (await generate(USER_HELLO)).json()).candidates[0].content.parts[0].text).toBe("Hello from fake Gemini");
  });

  it("rejects an unknown behaviour name and unplayable scripts", async () => {
    await expect(fake.setKey(KEY, "sometimes")).rejects.toThrow(/unknown behaviour/);
    await expect(fake.script(KEY, [{ status: 429 } as any])).rejects.toThrow(/needs a body or an existing fixture/);
    await expect(fake.script(KEY, [{ fixture: "no-such-recording" }])).rejects.toThrow(/no such fixture/);
  });
});

describe("streamGenerateContent?alt=sse", () => {
  const stream = (body: unknown, key?: string) => call("gemini-2.5-flash", "streamGenerateContent", body, { key, query: "?alt=sse" });

  it("sends CRLF-framed data events whose texts add up to the answer", async () => {
    const res = await stream(USER_HELLO);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const events = sseEvents(await res.text());
    expect(events.length).toBe(3);
    expect(events.map((e) => e.candidates[0].content.parts[0].text).join("")).toBe("Hello from fake Gemini");
    expect(events.at(-1).candidates[0].finishReason).toBe("STOP");
    expect(events.slice(0, -1).every((e) => e.candidates[0].finishReason === undefined)).toBe(true);
    expect(events.at(-1).usageMetadata.totalTokenCount).toBe(9);
  });

  it("replays a recorded fixture byte for byte", async () => {
    await fake.reply({ fixture: "google-text" });
    const events = sseEvents(await (await stream(USER_HELLO)).text());
    const lines = readFileSync(path.join(FIXTURE_DIR, "google-text.chunks.txt"), "utf8").split("\n").filter(Boolean);
    expect(events).toEqual(lines.map((l) => JSON.parse(l)));
  });

  it("stream_error_after_first_chunk sends one event, then an error event", async () => {
    await fake.setKey(KEY, "stream_error_after_first_chunk");
    const events = sseEvents(await (await stream(USER_HELLO)).text());
    expect(events).toHaveLength(2);
    expect(events[0].candidates[0].content.parts[0].text).toBe("Hello from ");
    expect(events[1].error).toMatchObject({ code: 500, status: "INTERNAL" });
    expect((await fake.requests())[0]!.response).toEqual(events);
  });

  it("stream_abort_after_first_chunk cuts the connection after one event", async () => {
    await fake.setKey(KEY, "stream_abort_after_first_chunk");
    const res = await stream(USER_HELLO);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it("without alt=sse streams a JSON array", async () => {
    const res = await call("gemini-2.5-flash", "streamGenerateContent", USER_HELLO);
    const body = await res.json();
    expect(Array.isArray(body)).toBe(true);
    expect(body).toHaveLength(3);
  });
});

describe("rejects what Google rejects", () => {
  it("unknown top-level and generationConfig fields, with BadRequest field violations", async () => {
    const res = await generate({ ...USER_HELLO, stream: true, generationConfig: { max_tokens: 5 } });
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.status).toBe("INVALID_ARGUMENT");
    expect(error.message).toBe(
      'Invalid JSON payload received. Unknown name "stream": Cannot find field.\n' +
        "Invalid JSON payload received. Unknown name \"max_tokens\" at 'generation_config': Cannot find field.",
    );
    expect(error.details[0]["@type"]).toBe("type.googleapis.com/google.rpc.BadRequest");
    expect(error.details[0].fieldViolations[1].field).toBe("generation_config");
  });

  it("accepts snake_case proto names as Google does", async () => {
    const res = await generate({ ...USER_HELLO, generation_config: { max_output_tokens: 5, thinking_config: { thinking_budget: 0 } } });
    expect(res.status).toBe(200);
  });

  it("$schema and additionalProperties in parameters, but not in parametersJsonSchema", async () => {
    const schema = { $schema: "draft-07", type: "object", properties: { city: { type: "string" } }, additionalProperties: false };
    const bad = await generate({ ...USER_HELLO, tools: [{ functionDeclarations: [{ name: "get_weather", parameters: schema }] }] });
    expect(bad.status).toBe(400);
    const { error } = await bad.json();
    expect(error.message).toContain(`Unknown name "$schema" at 'tools[0].function_declarations[0].parameters': Cannot find field.`);
    expect(error.message).toContain(`Unknown name "additionalProperties" at 'tools[0].function_declarations[0].parameters': Cannot find field.`);
    const good = await generate({ ...USER_HELLO, tools: [{ functionDeclarations: [{ name: "get_weather", parametersJsonSchema: schema }] }] });
    expect(good.status).toBe(200);
  });

  it("OpenAI-style parts and roles", async () => {
    const parts = await generate({ contents: [{ role: "user", parts: [{ type: "text", text: "hi" }] }] });
    expect((await parts.json()).error.message).toContain(`Unknown name "type" at 'contents[0].parts[0]'`);
    const role = await generate({ contents: [{ role: "assistant", parts: [{ text: "hi" }] }] });
    expect((await role.json()).error.message).toBe("Please use a valid role: user, model.");
  });

  it("thinkingLevel together with thinkingBudget, with Google's recorded body", async () => {
    const res = await generate(
      { ...USER_HELLO, generationConfig: { thinkingConfig: { thinkingLevel: "high", thinkingBudget: 1024 } } },
      { model: "gemini-3.1-pro-preview" },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(fixtureJson("issue-22372-live-errors.json").thinkingLevelAndBudgetResponse);
  });

  it("thinkingLevel MINIMAL on a Gemini 3 Pro model, with Google's recorded body", async () => {
    const res = await generate(
      { ...USER_HELLO, generationConfig: { thinkingConfig: { thinkingLevel: "MINIMAL" } } },
      { model: "gemini-3.1-pro-preview" },
    );
    expect(await res.json()).toEqual(fixtureJson("issue-22372-live-errors.json").reasoningNoneResponse);
  });

  it("a Gemini 3 history whose function call lacks a thoughtSignature", async () => {
    const history = (signature?: string) => ({
      contents: [
        { role: "user", parts: [{ text: "Weather in Paris?" }] },
        { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } }, ...(signature ? { thoughtSignature: signature } : {}) }] },
        { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { temp: 21 } } }] },
      ],
      tools: [{ functionDeclarations: [{ name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }] }],
    });
    const missing = await generate(history(), { model: "gemini-3-pro-preview" });
    expect(missing.status).toBe(400);
    const { error } = await missing.json();
    expect(error.status).toBe("INVALID_ARGUMENT");
    expect(error.message).toMatch(/^Function call is missing a thought_signature in functionCall parts\./);
    expect(error.message).toContain("function call `default_api:get_weather` , position 2.");
    expect((await generate(history("c2lnbmF0dXJl"), { model: "gemini-3-pro-preview" })).status).toBe(200);
    expect((await generate(history(), { model: "gemini-2.5-flash" })).status).toBe(200);
  });

  it("a body that is not JSON", async () => {
    const res = await generate("{not json");
    expect(res.status).toBe(400);
    expect((await res.json()).error.status).toBe("INVALID_ARGUMENT");
  });
});

describe("Gemini 3 tool calling round trip", () => {
  const tools = [{ functionDeclarations: [{ name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }] }];

  it("answers with a signed functionCall when told to, and with text after the function response", async () => {
    await fake.reply({ functionCall: { name: "get_weather", args: { city: "Paris" } } });
    const user = { role: "user", parts: [{ text: "Weather in Paris?" }] };
    const first = await (await generate({ contents: [user], tools }, { model: "gemini-3-pro-preview" })).json();
    const part = first.candidates[0].content.parts[0];
    expect(part.functionCall).toEqual({ name: "get_weather", args: { city: "Paris" } });
    expect(part.thoughtSignature).toEqual(expect.any(String));
    expect(first.candidates[0].finishMessage).toBe("Model generated function call(s).");

    const second = await generate(
      {
        contents: [user, first.candidates[0].content, { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { temp: 21 } } }] }],
        tools,
      },
      { model: "gemini-3-pro-preview" },
    );
    expect(second.status).toBe(200);
    expect((await second.json()).candidates[0].content.parts[0].text).toBe("Hello from fake Gemini");
  });

  it("answers parallel calls with the signature on the first one only", async () => {
    await fake.reply({ functionCall: [{ args: { city: "Paris" } }, { args: { city: "Rome" } }] });
    const body = await (await generate({ ...USER_HELLO, tools }, { model: "gemini-3-pro-preview" })).json();
    const parts = body.candidates[0].content.parts;
    expect(parts.map((p: any) => p.functionCall.args.city)).toEqual(["Paris", "Rome"]);
    expect(parts.map((p: any) => typeof p.thoughtSignature)).toEqual(["string", "undefined"]);
  });

  it("streams the function call whole, then an empty text event with STOP", async () => {
    await fake.reply({ functionCall: {} });
    const res = await call("gemini-3-flash-preview", "streamGenerateContent", { ...USER_HELLO, tools }, { query: "?alt=sse" });
    const events = sseEvents(await res.text());
    expect(events).toHaveLength(2);
    expect(events[0].candidates[0].content.parts[0].functionCall.name).toBe("get_weather");
    expect(events[0].candidates[0].content.parts[0].thoughtSignature).toEqual(expect.any(String));
    expect(events[1].candidates[0]).toMatchObject({ content: { parts: [{ text: "" }] }, finishReason: "STOP" });
  });
});

describe("models, tokens and embeddings", () => {
  const get = (p: string, key: string | null = KEY) => fetch(`${fakeUrl()}${p}`, { headers: key ? { "x-goog-api-key": key } : {} });

  it("lists models page by page", async () => {
    const all = await (await get("/v1beta/models")).json();
    expect(all.nextPageToken).toBeUndefined();
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await (await get(`/v1beta/models?pageSize=2${token ? `&pageToken=${token}` : ""}`)).json();
      expect(page.models.length).toBeLessThanOrEqual(2);
      names.push(...page.models.map((m: any) => m.name));
      token = page.nextPageToken;
      pages++;
    } while (token);
    expect(names).toEqual(all.models.map((m: any) => m.name));
    expect(pages).toBe(Math.ceil(all.models.length / 2));
  });

  it("gets one model, 404s an unknown one, and needs a key", async () => {
    const model = await (await get("/v1beta/models/gemini-2.5-flash")).json();
    expect(model).toMatchObject({ name: "models/gemini-2.5-flash", supportedGenerationMethods: expect.arrayContaining(["generateContent"]) });
    expect((await get("/v1beta/models/nope")).status).toBe(404);
    expect((await get("/v1beta/models", null)).status).toBe(403);
  });

  it("counts tokens", async () => {
    const res = await call("gemini-2.5-flash", "countTokens", USER_HELLO);
    expect(await res.json()).toEqual({ totalTokens: 3, promptTokensDetails: [{ modality: "TEXT", tokenCount: 3 }] });
  });

  it("embeds one or many texts deterministically, honouring outputDimensionality", async () => {
    const one = await (await call("gemini-embedding-001", "embedContent", { content: { parts: [{ text: "hello" }] }, outputDimensionality: 8 })).json();
    expect(one.embedding.values).toHaveLength(8);
    const batch = await (
      await call("gemini-embedding-001", "batchEmbedContents", {
        requests: [
          { model: "models/gemini-embedding-001", content: { parts: [{ text: "hello" }] }, outputDimensionality: 8 },
          { model: "models/gemini-embedding-001", content: { parts: [{ text: "world" }] }, outputDimensionality: 8 },
        ],
      })
    ).json();
    expect(batch.embeddings).toHaveLength(2);
    expect(batch.embeddings[0].values).toEqual(one.embedding.values);
    expect(batch.embeddings[1].values).not.toEqual(one.embedding.values);
  });

  it("refuses generateContent on an embedding model and embedContent on a chat model", async () => {
    expect((await generate(USER_HELLO, { model: "gemini-embedding-001" })).status).toBe(404);
    expect((await call("gemini-2.5-flash", "embedContent", { content: { parts: [{ text: "x" }] } })).status).toBe(404);
  });

  it("folds a chunks-only fixture into one generateContent answer", async () => {
    await fake.reply({ fixture: "issue-10781.1" });
    const body = await (await generate(USER_HELLO)).json();
    const parts = body.candidates[0].content.parts;
    expect(parts[0].text).toBe("Let me check.");
    expect(parts.some((p: any) => p.functionCall && p.thoughtSignature)).toBe(true);
  });
});
