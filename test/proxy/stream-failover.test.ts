// Streams: a failure before the first byte fails over to another key; after the first byte
// there is no retry, the error goes to the client as an event in the stream.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, expect, it, vi } from "vitest";
import worker from "../../src/index";
import * as google from "../helpers/google-replies";
import { chatRequest, secretOf, seed } from "../pool/harness";

afterEach(() => vi.restoreAllMocks());

const chunk = (text: string) =>
  `data: ${JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0 }] })}\r\n\r\n`;

/** A stream that sends one event, then breaks. */
function breakingStream(): ReadableStream<Uint8Array> {
  let pulls = 0;
  return new ReadableStream({
    pull(controller) {
      pulls += 1;
      if (pulls === 1) controller.enqueue(new TextEncoder().encode(chunk("Hello")));
      else controller.error(new Error("connection reset"));
    },
  });
}

async function streamCall(): Promise<{ status: number; text: string }> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(chatRequest("gemini-2.5-flash", { stream: true }), env, ctx);
  const text = await response.text();
  await waitOnExecutionContext(ctx);
  return { status: response.status, text };
}

it("a 429 before the first byte fails over; a break after it is an error event, never a retry", async () => {
  await seed([{ id: "s-limited", behaviour: "ok" }, { id: "s-breaks", behaviour: "ok" }, { id: "s-spare", behaviour: "ok" }]);
  const asked: string[] = [];
  vi.spyOn(Math, "random").mockReturnValue(0); // keys are tried in order
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const key = request.headers.get("x-goog-api-key");
    asked.push(key === secretOf("s-limited") ? "s-limited" : key === secretOf("s-breaks") ? "s-breaks" : "s-spare");
    if (key === secretOf("s-limited")) return Response.json(google.perMinute429.body, { status: 429 });
    return new Response(breakingStream(), { headers: { "content-type": "text/event-stream" } });
  });

  const { status, text } = await streamCall();
  expect(status).toBe(200);
  expect(asked).toEqual(["s-limited", "s-breaks"]);
  expect(text).toContain("Hello");
  const events = text.split("\n\n").filter((event) => event.startsWith("data: "));
  expect(events.at(-1)).toBe("data: [DONE]");
  expect(JSON.parse(events.at(-2)!.slice("data: ".length))).toMatchObject({ error: { code: "stream_error" } });
});
