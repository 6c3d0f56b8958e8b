import { EventSourceParserStream } from "eventsource-parser/stream";
import type { GenerateContentResponse } from "../gemini/types";
import { openAIError } from "../openai/errors";
import { redactSecrets } from "../util/redact";
import { SSE_DONE, SSE_KEEPALIVE, sseEvent, type ChatStreamTranslator } from "../openai/stream";

export interface ChatStreamOptions {
  upstream: Response;
  translator: ChatStreamTranslator;
  /** 0 disables heartbeats. */
  keepAliveMs: number;
  onFirstByte: () => void;
  /** Runs before the closing chunks go out, e.g. to store thought signatures the next turn needs. */
  beforeClose: () => Promise<void>;
  onEnd: (result: { error: string | null; aborted: boolean }) => void;
}

const encoder = new TextEncoder();

/**
 * Translates Gemini's SSE into OpenAI's as each event arrives (no buffering), with comment
 * heartbeats while Gemini is silent. After the first byte no retry is possible, so an
 * upstream failure becomes an OpenAI error event followed by [DONE].
 */
export function pipeChatStream(options: ChatStreamOptions): { body: ReadableStream<Uint8Array>; done: Promise<void> } {
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

  const heartbeat =
    options.keepAliveMs > 0
      ? setInterval(() => {
          if (Date.now() - lastWriteAt >= options.keepAliveMs) write(SSE_KEEPALIVE).catch(() => undefined);
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
        for (const chunk of options.translator.push(event.data)) {
          options.onFirstByte();
          await write(sseEvent(chunk));
        }
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
        if (error !== null) {
          await write(sseEvent(openAIError(redactSecrets(error), "upstream_error", "stream_error")));
        } else {
          for (const chunk of options.translator.finish()) await write(sseEvent(chunk));
        }
        await write(SSE_DONE);
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
