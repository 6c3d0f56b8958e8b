import type { ResponsesEvent, ResponsesTranslator } from "../responses/translator";
import type { SseProtocol } from "./sse-pipe";

/** One Responses event as SSE: the event name is its `type`; there is no [DONE]. */
export function responsesSse(event: ResponsesEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * OpenAI's Responses streaming protocol for the one SSE pump (src/proxy/sse-pipe.ts): the
 * translator's events with their sequence numbers, comment keep-alives while Gemini is silent,
 * and a stream Google broke off ends with response.failed carrying the error, never a silent cut.
 */
export function responsesProtocol(translator: ResponsesTranslator): SseProtocol {
  return {
    push: (chunk) => translator.push(chunk).map(responsesSse),
    finish: () => translator.finish().map(responsesSse),
    fail: (broken) => translator.fail(broken.message).map(responsesSse),
    keepAlive: ": keep-alive\n\n",
  };
}
