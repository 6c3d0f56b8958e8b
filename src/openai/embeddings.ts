import type { BatchEmbedContentsRequest, BatchEmbedContentsResponse } from "../gemini/types";
import { toBase64 } from "../util/base64";
import { TranslationError } from "./errors";
import type { EmbeddingsRequest } from "./schemas";
import { ZERO_USAGE, type UsageFigures } from "./usage";

/** Google answers 400 above this ("at most 100 requests can be in one batch"). */
export const MAX_EMBEDDING_INPUTS = 100;

function inputTexts(input: EmbeddingsRequest["input"]): string[] {
  if (typeof input === "string") return [input];
  if (input.every((item): item is string => typeof item === "string")) return input;
  throw new TranslationError("Token-array input is not supported by Gemini embeddings; send text.", {
    param: "input",
    code: "unsupported_value",
  });
}

/** OpenAI embeddings request -> Gemini batchEmbedContents (one request per input, in order). */
export function toGeminiBatchEmbedRequest(req: EmbeddingsRequest, upstreamModel: string): BatchEmbedContentsRequest {
  const texts = inputTexts(req.input);
  if (texts.length === 0) throw new TranslationError("`input` must not be empty.", { param: "input" });
  if (texts.length > MAX_EMBEDDING_INPUTS) {
    throw new TranslationError(`Gemini embeds at most ${MAX_EMBEDDING_INPUTS} inputs per request; got ${texts.length}.`, {
      param: "input",
      code: "too_many_inputs",
    });
  }
  texts.forEach((text, index) => {
    if (text === "") {
      throw new TranslationError("Input must not be an empty string.", {
        param: typeof req.input === "string" ? "input" : `input[${index}]`,
      });
    }
  });
  const model = `models/${upstreamModel}`;
  return {
    requests: texts.map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(req.dimensions != null ? { outputDimensionality: req.dimensions } : {}),
    })),
  };
}

/** Little-endian float32 bytes in base64: what the openai SDK decodes for encoding_format "base64". */
export function float32Base64(values: readonly number[]): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => view.setFloat32(index * 4, value, true));
  return toBase64(bytes);
}

/**
 * Gemini batchEmbedContents answer -> OpenAI embeddings list. Throws a plain Error (an upstream
 * fault, not the client's) when Google returns a different number of vectors than inputs.
 */
export function toOpenAIEmbeddings(
  res: BatchEmbedContentsResponse,
  req: EmbeddingsRequest,
  model: string,
): { body: object; usage: UsageFigures } {
  const expected = typeof req.input === "string" ? 1 : req.input.length;
  const embeddings = res.embeddings ?? [];
  if (embeddings.length !== expected) {
    throw new Error(`Gemini returned ${embeddings.length} embeddings for ${expected} inputs.`);
  }
  const base64 = req.encoding_format === "base64";
  const data = embeddings.map((embedding, index) => {
    const values = embedding.values ?? [];
    return { object: "embedding", index, embedding: base64 ? float32Base64(values) : values };
  });
  const promptTokens = res.usageMetadata?.promptTokenCount ?? 0;
  const usage: UsageFigures = { ...ZERO_USAGE, promptTokens, totalTokens: promptTokens };
  return {
    body: { object: "list", data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } },
    usage,
  };
}
