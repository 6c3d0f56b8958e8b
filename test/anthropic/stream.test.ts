import { describe, expect, it } from "vitest";
import { accumulateMessage, toAnthropicMessage } from "../../src/anthropic/response";
import { MessagesStreamTranslator, type MessageContext, type MessageEvent } from "../../src/anthropic/stream";
import type { GenerateContentResponse } from "../../src/gemini/types";
import { fixtureEvents, fixtureJson, type ChunksFixture } from "../openai/fixtures";

// Recorded Gemini answers (test/fixtures/gemini, provenance in its README) replayed through the
// Messages translator: the event sequence, and the message those events build.

function ctx(extra: Partial<MessageContext> = {}): MessageContext {
  return { id: "msg_test", model: "claude-sonnet-4-5", thinkingBlocks: false, singleToolCall: false, stopSequences: [], ...extra };
}

function replay(events: GenerateContentResponse[], context = ctx()): { events: MessageEvent[]; translator: MessagesStreamTranslator } {
  const translator = new MessagesStreamTranslator(context);
  const out = events.flatMap((event) => translator.push(event));
  out.push(...translator.finish());
  return { events: out, translator };
}

const replayFixture = (name: ChunksFixture, context = ctx()) => replay(fixtureEvents(name), context);

/** Checks Anthropic's ordering rules: start first, each block opened, delta'd and closed in turn, then delta and stop. */
function expectWellFormed(events: MessageEvent[]): void {
  expect(events[0]!.type).toBe("message_start");
  expect(events.at(-2)!.type).toBe("message_delta");
  expect(events.at(-1)!.type).toBe("message_stop");
  let open: number | null = null;
  let next = 0;
  for (const event of events.slice(1, -2)) {
    if (event.type === "content_block_start") {
      expect(open).toBeNull();
      expect(event.index).toBe(next);
      open = next++;
    } else if (event.type === "content_block_delta") {
      expect(event.index).toBe(open);
    } else if (event.type === "content_block_stop") {
      expect(event.index).toBe(open);
      open = null;
    } else {
      throw new Error(`unexpected ${event.type} inside the message`);
    }
  }
  expect(open).toBeNull();
}

function deltas(events: MessageEvent[], type: string): string[] {
  return events.filter((e) => e.type === "content_block_delta" && (e.delta as { type: string }).type === type).map((e) => {
    const delta = e.delta as Record<string, string>;
    return delta.text ?? delta.thinking ?? delta.partial_json ?? delta.signature ?? "";
  });
}

