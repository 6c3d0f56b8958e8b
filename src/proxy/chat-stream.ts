import { openAIError } from "../openai/errors";
import { SSE_DONE, SSE_KEEPALIVE, sseEvent, type ChatStreamTranslator } from "../openai/stream";
import type { SseProtocol } from "./sse-pipe";

/**
 * OpenAI's Chat Completions streaming protocol for the one SSE pump (src/proxy/sse-pipe.ts):
 * chunks as `data:`, comment keep-alives while Gemini is silent, and a stream Google broke off
 * ends with an OpenAI error event followed by [DONE].
 */
export function chatProtocol(translator: ChatStreamTranslator): SseProtocol {
  return {
    push: (chunk) => translator.push(chunk).map(sseEvent),
    finish: () => [...translator.finish().map(sseEvent), SSE_DONE],
    fail: (broken) => [sseEvent(openAIError(broken.message, "upstream_error", "stream_error")), SSE_DONE],
    keepAlive: SSE_KEEPALIVE,
  };
}
