import { EventSourceParserStream } from "eventsource-parser/stream";
import { MAX_UPSTREAM_EVENT_CHARS } from "../gemini/client";
import type { GenerateContentResponse } from "../gemini/types";
import { hasTokenCounts, usageFromGemini, type UsageFigures } from "../openai/usage";

/**
 * Forwards Google's stream byte for byte while a tee reads the SSE events for the ledger's
 * token counts (taken from the last event that has them).
 */
export function passThroughStream(
  upstream: Response,
  hooks: {
    onFirstByte: () => void;
    /** `error`: Google's stream broke or reported an error mid-way (the client got what came before). */
    onEnd: (result: { usage: UsageFigures | null; aborted: boolean; error: string | null }) => void;
  },
  maxEventChars = MAX_UPSTREAM_EVENT_CHARS,
): { body: ReadableStream<Uint8Array>; done: Promise<void> } {
  const [toClient, toMeter] = upstream.body!.tee();
  let usage: UsageFigures | null = null;
  let aborted = false;
  let error: string | null = null;
  let sawFirst = false;
  const forward = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (!sawFirst) {
        sawFirst = true;
        hooks.onFirstByte();
      }
      controller.enqueue(chunk);
    },
  });
  const forwarding = toClient.pipeTo(forward.writable).catch(() => {
    aborted = true;
  });
  const metering = (async () => {
    // An event too large to meter ends the metering (and the ledger says so), not the client's bytes.
    const reader = toMeter
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream({ maxBufferSize: maxEventChars, onError: "terminate" }))
      .getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        let event: (GenerateContentResponse & { error?: { message?: string } }) | undefined;
        try {
          event = JSON.parse(value.data) as GenerateContentResponse;
        } catch {
          // Not JSON: nothing to meter; the client still gets the bytes.
        }
        if (event?.error) error ??= `Gemini reported an error mid-stream: ${event.error.message ?? "unknown error"}`;
        else if (event && hasTokenCounts(event.usageMetadata)) usage = usageFromGemini(event.usageMetadata);
      }
    } catch (caught) {
      // The tee gives both branches the upstream's failure; a client that went away only ends the other one.
      error ??= `the upstream stream broke: ${String(caught)}`;
    }
  })();
  const done = Promise.all([forwarding, metering]).then(() => hooks.onEnd({ usage, aborted, error }));
  return { body: forward.readable, done };
}
