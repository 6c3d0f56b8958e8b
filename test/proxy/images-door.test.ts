import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_REQUEST_BYTES } from "../../src/proxy/read-body";
import { fakeGoogle, reply, sse } from "../helpers/fake-google";
import { perMinute429 } from "../helpers/google-replies";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { callWorker, ledgerRows } from "./call";

// POST /v1/images/generations, /v1/images/edits and image output in chat, through the whole
// Worker: real KV and D1, Google faked at the fetch boundary.

const IMAGE_MODEL = "gemini-2.5-flash-image";
const MODELS = [{ id: IMAGE_MODEL, category: "custom" as const, dailyQuota: null, individualQuota: null }];
// A 1x1 PNG.
const PNG_BYTES = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);
const PNG = btoa(String.fromCharCode(...PNG_BYTES));

type Json = Record<string, any>;

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM usage_calls").run();
});
afterEach(() => vi.restoreAllMocks());

const seed = (extra: Partial<Parameters<typeof seedProxy>[0]> = {}) =>
  seedProxy({ geminiKeys: [{ id: "a", secret: fakeGeminiKey("A") }], models: MODELS, ...extra });

function imageReply(images: string[], text?: string): object {
  const parts: object[] = text ? [{ text }] : [];
  for (const data of images) parts.push({ inlineData: { mimeType: "image/png", data } });
  return {
    candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
    usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 1290, totalTokenCount: 1299, promptTokensDetails: [{ modality: "TEXT", tokenCount: 9 }] },
    modelVersion: IMAGE_MODEL,
  };
}

async function generate(key: string, body: Json) {
  const { response, text } = await callWorker("/v1/images/generations", { method: "POST", key, body: JSON.stringify(body) });
  return { response, json: JSON.parse(text) as Json };
}

async function edit(key: string, entries: Array<[string, string | File]>) {
  const form = new FormData();
  for (const [name, value] of entries) form.append(name, value);
  const encoded = new Request("http://form.test", { method: "POST", body: form });
  const { response, text } = await callWorker("/v1/images/edits", {
    method: "POST",
    key,
    body: await encoded.arrayBuffer(),
    headers: { "content-type": encoded.headers.get("content-type")! },
  });
  return { response, json: JSON.parse(text) as Json };
}

const pngFile = (name = "cat.png") => new File([PNG_BYTES], name, { type: "image/png" });

