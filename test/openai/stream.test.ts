import { describe, expect, it } from "vitest";
import type { GenerateContentResponse } from "../../src/gemini/types";
import { ChatStreamTranslator, SSE_DONE, SSE_KEEPALIVE, sseEvent } from "../../src/openai/stream";
import { toChatCompletion } from "../../src/openai/response";
import { fixtureEvents, fixtureJson, type ChunksFixture, type JsonFixture } from "./fixtures";
import { accumulate, type Chunk } from "./stream-accumulator";

const ctx = { id: "chatcmpl-abc", created: 1_700_000_000, model: "my-gemini" };

function replay(events: GenerateContentResponse[], includeUsage = true) {
  const translator = new ChatStreamTranslator({ ...ctx, includeUsage });
  const perEvent = events.map((event) => translator.push(event) as Chunk[]);
  const closing = translator.finish() as Chunk[];
  const chunks = [...perEvent.flat(), ...closing];
  return { translator, perEvent, closing, chunks, ...accumulate(chunks) };
}

function run(name: ChunksFixture, includeUsage = true) {
  return replay(fixtureEvents(name), includeUsage);
}

const deltas = (chunks: Chunk[]) => chunks.map((chunk) => [chunk.choices[0]?.delta, chunk.choices[0]?.finish_reason]);

