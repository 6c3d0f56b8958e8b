import { z } from "zod";
import type { GenerateContentRequest, GenerateContentResponse, GenerationConfig, Part } from "../gemini/types";
import { toBase64 } from "../util/base64";
import { isImagenModel } from "../pool/availability";
import { TranslationError } from "./errors";
import { isFilteredFinish } from "./finish-reason";
import { PERSON_GENERATION, type PersonGeneration } from "./imagen";
import { isBase64, isRemoteUrl, parseDataUri, type RemoteMedia } from "./media";
import { parseWith } from "./schemas";
import { usageFromGemini, type UsageFigures } from "./usage";

// POST /v1/images/generations (JSON) and /v1/images/edits (multipart) ⇄ generateContent on a
// Gemini image model ("Nano Banana") with responseModalities ["IMAGE"]; generations with an
// Imagen model go to `:predict` instead (src/openai/imagen.ts).

/** The model when the client names none (OpenAI's default would be dall-e-2). */
export const DEFAULT_IMAGE_MODEL = "gemini-2.5-flash-image";
/** OpenAI allows 10; each image is one Gemini call (made at once, on one key), so keep it small. */
export const MAX_IMAGES = 4;

export interface ImageRequest {
  model: string;
  prompt: string;
  n: number;
  imageConfig?: NonNullable<GenerationConfig["imageConfig"]>;
  /** the images to edit (edits only), in order */
  images: { mimeType: string; data: string }[];
  /** Imagen only (`person_generation`, not OpenAI's): whether people may be drawn */
  personGeneration?: PersonGeneration;
}

/** Imagen makes images from text only: the Gemini API has no Imagen edit. */
export function refuseImagenEdit(model: string): void {
  if (isImagenModel(model)) {
    throw new TranslationError(`Imagen models ('${model.slice(0, 80)}') cannot edit images through the Gemini API; use a Gemini image model (e.g. ${DEFAULT_IMAGE_MODEL}).`, {
      param: "model",
      code: "unsupported_model",
    });
  }
}

// Gemini's documented aspect ratios, as width/height.
const RATIOS: ReadonlyArray<readonly [string, number]> = [
  ["1:1", 1], ["2:3", 2 / 3], ["3:2", 3 / 2], ["3:4", 3 / 4], ["4:3", 4 / 3],
  ["4:5", 4 / 5], ["5:4", 5 / 4], ["9:16", 9 / 16], ["16:9", 16 / 9], ["21:9", 21 / 9],
];

/**
 * OpenAI's `size` ("1024x1024", "1536x1024", "auto") -> Gemini's imageConfig: the nearest
 * aspect ratio, and imageSize "2K"/"4K" only for a long edge past 1K (Gemini's default is 1K,
 * and not every image model takes imageSize).
 */
export function imageConfigForSize(size: string | null | undefined): ImageRequest["imageConfig"] {
  if (size == null || size === "auto") return undefined;
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(size);
  if (!match) throw new TranslationError(`Invalid value for 'size': '${size.slice(0, 40)}'. Use WIDTHxHEIGHT (e.g. 1024x1024, 1536x1024) or 'auto'.`, { param: "size" });
  const width = Number(match[1]);
  const height = Number(match[2]);
  if (width === 0 || height === 0) throw new TranslationError("Invalid value for 'size': width and height must be positive.", { param: "size" });
  const ratio = width / height;
  let best = RATIOS[0]!;
  for (const candidate of RATIOS) if (Math.abs(Math.log(candidate[1] / ratio)) < Math.abs(Math.log(best[1] / ratio))) best = candidate;
  const longEdge = Math.max(width, height);
  const config: NonNullable<ImageRequest["imageConfig"]> = { aspectRatio: best[0] };
  if (longEdge > 2048) config.imageSize = "4K";
  else if (longEdge > 1024) config.imageSize = "2K";
  return config;
}