describe("POST /v1/images/generations", () => {
  it("prompt -> generateContent with IMAGE modality and the aspect ratio; b64_json answer; one ledger row", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(imageReply([PNG])));
    const { response, json } = await generate(client, { model: IMAGE_MODEL, prompt: "A cat in a hat", size: "1536x1024", quality: "high", response_format: "b64_json" });
    expect(response.status).toBe(200);
    expect(json.data).toEqual([{ b64_json: PNG }]);
    expect(typeof json.created).toBe("number");
    expect(json.output_format).toBe("png");
    expect(json.usage).toMatchObject({ input_tokens: 9, output_tokens: 1290, total_tokens: 1299, input_tokens_details: { text_tokens: 9 } });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url.pathname).toBe(`/v1beta/models/${IMAGE_MODEL}:generateContent`);
    expect(calls[0]!.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "A cat in a hat" }] }],
      generationConfig: { responseModalities: ["IMAGE"], imageConfig: { aspectRatio: "3:2", imageSize: "2K" } },
    });
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "images.generations", model: IMAGE_MODEL, status: 200, outcome: "ok", served: 1, prompt_tokens: 9, completion_tokens: 1290 });
  });

  it("n=2 is two calls on one key (image models refuse candidateCount), answered together in one ledger row", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(imageReply([PNG])));
    const { response, json } = await generate(client, { prompt: "Two dogs", n: 2, size: "1024x1024" });
    expect(response.status).toBe(200);
    expect(json.data).toEqual([{ b64_json: PNG }, { b64_json: PNG }]);
    expect(json.usage).toMatchObject({ input_tokens: 18, output_tokens: 2580, total_tokens: 2598 });
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.url.pathname).toBe(`/v1beta/models/${IMAGE_MODEL}:generateContent`);
      expect((call.body as Json).generationConfig).toEqual({ responseModalities: ["IMAGE"], imageConfig: { aspectRatio: "1:1" } });
    }
    expect(new Set(calls.map((call) => call.apiKey)).size).toBe(1);
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "images.generations", status: 200, attempts: 1, prompt_tokens: 18, completion_tokens: 2580 });
  });

  it("n=2 whose second call hits a per-minute 429 is done again, both calls, on the next key", async () => {
    const client = await seed({ geminiKeys: [{ id: "a", secret: fakeGeminiKey("A") }, { id: "b", secret: fakeGeminiKey("B") }] });
    let n = 0;
    const calls = fakeGoogle(() => (n++ === 1 ? reply(perMinute429) : Response.json(imageReply([PNG]))));
    const { response, json } = await generate(client, { model: IMAGE_MODEL, prompt: "Two dogs", n: 2 });
    expect(response.status).toBe(200);
    expect(json.data).toHaveLength(2);
    expect(calls).toHaveLength(4);
    expect(calls[0]!.apiKey).toBe(calls[1]!.apiKey);
    expect(calls[2]!.apiKey).toBe(calls[3]!.apiKey);
    expect(calls[2]!.apiKey).not.toBe(calls[0]!.apiKey);
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 200, attempts: 2 });
  });

  it.each<[string, Json, string, string]>([
    ["response_format url", { response_format: "url" }, "response_format", "unsupported_value"],
    ["n over 4", { n: 5 }, "n", "invalid_value"],
    ["a malformed size", { size: "big" }, "size", "invalid_value"],
    ["no prompt", { prompt: undefined }, "prompt", "missing_required_parameter"],
  ])("refuses %s with a 400 in OpenAI's shape before any key is used", async (_name, extra, param, code) => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(imageReply([PNG])));
    const { response, json } = await generate(client, { model: IMAGE_MODEL, prompt: "x", ...extra });
    expect(response.status).toBe(400);
    expect(json.error).toMatchObject({ type: "invalid_request_error", param, code });
    expect(calls).toHaveLength(0);
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "images.generations", status: 400, outcome: "client_error", attempts: 0 });
  });

  it("a refusal by Google (IMAGE_SAFETY) is a 400 content_policy_violation, ledger outcome blocked", async () => {
    const client = await seed();
    fakeGoogle(() => Response.json({ candidates: [{ content: { role: "model", parts: [] }, finishReason: "IMAGE_SAFETY", index: 0 }], usageMetadata: { promptTokenCount: 3, totalTokenCount: 3 } }));
    const { response, json } = await generate(client, { model: IMAGE_MODEL, prompt: "something refused" });
    expect(response.status).toBe(400);
    expect(json.error).toMatchObject({ code: "content_policy_violation" });
    expect(json.error.message).toContain("IMAGE_SAFETY");
    expect((await ledgerRows())[0]).toMatchObject({ status: 400, outcome: "blocked" });
  });

  it("an answer with text but no image is a 502 no_image carrying the model's words", async () => {
    const client = await seed();
    fakeGoogle(() => Response.json(imageReply([], "I can only describe it.")));
    const { response, json } = await generate(client, { model: IMAGE_MODEL, prompt: "a cat" });
    expect(response.status).toBe(502);
    expect(json.error).toMatchObject({ type: "server_error", code: "no_image" });
    expect(json.error.message).toContain("I can only describe it.");
  });

  it("fails over to the next key on a per-minute 429: one answer, one ledger row with both attempts", async () => {
    const client = await seed({ geminiKeys: [{ id: "a", secret: fakeGeminiKey("A") }, { id: "b", secret: fakeGeminiKey("B") }] });
    let n = 0;
    const calls = fakeGoogle(() => (n++ === 0 ? reply(perMinute429) : Response.json(imageReply([PNG]))));
    const { response, json } = await generate(client, { model: IMAGE_MODEL, prompt: "a cat" });
    expect(response.status).toBe(200);
    expect(json.data).toHaveLength(1);
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((call) => call.apiKey)).size).toBe(2);
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "images.generations", status: 200, attempts: 2 });
  });
});

