import { describe, expect, it } from "vitest";
import { passThroughStream } from "../../src/proxy/native-stream";
import { pipeSse, type SseProtocol } from "../../src/proxy/sse-pipe";

const protocol: SseProtocol = {
  push: (chunk) => [`data: ${JSON.stringify(chunk)}\n\n`],
  finish: () => ["data: [DONE]\n\n"],
  fail: (broken) => [`data: ${JSON.stringify({ error: { message: broken.message } })}\n\n`, "data: [DONE]\n\n"],
  keepAlive: ": keep-alive\n\n",
};

/** Google's stream: one good event, then one line that never ends (until `cap` chunks, if given). */
function endlessLine(cap = Infinity): { response: Response; pulled: () => number; cancelled: () => boolean } {
  let pulls = 0;
  let cancelled = false;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls += 1;
      if (pulls === 1) controller.enqueue(encoder.encode(`data: ${JSON.stringify({ candidates: [] })}\r\n\r\ndata: {"x":"`));
      else if (pulls <= cap) controller.enqueue(encoder.encode("a".repeat(100)));
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { response: new Response(body), pulled: () => pulls, cancelled: () => cancelled };
}

describe("an SSE event that never ends", () => {
  it("breaks a translated stream at the event bound, ends it with the protocol's error and stops reading Google", async () => {
    const upstream = endlessLine();
    let end: { error: string | null; aborted: boolean } | undefined;
    const stream = pipeSse({
      upstream: upstream.response,
      protocol,
      keepAliveMs: 0,
      maxEventChars: 10_000,
      onFirstByte: () => undefined,
      beforeClose: async () => undefined,
      onEnd: (result) => (end = result),
    });
    const text = await new Response(stream.body).text();
    await stream.done;
    expect(text.startsWith('data: {"candidates":[]}\n\n')).toBe(true);
    expect(text).toMatch(/"error":\{"message":"the upstream stream broke: [^"]*"\}\}\n\ndata: \[DONE\]\n\n$/);
    expect(end).toEqual({ error: expect.stringContaining("the upstream stream broke"), aborted: false });
    // About 10,000 characters read at 100 a chunk, then Google's body was cancelled.
    expect(upstream.pulled()).toBeLessThan(200);
    expect(upstream.cancelled()).toBe(true);
  });

  it("stops metering a native pass-through stream at the bound; the client still gets every byte Google sent", async () => {
    const upstream = endlessLine(300);
    let end: { error: string | null; aborted: boolean } | undefined;
    const stream = passThroughStream(upstream.response, { onFirstByte: () => undefined, onEnd: (result) => (end = result) }, 10_000);
    const text = await new Response(stream.body).text();
    await stream.done;
    expect(text.length).toBe(`data: ${JSON.stringify({ candidates: [] })}\r\n\r\ndata: {"x":"`.length + 299 * 100);
    expect(end?.aborted).toBe(false);
    expect(end?.error).toContain("the upstream stream broke");
  });
});
