import { EventSourceParserStream } from "eventsource-parser/stream";
import type { GenerateContentResponse } from "../gemini/types";
import { hasTokenCounts, usageFromGemini, type UsageFigures } from "../openai/usage";

/**
 * Forwards Google's stream byte for byte while a tee reads the SSE events for the ledger's
 * token counts (taken from the last event that has them).
 */
export function passThroughStream(
  upstream: Response,
  hooks: { onFirstByte: () => void; onEnd: (result: { usage: UsageFigures | null; aborted: boolean }) => void },
): { body: ReadableStream<Uint8Array>; done: Promise<void> } {
  const [toClient, toMeter] = upstream.body!.tee();
  let usage: UsageFigures | null = null;
  let aborted = false;
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
    const reader = toMeter.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        try {
          const event = JSON.parse(value.data) as GenerateContentResponse;
          if (hasTokenCounts(event.usageMetadata)) usage = usageFromGemini(event.usageMetadata);
        } catch {
          // Not JSON: nothing to meter; the client still gets the bytes.
        }
      }
    } catch {
      // The client's side decides whether the call was aborted.
    }
  })();
  const done = Promise.all([forwarding, metering]).then(() => hooks.onEnd({ usage, aborted }));
  return { body: forward.readable, done };
}
