import { EventSourceParserStream } from "eventsource-parser/stream";
import type { GenerateContentResponse } from "../gemini/types";
import type { ResponsesEvent, ResponsesTranslator } from "../responses/translator";
import { redactSecrets } from "../util/redact";

export interface ResponsesStreamOptions {
  upstream: Response;
  translator: ResponsesTranslator;
  /** 0 disables heartbeats. */
  keepAliveMs: number;
  onFirstByte: () => void;
  /** Runs before the closing events go out, e.g. to store thought signatures the next turn needs. */
  beforeClose: () => Promise<void>;
  onEnd: (result: { error: string | null; aborted: boolean }) => void;
}

const encoder = new TextEncoder();

/** One Responses event as SSE: the event name is its `type`; there is no [DONE]. */
export function responsesSse(event: ResponsesEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Translates Gemini's SSE into Responses events as each one arrives (no buffering), with comment
 * heartbeats while Gemini is silent. After the first byte no retry is possible, so an upstream
 * failure ends the stream with response.failed carrying the error: never a silent cut.
 */
export function pipeResponsesStream(options: ResponsesStreamOptions): { body: ReadableStream<Uint8Array>; done: Promise<void> } {
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
  const writeEvents = async (events: ResponsesEvent[]) => {
    for (const event of events) {
      options.onFirstByte();
      await write(responsesSse(event));
    }
  };

  const heartbeat =
    options.keepAliveMs > 0
      ? setInterval(() => {
          if (Date.now() - lastWriteAt >= options.keepAliveMs) write(": keep-alive\n\n").catch(() => undefined);
        }, Math.min(options.keepAliveMs, 5_000))
      : undefined;

  const done = (async () => {
    let error: string | null = null;
    let aborted = false;
    const events = options.upstream.body!
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader();
    try {
      for (;;) {
        const { done: finished, value } = await events.read();
        if (finished) break;
        const event = parseEvent(value.data);
        if ("error" in event) {
          error = event.error;
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
        await writeEvents(error !== null ? options.translator.fail(redactSecrets(error)) : options.translator.finish());
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

function parseEvent(data: string): { data: GenerateContentResponse } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return { error: "Gemini sent an event that is not JSON" };
  }
  if (parsed && typeof parsed === "object" && "error" in parsed) {
    const upstream = (parsed as { error?: { message?: string } }).error;
    return { error: `Gemini reported an error mid-stream: ${upstream?.message ?? "unknown error"}` };
  }
  return { data: parsed as GenerateContentResponse };
}