describe("ChatStreamTranslator on recorded Google streams", () => {
  it("google-text.chunks.txt: role first, text deltas, no empty delta for the signature part, stop, usage chunk", () => {
    const { perEvent, closing, chunks, choices, translator } = run("text");
    expect(deltas(perEvent[0] ?? [])).toEqual([[{ role: "assistant", content: "There are **3**" }, null]]);
    expect(deltas(perEvent[1] ?? [])).toEqual([[{ content: ' "r"s in strawberry.\n\nst**r**awbe**rr**y' }, null]]);
    expect(deltas(perEvent[2] ?? [])).toEqual([[{}, "stop"]]);
    expect(closing).toEqual([
      {
        id: "chatcmpl-abc",
        object: "chat.completion.chunk",
        created: 1_700_000_000,
        model: "my-gemini",
        choices: [],
        usage: {
          prompt_tokens: 9,
          completion_tokens: 208,
          total_tokens: 217,
          prompt_tokens_details: { cached_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 185 },
        },
      },
    ]);
    for (const chunk of chunks) expect(chunk).toMatchObject({ id: "chatcmpl-abc", object: "chat.completion.chunk", created: 1_700_000_000 });
    expect(choices.get(0)?.content).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
    expect(translator.usage).toEqual({ promptTokens: 9, completionTokens: 208, thoughtTokens: 185, cachedTokens: 0, totalTokens: 217 });
    expect(translator.sentAnything).toBe(true);
    expect(translator.blocked).toBe(false);
  });

  it("google-text.chunks.txt without include_usage: no usage chunk", () => {
    const { closing, chunks } = run("text", false);
    expect(closing).toEqual([]);
    expect(chunks.some((chunk) => "usage" in chunk)).toBe(false);
  });

  it("google-reasoning.chunks.txt: thoughtsTokenCount -> reasoning_tokens, no reasoning text", () => {
    const { choices, usage, translator } = run("reasoning");
    expect(choices.get(0)).toMatchObject({
      content: 'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.',
      reasoning: "",
      finishReason: "stop",
    });
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 285, total_tokens: 294, completion_tokens_details: { reasoning_tokens: 256 } });
    expect(translator.signatures).toEqual({});
  });

  it("google-tool-call.chunks.txt: the whole call in one delta with index, then finish tool_calls", () => {
    const { perEvent, translator, usage } = run("toolCall");
    expect(deltas(perEvent[0] ?? [])).toEqual([
      [
        {
          role: "assistant",
          tool_calls: [{ index: 0, id: "call_abc_0_0", type: "function", function: { name: "weather", arguments: '{"location":"San Francisco"}' } }],
        },
        null,
      ],
    ]);
    expect(deltas(perEvent[1] ?? [])).toEqual([[{}, "tool_calls"]]);
    expect(Object.keys(translator.signatures)).toEqual(["call_abc_0_0"]);
    expect(translator.signatures.call_abc_0_0?.startsWith("EqUCCqICAb4+9vsh8Pd5")).toBe(true);
    expect(usage).toMatchObject({ prompt_tokens: 29, completion_tokens: 60, total_tokens: 89 });
  });

  it("issue-10781.1.chunks.txt: text then a call with Google's own id and signature", () => {
    const { perEvent, choices, translator } = run("textThenCall");
    expect(deltas(perEvent[0] ?? [])).toEqual([[{ role: "assistant", content: "Let me check." }, null]]);
    expect(deltas(perEvent[1] ?? [])).toEqual([
      [{ tool_calls: [{ index: 0, id: "g1bmv6il", type: "function", function: { name: "get_weather", arguments: '{"city":"San Francisco"}' } }] }, null],
    ]);
    expect(choices.get(0)?.finishReason).toBe("tool_calls");
    expect(Object.keys(translator.signatures)).toEqual(["g1bmv6il"]);
    expect(translator.signatures.g1bmv6il?.startsWith("EqsGCqgGARFNMg")).toBe(true);
    expect(translator.usage).toEqual({ promptTokens: 83, completionTokens: 199, thoughtTokens: 178, cachedTokens: 0, totalTokens: 282 });
  });

  it("issue-18073: a final empty text part with a signature adds no empty content delta", () => {
    const { perEvent, choices, translator } = run("emptyTextSignature");
    expect(deltas(perEvent[0] ?? [])).toEqual([[{ role: "assistant", content: "4" }, null]]);
    expect(deltas(perEvent[1] ?? [])).toEqual([[{}, "stop"]]);
    expect(choices.get(0)?.content).toBe("4");
    expect(translator.usage).toEqual({ promptTokens: 15, completionTokens: 53, thoughtTokens: 52, cachedTokens: 0, totalTokens: 68 });
  });

  it("google-stream-tool-call-arguments.chunks.txt: two parallel calls assembled from partialArgs", () => {
    const { perEvent, choices, translator, usage } = run("streamedArguments");
    expect(deltas(perEvent[0] ?? [])).toEqual([
      [{ role: "assistant", tool_calls: [{ index: 0, id: "call_abc_0_0", type: "function", function: { name: "getWeather", arguments: "" } }] }, null],
    ]);
    expect(perEvent[1]).toEqual([]);
    expect(perEvent[2]).toEqual([]);
    expect(deltas(perEvent[3] ?? [])).toEqual([[{ tool_calls: [{ index: 0, function: { arguments: '{"location":"Boston"}' } }] }, null]]);
    expect(deltas(perEvent[4] ?? [])).toEqual([
      [{ tool_calls: [{ index: 1, id: "call_abc_0_1", type: "function", function: { name: "getWeather", arguments: "" } }] }, null],
    ]);
    expect(deltas(perEvent[7] ?? [])).toEqual([
      [{ tool_calls: [{ index: 1, function: { arguments: '{"location":"San Francisco"}' } }] }, null],
      [{}, "tool_calls"],
    ]);
    expect(choices.get(0)?.toolCalls).toEqual([
      { id: "call_abc_0_0", name: "getWeather", arguments: '{"location":"Boston"}' },
      { id: "call_abc_0_1", name: "getWeather", arguments: '{"location":"San Francisco"}' },
    ]);
    // only the first parallel call carries a signature
    expect(Object.keys(translator.signatures)).toEqual(["call_abc_0_0"]);
    expect(translator.signatures.call_abc_0_0?.startsWith("CiMBjz1rX25KieIB")).toBe(true);
    expect(usage).toMatchObject({ prompt_tokens: 26, completion_tokens: 155, total_tokens: 181 });
  });

  it("google-stream-no-args-tool-call.chunks.txt: thought summary, a no-args call, three streamed calls", () => {
    const { perEvent, choices, translator } = run("noArgsToolCall");
    expect(deltas(perEvent[0] ?? [])).toEqual([
      [
        {
          role: "assistant",
          reasoning_content:
            "**Processing User Requests**\n\nI've started by understanding the user's instructions. Currently, I'm focusing on the initial steps: reading the specified theme using the appropriate tool. Next, I plan to tackle reading the screens, beginning with screen \"A,\" then proceeding with \"B\" and \"C\" in parallel as instructed.\n\n\n",
        },
        null,
      ],
    ]);
    expect(deltas(perEvent[1] ?? [])).toEqual([
      [{ tool_calls: [{ index: 0, id: "call_abc_0_0", type: "function", function: { name: "read_theme", arguments: "{}" } }] }, null],
    ]);
    const final = choices.get(0);
    expect(final?.content).toBe("");
    expect(final?.toolCalls).toEqual([
      { id: "call_abc_0_0", name: "read_theme", arguments: "{}" },
      { id: "call_abc_0_1", name: "read_screen", arguments: '{"id":"A"}' },
      { id: "call_abc_0_2", name: "read_screen", arguments: '{"id":"B"}' },
      { id: "call_abc_0_3", name: "read_screen", arguments: '{"id":"C"}' },
    ]);
    expect(final?.finishReason).toBe("tool_calls");
    expect(Object.keys(translator.signatures)).toEqual(["call_abc_0_0"]);
    // events before the last carry only {trafficType}: usage comes from the last event that has counts
    expect(translator.usage).toEqual({ promptTokens: 249, completionTokens: 241, thoughtTokens: 183, cachedTokens: 0, totalTokens: 490 });
  });

  it("issue-19758-prompt-block.chunks.txt: blocked prompt -> refusal and content_filter", () => {
    const { perEvent, translator, usage } = run("promptBlock");
    expect(deltas(perEvent[0] ?? [])).toEqual([
      [{ role: "assistant", content: "", refusal: "The prompt was blocked by Google (PROHIBITED_CONTENT)." }, null],
      [{}, "content_filter"],
    ]);
    expect(translator.blocked).toBe(true);
    expect(translator.sentAnything).toBe(true);
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 0, total_tokens: 9 });
  });

  it("issue-19822-google-search-live.chunks.txt: usage from the final event, tool-use prompt tokens in prompt", () => {
    const { choices, translator } = run("googleSearch");
    expect(choices.get(0)).toMatchObject({ content: "The current date is Wednesday, August 26, 2026.", finishReason: "stop" });
    expect(translator.usage).toEqual({ promptTokens: 325, completionTokens: 370, thoughtTokens: 333, cachedTokens: 0, totalTokens: 695 });
  });

  it("google-usage-raw-live.chunks.txt: a usage-only event sends nothing but is counted (cached tokens)", () => {
    const translator = new ChatStreamTranslator({ ...ctx, includeUsage: false });
    const [event] = fixtureEvents("usageOnly");
    expect(translator.push(event as GenerateContentResponse)).toEqual([]);
    expect(translator.finish()).toEqual([]);
    expect(translator.sentAnything).toBe(false);
    expect(translator.usage).toEqual({ promptTokens: 77, completionTokens: 160, thoughtTokens: 89, cachedTokens: 4, totalTokens: 237 });
  });
});

