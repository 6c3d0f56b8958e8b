import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import recordedImage from "../fixtures/gemini/google-image-gemini-3.1-flash-image.json?raw";
import { callWorker, ledgerRows } from "../proxy/call";
import { fakeGoogle, sse } from "../helpers/fake-google";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";

// Chat with image output through the whole Worker (real KV and D1, Google faked at the fetch
// boundary): the ledger row counts the images the answer sent, JSON or streamed.

const IMAGE_MODEL = "gemini-3.1-flash-image";
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==";
const image = { inlineData: { mimeType: "image/png", data: PNG } };

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM usage_calls").run();
});
afterEach(() => vi.restoreAllMocks());

const seed = () =>
  seedProxy({
    geminiKeys: [{ id: "a", secret: fakeGeminiKey("A") }],
    models: [{ id: IMAGE_MODEL, category: "custom", dailyQuota: null, individualQuota: null }],
  });

const chat = (key: string, extra: Record<string, unknown> = {}) =>
  callWorker("/v1/chat/completions", {
    method: "POST",
    key,
    body: JSON.stringify({ model: IMAGE_MODEL, messages: [{ role: "user", content: "Draw a cat" }], modalities: ["image", "text"], ...extra }),
  });

describe("image output in chat, in the ledger", () => {
  it("counts the recorded gemini-3.1-flash-image answer's one image", async () => {
    const client = await seed();
    fakeGoogle(() => new Response(recordedImage, { headers: { "content-type": "application/json" } }));
    const { response, text } = await chat(client);
    expect(response.status).toBe(200);
    expect((JSON.parse(text) as { choices: { message: { images: unknown[] } }[] }).choices[0]!.message.images).toHaveLength(1);
    expect(await ledgerRows()).toMatchObject([{ endpoint: "chat", outcome: "ok", images: 1, audio_ms: 0 }]);
  });

  it("counts every image across candidates; an answer without images counts none", async () => {
    const client = await seed();
    fakeGoogle(() =>
      Response.json({
        candidates: [
          { index: 0, content: { role: "model", parts: [{ text: "Two cats:" }, image, image] }, finishReason: "STOP" },
          { index: 1, content: { role: "model", parts: [image] }, finishReason: "STOP" },
        ],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 3000, totalTokenCount: 3004 },
      }),
    );
    expect((await chat(client, { n: 2 })).response.status).toBe(200);
    fakeGoogle(() => Response.json({ candidates: [{ index: 0, content: { role: "model", parts: [{ text: "No." }] }, finishReason: "STOP" }] }));
    expect((await chat(client)).response.status).toBe(200);
    expect((await ledgerRows()).map((row) => row.images)).toEqual([3, 0]);
  });

  it("a stream counts the images it sent as they went out", async () => {
    const client = await seed();
    fakeGoogle(() =>
      sse([
        { candidates: [{ index: 0, content: { role: "model", parts: [{ text: "Here " }] } }] },
        { candidates: [{ index: 0, content: { role: "model", parts: [image] } }] },
        { candidates: [{ index: 0, content: { role: "model", parts: [image] }, finishReason: "STOP" }], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2600, totalTokenCount: 2604 } },
      ]),
    );
    const { response, text } = await chat(client, { stream: true });
    expect(response.status).toBe(200);
    expect(text.match(/"images":\[/g)).toHaveLength(2);
    expect(await ledgerRows()).toMatchObject([{ endpoint: "chat", streamed: 1, outcome: "ok", images: 2 }]);
  });
});
