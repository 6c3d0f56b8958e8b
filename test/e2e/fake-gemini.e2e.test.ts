// The fake Gemini API on its own: Google's shapes, key behaviours, validation and the
// control API. Runs against the fake started by global-setup (E2E_FAKE_ONLY=1 runs it
// without a Worker).

import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { FIXTURE_DIR } from "../fake-gemini/fixtures-node.mjs";
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

describe("Files API, cachedContents and Imagen: resources belong to the key that made them", () => {
  const OTHER = fakeGeminiKey();
  const api = (p: string, init: { method?: string; key?: string | null; body?: unknown; headers?: Record<string, string> } = {}) => {
    const key = init.key === undefined ? KEY : init.key;
    return fetch(`${fakeUrl()}${p}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...(key ? { "x-goog-api-key": key } : {}), ...init.headers },
      body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
    });
  };
  const BYTES = new TextEncoder().encode("%PDF-1.4 fake document bytes\n");

  /** Google's resumable upload: a start with the key, then the bytes to the URL it answered. */
  async function upload(key = KEY) {
    const start = await api("/upload/v1beta/files", {
      key,
      body: { file: { display_name: "report.pdf" } },
      headers: {
        "X-Goog-Upload-Protocol": "resumable",
        "X-Goog-Upload-Command": "start",
        "X-Goog-Upload-Header-Content-Length": String(BYTES.length),
        "X-Goog-Upload-Header-Content-Type": "application/pdf",
      },
    });
    expect(start.status).toBe(200);
    expect(start.headers.get("x-goog-upload-status")).toBe("active");
    const uploadUrl = start.headers.get("x-goog-upload-url")!;
    const done = await fetch(uploadUrl, {
      method: "POST",
      headers: { "X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0" },
      body: BYTES,
    });
    expect(done.status).toBe(200);
    expect(done.headers.get("x-goog-upload-status")).toBe("final");
    return { uploadUrl, file: (await done.json()).file };
  }
  const sha256Base64Hex = async (bytes: Uint8Array<ArrayBuffer>) => {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    return btoa([...digest].map((b) => b.toString(16).padStart(2, "0")).join(""));
  };

  it("upload round trip: start -> bytes -> File resource; get, list and delete it", async () => {
    const { uploadUrl, file } = await upload();
    expect(uploadUrl).toMatch(new RegExp(`^${fakeUrl()}/upload/v1beta/files\\?upload_id=[a-z0-9]+&upload_protocol=resumable$`));
    expect(uploadUrl).not.toContain(KEY);
    const id = file.name.slice("files/".length);
    expect(file).toEqual({
      name: expect.stringMatching(/^files\/[a-z0-9]{12}$/),
      displayName: "report.pdf",
      mimeType: "application/pdf",
      sizeBytes: String(BYTES.length),
      createTime: expect.any(String),
      updateTime: expect.any(String),
      expirationTime: expect.any(String),
      sha256Hash: await sha256Base64Hex(BYTES),
      uri: `${fakeUrl()}/v1beta/files/${id}`,
      state: "ACTIVE",
      source: "UPLOADED",
    });
    expect(Date.parse(file.expirationTime) - Date.parse(file.createTime)).toBe(48 * 3600_000);

    expect(await (await api(`/v1beta/files/${id}`)).json()).toEqual(file);
    expect(await (await api("/v1beta/files")).json()).toEqual({ files: [file] });
    const del = await api(`/v1beta/files/${id}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({});
    expect((await api(`/v1beta/files/${id}`)).status).toBe(403);
    expect(await (await api("/v1beta/files")).json()).toEqual({});

    const requests = await fake.requests();
    expect(requests.map((r) => r.action)).toEqual(["uploadStart", "uploadFinalize", "getFile", "listFiles", "deleteFile", "getFile", "listFiles"]);
    expect(requests[0]!.apiKey).toBe(KEY);
    expect(requests[1]).toMatchObject({ apiKey: null, resourceOwner: KEY, body: `[${BYTES.length} bytes]` });
  });

  it("uploads in chunks at the announced offsets, and refuses a wrong offset", async () => {
    const start = await api("/upload/v1beta/files", {
      body: { file: { displayName: "two-parts.bin" } },
      headers: { "X-Goog-Upload-Protocol": "resumable", "X-Goog-Upload-Command": "start", "X-Goog-Upload-Header-Content-Type": "application/octet-stream" },
    });
    const url = start.headers.get("x-goog-upload-url")!;
    const send = (offset: number, command: string, body: Uint8Array<ArrayBuffer>) =>
      fetch(url, { method: "POST", headers: { "X-Goog-Upload-Command": command, "X-Goog-Upload-Offset": String(offset) }, body });
    const first = await send(0, "upload", BYTES.subarray(0, 10));
    expect(first.headers.get("x-goog-upload-status")).toBe("active");
    expect((await send(3, "upload, finalize", BYTES.subarray(10))).status).toBe(400);
    const { file } = await (await send(10, "upload, finalize", BYTES.subarray(10))).json();
    expect(file.sizeBytes).toBe(String(BYTES.length));
    expect(file.sha256Hash).toBe(await sha256Base64Hex(BYTES));
  });

  it("ownership: another key gets Google's 403 for the file, by GET, DELETE and fileData in generateContent", async () => {
    const { file } = await upload(KEY);
    const id = file.name.slice("files/".length);
    const denied = { error: { code: 403, message: `You do not have permission to access the File ${id} or it may not exist.`, status: "PERMISSION_DENIED" } };
    for (const method of ["GET", "DELETE"]) {
      const res = await api(`/v1beta/files/${id}`, { method, key: OTHER });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual(denied);
    }
    expect(await (await api("/v1beta/files", { key: OTHER })).json()).toEqual({});

    const withFile = { contents: [{ role: "user", parts: [{ fileData: { mimeType: "application/pdf", fileUri: file.uri } }, { text: "Summarise" }] }] };
    expect((await generate(withFile)).status).toBe(200);
    const other = await generate(withFile, { key: OTHER });
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual(denied);
    const streamed = await call("gemini-2.5-flash", "streamGenerateContent", withFile, { key: OTHER, query: "?alt=sse" });
    expect(streamed.status).toBe(403);

    const calls = (await fake.requests()).filter((r) => r.action === "generateContent" || r.action === "streamGenerateContent");
    expect(calls.map((r) => [r.apiKey, r.status, r.outcome])).toEqual([
      [KEY, 200, "ok"],
      [OTHER, 403, "permission_denied"],
      [OTHER, 403, "permission_denied"],
    ]);
    // The owner still has it: a refused call changed nothing.
    expect((await api(`/v1beta/files/${id}`)).status).toBe(200);
  });

  it("cachedContents: create, get, update ttl, use (cached tokens counted), other key 403, delete", async () => {
    const created = await api("/v1beta/cachedContents", {
      body: {
        model: "models/gemini-2.5-flash",
        displayName: "handbook",
        systemInstruction: { parts: [{ text: "You answer from the handbook." }] },
        contents: [{ role: "user", parts: [{ text: "x".repeat(4000) }] }],
        ttl: "600s",
      },
    });
    expect(created.status).toBe(200);
    const cache = await created.json();
    expect(cache).toEqual({
      name: expect.stringMatching(/^cachedContents\/[a-z0-9]+$/),
      model: "models/gemini-2.5-flash",
      displayName: "handbook",
      createTime: expect.any(String),
      updateTime: expect.any(String),
      expireTime: expect.any(String),
      usageMetadata: { totalTokenCount: 1008 },
    });
    expect(Date.parse(cache.expireTime) - Date.parse(cache.createTime)).toBe(600_000);
    const path = `/v1beta/${cache.name}`;
    expect(await (await api(path)).json()).toEqual(cache);

    const patched = await (await api(`${path}?updateMask=ttl`, { method: "PATCH", body: { ttl: "7200s" } })).json();
    expect(Date.parse(patched.expireTime) - Date.parse(patched.updateTime)).toBe(7_200_000);
    expect(await (await api("/v1beta/cachedContents")).json()).toEqual({ cachedContents: [patched] });

    const ask = { cachedContent: cache.name, contents: [{ role: "user", parts: [{ text: "Say hello" }] }] };
    const used = await (await generate(ask)).json();
    expect(used.usageMetadata).toMatchObject({ cachedContentTokenCount: 1008, promptTokenCount: 1011, totalTokenCount: 1017 });
    const withConfig = await generate({ ...ask, systemInstruction: { parts: [{ text: "again" }] } });
    expect(withConfig.status).toBe(400);
    expect((await withConfig.json()).error.message).toMatch(/^CachedContent can not be used with GenerateContent request setting system_instruction, tools or tool_config\./);

    const denied = { error: { code: 403, message: "CachedContent not found (or permission denied)", status: "PERMISSION_DENIED" } };
    for (const res of [await api(path, { key: OTHER }), await api(path, { method: "DELETE", key: OTHER }), await generate(ask, { key: OTHER })]) {
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual(denied);
    }
    expect(await (await api("/v1beta/cachedContents", { key: OTHER })).json()).toEqual({});

    expect(await (await api(path, { method: "DELETE" })).json()).toEqual({});
    const afterDelete = await generate(ask);
    expect(afterDelete.status).toBe(403);
    expect(await afterDelete.json()).toEqual(denied);
    // A name the fake never issued passes, so tests may name made-up caches.
    expect((await generate({ ...ask, cachedContent: "cachedContents/made-up" })).status).toBe(200);
  });

  it("Imagen predict answers sampleCount PNGs", async () => {
    const res = await call("imagen-4.0-generate-001", "predict", { instances: [{ prompt: "A red bicycle" }], parameters: { sampleCount: 3, aspectRatio: "16:9" } });
    expect(res.status).toBe(200);
    const { predictions } = await res.json();
    expect(predictions).toHaveLength(3);
    for (const p of predictions) {
      expect(p.mimeType).toBe("image/png");
      const png = Uint8Array.from(atob(p.bytesBase64Encoded), (c) => c.charCodeAt(0));
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    }
    expect((await call("imagen-4.0-generate-001", "predict", { instances: [{ prompt: "x" }] }).then((r) => r.json())).predictions).toHaveLength(4);
    expect((await call("imagen-4.0-generate-001", "predict", { instances: [{ prompt: "x" }], parameters: { sampleCount: 5 } })).status).toBe(400);
    expect((await call("gemini-2.5-flash", "predict", { instances: [{ prompt: "x" }] })).status).toBe(404);
    const req = (await fake.requests())[0]!;
    expect(req).toMatchObject({ action: "predict", model: "imagen-4.0-generate-001", apiKey: KEY, status: 200 });
  });

  it("Imagen on a key marked free: Google's 400 for billed users only", async () => {
    await fake.setTier(OTHER, "free");
    const res = await call("imagen-4.0-generate-001", "predict", { instances: [{ prompt: "A red bicycle" }] }, { key: OTHER });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 400, message: "Imagen API is only accessible to billed users at this time.", status: "INVALID_ARGUMENT" } });
    expect((await call("imagen-4.0-generate-001", "predict", { instances: [{ prompt: "A red bicycle" }] })).status).toBe(200);
    expect((await generate(USER_HELLO, { key: OTHER })).status).toBe(200);
    expect((await fake.state()).tiers).toEqual({ [OTHER]: "free" });
  });

  it("auth applies to the resource routes: no key 403, an invalid key 400", async () => {
    expect((await api("/v1beta/files", { key: null })).status).toBe(403);
    await fake.setKey(OTHER, "invalid");
    const res = await api("/v1beta/cachedContents", { key: OTHER });
    expect(res.status).toBe(400);
    expect((await res.json()).error.details[0].reason).toBe("API_KEY_INVALID");
  });
});
