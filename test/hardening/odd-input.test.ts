// 500s on odd input and missing bounds (issue 12 items 5 and 6): each case answered 500 or was
// forwarded to Google unchecked before; now a clear 4xx naming the parameter, or a clamp.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeGoogle, geminiText } from "../helpers/fake-google";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { callWorker, chatBody } from "../proxy/call";

const MODELS = [
  { id: "gemini-2.5-flash", category: "flash" as const, dailyQuota: null, individualQuota: null },
  { id: "gemini-embedding-001", category: "custom" as const, dailyQuota: null, individualQuota: null },
];

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM usage_calls").run();
});
afterEach(() => vi.restoreAllMocks());

async function client(): Promise<string> {
  return seedProxy({ geminiKeys: [{ id: "a", secret: fakeGeminiKey("A") }], models: MODELS });
}

function nested(depth: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: "string" };
  for (let i = 0; i < depth; i++) schema = { type: "object", properties: { x: schema } };
  return schema;
}

/** `[[[…]]]` as text: JSON.stringify of the value itself would overflow the test's own stack. */
function deepArrayText(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

function upstream() {
  return fakeGoogle((call) =>
    call.url.pathname.endsWith(":batchEmbedContents")
      ? Response.json({ embeddings: [{ values: [0.1, 0.2] }] })
      : Response.json(geminiText("ok")),
  );
}

async function post(path: string, key: string, body: string, headers: Record<string, string> = {}) {
  const { response, text } = await callWorker(path, { method: "POST", key, body, headers });
  return { status: response.status, body: JSON.parse(text) };
}

describe("deep and huge JSON Schemas", () => {
  it("tools[].function.parameters nested 5,000 object levels (10,000 JSON levels) -> 400 naming the parameter, Google not called", async () => {
    const key = await client();
    const calls = upstream();
    const body = chatBody({ tools: [{ type: "function", function: { name: "f", parameters: nested(5_000) } }] });
    const result = await post("/v1/chat/completions", key, body);
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ type: "invalid_request_error", param: "tools[0].function.parameters" });
    expect(result.body.error.message).toContain("nested deeper than");
    expect(calls).toEqual([]);
  });

  it("a schema 40 object levels deep (80 JSON levels) -> 400 from the schema bound, naming the parameter", async () => {
    const key = await client();
    const calls = upstream();
    const body = chatBody({ tools: [{ type: "function", function: { name: "f", parameters: nested(40) } }] });
    const result = await post("/v1/chat/completions", key, body);
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ param: "tools[0].function.parameters" });
    expect(result.body.error.message).toContain("deeper than 64");
    expect(calls).toEqual([]);
  });

  it("response_format json_schema nested too deep -> 400 naming the parameter", async () => {
    const key = await client();
    upstream();
    const body = chatBody({ response_format: { type: "json_schema", json_schema: { name: "x", schema: nested(100) } } });
    const result = await post("/v1/chat/completions", key, body);
    expect(result.status).toBe(400);
    expect(result.body.error.param).toBe("response_format.json_schema.schema");
  });

  it("a schema with too many values -> 400", async () => {
    const key = await client();
    upstream();
    const properties = Object.fromEntries(Array.from({ length: 12_000 }, (_, i) => [`p${i}`, { type: "string" }]));
    const body = chatBody({ tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties } } }] });
    const result = await post("/v1/chat/completions", key, body);
    expect(result.status).toBe(400);
    expect(result.body.error.param).toBe("tools[0].function.parameters");
  });

  it("a schema 60 levels deep is served (the bound is above real schemas)", async () => {
    const key = await client();
    const calls = upstream();
    const result = await post("/v1/chat/completions", key, chatBody({ tools: [{ type: "function", function: { name: "f", parameters: nested(30) } }] }));
    expect(result.status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it("a `__proto__` key in a schema stays a key", async () => {
    const key = await client();
    const calls = upstream();
    const body = chatBody({ tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }] }).replace(
      '{"type":"object"}',
      '{"type":"object","properties":{"__proto__":{"type":"string"}}}',
    );
    const result = await post("/v1/chat/completions", key, body);
    expect(result.status).toBe(200);
    const declared = (calls[0]!.body as { tools: Array<{ functionDeclarations: Array<{ parametersJsonSchema: unknown }> }> }).tools[0]!
      .functionDeclarations[0]!.parametersJsonSchema;
    expect(JSON.stringify(declared)).toBe('{"type":"object","properties":{"__proto__":{"type":"string"}}}');
  });
});