function checkResponseFormat(format: string | null | undefined): void {
  if (format == null || format === "b64_json") return;
  if (format === "url") {
    throw new TranslationError("response_format 'url' is not available: this proxy stores no images. Use 'b64_json'.", {
      param: "response_format",
      code: "unsupported_value",
    });
  }
  throw new TranslationError(`Invalid value for 'response_format': '${format.slice(0, 40)}'. Use 'b64_json'.`, { param: "response_format" });
}

const generationSchema = z.looseObject({
  prompt: z.string().min(1),
  model: z.string().min(1).nullish(),
  n: z.int().min(1).max(MAX_IMAGES).nullish(),
  size: z.string().nullish(),
  response_format: z.string().nullish(),
  person_generation: z.enum(PERSON_GENERATION).nullish(),
  // quality, style, background, moderation, output_format, user: no Gemini counterpart, ignored
});

/** POST /v1/images/generations body -> the request. */
export function parseImageGeneration(json: unknown): ImageRequest {
  const body = parseWith(generationSchema, json);
  checkResponseFormat(body.response_format);
  const model = body.model ?? DEFAULT_IMAGE_MODEL;
  const imageConfig = imageConfigForSize(body.size);
  return {
    model,
    prompt: body.prompt,
    n: body.n ?? 1,
    images: [],
    ...(imageConfig ? { imageConfig } : {}),
    ...(body.person_generation ? { personGeneration: body.person_generation } : {}),
  };
}

const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"]);
const IMAGE_BY_EXTENSION: Readonly<Record<string, string>> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp", heic: "image/heic", heif: "image/heif" };

function text(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  if (value === null) return undefined;
  if (typeof value !== "string") throw new TranslationError(`'${name}' must be a text field, not a file.`, { param: name });
  return value;
}

function imageMimeType(file: File, param: string): string {
  const declared = file.type.split(";")[0]!.trim().toLowerCase();
  if (IMAGE_TYPES.has(declared)) return declared;
  const extension = /\.([A-Za-z0-9]+)$/.exec(file.name)?.[1]?.toLowerCase();
  const guessed = extension ? IMAGE_BY_EXTENSION[extension] : undefined;
  if (guessed && (declared === "" || declared === "application/octet-stream")) return guessed;
  throw new TranslationError(`Unsupported image '${file.name.slice(0, 80)}' (${declared || "no type"}); send png, jpeg or webp.`, { param, code: "unsupported_value" });
}

/** POST /v1/images/edits multipart fields (`image` or `image[]`, `prompt`, `mask`, `n`, `size`, `model`, `response_format`) -> the request. */
export async function parseImageEdit(form: FormData): Promise<ImageRequest> {
  if (form.get("mask") !== null) {
    throw new TranslationError("'mask' is not supported: Gemini edits the whole image; describe the area to change in the prompt.", {
      param: "mask",
      code: "unsupported_parameter",
    });
  }
  const prompt = text(form, "prompt");
  if (!prompt) throw new TranslationError("Missing required parameter: 'prompt'.", { param: "prompt", code: "missing_required_parameter" });
  const param = form.has("image[]") ? "image[]" : "image";
  const files = [...form.getAll("image"), ...form.getAll("image[]")];
  if (files.length === 0) throw new TranslationError("Missing required parameter: 'image'.", { param: "image", code: "missing_required_parameter" });
  if (files.length > 16) throw new TranslationError("At most 16 images can be edited in one request.", { param });
  const images: ImageRequest["images"] = [];
  for (const file of files) {
    if (typeof file === "string") throw new TranslationError(`'${param}' must be an uploaded image file, not a text field.`, { param });
    const mimeType = imageMimeType(file, param);
    if (file.size === 0) throw new TranslationError(`The image '${file.name.slice(0, 80)}' is empty.`, { param });
    images.push({ mimeType, data: toBase64(new Uint8Array(await file.arrayBuffer())) });
  }
  checkResponseFormat(text(form, "response_format"));
  const nText = text(form, "n");
  const n = nText === undefined ? 1 : Number(nText);
  if (!Number.isInteger(n) || n < 1 || n > MAX_IMAGES) {
    throw new TranslationError(`Invalid value for 'n': it must be an integer from 1 to ${MAX_IMAGES}.`, { param: "n" });
  }
  const model = text(form, "model") || DEFAULT_IMAGE_MODEL;
  refuseImagenEdit(model);
  const imageConfig = imageConfigForSize(text(form, "size"));
  return { model, prompt, n, images, ...(imageConfig ? { imageConfig } : {}) };
}

