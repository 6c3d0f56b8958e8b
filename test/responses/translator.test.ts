import { describe, expect, it } from "vitest";
import type { GenerateContentResponse } from "../../src/gemini/types";
import type { ResponseContext } from "../../src/responses/response-object";
import { parseResponsesRequest } from "../../src/responses/schemas";
import { decodeSignatures } from "../../src/responses/signatures";
import { ResponsesTranslator, toResponse, type ResponsesEvent } from "../../src/responses/translator";
import { fixtureEvents, fixtureJson } from "../openai/fixtures";

// Gemini replies (recorded fixtures in test/fixtures/gemini/, see its README for provenance) ->
// Responses output items and streaming events.

function context(extra: Partial<ResponseContext> = {}): ResponseContext {
  return {
    id: "resp_abc",
    createdAt: 1_700_000_000,
    model: "gpt-5-codex",
    request: parseResponsesRequest({ model: "gpt-5-codex", input: "hi" }),
    toolNames: { customNames: new Set(), namespaces: new Map() },
    ...extra,
  };
}

function replay(events: GenerateContentResponse[], ctx = context()) {
  const translator = new ResponsesTranslator(ctx);
  const all: ResponsesEvent[] = [];
  for (const event of events) all.push(...translator.push(event));
  all.push(...translator.finish());
  const final = all.at(-1)!.response as Record<string, any>;
  return { translator, events: all, types: all.map((e) => e.type), final, output: final.output as Array<Record<string, any>> };
}

const reply = (parts: object[], finishReason = "STOP", extra: object = {}): GenerateContentResponse =>
  ({ candidates: [{ content: { role: "model", parts }, finishReason, index: 0, ...extra }], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 6, totalTokenCount: 10 } }) as GenerateContentResponse;

