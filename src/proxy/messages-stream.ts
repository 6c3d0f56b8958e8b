import { EventSourceParserStream } from "eventsource-parser/stream";
import { anthropicStreamError } from "../anthropic/errors";
import { SSE_PING, sseEvent } from "../anthropic/sse";
import type { MessageEvent, MessagesStreamTranslator } from "../anthropic/stream";
import type { GenerateContentResponse } from "../gemini/types";

export interface MessagesStreamOptions {
  upstream: Response;
  translator: MessagesStreamTranslator;
  /** 0 disables pings. */
  keepAliveMs: number;
  onFirstByte: () => void;
  /** Runs before the closing events go out, e.g. to store thought signatures the next turn needs. */
  beforeClose: () => Promise<void>;
  onEnd: (result: { error: string | null; aborted: boolean }) => void;
}

const encoder = new TextEncoder();

const toSse = (event: MessageEvent): string => sseEvent(event.type, event);

/**
 * Translates Gemini's SSE into Anthropic's events as each one arrives (no buffering), with
 * `ping` events while Gemini is silent. After the first byte no retry is possible, so an
 * upstream failure becomes Anthropic's `error` event and the stream ends: never a silent cut.
 */
export function pipeMessagesStream(options: MessagesStreamOptions): { body: ReadableStream<Uint8Array>; done: Promise<void> } {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  let lastWriteAt = Date.now();
  let clientGone = false;
  const write = async (text: string) => {
    lastWriteAt = Date.now();
    try {
      await writer.write(encoder.encode(text));
    } catch (error) {
      clientGone = true;
      throw error;
    }
  };
  const writeEvents = async (events: MessageEvent[]) => {
    for (const event of events) {
      options.onFirstByte();
      await write(toSse(event));
    }
  };

  const heartbeat =
    options.keepAliveMs > 0
      ? setInterval(() => {
          if (Date.now() - lastWriteAt >= options.keepAliveMs) write(SSE_PING).catch(() => undefined);
        }, Math.min(options.keepAliveMs, 5_000))
      : undefined;

  const done = (async () => {
    let error: string | null = null;
    let overloaded = false;
    let aborted = false;
    const events = options.upstream.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
    try {
      for (;;) {
        const { done: finished, value } = await events.read();
        if (finished) break;
        const event = parseEvent(value.data);
        if ("error" in event) {
          error = event.error;
          overloaded = event.overloaded;
          break;
        }
        await writeEvents(options.translator.push(event.data));
      }
    } catch (caught) {
      if (clientGone) aborted = true;
      else error = `the upstream stream broke: ${String(caught)}`;
    }
    try {
      if (aborted) {
        await events.cancel().catch(() => undefined);
      } else {
        await options.beforeClose().catch((e: unknown) => console.error(`before stream close: ${String(e)}`));
        if (error !== null) await write(anthropicStreamError({ status: overloaded ? 503 : 500, code: overloaded ? "overloaded" : "stream_error", message: error }));
        else await writeEvents(options.translator.finish());
        await writer.close();
      }
    } catch {
      aborted = true;
    } finally {
      if (heartbeat !== undefined) clearInterval(heartbeat);
      options.onEnd({ error, aborted });
    }
  })();

  return { body: readable, done };
}

function parseEvent(data: string): { data: GenerateContentResponse } | { error: string; overloaded: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return { error: "Gemini sent an event that is not JSON", overloaded: false };
  }
  if (parsed && typeof parsed === "object" && "error" in parsed) {
    const upstream = (parsed as { error?: { message?: string; code?: number } }).error;
    // Google's 503 mid-stream is its overload: Anthropic's clients know it as overloaded_error.
    return { error: `Gemini reported an error mid-stream: ${upstream?.message ?? "unknown error"}`, overloaded: upstream?.code === 503 };
  }
  return { data: parsed as GenerateContentResponse };
}