const imageRef = z.looseObject({ image_url: z.string().min(1).optional(), file_id: z.string().optional() });
const editJsonSchema = z.looseObject({
  prompt: z.string().min(1),
  images: z.array(imageRef).min(1).max(16),
  mask: z.unknown().optional(),
  model: z.string().min(1).nullish(),
  n: z.int().min(1).max(MAX_IMAGES).nullish(),
  size: z.string().nullish(),
  response_format: z.string().nullish(),
});

/** An image a JSON edit points at: a data URL, or an http(s) URL the caller fetches. */
export interface ImageRef {
  url: string;
  param: string;
}

/** POST /v1/images/edits as JSON (`images: [{image_url}]`, OpenAI's newer form): the request, and the images still to inline. */
export function parseImageEditJson(json: unknown): { request: ImageRequest; refs: ImageRef[] } {
  const body = parseWith(editJsonSchema, json);
  if (body.mask != null) throw new TranslationError("'mask' is not supported: Gemini edits the whole image; describe the area to change in the prompt.", { param: "mask", code: "unsupported_parameter" });
  const refs = body.images.map((image, index): ImageRef => {
    const param = `images[${index}]`;
    if (image.image_url === undefined) {
      throw new TranslationError("Uploaded file ids are not supported; send the image as `image_url` (a data URL or an http(s) URL).", { param: `${param}.file_id`, code: "unsupported_parameter" });
    }
    if (!isRemoteUrl(image.image_url) && !parseDataUri(image.image_url)) {
      throw new TranslationError("`image_url` must be a base64 data URL or an http(s) URL.", { param: `${param}.image_url`, code: "invalid_image_url" });
    }
    return { url: image.image_url, param: `${param}.image_url` };
  });
  checkResponseFormat(body.response_format);
  const model = body.model ?? DEFAULT_IMAGE_MODEL;
  refuseImagenEdit(model);
  const imageConfig = imageConfigForSize(body.size);
  return { request: { model, prompt: body.prompt, n: body.n ?? 1, images: [], ...(imageConfig ? { imageConfig } : {}) }, refs };
}

/** The images of a JSON edit, inline: data URLs decoded, http(s) ones from what the caller fetched. */
export function inlineImageRefs(refs: readonly ImageRef[], remote: RemoteMedia): ImageRequest["images"] {
  return refs.map(({ url, param }) => {
    const blob = isRemoteUrl(url) ? remote.get(url) : parseDataUri(url);
    if (!blob) throw new TranslationError(`The image at '${url.slice(0, 100)}' could not be downloaded.`, { param, code: "invalid_image_url" });
    if (!IMAGE_TYPES.has(blob.mimeType)) throw new TranslationError(`Unsupported image type '${blob.mimeType.slice(0, 60)}'; send png, jpeg or webp.`, { param, code: "unsupported_value" });
    if (!isBase64(blob.data)) throw new TranslationError("The image data is not valid base64.", { param, code: "invalid_base64" });
    return { mimeType: blob.mimeType, data: blob.data };
  });
}

/**
 * The request -> one Gemini generateContent: the images (edits) then the prompt. n images are n
 * such calls: Gemini's image models refuse candidateCount > 1 ("Multiple candidates is not enabled").
 */