describe("ResponsesTranslator on recorded Google streams", () => {
  it("google-text.chunks.txt: the full text event sequence with increasing sequence numbers and usage", () => {
    const { events, types, final, output } = replay(fixtureEvents("text"));
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0]!.response).toMatchObject({ id: "resp_abc", object: "response", status: "in_progress", model: "gpt-5-codex", output: [], usage: null });
    const text = events.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("");
    expect(text).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
    expect(events.find((e) => e.type === "response.output_text.done")!.text).toBe(text);
    expect(final.status).toBe("completed");
    expect(output).toEqual([
      { type: "message", id: expect.stringMatching(/^msg_/), status: "completed", role: "assistant", content: [{ type: "output_text", text, annotations: [], logprobs: [] }] },
    ]);
    expect(final.usage).toEqual({
      input_tokens: 9,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 208,
      output_tokens_details: { reasoning_tokens: 185 },
      total_tokens: 217,
    });
    const itemIds = new Set(events.filter((e) => "item_id" in e).map((e) => e.item_id));
    expect([...itemIds]).toEqual([output[0]!.id]);
  });

  it("google-tool-call.chunks.txt (Gemini 3): the issued signature rides a reasoning item's encrypted_content before the function_call", () => {
    const events = fixtureEvents("toolCall");
    const issued = events[0]!.candidates![0]!.content!.parts![0]!.thoughtSignature!;
    const { types, output, translator, final } = replay(events);
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const [reasoning, call] = output;
    expect(call).toMatchObject({ type: "function_call", name: "weather", arguments: JSON.stringify({ location: "San Francisco" }), status: "completed" });
    expect(call!.call_id).toMatch(/^call_/);
    expect(reasoning).toMatchObject({ type: "reasoning", summary: [] });
    expect(decodeSignatures(reasoning!.encrypted_content)).toEqual({ [call!.call_id]: issued });
    expect(translator.signatures).toEqual({ [call!.call_id]: issued });
    expect(final.status).toBe("completed");
  });

  it("google-stream-no-args-tool-call.chunks.txt: thoughts become a reasoning summary, streamed arguments are assembled", () => {
    const events = fixtureEvents("noArgsToolCall");
    const { events: out, types, output } = replay(events);
    expect(types.slice(2, 5)).toEqual(["response.output_item.added", "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta"]);
    const summary = out.filter((e) => e.type === "response.reasoning_summary_text.delta").map((e) => e.delta).join("");
    expect(summary).toContain("Processing User Requests");
    expect(out.find((e) => e.type === "response.reasoning_summary_text.done")!.text).toBe(summary);
    expect(output[0]).toMatchObject({ type: "reasoning", summary: [{ type: "summary_text", text: summary }] });
    // the reasoning item closed by the first call carries that call's signature
    const calls = output.filter((item) => item.type === "function_call");
    expect(calls.map((c) => c.name)).toEqual(["read_theme", "read_screen", "read_screen", "read_screen"]);
    expect(Object.keys(decodeSignatures(output[0]!.encrypted_content))).toEqual([calls[0]!.call_id]);
    expect(calls.slice(1).map((c) => JSON.parse(c.arguments))).toEqual([{ id: "A" }, { id: "B" }, { id: "C" }]);
    // every call item: added, arguments delta, arguments done, done — in that order
    for (const call of calls) {
      const mine = out.filter((e) => e.item_id === call.id || (e.item as { id?: string } | undefined)?.id === call.id).map((e) => e.type);
      expect(mine).toEqual(["response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done"]);
    }
  });

  it("issue-19758-prompt-block: a blocked prompt is a refusal and status incomplete (content_filter)", () => {
    const { types, final, translator } = replay(fixtureEvents("promptBlock"));
    expect(types).toContain("response.refusal.delta");
    expect(types.at(-1)).toBe("response.incomplete");
    expect(final).toMatchObject({ status: "incomplete", incomplete_details: { reason: "content_filter" } });
    expect(final.output[0].content[0]).toMatchObject({ type: "refusal", refusal: expect.stringContaining("blocked") });
    expect(translator.blocked).toBe(true);
  });

  it("MAX_TOKENS ends with response.incomplete, reason max_output_tokens, the message incomplete", () => {
    const { types, final } = replay([reply([{ text: "cut he" }], "MAX_TOKENS")]);
    expect(types.at(-1)).toBe("response.incomplete");
    expect(final).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
    expect(final.output[0]).toMatchObject({ type: "message", status: "incomplete" });
  });

  it("a custom tool's function call comes back as custom_tool_call with its free-form input", () => {
    const patch = "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch";
    const ctx = context({ toolNames: { customNames: new Set(["apply_patch"]), namespaces: new Map() } });
    const { events, output } = replay([reply([{ functionCall: { name: "apply_patch", args: { input: patch } } }])], ctx);
    expect(output).toEqual([{ type: "custom_tool_call", id: expect.stringMatching(/^ctc_/), call_id: expect.any(String), name: "apply_patch", input: patch, status: "completed" }]);
    expect(events.find((e) => e.type === "response.custom_tool_call_input.delta")!.delta).toBe(patch);
    expect(events.find((e) => e.type === "response.custom_tool_call_input.done")!.input).toBe(patch);
  });

  it("Google Search grounding becomes url_citation annotations on the output text", () => {
    const grounding = {
      groundingChunks: [{ web: { uri: "https://example.com/a", title: "A" } }],
      groundingSupports: [{ segment: { startIndex: 0, endIndex: 5 }, groundingChunkIndices: [0] }],
    };
    const { events, output } = replay([reply([{ text: "Hello world" }], "STOP", { groundingMetadata: grounding })]);
    const annotation = { type: "url_citation", url: "https://example.com/a", title: "A", start_index: 0, end_index: 5 };
    expect(output[0]!.content[0].annotations).toEqual([annotation]);
    expect(events.find((e) => e.type === "response.output_text.annotation.added")).toMatchObject({ annotation_index: 0, annotation });
  });

  it("fail() ends with response.failed carrying the error, and nothing follows", () => {
    const translator = new ResponsesTranslator(context());
    expect(translator.push(reply([{ text: "Partial" }], undefined as unknown as string)).slice(0, 2).map((e) => e.type)).toEqual(["response.created", "response.in_progress"]);
    const [failed, ...rest] = translator.fail("Gemini reported an error mid-stream: boom");
    expect(rest).toEqual([]);
    expect(failed).toMatchObject({ type: "response.failed", response: { status: "failed", error: { code: "server_error", message: expect.stringContaining("boom") } } });
    expect((failed!.response as any).output[0]).toMatchObject({ type: "message", status: "incomplete" });
    expect(translator.finish()).toEqual([]);
  });

  it("toResponse: one generateContent body gives the same output as the stream (google-reasoning.json)", () => {
    const { body } = toResponse(fixtureJson("reasoning"), context());
    expect(body).toMatchObject({ object: "response", status: "completed", model: "gpt-5-codex", store: false, previous_response_id: null });
    const streamed = replay(fixtureEvents("reasoning")).output;
    const text = (items: Array<Record<string, any>>) => items.flatMap((i) => i.content ?? []).map((c: any) => c.text).join("");
    expect(text(body.output as any)).toBe(text(streamed));
    expect((body.usage as any).output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
  });
});
