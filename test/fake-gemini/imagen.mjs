// Imagen through the Gemini API: POST /v1beta/models/imagen-*:predict with
// {instances: [{prompt}], parameters: {sampleCount, aspectRatio, …}} answers
// {predictions: [{bytesBase64Encoded, mimeType}]}. Keys marked free get Google's refusal.

import { invalidArgument } from "./errors.mjs";
import { FAKE_PNG_BASE64 } from "./image.mjs";

/** Google's default and maximum number of images per call. */
const DEFAULT_SAMPLES = 4;
const MAX_SAMPLES = 4;
const ASPECT_RATIOS = ["1:1", "3:4", "4:3", "9:16", "16:9"];

/** @param {string} model */
export function isImagenModel(model) {
  return /^imagen-/.test(model);
}

/**
 * @param {any} body a PredictRequest
 * @returns {import("./errors.mjs").GoogleError | null}
 */
export function validatePredict(body) {
  const instances = body?.instances;
  if (!Array.isArray(instances) || instances.length === 0) return invalidArgument("instances must hold one instance with a prompt.");
  if (instances.some((i) => typeof i?.prompt !== "string" || i.prompt.trim() === "")) return invalidArgument("Prompt is required.");
  const params = body?.parameters ?? {};
  const count = params.sampleCount ?? DEFAULT_SAMPLES;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SAMPLES) {
    return invalidArgument(`sampleCount must be an integer from 1 to ${MAX_SAMPLES}.`);
  }
  if (params.aspectRatio !== undefined && !ASPECT_RATIOS.includes(params.aspectRatio)) {
    return invalidArgument(`aspectRatio must be one of ${ASPECT_RATIOS.join(", ")}.`);
  }
  return null;
}

/** @param {any} body a valid PredictRequest */
export function predictResponse(body) {
  const count = body?.parameters?.sampleCount ?? DEFAULT_SAMPLES;
  const predictions = [];
  for (let i = 0; i < count * body.instances.length; i++) predictions.push({ bytesBase64Encoded: FAKE_PNG_BASE64, mimeType: "image/png" });
  return { predictions };
}
