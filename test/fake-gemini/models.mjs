// The model catalogue the fake serves (GET /v1beta/models) and accepts in calls.
// Shapes follow Google's Model resource; limits are the published ones, rounded.

const CHAT_METHODS = ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"];
const EMBED_METHODS = ["embedContent", "countTextTokens", "countTokens"];

const PREDICT_METHODS = ["predict"];

/**
 * @typedef {{ name: string, version: string, displayName: string, description: string,
 *   inputTokenLimit: number, outputTokenLimit: number, supportedGenerationMethods: string[],
 *   temperature?: number, topP?: number, topK?: number, maxTemperature?: number, thinking?: boolean }} GeminiModel
 */

/**
 * @param {string} id
 * @param {string} displayName
 * @param {{ thinking?: boolean, embed?: boolean }} [opts]
 * @returns {GeminiModel}
 */
export function modelResource(id, displayName, opts = {}) {
  if (/^imagen-/.test(id)) {
    return {
      name: `models/${id}`,
      version: "001",
      displayName,
      description: `${displayName} (fake)`,
      inputTokenLimit: 480,
      outputTokenLimit: 8192,
      supportedGenerationMethods: PREDICT_METHODS,
    };
  }
  if (opts.embed) {
    return {
      name: `models/${id}`,
      version: "001",
      displayName,
      description: `${displayName} (fake)`,
      inputTokenLimit: 2048,
      outputTokenLimit: 1,
      supportedGenerationMethods: id === "gemini-embedding-001" ? [...EMBED_METHODS, "asyncBatchEmbedContent"] : EMBED_METHODS,
    };
  }
  return {
    name: `models/${id}`,
    version: id.replace(/^gemini-/, ""),
    displayName,
    description: `${displayName} (fake)`,
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
    supportedGenerationMethods: CHAT_METHODS,
    temperature: 1,
    topP: 0.95,
    topK: 64,
    maxTemperature: 2,
    ...(opts.thinking ? { thinking: true } : {}),
  };
}

/** @returns {GeminiModel[]} the default catalogue, in the order listed. */
export function defaultModels() {
  return [
    modelResource("gemini-2.0-flash", "Gemini 2.0 Flash"),
    modelResource("gemini-2.5-flash", "Gemini 2.5 Flash", { thinking: true }),
    modelResource("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", { thinking: true }),
    modelResource("gemini-2.5-pro", "Gemini 2.5 Pro", { thinking: true }),
    modelResource("gemini-3-flash-preview", "Gemini 3 Flash Preview", { thinking: true }),
    modelResource("gemini-3-pro-preview", "Gemini 3 Pro Preview", { thinking: true }),
    modelResource("gemini-3.1-pro-preview", "Gemini 3.1 Pro Preview", { thinking: true }),
    modelResource("gemini-2.5-flash-preview-tts", "Gemini 2.5 Flash Preview TTS"),
    modelResource("gemini-2.5-pro-preview-tts", "Gemini 2.5 Pro Preview TTS"),
    modelResource("gemini-2.5-flash-image", "Gemini 2.5 Flash Image"),
    modelResource("gemini-3.1-flash-image", "Gemini 3.1 Flash Image"),
    modelResource("imagen-4.0-generate-001", "Imagen 4"),
    modelResource("imagen-4.0-fast-generate-001", "Imagen 4 Fast"),
    modelResource("imagen-4.0-ultra-generate-001", "Imagen 4 Ultra"),
    modelResource("gemini-embedding-001", "Gemini Embedding 001", { embed: true }),
    modelResource("text-embedding-004", "Text Embedding 004", { embed: true }),
  ];
}

/** @param {string} model */
export function isGemini3(model) {
  return /^gemini-3/.test(model);
}

/** @param {string} model  Gemini 3 Pro models refuse thinkingLevel MINIMAL. */
export function isGemini3Pro(model) {
  return /^gemini-3(\.\d+)?-pro/.test(model);
}
