import { describe, expect, it } from "vitest";
import type { GenerateContentResponse } from "../../src/gemini/types";
import { DUMMY_THOUGHT_SIGNATURE } from "../../src/openai/messages";
import { toChatCompletion } from "../../src/openai/response";
import { ChatStreamTranslator } from "../../src/openai/stream";
import { fixtureJson } from "./fixtures";
import { translate, translationError } from "./request-helpers";

// Image output in chat (issue 15): Gemini's inlineData parts -> message.images / delta.images,
// request modalities / image_config -> generationConfig, assistant images -> inlineData parts.

const ctx = { id: "chatcmpl-img", created: 1_700_000_000, model: "nano-banana" };
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==";

type Message = { content: string | null; images?: { type: string; image_url: { url: string } }[]; reasoning_content?: string };
const messageOf = (res: GenerateContentResponse) =>
  (toChatCompletion(res, ctx).body as { choices: { message: Message; finish_reason: string }[] }).choices[0]!;

describe("image output, non-streamed", () => {
  it("replays the recorded gemini-3.1-flash-image answer: the image in images[], content empty", () => {
    const fixture = fixtureJson("imageOutput");
    const part = fixture.candidates![0]!.content!.parts![0]!;
    const choice = messageOf(fixture);
    expect(choice.message.content).toBe("");
    expect(choice.message.images).toEqual([{ type: "image_url", image_url: { url: `data:${part.inlineData!.mimeType};base64,${part.inlineData!.data}` } }]);
    expect(choice.finish_reason).toBe("stop");
    expect(JSON.stringify(choice.message.content)).not.toContain("base64");
  });

  it("text and images apart, in order; interim thought images dropped", () => {
    const choice = messageOf({
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              { text: "draft", thought: true },
              { inlineData: { mimeType: "image/png", data: "AAAA" }, thought: true },
              { text: "Here you go." },
              { inlineData: { mimeType: "image/png", data: PNG } },
              { inlineData: { mimeType: "image/webp", data: "UklG" } },
            ],
          },
          finishReason: "STOP",
        },
      ],
    });
    expect(choice.message.content).toBe("Here you go.");
    expect(choice.message.reasoning_content).toBe("draft");
    expect(choice.message.images?.map((image) => image.image_url.url)).toEqual([`data:image/png;base64,${PNG}`, "data:image/webp;base64,UklG"]);
  });

  it("a text-only answer has no images field", () => {
    expect(messageOf(fixtureJson("text")).message.images).toBeUndefined();
  });
});

describe("image output, streamed", () => {
  it("delta.images in the chunk where the part arrives; content keeps only text", () => {
    const translator = new ChatStreamTranslator({ ...ctx, includeUsage: false });
    const first = translator.push({ candidates: [{ content: { role: "model", parts: [{ text: "A cat:" }] } }] }) as { choices: { delta: Record<string, unknown> }[] }[];
    const second = translator.push({
      candidates: [{ content: { role: "model", parts: [{ inlineData: { mimeType: "image/png", data: PNG } }] }, finishReason: "STOP" }],
    }) as { choices: { delta: Record<string, unknown>; finish_reason: string | null }[] }[];
    expect(first.map((chunk) => chunk.choices[0]?.delta)).toEqual([{ role: "assistant", content: "A cat:" }]);
    expect(second.map((chunk) => [chunk.choices[0]?.delta, chunk.choices[0]?.finish_reason])).toEqual([
      [{ images: [{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }] }, null],
      [{}, "stop"],
    ]);
  });

  it("the recorded answer as one stream event gives the same images as the non-streamed answer", () => {
    const fixture = fixtureJson("imageOutput");
    const translator = new ChatStreamTranslator({ ...ctx, includeUsage: false });
    const chunks = translator.push(fixture) as { choices: { delta: { images?: unknown[]; content?: string } }[] }[];
    const images = chunks.flatMap((chunk) => chunk.choices[0]?.delta.images ?? []);
    expect(images).toEqual(messageOf(fixture).message.images);
    expect(chunks.some((chunk) => chunk.choices[0]?.delta.content !== undefined)).toBe(false);
  });
});

