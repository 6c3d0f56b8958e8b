// Deterministic answers in Google's GenerateContentResponse / embeddings shapes.

import { bytesToBase64, randomId } from "./encoding.mjs";
import { isGemini3 } from "./models.mjs";
import { audioTokens, isTtsModel, speechPcm, TTS_MIME_TYPE } from "./audio.mjs";
import { IMAGE_TOKENS, imageParts, isImageModel } from "./image.mjs";

export const DEFAULT_TEXT = "Hello from fake Gemini";

/**
 * @typedef {object} ReplyConfig
 * @property {string} [text] answer text (default DEFAULT_TEXT)
 * @property {string} [fixture] replay a recorded fixture instead (see fixtures.mjs)
 * @property {{ name?: string, args?: object } | Array<{ name?: string, args?: object }>} [functionCall]
 *   when the request declares functions and its last turn is not a function response, call
 *   this function (default: the first declared) instead of answering, or several in parallel
 *   (an array); on Gemini 3 models the first call carries a thoughtSignature
 * @property {string} [thoughts] thought summary, sent as a `thought: true` part when the
 *   request asks for includeThoughts
 * @property {number} [thoughtsTokenCount] reported in usageMetadata when > 0
 * @property {number} [chunkDelayMs] pause between stream events
 * @property {number} [streamChunks] how many events a text answer is split into (default 3)
 */

/** @param {unknown} value */
function collectText(value) {
  let out = "";
  const walk = (v) => {
    if (typeof v === "string") return;
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        if (k === "text" && typeof child === "string") out += child;
        else walk(child);
      }
    }
  };
  walk(value);
  return out;
}

/** Google counts roughly one token per four characters of English text. @param {string} text */
export function countTokensOf(text) {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

/** @param {any} body a generateContent request */
export function promptTokens(body) {
  return countTokensOf(collectText([body?.contents, body?.systemInstruction ?? body?.system_instruction]));
}

export function newResponseId() {
  return bytesToBase64(crypto.getRandomValues(new Uint8Array(16))).replace(/\+/g, "-").replace(/\//g, "_").slice(0, 22);
}

let signatureSeq = 0;
/** An opaque signature like Google's (base64), unique per call. */
export function newThoughtSignature() {
  signatureSeq += 1;
  return btoa(`fake-thought-signature-${signatureSeq}-${randomId(12)}`);
}

/**
 * @param {number} prompt
 * @param {number} candidates
 * @param {number} thoughts
 */
function usage(prompt, candidates, thoughts) {
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + thoughts,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
  };
}

/** @param {any} body @returns {boolean} */
function wantsThoughts(body) {
  const config = body?.generationConfig ?? body?.generation_config;
  const thinking = config?.thinkingConfig ?? config?.thinking_config;
  return Boolean(thinking?.includeThoughts ?? thinking?.include_thoughts);
}

/** @param {any} body @returns {string[]} declared function names */
function declaredFunctions(body) {
  const tools = Array.isArray(body?.tools) ? body.tools : [];
  return tools.flatMap((t) => (t?.functionDeclarations ?? t?.function_declarations ?? []).map((d) => d?.name));
}

/** @param {any} body */
function lastTurnIsFunctionResponse(body) {
  const contents = Array.isArray(body?.contents) ? body.contents : [];
  const last = contents[contents.length - 1];
  return Boolean(last?.parts?.some((p) => p?.functionResponse || p?.function_response));
}

/**
 * The parts of the answer to a generateContent request, before it is split for a stream.
 * @param {any} body
 * @param {string} model
 * @param {ReplyConfig} reply
 * @returns {{ parts: any[], finishMessage?: string, audioTokens?: number }}
 */
export function answerParts(body, model, reply) {
  if (isTtsModel(model)) {
    // A TTS model reads the prompt aloud: the audio's length follows the text's.
    const pcm = speechPcm(collectText(body?.contents));
    return { parts: [{ inlineData: { mimeType: TTS_MIME_TYPE, data: bytesToBase64(pcm) } }], audioTokens: audioTokens(pcm) };
  }
  if (isImageModel(model)) return { parts: imageParts(body, isGemini3(model)), audioTokens: IMAGE_TOKENS };
  const functions = declaredFunctions(body);
  if (reply.functionCall && functions.length > 0 && !lastTurnIsFunctionResponse(body)) {
    const calls = Array.isArray(reply.functionCall) ? reply.functionCall : [reply.functionCall];
    const parts = calls.map((call, i) => {
      /** @type {any} */
      const part = { functionCall: { name: call.name ?? functions[0], args: call.args ?? {} } };
      // Parallel calls: only the first carries the signature, as Google sends them.
      if (i === 0 && isGemini3(model)) part.thoughtSignature = newThoughtSignature();
      return part;
    });
    return { parts, finishMessage: "Model generated function call(s)." };
  }
  const parts = [];
  if (reply.thoughts && wantsThoughts(body)) parts.push({ text: reply.thoughts, thought: true });
  parts.push({ text: reply.text ?? DEFAULT_TEXT });
  return { parts };
}

/**
 * A GenerateContentResponse with one finished candidate: the one place its shape is spelled.
 * @param {{ parts: any[], usageMetadata: object, modelVersion: string, responseId?: string, finishMessage?: string }} answer
 */
export function candidateResponse(answer) {
  const { parts, usageMetadata, modelVersion, responseId, finishMessage } = answer;
  return {
    candidates: [
      { content: { parts, role: "model" }, finishReason: "STOP", index: 0, ...(finishMessage ? { finishMessage } : {}) },
    ],
    usageMetadata,
    modelVersion,
    responseId: responseId ?? newResponseId(),
  };
}

/**
 * @param {any} body
 * @param {string} model
 * @param {ReplyConfig} reply
 */
export function generateResponse(body, model, reply) {
  const { parts, finishMessage, audioTokens: spoken } = answerParts(body, model, reply);
  const thoughts = reply.thoughtsTokenCount ?? 0;
  return candidateResponse({
    parts,
    finishMessage,
    usageMetadata: usage(promptTokens(body), spoken ?? countTokensOf(collectText(parts)), thoughts),
    modelVersion: model,
  });
}

/**
 * @param {string} text
 * @param {number} n
 */
function splitText(text, n) {
  const words = text.split(/(?<=\s)/);
  const count = Math.max(1, Math.min(n, words.length));
  const pieces = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = start + Math.floor(words.length / count) + (i < words.length % count ? 1 : 0);
    pieces.push(words.slice(start, end).join(""));
    start = end;
  }
  return pieces;
}

