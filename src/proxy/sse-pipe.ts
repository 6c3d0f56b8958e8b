import { EventSourceParserStream } from "eventsource-parser/stream";
import { MAX_UPSTREAM_EVENT_CHARS } from "../gemini/client";
import type { GenerateContentResponse } from "../gemini/types";
import { redactSecrets } from "../util/redact";

/** How Google's stream broke off after the first byte. */
export interface StreamBreak {
  /** Redacted: safe to show the client. */
  message: string;
  /** Google said it is overloaded (Anthropic-style doors answer 529 for it). */
  overloaded: boolean;
}

/**
 * A front door's streaming protocol over Gemini's SSE: each method returns the SSE text to send
 * (already framed, e.g. `data: …\n\n`), so one pump serves every door.
 */
export interface SseProtocol {
  push(chunk: GenerateContentResponse): string[];
  /** The closing text of a stream that ended well (OpenAI's [DONE], Anthropic's message_stop, …). */
  finish(): string[];
  /** The closing text of a stream Google broke off: an error in the door's shape, never a silent cut. */
  fail(broken: StreamBreak): string[];
  /** What a quiet stream sends to keep the connection open (a comment, Anthropic's ping). */
  keepAlive: string;
}

export interface SsePipeOptions {
  upstream: Response;
  protocol: SseProtocol;
  /** 0 disables keep-alives. */
  keepAliveMs: number;
  onFirstByte: () => void;
  /** Runs before the closing text goes out, e.g. to store thought signatures the next turn needs. */
  beforeClose: () => Promise<void>;
  onEnd: (result: { error: string | null; aborted: boolean }) => void;
  /** Characters one event may hold before the stream counts as broken (tests lower it). */
  maxEventChars?: number;
}

const encoder = new TextEncoder();

/**
 * Translates Gemini's SSE into a door's protocol as each event arrives (no buffering), with
 * keep-alives while Gemini is silent. After the first byte no retry is possible, so an upstream
 * failure ends the stream with the protocol's own error.
 */
export function pipeSse(options: SsePipeOptions): { body: ReadableStream<Uint8Array>; done: Promise<void> } {
  const { protocol } = options;
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
  const writeAll = async (texts: string[], content: boolean) => {
    for (const text of texts) {
      if (content) options.onFirstByte();
      await write(text);
    }
  };

  const heartbeat =
    options.keepAliveMs > 0
      ? setInterval(() => {
          if (Date.now() - lastWriteAt >= options.keepAliveMs) write(protocol.keepAlive).catch(() => undefined);
        }, Math.min(options.keepAliveMs, 5_000))
      : undefined;

  const done = (async () => {
    let broken: StreamBreak | null = null;
    let aborted = false;
    const events = options.upstream
      .body!.pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream({ maxBufferSize: options.maxEventChars ?? MAX_UPSTREAM_EVENT_CHARS, onError: "terminate" }))
      .getReader();
    try {
      for (;;) {
        const { done: finished, value } = await events.read();
        if (finished) break;
        const event = parseEvent(value.data);
        if ("broken" in event) {
          broken = event.broken;
          break;
        }
        await writeAll(protocol.push(event.data), true);
      }
    } catch (caught) {
      if (clientGone) aborted = true;
      else broken = { message: redactSecrets(`the upstream stream broke: ${String(caught)}`), overloaded: false };
    }
    try {
      if (aborted) {
        await events.cancel().catch(() => undefined);
      } else {
        await options.beforeClose().catch((e: unknown) => console.error(`before stream close: ${String(e)}`));
        await writeAll(broken !== null ? protocol.fail(broken) : protocol.finish(), false);
        await writer.close();
      }
    } catch {
      aborted = true;
    } finally {
      if (heartbeat !== undefined) clearInterval(heartbeat);
      options.onEnd({ error: broken?.message ?? null, aborted });
    }
  })();

  return { body: readable, done };
}

function parseEvent(data: string): { data: GenerateContentResponse } | { broken: StreamBreak } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return { broken: { message: "Gemini sent an event that is not JSON", overloaded: false } };
  }
  if (parsed && typeof parsed === "object" && "error" in parsed) {
    const upstream = (parsed as { error?: { message?: string; status?: string; code?: number } }).error;
    return {
      broken: {
        message: redactSecrets(`Gemini reported an error mid-stream: ${upstream?.message ?? "unknown error"}`),
        overloaded: upstream?.status === "UNAVAILABLE" || upstream?.code === 503,
      },
    };
  }
  return { data: parsed as GenerateContentResponse };
}
