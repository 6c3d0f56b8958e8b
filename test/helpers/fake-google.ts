import { vi } from "vitest";
import type { GoogleReply } from "./google-replies";

export interface UpstreamCall {
  url: URL;
  apiKey: string | null;
  body: unknown;
}

export type GoogleHandler = (call: UpstreamCall) => Response | Promise<Response>;

/**
 * Fakes Google at the fetch boundary: every fetch from the Worker goes to `handler`, and
 * every call is kept for assertions. Restore with vi.restoreAllMocks().
 */
export function fakeGoogle(handler: GoogleHandler): UpstreamCall[] {
  const calls: UpstreamCall[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init as RequestInit);
    const text = await request.text();
    const call = {
      url: new URL(request.url),
      apiKey: request.headers.get("x-goog-api-key"),
      body: text ? JSON.parse(text) : undefined,
    };
    calls.push(call);
    return handler(call);
  });
  return calls;
}

export function geminiText(text: string, usage = { promptTokenCount: 5, candidatesTokenCount: 7, totalTokenCount: 12 }): object {
  return {
    candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP", index: 0 }],
    usageMetadata: usage,
    modelVersion: "gemini-2.5-flash",
    responseId: "fake-response",
  };
}

export function sse(events: object[]): Response {
  const body = events.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`).join("");
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

export function googleError(status: number, googleStatus: string, message: string): Response {
  return Response.json({ error: { code: status, message, status: googleStatus } }, { status });
}

/** A recorded or recorded-shaped Google error as the Response fetch would give. */
export function reply(answer: GoogleReply): Response {
  return Response.json(answer.body, { status: answer.status });
}