/**
 * The same answer as a series of streamGenerateContent events: text split over a few
 * events with usage growing, finishReason on the last; a function call arrives whole,
 * followed by an empty-text event with STOP (as in google-tool-call.chunks.txt).
 * @param {any} body
 * @param {string} model
 * @param {ReplyConfig} reply
 */
export function generateStreamChunks(body, model, reply) {
  const { parts, finishMessage } = answerParts(body, model, reply);
  const prompt = promptTokens(body);
  const thoughts = reply.thoughtsTokenCount ?? 0;
  const responseId = newResponseId();
  /** @type {any[][]} */
  const eventParts = [];
  const calls = parts.filter((p) => p.functionCall);
  if (calls.length) eventParts.push(calls);
  for (const part of parts) {
    if (part.functionCall) continue;
    if (typeof part.text === "string" && !part.thought) {
      for (const piece of splitText(part.text, reply.streamChunks ?? 3)) eventParts.push([{ text: piece }]);
    } else {
      eventParts.push([part]);
    }
  }
  if (parts.some((p) => p.functionCall)) eventParts.push([{ text: "" }]);
  let produced = "";
  return eventParts.map((ps, i) => {
    produced += collectText(ps);
    const last = i === eventParts.length - 1;
    const candidate = { content: { parts: ps, role: "model" }, index: 0 };
    if (last) Object.assign(candidate, { finishReason: "STOP" }, finishMessage ? { finishMessage } : {});
    return {
      candidates: [candidate],
      usageMetadata: usage(prompt, countTokensOf(produced), thoughts),
      modelVersion: model,
      responseId,
    };
  });
}

/**
 * A reply whose candidate has no parts (counts as "empty" for the proxy).
 * @param {any} body
 * @param {string} model
 */
export function emptyResponse(body, model) {
  return {
    candidates: [{ content: { role: "model" }, finishReason: "STOP", index: 0 }],
    usageMetadata: usage(promptTokens(body), 0, 0),
    modelVersion: model,
    responseId: newResponseId(),
  };
}

/**
 * A deterministic unit vector derived from the text (FNV-1a seeded xorshift).
 * @param {string} text
 * @param {number} dims
 */
export function embeddingValues(text, dims) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  let s = h || 1;
  const values = [];
  for (let i = 0; i < dims; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    values.push(s / 0xffffffff - 0.5);
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => Math.round((v / norm) * 1e7) / 1e7);
}

/** @param {any} request an EmbedContentRequest */
export function embedOne(request) {
  const dims = Number(request?.outputDimensionality ?? request?.output_dimensionality ?? 768);
  return { values: embeddingValues(collectText(request?.content), dims) };
}

/** @param {any} body a countTokens request ({contents} or {generateContentRequest}) */
export function countTokensResponse(body) {
  const source = body?.generateContentRequest ?? body?.generate_content_request ?? body;
  const total = promptTokens(source);
  return { totalTokens: total, promptTokensDetails: [{ modality: "TEXT", tokenCount: total }] };
}
