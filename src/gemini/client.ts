import { classifyUpstreamError } from "./classify";
import type { UpstreamFailure } from "./failure";
import { BodyLimitError, readTextBounded } from "../util/read-bounded";

export const DEFAULT_GEMINI_API_BASE = "https://generativelanguage.googleapis.com";
/** A non-streamed reply larger than this is refused (a few generated images fit many times over). */
export const MAX_UPSTREAM_REPLY_BYTES = 32 * 1024 * 1024;
/**
 * One SSE event (or an unterminated line) of a streamed reply larger than this breaks the
 * stream instead of growing in memory until the attempt times out.
 */
export const MAX_UPSTREAM_EVENT_CHARS = 32 * 1024 * 1024;

export interface GeminiRequest {
  base: string | undefined;
  apiKey: string;
  /** Path under /v1beta/, e.g. "models/gemini-2.5-flash:generateContent". */
  path: string;
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  /** Under /upload/v1beta/ (file uploads) instead of /v1beta/. */
  upload?: boolean;
  /** Headers besides the key and the content type (an upload's X-Goog-Upload-*). */
  headers?: Record<string, string>;
  body?: unknown;
  /** Sent as is instead of `body` as JSON; a stream goes through without being buffered. */
  rawBody?: ReadableStream<Uint8Array> | string | null;
  query?: Record<string, string>;
  /** The client's disconnect. */
  signal?: AbortSignal;
  /** Until the whole answer is read, or for a stream until its headers arrive. */
  timeoutMs: number;
  /** Leave the body unread for the caller to stream. */
  stream?: boolean;
}

export type GeminiAttempt =
  | { ok: true; response: Response }
  | { ok: false; failure: UpstreamFailure; status: number | null };

/**
 * One call to Google. The key goes in the x-goog-api-key header, never in the URL, so it
 * cannot leak into logs. Non-2xx answers are read and classified here.
 */
export async function callGemini(request: GeminiRequest): Promise<GeminiAttempt> {
  const url = new URL(`/${request.upload ? "upload/" : ""}v1beta/${request.path}`, request.base || DEFAULT_GEMINI_API_BASE);
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("timeout")), request.timeoutMs);
  const onClientAbort = () => controller.abort(new Error("client disconnected"));
  request.signal?.addEventListener("abort", onClientAbort, { once: true });

  try {
    const raw = request.rawBody !== undefined;
    const response = await fetch(url, {
      method: request.method ?? "POST",
      headers: {
        ...request.headers,
        "x-goog-api-key": request.apiKey,
        ...(request.body !== undefined && !raw ? { "content-type": "application/json" } : {}),
      },
      body: raw ? request.rawBody : request.body !== undefined ? JSON.stringify(request.body) : undefined,
      // A streamed request body (an upload) is sent as it arrives.
      ...(raw && request.rawBody instanceof ReadableStream ? { duplex: "half" } : {}),
      signal: controller.signal,
    } as RequestInit);
    if (response.ok && request.stream) {
      clearTimeout(timer);
      return { ok: true, response };
    }
    // Read under the timer, so a body that stalls after the headers still times out; and bounded,
    // so an absurd reply cannot take the isolate's memory (128 MB) from every other call.
    const text = await readTextBounded(response, MAX_UPSTREAM_REPLY_BYTES, controller.signal);
    clearTimeout(timer);
    if (response.ok) return { ok: true, response: new Response(text, response) };
    return { ok: false, failure: classifyUpstreamError(response.status, text), status: response.status };
  } catch (error) {
    clearTimeout(timer);
    if (request.signal?.aborted) {
      return { ok: false, failure: { kind: "client_gone", message: "the client closed the connection" }, status: null };
    }
    if (error instanceof BodyLimitError && error.reason === "too_large") {
      return { ok: false, failure: { kind: "server", status: 502, message: `the reply is larger than ${MAX_UPSTREAM_REPLY_BYTES} bytes` }, status: null };
    }
    if (controller.signal.aborted) {
      return { ok: false, failure: { kind: "timeout", message: `no answer within ${request.timeoutMs} ms` }, status: null };
    }
    return { ok: false, failure: { kind: "network", message: String(error) }, status: null };
  } finally {
    request.signal?.removeEventListener("abort", onClientAbort);
  }
}