describe("deeply nested bodies on every door", () => {
  it.each([
    ["/v1/chat/completions", "openai"],
    ["/v1/embeddings", "openai"],
    ["/v1beta/models/gemini-2.5-flash:generateContent", "google"],
    ["/v1beta/models/gemini-2.5-flash:countTokens", "google"],
  ])("%s: a body nested 100,000 levels -> 400 in the door's shape", async (path, shape) => {
    const key = await client();
    const calls = upstream();
    const text = path.startsWith("/v1beta")
      ? `{"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"responseJsonSchema":${deepArrayText(100_000)}}}`
      : `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}],"metadata":${deepArrayText(100_000)}}`;
    const result = await post(path, key, text);
    expect(result.status).toBe(400);
    if (shape === "google") expect(result.body.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    else expect(result.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_json" });
    expect(result.body.error.message).toContain("nested deeper than");
    expect(calls).toEqual([]);
  });
});

describe("GET /v1/models/{id}: decoded once", () => {
  it.each(["%25", "%", "%E0%A4%A", "%2525", "a%2Fb"])("/v1/models/%s -> 404 model_not_found, never a 500", async (id) => {
    const key = await client();
    const { response, text } = await callWorker(`/v1/models/${id}`, { key });
    expect(response.status).toBe(404);
    expect(JSON.parse(text).error).toMatchObject({ code: "model_not_found", param: "model" });
  });

  it("an encoded configured id is still found", async () => {
    const key = await client();
    const { response, text } = await callWorker("/v1/models/models%2Fgemini-2.5-flash", { key });
    expect(response.status).toBe(200);
    expect(JSON.parse(text).id).toBe("gemini-2.5-flash");
  });
});

describe("bounds", () => {
  it("embeddings dimensions above 3072 -> 400 param dimensions; 3072 is forwarded", async () => {
    const key = await client();
    const calls = upstream();
    const refused = await post("/v1/embeddings", key, JSON.stringify({ model: "gemini-embedding-001", input: "hi", dimensions: 1e9 }));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ param: "dimensions", type: "invalid_request_error" });
    expect(calls).toEqual([]);
    const served = await post("/v1/embeddings", key, JSON.stringify({ model: "gemini-embedding-001", input: "hi", dimensions: 3072 }));
    expect(served.status).toBe(200);
    expect(JSON.stringify(calls[0]!.body)).toContain('"outputDimensionality":3072');
  });

  it.each(["max_tokens", "max_completion_tokens"])("%s of 2^31 is clamped to 65,536 for Google", async (field) => {
    const key = await client();
    const calls = upstream();
    const result = await post("/v1/chat/completions", key, chatBody({ [field]: 2 ** 31 }));
    expect(result.status).toBe(200);
    expect((calls[0]!.body as { generationConfig: { maxOutputTokens: number } }).generationConfig.maxOutputTokens).toBe(65_536);
  });

  it.each([
    ["seed", 2 ** 40],
    ["top_k", 2 ** 40],
    ["n", 9],
    ["n", 0],
    ["temperature", 2.5],
    ["temperature", -0.1],
    ["top_p", 1.5],
    ["presence_penalty", 3],
    ["max_tokens", 0],
    ["max_tokens", 1.5],
  ])("%s = %s -> 400 naming it", async (field, value) => {
    const key = await client();
    const calls = upstream();
    const result = await post("/v1/chat/completions", key, chatBody({ [field]: value }));
    expect(result.status).toBe(400);
    expect(result.body.error.param).toBe(field);
    expect(calls).toEqual([]);
  });

  it.each([
    ["image_url", { type: "image_url", image_url: { url: "data:image/png;base64,not base64!!" } }, "messages[0].content[0].image_url.url"],
    ["image_url", { type: "image_url", image_url: { url: "data:image/png;base64,A" } }, "messages[0].content[0].image_url.url"],
    ["image_url", { type: "image_url", image_url: { url: "data:image/png;base64," } }, "messages[0].content[0].image_url.url"],
    ["image_url", { type: "image_url", image_url: { url: "data:<b>;base64,AAAA" } }, "messages[0].content[0].image_url.url"],
    ["input_audio", { type: "input_audio", input_audio: { data: "%%%%", format: "wav" } }, "messages[0].content[0].input_audio.data"],
    ["file", { type: "file", file: { file_data: "data:application/pdf;base64,@@@@" } }, "messages[0].content[0].file.file_data"],
    ["file", { type: "file", file: { file_data: "not base64 at all", filename: "a.pdf" } }, "messages[0].content[0].file.file_data"],
  ])("invalid base64 in %s -> 400 naming the part", async (_kind, part, param) => {
    const key = await client();
    const calls = upstream();
    const result = await post("/v1/chat/completions", key, chatBody({ messages: [{ role: "user", content: [part] }] }));
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ param, code: "invalid_base64" });
    expect(calls).toEqual([]);
  });

  it("valid base64 (standard or URL-safe, padded or not) is forwarded", async () => {
    const key = await client();
    const calls = upstream();
    const parts = ["iVBORw0KGgo=", "iVBORw0KGgo", "-_-_"].map((data) => ({ type: "image_url", image_url: { url: `data:image/png;base64,${data}` } }));
    const result = await post("/v1/chat/completions", key, chatBody({ messages: [{ role: "user", content: parts }] }));
    expect(result.status).toBe(200);
    expect(calls).toHaveLength(1);
  });
});

describe("an absurd reply from Google", () => {
  it("a non-streamed reply past 32 MB without Content-Length is cut off: no 500, the stream cancelled", async () => {
    const key = await client();
    let pulled = 0;
    let cancelled = false;
    const chunk = new TextEncoder().encode(" ".repeat(256 * 1024));
    fakeGoogle(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              pulled += chunk.byteLength;
              controller.enqueue(chunk);
            },
            cancel() {
              cancelled = true;
            },
          }),
          { headers: { "content-type": "application/json" } },
        ),
    );
    const result = await post("/v1/chat/completions", key, chatBody(), {});
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.status).not.toBe(500);
    expect(result.body.error.type).toBeTypeOf("string");
    expect(cancelled).toBe(true);
    // maxAttempts (3) readings at most, each stopped near 32 MB
    expect(pulled).toBeLessThan(3 * (32 * 1024 * 1024 + 4 * chunk.byteLength));
  });
});
