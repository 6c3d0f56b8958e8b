import { ZERO_USAGE } from "./usage";
import type { ImageRequest, ImagesAnswer } from "./images";

// POST /v1/images/generations with an Imagen model ⇄ Google's `models/{id}:predict`:
// {instances: [{prompt}], parameters: {sampleCount, aspectRatio, personGeneration}} →
// {predictions: [{bytesBase64Encoded, mimeType, prompt?, raiFilteredReason?}]}.
// Imagen reports no token counts; every image is one Imagen image at Google's price.

/** Imagen's values for `personGeneration` (OpenAI has none: sent as `person_generation`). */
export const PERSON_GENERATION = ["dont_allow", "allow_adult", "allow_all"] as const;
export type PersonGeneration = (typeof PERSON_GENERATION)[number];

export interface ImagenRequest {
  instances: [{ prompt: string }];
  parameters: { sampleCount: number; aspectRatio?: string; personGeneration?: PersonGeneration };
}

export interface ImagenPrediction {
  bytesBase64Encoded?: string;
  mimeType?: string;
  /** the prompt Imagen rewrote, when its prompt enhancer ran */
  prompt?: string;
  /** why an image was filtered out instead */
  raiFilteredReason?: string;
}

export interface ImagenReply {
  predictions?: ImagenPrediction[];
}

// The aspect ratios Imagen takes, as width/height (fewer than the Gemini image models').
const IMAGEN_RATIOS: ReadonlyArray<readonly [string, number]> = [
  ["1:1", 1], ["3:4", 3 / 4], ["4:3", 4 / 3], ["9:16", 9 / 16], ["16:9", 16 / 9],
];

/** A Gemini aspect ratio ("3:2", from `size`) → the nearest one Imagen takes ("4:3"). */
export function imagenAspectRatio(aspectRatio: string | undefined): string | undefined {
  const match = aspectRatio ? /^(\d+):(\d+)$/.exec(aspectRatio) : null;
  if (!match) return undefined;
  const ratio = Number(match[1]) / Number(match[2]);
  let best = IMAGEN_RATIOS[0]!;
  for (const candidate of IMAGEN_RATIOS) if (Math.abs(Math.log(candidate[1] / ratio)) < Math.abs(Math.log(best[1] / ratio))) best = candidate;
  return best[0];
}

/** The request → one `:predict` call: Imagen makes the n images in one call (sampleCount 1-4). */
export function toImagenRequest(request: ImageRequest): ImagenRequest {
  const parameters: ImagenRequest["parameters"] = { sampleCount: request.n };
  const aspectRatio = imagenAspectRatio(request.imageConfig?.aspectRatio);
  if (aspectRatio) parameters.aspectRatio = aspectRatio;
  if (request.personGeneration) parameters.personGeneration = request.personGeneration;
  return { instances: [{ prompt: request.prompt }], parameters };
}

const EXTENSION_BY_TYPE: Readonly<Record<string, string>> = { "image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp" };

/** Imagen's answer → OpenAI's ImagesResponse, or the client error when it holds no image. */
export function fromImagenReply(reply: ImagenReply, created: number): ImagesAnswer {
  const usage = { ...ZERO_USAGE };
  const predictions = reply.predictions ?? [];
  const images = predictions.filter((p): p is ImagenPrediction & { bytesBase64Encoded: string } => typeof p.bytesBase64Encoded === "string" && p.bytesBase64Encoded.length > 0);
  if (images.length === 0) {
    const filtered = predictions.map((p) => p.raiFilteredReason).filter((r): r is string => Boolean(r));
    if (filtered.length > 0) {
      return { ok: false, blocked: true, status: 400, code: "content_policy_violation", message: `Google refused to make this image: ${filtered.join(" ").slice(0, 400)}`, usage };
    }
    // Imagen drops the images its safety filters block without saying so unless asked.
    return { ok: false, blocked: false, status: 502, code: "no_image", message: "Imagen answered without an image (its safety filters drop blocked images silently).", usage };
  }
  const body: Record<string, unknown> = {
    created,
    data: images.map((image) => ({ b64_json: image.bytesBase64Encoded, ...(image.prompt ? { revised_prompt: image.prompt } : {}) })),
  };
  const format = EXTENSION_BY_TYPE[images[0]!.mimeType ?? "image/png"];
  if (format) body.output_format = format;
  return { ok: true, body, usage, images: images.length };
}
