import { openAIError } from "../openai/errors";
import { SSE_DONE, SSE_KEEPALIVE, sseEvent, type ChatStreamTranslator } from "../openai/stream";
import type { SseProtocol } from "./sse-pipe";

/** The images a chat answer sent so far (message.images / delta.images), for its ledger row. */
export interface ImagesSent {
  images: number;
}

/** How many images a chat.completion or chat.completion.chunk carries across its choices. */
export function imagesIn(answer: object): number {
  const choices = (answer as { choices?: { message?: { images?: unknown[] }; delta?: { images?: unknown[] } }[] }).choices ?? [];
  let count = 0;
  for (const choice of choices) count += (choice.message?.images?.length ?? 0) + (choice.delta?.images?.length ?? 0);
  return count;
}

/**
 * OpenAI's Chat Completions streaming protocol for the one SSE pump (src/proxy/sse-pipe.ts):
 * chunks as `data:`, comment keep-alives while Gemini is silent, and a stream Google broke off
 * ends with an OpenAI error event followed by [DONE]. `sent` counts the images as they go out.
 */
export function chatProtocol(translator: ChatStreamTranslator, sent: ImagesSent = { images: 0 }): SseProtocol {
  const counted = (chunks: object[]) => {
    for (const chunk of chunks) sent.images += imagesIn(chunk);
    return chunks.map(sseEvent);
  };
  return {
    push: (chunk) => counted(translator.push(chunk)),
    finish: () => [...counted(translator.finish()), SSE_DONE],
    fail: (broken) => [sseEvent(openAIError(broken.message, "upstream_error", "stream_error")), SSE_DONE],
    keepAlive: SSE_KEEPALIVE,
  };
}
