import type { CallLog } from "./call-log";
import type { CallFailure } from "./failure-policy";
import type { Answer, CallDeps, FrontDoor, GeminiCallSpec } from "./front-door";

/** How a call ended before its answer went out: a failure to render, or the door's answer. */
export type Concluded = { kind: "failure"; failure: CallFailure } | { kind: "answer"; answer: Answer };

/**
 * How a call keeps its connection open while Google is silent (thinking for minutes before its
 * first byte; clients, proxies and Cloudflare's edge drop idle connections after 100–125 s):
 *   sse         a streamed call whose door can end a stream with a failure (streamFailure):
 *               SSE comments until the door's stream begins;
 *   whitespace  a non-streamed call of a client key that opted in: spaces before the JSON body
 *               (JSON allows leading whitespace), so the status is 200 before the outcome is known.
 */
export interface HeadStart {
  afterMs: number;
  contentType: string;
  filler: string;
  /** The text that ends the answer when the call fails after the headers went out. */
  failure: (failure: CallFailure) => Promise<string>;
}

const encoder = new TextEncoder();
const SILENT = Symbol("silent");

/** The head start this call may take, or null (keep-alives off, or nothing to end it with). */
export function headStartFor<Req, Reply>(door: FrontDoor<Req, Reply>, parsed: Req, spec: GeminiCallSpec, deps: CallDeps): HeadStart | null {
  const afterMs = deps.config.settings.keepAliveSeconds * 1000;
  if (afterMs <= 0) return null;
  if (door.streamed(parsed)) {
    // Only when Google is asked for SSE: a JSON-array stream (native without alt=sse) has no comments.
    const streamFailure = door.streamFailure?.bind(door);
    if (!streamFailure || !spec.stream || spec.query?.alt !== "sse") return null;
    return {
      afterMs,
      contentType: "text/event-stream; charset=utf-8",
      filler: ": keep-alive\n\n",
      failure: async (failure) => streamFailure(failure, parsed),
    };
  }
  if (!deps.clientKey.options.keepAliveWhitespace || door.answersJson?.(parsed) === false) return null;
  return {
    afterMs,
    contentType: "application/json",
    filler: " ",
    failure: (failure) => door.renderFailure(failure).text(),
  };
}

/** The call's conclusion if it comes within `ms`, else SILENT (the work goes on). */
export async function within<T>(work: Promise<T>, ms: number): Promise<T | typeof SILENT> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const silence = new Promise<typeof SILENT>((resolve) => (timer = setTimeout(() => resolve(SILENT), ms)));
  try {
    return await Promise.race([work, silence]);
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}
export { SILENT };

/**
 * Sends the headers (200) and a filler now, and one every `afterMs` until the call concludes;
 * then the door's answer (its stream piped through, or its JSON), or the failure in the door's
 * protocol. Failover goes on meanwhile; the ledger row is written as without a head start:
 * a failure with the failure's status and outcome, an answer as the door ends it.
 */
export function answerEarly(start: HeadStart, concluded: Promise<Concluded>, log: CallLog, deps: CallDeps): Response {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  let gone = false;
  const write = async (text: string | Uint8Array) => {
    if (gone) return;
    try {
      await writer.write(typeof text === "string" ? encoder.encode(text) : text);
    } catch {
      gone = true;
    }
  };
  void write(start.filler);
  const timer = setInterval(() => void write(start.filler), start.afterMs);

  const done = (async () => {
    const outcome = await concluded.finally(() => clearInterval(timer));
    if (outcome.kind === "failure" && gone) {
      log.finish(499, "aborted", "client_disconnected");
    } else if (outcome.kind === "failure") {
      const { failure } = outcome;
      log.finish(failure.status, failure.outcome, failure.code);
      await write(await start.failure(failure));
    } else if (outcome.answer.kind === "json") {
      const { body, end } = outcome.answer;
      if (end.tokens) log.tokens = end.tokens;
      if (end.media) log.media = end.media;
      log.markFirstByte();
      log.finish(end.status, end.outcome, end.code ?? null);
      await write(JSON.stringify(body));
    } else {
      log.finishWhen(outcome.answer.ended);
      const reader = outcome.answer.response.body!.getReader();
      for (;;) {
        const { done: finished, value } = await reader.read();
        if (finished) break;
        await write(value);
        if (gone) {
          // The client went away: the door's stream sees the cancel and ends its row as aborted.
          await reader.cancel().catch(() => undefined);
          break;
        }
      }
    }
    if (!gone) await writer.close().catch(() => undefined);
  })();
  deps.waitUntil(done);
  return new Response(readable, { status: 200, headers: { "content-type": start.contentType, "cache-control": "no-cache" } });
}
