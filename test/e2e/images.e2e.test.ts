// /v1/images/generations, /v1/images/edits and image output in chat through the Worker with the
// official openai client: the images are the fake image model's PNG, the edit sends a PNG this
// test writes; one ledger row per call.

import OpenAI, { toFile } from "openai";
import { crc32, deflateSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { FAKE_PNG_BASE64 } from "../fake-gemini/image.mjs";
import { d1, fake, openaiClient, seedPool, waitFor, type SeededPool } from "./harness";

const IMAGE_MODEL = "gemini-2.5-flash-image";
const GEMINI3_IMAGE_MODEL = "gemini-3.1-flash-image";
let client: OpenAI;
let pool: SeededPool;

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({
    geminiKeys: 1,
    models: [{ id: IMAGE_MODEL, category: "custom" }, { id: GEMINI3_IMAGE_MODEL, category: "custom" }],
    clientKeyName: "images-e2e",
    replace: true,
  });
  client = openaiClient(pool.clientKey.key);
});

/** A 2x2 red RGB PNG, written by hand (signature, IHDR, IDAT, IEND). */
function smallPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([head, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.from([0, 255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 0, 0]);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

const ledger = (endpoint: string) =>
  d1<{ model: string; status: number; outcome: string; completion_tokens: number }>(
    `SELECT model, status, outcome, completion_tokens FROM usage_calls WHERE endpoint = '${endpoint}' AND client_key_id = '${pool.clientKey.id}' ORDER BY id`,
  );

type ChatImage = { type: string; image_url: { url: string } };

describe("images through the Worker", () => {
  it("client.images.generate: n=2 as two generateContent calls (no candidateCount), b64_json PNGs, one ledger row", async () => {
    await fake.clearRequests();
    const result = await client.images.generate({ model: IMAGE_MODEL, prompt: "A red square", n: 2, size: "1536x1024", response_format: "b64_json" });
    expect(result.data?.map((image) => image.b64_json)).toEqual([FAKE_PNG_BASE64, FAKE_PNG_BASE64]);
    expect(Buffer.from(result.data![0]!.b64_json!, "base64").subarray(1, 4).toString("ascii")).toBe("PNG");
    expect(result.usage).toMatchObject({ output_tokens: 2580 });

    const calls = await fake.requests();
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call).toMatchObject({ path: `/v1beta/models/${IMAGE_MODEL}:generateContent`, status: 200 });
      expect((call.body as { generationConfig: unknown }).generationConfig).toEqual({ responseModalities: ["IMAGE"], imageConfig: { aspectRatio: "3:2", imageSize: "2K" } });
    }
    const rows = await waitFor(async () => ((await ledger("images.generations")).length === 1 ? ledger("images.generations") : null));
    expect(rows[0]).toMatchObject({ model: IMAGE_MODEL, status: 200, outcome: "ok", completion_tokens: 2580 });
  });

  it("response_format url is a clear 400 from the SDK's point of view", async () => {
    const error = await client.images.generate({ model: IMAGE_MODEL, prompt: "x", response_format: "url" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain("b64_json");
  });

  it("client.images.edit with two PNGs (image[]): both inline before the prompt, one ledger row", async () => {
    await fake.clearRequests();
    const png = smallPng();
    const result = await client.images.edit({
      model: IMAGE_MODEL,
      prompt: "Make it blue",
      image: [await toFile(png, "red.png", { type: "image/png" }), await toFile(png, "red2.png", { type: "image/png" })],
    });
    expect(result.data?.map((image) => image.b64_json)).toEqual([FAKE_PNG_BASE64]);
    const calls = await fake.requests();
    expect(calls).toHaveLength(1);
    const parts = (calls[0]!.body as { contents: Array<{ parts: unknown[] }> }).contents[0]!.parts;
    expect(parts).toEqual([
      { inlineData: { mimeType: "image/png", data: png.toString("base64") } },
      { inlineData: { mimeType: "image/png", data: png.toString("base64") } },
      { text: "Make it blue" },
    ]);
    const rows = await waitFor(async () => ((await ledger("images.edits")).length === 1 ? ledger("images.edits") : null));
    expect(rows[0]).toMatchObject({ model: IMAGE_MODEL, status: 200, outcome: "ok" });
  });

  it("client.images.edit with a mask is a clear 400", async () => {
    const png = smallPng();
    const error = await client.images
      .edit({ model: IMAGE_MODEL, prompt: "x", image: await toFile(png, "a.png", { type: "image/png" }), mask: await toFile(png, "m.png", { type: "image/png" }) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain("mask");
  });
});

describe("image output in chat through the Worker", () => {
  const request = {
    model: GEMINI3_IMAGE_MODEL,
    messages: [{ role: "user" as const, content: "Draw a cat" }],
    modalities: ["text", "image"],
    image_config: { aspect_ratio: "16:9" },
  } as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;

  it("plain: message.images holds the PNG, content only the text; the next turn sends the image back as an image", async () => {
    await fake.clearRequests();
    const completion = await client.chat.completions.create(request);
    const message = completion.choices[0]!.message as OpenAI.Chat.ChatCompletionMessage & { images?: ChatImage[] };
    expect(message.content).toBe("Here is your image.");
    expect(message.images).toEqual([{ type: "image_url", image_url: { url: `data:image/png;base64,${FAKE_PNG_BASE64}` } }]);
    const first = await fake.requests();
    expect((first[0]!.body as { generationConfig: unknown }).generationConfig).toEqual({ responseModalities: ["TEXT", "IMAGE"], imageConfig: { aspectRatio: "16:9" } });

    await fake.clearRequests();
    await client.chat.completions.create({
      ...request,
      messages: [...request.messages, { role: "assistant", content: message.content, images: message.images } as never, { role: "user", content: "Now blue" }],
    });
    const second = await fake.requests();
    expect(second[0]!.status).toBe(200);
    const modelTurn = (second[0]!.body as { contents: Array<{ role: string; parts: Array<Record<string, unknown>> }> }).contents[1]!;
    expect(modelTurn.role).toBe("model");
    expect(modelTurn.parts[1]).toMatchObject({ inlineData: { mimeType: "image/png", data: FAKE_PNG_BASE64 } });
    expect(JSON.stringify(modelTurn)).not.toContain("![image]");
  });

  it("streamed: the image arrives as delta.images, never inside content", async () => {
    const stream = await client.chat.completions.create({ ...request, stream: true } as unknown as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
    let content = "";
    const images: ChatImage[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; images?: ChatImage[] } | undefined;
      content += delta?.content ?? "";
      images.push(...(delta?.images ?? []));
    }
    expect(content).toBe("Here is your image.");
    expect(images).toEqual([{ type: "image_url", image_url: { url: `data:image/png;base64,${FAKE_PNG_BASE64}` } }]);
  });
});

// Last in this file: it replaces the pool with two keys, one of them free at Google.
describe("Imagen on keys marked paid, through the Worker", () => {
  const IMAGEN = "imagen-4.0-generate-001";
  let imagen: SeededPool;
  let imagenClient: OpenAI;
  type KeyItem = { id: string; paid: boolean; models: Record<string, { state: string; reason?: string }> };
  const item = async (id: string) => (await imagen.admin.get<KeyItem[]>("/api/admin/gemini-keys")).find((key) => key.id === id)!;
  const imagenRows = () =>
    d1<{ gemini_key_id: string | null; status: number; outcome: string; images: number }>(
      `SELECT gemini_key_id, status, outcome, images FROM usage_calls WHERE endpoint = 'images.generations' AND client_key_id = '${imagen.clientKey.id}' ORDER BY id`,
    );

  beforeAll(async () => {
    imagen = await seedPool({ geminiKeys: 2, models: [{ id: IMAGEN, category: "custom" }], clientKeyName: "imagen-e2e", replace: true });
    imagenClient = openaiClient(imagen.clientKey.key);
    await fake.setTier(imagen.geminiKeys[0]!.key, "free");
  });

  it("no key marked paid: 503 saying Imagen needs a key marked paid; Google is not called", async () => {
    await fake.clearRequests();
    const error = await imagenClient.images.generate({ model: IMAGEN, prompt: "A lighthouse" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toMatch(/Imagen.*marked paid in the panel/);
    expect(await fake.requests()).toHaveLength(0);
  });

  it("the key marked paid but free at Google: Google's 'billed users' refusal, Imagen refused on that key (shown in the panel's list)", async () => {
    const [freeAtGoogle] = imagen.geminiKeys;
    expect((await imagen.admin.patch<KeyItem>(`/api/admin/gemini-keys/${freeAtGoogle!.id}`, { paid: true })).paid).toBe(true);
    await fake.clearRequests();
    const error = await imagenClient.images.generate({ model: IMAGEN, prompt: "A lighthouse" }).catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain("billed users");
    const calls = await fake.requests();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ path: `/v1beta/models/${IMAGEN}:predict`, status: 400 });
    const shown = await waitFor(async () => {
      const key = await item(freeAtGoogle!.id);
      return key.models[IMAGEN]?.state === "refused" ? key : null;
    });
    expect(shown.models[IMAGEN]!.reason).toContain("billed users");
  });

  it("client.images.generate on the billed key marked paid: one :predict for n=2, 16:9, b64_json PNGs; ledger row with images 2", async () => {
    const billed = imagen.geminiKeys[1]!;
    await imagen.admin.patch(`/api/admin/gemini-keys/${billed.id}`, { paid: true });
    await fake.clearRequests();
    const result = await imagenClient.images.generate({ model: IMAGEN, prompt: "A lighthouse at dusk", n: 2, size: "1792x1024", response_format: "b64_json" });
    expect(result.data?.map((image) => image.b64_json)).toEqual([FAKE_PNG_BASE64, FAKE_PNG_BASE64]);
    const calls = await fake.requests();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ path: `/v1beta/models/${IMAGEN}:predict`, status: 200 });
    expect(calls[0]!.body).toEqual({ instances: [{ prompt: "A lighthouse at dusk" }], parameters: { sampleCount: 2, aspectRatio: "16:9" } });
    const rows = await waitFor(async () => {
      const found = await imagenRows();
      return found.some((row) => row.status === 200) ? found : null;
    });
    expect(rows.find((row) => row.status === 200)).toMatchObject({ gemini_key_id: billed.id, outcome: "ok", images: 2 });
    expect(rows.filter((row) => row.status === 503).map((row) => row.outcome)).toEqual(["no_key", "no_key"]);
  });
});