describe("MessagesStreamTranslator on recorded Gemini streams", () => {
  it("turns a text stream into one text block whose deltas are the text, with usage in message_start and message_delta", () => {
    const { events } = replayFixture("text");
    expectWellFormed(events);
    expect(events.map((e) => e.type)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(deltas(events, "text_delta").join("")).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
    expect((events[0]!.message as { usage: object }).usage).toMatchObject({ input_tokens: 9, output_tokens: 0 });
    // output = candidates + thoughts (Google bills thoughts as output)
    const last = fixtureEvents("text").at(-1)!.usageMetadata!;
    expect(events.at(-2)).toMatchObject({
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { input_tokens: 9, output_tokens: last.candidatesTokenCount! + last.thoughtsTokenCount!, cache_read_input_tokens: 0 },
    });
  });

  it("builds the same message from the events as from the whole reply (finalMessage equals the deltas)", () => {
    const streamed = accumulateMessage(replayFixture("textThenCall", ctx({ thinkingBlocks: true })).events);
    const whole = toAnthropicMessage(fixtureJson("toolCall"), ctx({ thinkingBlocks: true })).body;
    expect(streamed.content).toEqual([
      { type: "text", text: "Let me check." },
      { type: "thinking", thinking: "", signature: expect.stringMatching(/^EqsGCqgGAR/) },
      { type: "tool_use", id: "g1bmv6il", name: "get_weather", input: { city: "San Francisco" } },
    ]);
    expect(streamed.stop_reason).toBe("tool_use");
    expect(whole).toMatchObject({
      id: "msg_test",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      stop_reason: "tool_use",
      stop_sequence: null,
      content: [
        { type: "thinking", thinking: "", signature: expect.stringMatching(/^EskgCsYgAb4/) },
        { type: "tool_use", id: "toolu_test_0", name: "weather", input: { location: "San Francisco" } },
      ],
    });
  });

  it("carries Google's signature on a function call in a signature_delta before the tool_use, and by tool_use id for the memory", () => {
    const { events, translator } = replayFixture("toolCall", ctx({ thinkingBlocks: true }));
    expectWellFormed(events);
    const issued = fixtureEvents("toolCall")[0]!.candidates![0]!.content!.parts![0]!.thoughtSignature!;
    expect(deltas(events, "signature_delta")).toEqual([issued]);
    const starts = events.filter((e) => e.type === "content_block_start").map((e) => e.content_block as { type: string; id?: string });
    expect(starts.map((b) => b.type)).toEqual(["thinking", "tool_use"]);
    expect(translator.signatures).toEqual({ [starts[1]!.id!]: issued });
    expect(deltas(events, "input_json_delta").map((j) => JSON.parse(j))).toEqual([{ location: "San Francisco" }]);
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: "tool_use" } });
  });

  it("keeps thinking blocks out of the answer when the client did not ask for thinking, but still remembers the signature", () => {
    const { events, translator } = replayFixture("toolCall");
    const starts = events.filter((e) => e.type === "content_block_start").map((e) => (e.content_block as { type: string }).type);
    expect(starts).toEqual(["tool_use"]);
    expect(Object.values(translator.signatures)).toHaveLength(1);
  });

  it("assembles Vertex-style streamed arguments into one input_json_delta per call", () => {
    const { events } = replayFixture("streamedArguments", ctx({ thinkingBlocks: true }));
    expectWellFormed(events);
    const message = accumulateMessage(events) as { content: Array<{ type: string; name?: string; input?: unknown }> };
    expect(message.content.filter((b) => b.type === "tool_use")).toEqual([
      expect.objectContaining({ name: "getWeather", input: { location: "Boston" } }),
      expect.objectContaining({ name: "getWeather", input: { location: "San Francisco" } }),
    ]);
  });

  it("keeps only the first call with disable_parallel_tool_use", () => {
    const { events } = replayFixture("streamedArguments", ctx({ singleToolCall: true }));
    expectWellFormed(events);
    const message = accumulateMessage(events) as { content: Array<{ type: string; input?: unknown }> };
    expect(message.content).toEqual([expect.objectContaining({ type: "tool_use", input: { location: "Boston" } })]);
  });

  it("answers a prompt Google blocked as a refusal with a text block saying why", () => {
    const { events, translator } = replayFixture("promptBlock");
    expectWellFormed(events);
    expect(deltas(events, "text_delta").join("")).toContain("PROHIBITED_CONTENT");
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: "refusal" } });
    expect(translator.blocked).toBe(true);
  });
});

describe("stop reasons and usage", () => {
  const reply = (finishReason: string, parts: object[] = [{ text: "x" }], usage: object = {}): GenerateContentResponse => ({
    candidates: [{ content: { role: "model", parts }, finishReason, index: 0 }],
    usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 7, totalTokenCount: 107, ...usage },
  });
  const stopOf = (res: GenerateContentResponse, context = ctx()) => toAnthropicMessage(res, context).body;

  it("maps each Gemini finish to Anthropic's stop_reason", () => {
    expect(stopOf(reply("STOP"))).toMatchObject({ stop_reason: "end_turn", stop_sequence: null });
    expect(stopOf(reply("MAX_TOKENS"))).toMatchObject({ stop_reason: "max_tokens" });
    expect(stopOf(reply("SAFETY"))).toMatchObject({ stop_reason: "refusal" });
    expect(stopOf(reply("STOP", [{ functionCall: { name: "f", args: {} } }]))).toMatchObject({ stop_reason: "tool_use" });
    expect(stopOf(reply("STOP"), ctx({ stopSequences: ["END"] }))).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "END" });
    expect(stopOf(reply("STOP"), ctx({ stopSequences: ["A", "B"] }))).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: null });
    expect(stopOf(reply("MALFORMED_FUNCTION_CALL"))).toMatchObject({ stop_reason: "end_turn" });
  });

  it("reports Gemini's cached prompt tokens as cache reads, apart from input_tokens", () => {
    const body = stopOf(reply("STOP", [{ text: "x" }], { cachedContentTokenCount: 60, thoughtsTokenCount: 5 }));
    expect(body.usage).toEqual({ input_tokens: 40, output_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 60 });
  });

  it("puts thought text in a thinking block that ends with its signature, before the answer", () => {
    const body = stopOf(
      reply("STOP", [
        { text: "Pondering", thought: true },
        { text: " more", thought: true, thoughtSignature: "sig-1" },
        { text: "Answer" },
      ]),
      ctx({ thinkingBlocks: true }),
    );
    expect(body.content).toEqual([
      { type: "thinking", thinking: "Pondering more", signature: "sig-1" },
      { type: "text", text: "Answer" },
    ]);
    // without thinking asked for, thought parts never reach the answer
    expect(stopOf(reply("STOP", [{ text: "Pondering", thought: true }, { text: "Answer" }])).content).toEqual([{ type: "text", text: "Answer" }]);
  });
});