describe("ChatStreamTranslator edge cases", () => {
  it("closes an open choice in finish() when upstream never sent a finish reason", () => {
    const { chunks, choices } = replay([{ candidates: [{ content: { parts: [{ text: "partial" }] } }] }], false);
    expect(deltas(chunks)).toEqual([
      [{ role: "assistant", content: "partial" }, null],
      [{}, "stop"],
    ]);
    expect(choices.get(0)?.finishReason).toBe("stop");
  });

  it("a streamed call still open at the end gets its arguments before the finish chunk", () => {
    const { chunks } = replay(
      [
        { candidates: [{ content: { parts: [{ functionCall: { name: "f", willContinue: true } }] } }] },
        { candidates: [{ content: { parts: [{ functionCall: { partialArgs: [{ jsonPath: "$.n", numberValue: 3 }], willContinue: true } }] } }] },
      ],
      false,
    );
    expect(deltas(chunks)).toEqual([
      [{ role: "assistant", tool_calls: [{ index: 0, id: "call_abc_0_0", type: "function", function: { name: "f", arguments: "" } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: '{"n":3}' } }] }, null],
      [{}, "tool_calls"],
    ]);
  });

  it("a candidate filtered before any text: role rides on the finish chunk, blocked", () => {
    const { chunks, translator } = replay([{ candidates: [{ finishReason: "SAFETY" }] }], false);
    expect(deltas(chunks)).toEqual([[{ role: "assistant" }, "content_filter"]]);
    expect(translator.blocked).toBe(true);
  });

  it("grounding sources arrive as an annotations delta before the finish chunk", () => {
    const { perEvent } = replay(
      [
        { candidates: [{ content: { parts: [{ text: "Sky is blue." }] } }] },
        {
          candidates: [
            {
              content: { parts: [{ text: "" }] },
              finishReason: "STOP",
              groundingMetadata: {
                groundingChunks: [{ web: { uri: "https://w.example/sky", title: "w.example" } }],
                groundingSupports: [{ segment: { startIndex: 0, endIndex: 12 }, groundingChunkIndices: [0] }],
              },
            },
          ],
        },
      ],
      false,
    );
    expect(deltas(perEvent[1] ?? [])).toEqual([
      [{ annotations: [{ type: "url_citation", url_citation: { url: "https://w.example/sky", title: "w.example", start_index: 0, end_index: 12 } }] }, null],
      [{}, "stop"],
    ]);
  });

  it("events after a choice finished are ignored", () => {
    const { chunks } = replay(
      [
        { candidates: [{ content: { parts: [{ text: "a" }] }, finishReason: "STOP" }] },
        { candidates: [{ content: { parts: [{ text: "b" }] } }] },
      ],
      false,
    );
    expect(accumulate(chunks).choices.get(0)?.content).toBe("a");
  });

  it("SSE framing helpers", () => {
    expect(sseEvent({ a: 1 })).toBe('data: {"a":1}\n\n');
    expect(SSE_DONE).toBe("data: [DONE]\n\n");
    expect(SSE_KEEPALIVE).toBe(": keep-alive\n\n");
  });
});

describe("stream and non-stream agree", () => {
  it.each<JsonFixture>(["text", "toolCall", "reasoning", "codeExecution", "imageOutput", "promptBlock"])(
    "%s.json replayed as a single stream event gives the same message",
    (name) => {
      const res = fixtureJson(name);
      const whole = toChatCompletion(res, ctx);
      const streamed = replay([res]);
      const choice = (whole.body as { choices: { message: Record<string, unknown>; finish_reason: string }[] }).choices[0];
      const acc = streamed.choices.get(0);
      expect(acc?.content).toBe(choice?.message.content ?? "");
      expect(acc?.refusal).toBe(choice?.message.refusal ?? undefined);
      expect(acc?.finishReason).toBe(choice?.finish_reason);
      const calls = (choice?.message.tool_calls as { id: string; function: { name: string; arguments: string } }[] | undefined) ?? [];
      expect(acc?.toolCalls).toEqual(calls.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments })));
      expect(streamed.translator.usage).toEqual(whole.usage);
      expect(streamed.translator.signatures).toEqual(whole.signatures);
      expect(streamed.translator.blocked).toBe(whole.blocked);
    },
  );
});
