import type { UsageFigures } from "../openai/usage";
import { rememberSignatures } from "../signatures/signature-store";
import type { Answer, CallDeps, CallEnd } from "./front-door";
import { pipeSse, type SseProtocol } from "./sse-pipe";

/** What every door's stream translator reports once the stream has ended. */
export interface StreamTranslatorState {
  readonly usage: UsageFigures;
  readonly blocked: boolean;
  /** Thought signatures by tool-call id, for the client's next turn. */
  readonly signatures: Record<string, string>;
  /** Images sent (chat image output), counted however the stream ended. */
  readonly images?: number;
}

/**
 * A streamed answer in a door's protocol: each upstream event translated and forwarded as it
 * arrives, the thought signatures remembered before the stream closes, and the ledger row's
 * ending (`ended`) when it is over: aborted by the client, broken by Google, or done.
 */
export function streamAnswer(
  upstream: Response,
  protocol: SseProtocol,
  translator: StreamTranslatorState,
  deps: CallDeps,
  markFirstByte: () => void,
): Answer {
  let ended!: (end: CallEnd) => void;
  const endedPromise = new Promise<CallEnd>((resolve) => (ended = resolve));
  const stream = pipeSse({
    upstream,
    protocol,
    keepAliveMs: deps.config.settings.keepAliveSeconds * 1000,
    onFirstByte: markFirstByte,
    beforeClose: () => rememberSignatures(deps.env.DB, translator.signatures),
    onEnd: ({ error, aborted }) => {
      const figures = { tokens: translator.usage, ...(translator.images ? { media: { images: translator.images } } : {}) };
      if (aborted) ended({ status: 499, outcome: "aborted", code: "client_disconnected", ...figures });
      else if (error !== null) ended({ status: 200, outcome: "upstream_error", code: "stream_error", ...figures });
      else ended({ status: 200, outcome: translator.blocked ? "blocked" : "ok", ...figures });
    },
  });
  deps.waitUntil(stream.done);
  return {
    kind: "stream",
    ended: endedPromise,
    response: new Response(stream.body, {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" },
    }),
  };
}