describe("image requests", () => {
  it("modalities and image_config -> responseModalities and imageConfig", () => {
    const out = translate({ modalities: ["text", "image"], image_config: { aspect_ratio: "16:9", image_size: "2K" } });
    expect(out.generationConfig).toEqual({ responseModalities: ["TEXT", "IMAGE"], imageConfig: { aspectRatio: "16:9", imageSize: "2K" } });
  });

  it("extra_body.google.image_config is accepted too; the top-level one wins", () => {
    expect(translate({ extra_body: { google: { image_config: { aspect_ratio: "3:4" } } } }).generationConfig).toEqual({ imageConfig: { aspectRatio: "3:4" } });
    expect(
      translate({ image_config: { image_size: "1K" }, extra_body: { google: { image_config: { aspect_ratio: "3:4" } } } }).generationConfig,
    ).toEqual({ imageConfig: { imageSize: "1K" } });
  });

  it("an assistant turn with images goes back as inlineData parts after its text (dummy signature on Gemini 3)", () => {
    const messages = [
      { role: "user", content: "Draw a cat" },
      { role: "assistant", content: "Here:", images: [{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }] },
      { role: "user", content: "Make it blue" },
    ];
    const plain = translate({ messages });
    expect(plain.contents[1]).toEqual({ role: "model", parts: [{ text: "Here:" }, { inlineData: { mimeType: "image/png", data: PNG } }] });
    const gemini3 = translate({ messages }, { upstreamModel: "gemini-3.1-flash-image" });
    expect(gemini3.contents[1]?.parts?.[1]).toEqual({ inlineData: { mimeType: "image/png", data: PNG }, thoughtSignature: DUMMY_THOUGHT_SIGNATURE });
    expect(JSON.stringify(plain.contents)).not.toContain("![image]");
  });

  it("an assistant image that is not a data URI is a 400 naming it", () => {
    const error = translationError(() =>
      translate({
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: null, images: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] },
        ],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe("messages[1].images[0].image_url.url");
  });
});

describe("images endpoints, pure parts", () => {
  it("size -> the nearest Gemini aspect ratio, imageSize only past 1K", async () => {
    const { imageConfigForSize } = await import("../../src/openai/images");
    expect(imageConfigForSize("1024x1024")).toEqual({ aspectRatio: "1:1" });
    expect(imageConfigForSize("1792x1024")).toEqual({ aspectRatio: "16:9", imageSize: "2K" });
    expect(imageConfigForSize("1024x1536")).toEqual({ aspectRatio: "2:3", imageSize: "2K" });
    expect(imageConfigForSize("512x512")).toEqual({ aspectRatio: "1:1" });
    expect(imageConfigForSize("4096x1756")).toEqual({ aspectRatio: "21:9", imageSize: "4K" });
    expect(imageConfigForSize("auto")).toBeUndefined();
    expect(translationError(() => imageConfigForSize("0x100")).param).toBe("size");
  });

  it("the recorded image answer -> ImagesResponse b64_json with Google's token counts", async () => {
    const { toImagesResponse, mergeImageReplies } = await import("../../src/openai/images");
    const fixture = fixtureJson("imageOutput");
    const answer = toImagesResponse(mergeImageReplies([fixture, fixture]), 1_700_000_000);
    expect(answer.ok).toBe(true);
    const body = (answer as { body: { created: number; data: { b64_json: string }[]; output_format: string; usage: Record<string, unknown> } }).body;
    expect(body.created).toBe(1_700_000_000);
    expect(body.data).toEqual([{ b64_json: fixture.candidates![0]!.content!.parts![0]!.inlineData!.data }, { b64_json: fixture.candidates![0]!.content!.parts![0]!.inlineData!.data }]);
    expect(body.output_format).toBe("jpeg");
    expect(body.usage).toEqual({ input_tokens: 20, output_tokens: 2784, total_tokens: 2804, input_tokens_details: { text_tokens: 20, image_tokens: 0 } });
  });
});
