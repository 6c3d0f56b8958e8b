import { anthropicStreamError } from "../anthropic/errors";
import { SSE_PING, sseEvent } from "../anthropic/sse";
import type { MessagesStreamTranslator } from "../anthropic/stream";
import type { SseProtocol } from "./sse-pipe";

/**
 * Anthropic's streaming protocol for the one SSE pump (src/proxy/sse-pipe.ts): the translator's
 * events as `event: <type>` + `data:`, `ping` while Gemini is silent, and a stream Google broke
 * off ends with Anthropic's `error` event (`overloaded_error` for Google's overload, else
 * `api_error`), never a silent cut.
 */
export function messagesProtocol(translator: MessagesStreamTranslator): SseProtocol {
  return {
    push: (chunk) => translator.push(chunk).map((event) => sseEvent(event.type, event)),
    finish: () => translator.finish().map((event) => sseEvent(event.type, event)),
    fail: (broken) => [
      anthropicStreamError({
        status: broken.overloaded ? 503 : 500,
        code: broken.overloaded ? "overloaded" : "stream_error",
        message: broken.message,
      }),
    ],
    keepAlive: SSE_PING,
  };
}
