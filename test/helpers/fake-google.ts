/// <reference types="vite/client" />
// Google for workerd tests, at the Worker's fetch boundary. Two ways, one source of Google's
// behaviour and shapes (test/fake-gemini, the same core the e2e suite serves over node:http):
// - useFakeGemini(): every fetch goes to a fresh fake Gemini; set behaviours (429 for key X,
//   invalid key, …) with its control API and read what it received from its state;
// - fakeGoogle(handler): script exact replies; a handler that returns nothing falls through to
//   the shared fake.
import { vi } from "vitest";
import { fakeGeminiControl } from "../fake-gemini/control-client.mjs";
import { googleError as googleErrorBody } from "../fake-gemini/errors.mjs";
import type { FixtureSource } from "../fake-gemini/fixtures.mjs";
import { createFakeGemini, type FakeGeminiCore } from "../fake-gemini/handler.mjs";
import { jsonResponse, sseFrame } from "../fake-gemini/http.mjs";
import { candidateResponse } from "../fake-gemini/replies.mjs";
import type { GoogleReply } from "./google-replies";

/** The recorded replies, bundled (workerd has no file system to read them from). */
const FIXTURE_FILES = import.meta.glob<string>("../fixtures/gemini/*.{json,txt}", { query: "?raw", import: "default", eager: true });
const workerdFixtures: FixtureSource = { read: (name) => FIXTURE_FILES[`../fixtures/gemini/${name}`] ?? null };

/** The Worker's GEMINI_API_BASE in vitest.config.ts; any origin reaches the fake. */
const UPSTREAM = "https://upstream.test";

export type FakeGeminiControl = ReturnType<typeof fakeGeminiControl>;

export type RecordedRequest = FakeGeminiCore["state"]["requests"][number];

export interface FakeGeminiInWorkerd extends FakeGeminiControl {
  /** The fake itself: its state (behaviours, files, caches, …) and its fetch handler. */
  core: FakeGeminiCore;
  /** Every API call it received, oldest first (apiKey, action, model, body, status, outcome). */
  received(): RecordedRequest[];
  /** The API keys of the calls received, in order (control calls not included). */
  keysUsed(): (string | null)[];
}

/** A fake Gemini core with the recorded fixtures, outside any fetch spy. */
export function newFakeGemini(): FakeGeminiCore {
  return createFakeGemini({ fixtures: workerdFixtures });
}

/**
 * Routes every fetch to a fresh fake Gemini (the one e2e uses). Its control API (`setKey`,
 * `script`, `reply`, `setTier`, `requests`, …) is the e2e one, answered in-process. Restore
 * with vi.restoreAllMocks().
 */
export function useFakeGemini(): FakeGeminiInWorkerd {
  const core = newFakeGemini();
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => answer(core, new Request(input as RequestInfo, init as RequestInit)));
  return {
    ...fakeGeminiControl(UPSTREAM),
    core,
    received: () => core.state.requests,
    keysUsed: () => core.state.requests.map((r) => r.apiKey),
  };
}

/** The fake's answer, rejected as fetch's would be once the caller aborts before it. */
function answer(core: FakeGeminiCore, request: Request): Promise<Response> {
  const { signal } = request;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    core.fetch(request).then(resolve, reject);
  });
}

export interface UpstreamCall {
  url: URL;
  apiKey: string | null;
  body: unknown;
  /** Aborts when the Worker gives up on the call (a handler that hangs listens to it). */
  signal: AbortSignal;
}

/** A scripted reply, or nothing to let the shared fake answer. */
export type GoogleHandler = (call: UpstreamCall) => Response | undefined | Promise<Response | undefined>;

/**
 * Fakes Google at the fetch boundary: every fetch from the Worker goes to `handler`, and
 * every call is kept for assertions. When the handler returns nothing, the call goes to a
 * fake Gemini (`fallback`, or a fresh one). Restore with vi.restoreAllMocks().
 */
export function fakeGoogle(handler: GoogleHandler, options: { fallback?: FakeGeminiCore } = {}): UpstreamCall[] {
  const calls: UpstreamCall[] = [];
  let fallback = options.fallback;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init as RequestInit);
    const text = await request.text();
    const call = {
      url: new URL(request.url),
      apiKey: request.headers.get("x-goog-api-key"),
      body: text ? JSON.parse(text) : undefined,
      signal: request.signal,
    };
    calls.push(call);
    const scripted = await handler(call);
    if (scripted) return scripted;
    fallback ??= newFakeGemini();
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    return answer(fallback, new Request(request.url, { method: request.method, headers: request.headers, body: hasBody ? text : undefined, signal: request.signal }));
  });
  return calls;
}

export function geminiText(text: string, usage = { promptTokenCount: 5, candidatesTokenCount: 7, totalTokenCount: 12 }): object {
  return candidateResponse({ parts: [{ text }], usageMetadata: usage, modelVersion: "gemini-2.5-flash", responseId: "fake-response" });
}

export function sse(events: object[]): Response {
  return new Response(events.map(sseFrame).join(""), { headers: { "content-type": "text/event-stream" } });
}

export function googleError(status: number, googleStatus: string, message: string): Response {
  const error = googleErrorBody(status, googleStatus, message);
  return jsonResponse(error.status, error.body);
}

/** A recorded or recorded-shaped Google error as the Response fetch would give. */
export function reply(answer: GoogleReply): Response {
  return jsonResponse(answer.status, answer.body);
}
