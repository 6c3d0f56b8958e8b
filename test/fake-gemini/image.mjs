// What a Gemini image model (…-image, …-image-preview: "Nano Banana") answers: inlineData PNG
// parts, as the recorded google-image-gemini-3.1-flash-image.json does (there a JPEG).

/** A 1x1 PNG; every image the fake makes is this one. */
export const FAKE_PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==";
/** Google counts one 1024x1024 image as 1290 output tokens. */
export const IMAGE_TOKENS = 1290;

/** @param {string} model */
export function isImageModel(model) {
  return /-image(-preview)?$/.test(model);
}

/**
 * The parts of an image model's answer: a line of text unless only IMAGE was asked for, then
 * the image (with a thought signature on Gemini 3, as recorded).
 * @param {any} body
 * @param {boolean} gemini3
 */
export function imageParts(body, gemini3) {
  const config = body?.generationConfig ?? body?.generation_config ?? {};
  const modalities = config.responseModalities ?? config.response_modalities ?? ["TEXT", "IMAGE"];
  /** @type {any} */
  const image = { inlineData: { mimeType: "image/png", data: FAKE_PNG_BASE64 } };
  if (gemini3) image.thoughtSignature = "ZmFrZS1pbWFnZS1zaWduYXR1cmU=";
  return modalities.includes("TEXT") ? [{ text: "Here is your image." }, image] : [image];
}