export function toGeminiImageRequest(request: ImageRequest): GenerateContentRequest {
  const parts: Part[] = [...request.images.map((inlineData) => ({ inlineData })), { text: request.prompt }];
  const generationConfig: GenerationConfig = { responseModalities: ["IMAGE"] };
  if (request.imageConfig) generationConfig.imageConfig = request.imageConfig;
  return { contents: [{ role: "user", parts }], generationConfig };
}

const USAGE_COUNTS = ["promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "totalTokenCount"] as const;

/** The answers of the n calls as one: candidates in order, token counts added up. */
export function mergeImageReplies(replies: readonly GenerateContentResponse[]): GenerateContentResponse {
  if (replies.length === 1) return replies[0]!;
  const candidates = replies.flatMap((reply) => reply.candidates ?? []).map((candidate, index) => ({ ...candidate, index }));
  const usageMetadata: NonNullable<GenerateContentResponse["usageMetadata"]> = { ...replies[0]!.usageMetadata };
  for (const name of USAGE_COUNTS) {
    const sum = replies.reduce((total, reply) => total + (reply.usageMetadata?.[name] ?? 0), 0);
    if (sum > 0) usageMetadata[name] = sum;
  }
  const promptDetails = replies.flatMap((reply) => reply.usageMetadata?.promptTokensDetails ?? []);
  if (promptDetails.length > 0) usageMetadata.promptTokensDetails = promptDetails;
  const blocked = replies.find((reply) => reply.promptFeedback?.blockReason);
  return { ...replies[0]!, candidates, usageMetadata, ...(blocked ? { promptFeedback: blocked.promptFeedback } : {}) };
}

export type ImagesAnswer =
  | { ok: true; body: object; usage: UsageFigures; /** how many images the answer holds */ images: number }
  | { ok: false; blocked: boolean; status: 400 | 502; code: string; message: string; usage: UsageFigures };

const EXTENSION_BY_TYPE: Readonly<Record<string, string>> = { "image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp" };

/** Gemini's answer -> OpenAI's ImagesResponse, or the client error when it holds no image. */
export function toImagesResponse(reply: GenerateContentResponse, created: number): ImagesAnswer {
  const usage = usageFromGemini(reply.usageMetadata);
  const images = (reply.candidates ?? []).flatMap((candidate) =>
    (candidate.content?.parts ?? []).flatMap((part) => (part.inlineData && !part.thought ? [part.inlineData] : [])),
  );
  if (images.length === 0) {
    const block = reply.promptFeedback?.blockReason ?? reply.candidates?.find((candidate) => isFilteredFinish(candidate.finishReason))?.finishReason;
    const said = (reply.candidates ?? []).flatMap((c) => (c.content?.parts ?? []).flatMap((p) => (p.text && !p.thought ? [p.text] : []))).join(" ").trim();
    const message = block
      ? `Google refused to make this image (${block}).`
      : `The model answered without an image${said ? `: ${said.slice(0, 300)}` : "."}`;
    // A refusal is the prompt's doing (400); an answer without an image is the model's (502).
    return block
      ? { ok: false, blocked: true, status: 400, code: "content_policy_violation", message, usage }
      : { ok: false, blocked: false, status: 502, code: "no_image", message, usage };
  }
  const promptDetails = reply.usageMetadata?.promptTokensDetails ?? [];
  const byModality = (modality: string) => promptDetails.filter((d) => d.modality === modality).reduce((sum, d) => sum + (d.tokenCount ?? 0), 0);
  const body: Record<string, unknown> = {
    created,
    data: images.map((image) => ({ b64_json: image.data })),
    usage: {
      input_tokens: usage.promptTokens,
      output_tokens: usage.completionTokens,
      total_tokens: usage.totalTokens,
      input_tokens_details: { text_tokens: byModality("TEXT"), image_tokens: byModality("IMAGE") },
    },
  };
  const format = EXTENSION_BY_TYPE[images[0]!.mimeType];
  if (format) body.output_format = format;
  return { ok: true, body, usage, images: images.length };
}