describe("POST /v1/images/edits", () => {
  it("the images (image[]) as inlineData before the prompt; b64_json answer; one ledger row", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(imageReply([PNG])));
    const { response, json } = await edit(client, [
      ["model", IMAGE_MODEL],
      ["prompt", "Put them together"],
      ["image[]", pngFile("a.png")],
      ["image[]", new File([PNG_BYTES], "b.webp", { type: "image/webp" })],
      ["size", "1024x1536"],
    ]);
    expect(response.status).toBe(200);
    expect(json.data).toEqual([{ b64_json: PNG }]);
    expect(calls[0]!.body).toEqual({
      contents: [{ role: "user", parts: [{ inlineData: { mimeType: "image/png", data: PNG } }, { inlineData: { mimeType: "image/webp", data: PNG } }, { text: "Put them together" }] }],
      generationConfig: { responseModalities: ["IMAGE"], imageConfig: { aspectRatio: "2:3", imageSize: "2K" } },
    });
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "images.edits", model: IMAGE_MODEL, status: 200, outcome: "ok" });
  });

  it.each<[string, Array<[string, string | File]>, string, string]>([
    ["a mask", [["image", pngFile()], ["mask", pngFile("mask.png")], ["prompt", "x"]], "mask", "unsupported_parameter"],
    ["no image", [["prompt", "x"]], "image", "missing_required_parameter"],
    ["no prompt", [["image", pngFile()]], "prompt", "missing_required_parameter"],
    ["a text file", [["image", new File(["hi"], "a.txt", { type: "text/plain" })], ["prompt", "x"]], "image", "unsupported_value"],
  ])("refuses %s with a 400 before any key is used", async (_name, entries, param, code) => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(imageReply([PNG])));
    const { response, json } = await edit(client, [["model", IMAGE_MODEL], ...entries]);
    expect(response.status).toBe(400);
    expect(json.error).toMatchObject({ type: "invalid_request_error", param, code });
    expect(calls).toHaveLength(0);
    expect((await ledgerRows())[0]).toMatchObject({ endpoint: "images.edits", status: 400, outcome: "client_error" });
  });

  it("JSON edits (OpenAI's images: [{image_url}] form): data URLs inline before the prompt", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(imageReply([PNG])));
    const body = { model: IMAGE_MODEL, prompt: "Brighter", images: [{ image_url: `data:image/png;base64,${PNG}` }], size: "1024x1024" };
    const { response, text } = await callWorker("/v1/images/edits", { method: "POST", key: client, body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    expect((JSON.parse(text) as Json).data).toEqual([{ b64_json: PNG }]);
    expect(calls[0]!.body).toEqual({
      contents: [{ role: "user", parts: [{ inlineData: { mimeType: "image/png", data: PNG } }, { text: "Brighter" }] }],
      generationConfig: { responseModalities: ["IMAGE"], imageConfig: { aspectRatio: "1:1" } },
    });
    expect((await ledgerRows())[0]).toMatchObject({ endpoint: "images.edits", status: 200 });
  });

  it.each<[string, Json, string, string]>([
    ["no images", { prompt: "x" }, "images", "missing_required_parameter"],
    ["a file_id", { prompt: "x", images: [{ file_id: "file-1" }] }, "images[0].file_id", "unsupported_parameter"],
    ["a ftp URL", { prompt: "x", images: [{ image_url: "ftp://a/b.png" }] }, "images[0].image_url", "invalid_image_url"],
    ["a PDF data URL", { prompt: "x", images: [{ image_url: "data:application/pdf;base64,JVBERi0=" }] }, "images[0].image_url", "unsupported_value"],
    ["a mask", { prompt: "x", images: [{ image_url: `data:image/png;base64,${PNG}` }], mask: { image_url: `data:image/png;base64,${PNG}` } }, "mask", "unsupported_parameter"],
  ])("a JSON edit with %s is a 400 before any key is used", async (_name, body, param, code) => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(imageReply([PNG])));
    const { response, text } = await callWorker("/v1/images/edits", { method: "POST", key: client, body: JSON.stringify({ model: IMAGE_MODEL, ...body }) });
    expect(response.status).toBe(400);
    expect((JSON.parse(text) as Json).error).toMatchObject({ type: "invalid_request_error", param, code });
    expect(calls).toHaveLength(0);
  });

  it("a text/plain body is a 400 naming both forms; a body over 20 MB is a 413 in OpenAI's shape", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(imageReply([PNG])));
    const plain = await callWorker("/v1/images/edits", { method: "POST", key: client, body: "prompt=x", headers: { "content-type": "text/plain" } });
    expect(plain.response.status).toBe(400);
    expect(JSON.parse(plain.text).error).toMatchObject({ code: "invalid_content_type" });
    const big = await edit(client, [["model", IMAGE_MODEL], ["prompt", "x"], ["image", new File([new Uint8Array(MAX_REQUEST_BYTES + 1)], "big.png", { type: "image/png" })]]);
    expect(big.response.status).toBe(413);
    expect(big.json.error).toMatchObject({ type: "invalid_request_error", code: "request_too_large" });
    expect(calls).toHaveLength(0);
  });
});

describe("image output in chat through the Worker", () => {
  const chat = { model: IMAGE_MODEL, modalities: ["text", "image"], image_config: { aspect_ratio: "16:9" }, messages: [{ role: "user", content: "Draw a cat" }] };

  it("non-streamed: message.images, text in content, image config sent to Google", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(imageReply([PNG], "A cat:")));
    const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: JSON.stringify(chat) });
    expect(response.status).toBe(200);
    const message = (JSON.parse(text) as Json).choices[0].message;
    expect(message.content).toBe("A cat:");
    expect(message.images).toEqual([{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }]);
    expect((calls[0]!.body as Json).generationConfig).toEqual({ responseModalities: ["TEXT", "IMAGE"], imageConfig: { aspectRatio: "16:9" } });
  });

  it("streamed: delta.images in the chunk where the image arrives", async () => {
    const client = await seed();
    fakeGoogle(() =>
      sse([
        { candidates: [{ content: { role: "model", parts: [{ text: "A cat:" }] }, index: 0 }] },
        { candidates: [{ content: { role: "model", parts: [{ inlineData: { mimeType: "image/png", data: PNG } }] }, finishReason: "STOP", index: 0 }], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 1290, totalTokenCount: 1294 } },
      ]),
    );
    const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: JSON.stringify({ ...chat, stream: true }) });
    expect(response.status).toBe(200);
    const chunks = text.split("\n\n").filter((line) => line.startsWith("data: {")).map((line) => JSON.parse(line.slice(6)) as Json);
    const deltas = chunks.map((chunk) => chunk.choices[0]?.delta);
    expect(deltas).toContainEqual({ role: "assistant", content: "A cat:" });
    expect(deltas).toContainEqual({ images: [{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }] });
    expect(deltas.some((delta) => typeof delta?.content === "string" && delta.content.includes("base64"))).toBe(false);
  });
});
