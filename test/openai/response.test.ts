import { describe, expect, it } from "vitest";
import type { GenerateContentResponse } from "../../src/gemini/types";
import { isEmptyReply, toChatCompletion, usageFromGemini } from "../../src/openai/response";
import { fixtureJson } from "./fixtures";

const ctx = { id: "chatcmpl-abc", created: 1_700_000_000, model: "my-gemini" };

interface Body {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: {
    index: number;
    message: {
      role: string;
      content: string | null;
      refusal: string | null;
      reasoning_content?: string;
      tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
      annotations?: unknown[];
    };
    finish_reason: string;
  }[];
  usage: unknown;
}

function translate(res: GenerateContentResponse) {
  const out = toChatCompletion(res, ctx);
  return { ...out, body: out.body as Body };
}

describe("toChatCompletion on recorded Google answers", () => {
  it("google-text.json: text, stop, reasoning tokens counted in completion tokens", () => {
    const { body, usage, signatures, blocked } = translate(fixtureJson("text"));
    expect(body).toMatchObject({ id: "chatcmpl-abc", object: "chat.completion", created: 1_700_000_000, model: "my-gemini" });
    expect(body.choices).toEqual([
      {
        index: 0,
        message: {
          role: "assistant",
          content: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.",
          refusal: null,
        },
        logprobs: null,
        finish_reason: "stop",
      },
    ]);
    expect(usage).toEqual({ promptTokens: 9, completionTokens: 272, thoughtTokens: 244, cachedTokens: 0, totalTokens: 281 });
    expect(body.usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 272,
      total_tokens: 281,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 244 },
    });
    // a signature on a text part has no tool call to hang on
    expect(signatures).toEqual({});
    expect(blocked).toBe(false);
  });

  it("google-tool-call.json: one call, derived id, signature captured, finish tool_calls", () => {
    const { body, usage, signatures } = translate(fixtureJson("toolCall"));
    const choice = body.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.tool_calls).toEqual([
      { id: "call_abc_0_0", type: "function", function: { name: "weather", arguments: '{"location":"San Francisco"}' } },
    ]);
    expect(signatures).toEqual({
      call_abc_0_0: "EskgCsYgAb4+9vtF7/499YQS2bjZs3xcQI+iAl+ILn29nK1j0Kg6su7QsUUUk3nrAAfnS2w5WiVvlcCqu9fAebJ2cvfaEyBahEt5",
    });
    expect(usage).toEqual({ promptTokens: 29, completionTokens: 908, thoughtTokens: 893, cachedTokens: 0, totalTokens: 937 });
  });

  it("google-reasoning.json: thoughts not returned, only counted", () => {
    const { body, usage } = translate(fixtureJson("reasoning"));
    expect(body.choices[0]?.message).toEqual({
      role: "assistant",
      content: 'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.',
      refusal: null,
    });
    expect(usage).toEqual({ promptTokens: 9, completionTokens: 311, thoughtTokens: 282, cachedTokens: 0, totalTokens: 320 });
  });

  it("issue-19758-prompt-block.json: blocked prompt -> empty content, refusal, content_filter", () => {
    const res = fixtureJson("promptBlock");
    const { body, usage, blocked } = translate(res);
    expect(body.choices).toEqual([
      {
        index: 0,
        message: { role: "assistant", content: "", refusal: "The prompt was blocked by Google (PROHIBITED_CONTENT)." },
        logprobs: null,
        finish_reason: "content_filter",
      },
    ]);
    expect(blocked).toBe(true);
    expect(usage).toEqual({ promptTokens: 9, completionTokens: 0, thoughtTokens: 0, cachedTokens: 0, totalTokens: 9 });
    expect(isEmptyReply(res)).toBe(false);
  });

  it("google-usage-raw-live.json: no candidate and no block reason is an empty reply; usage still read", () => {
    const res = fixtureJson("usageOnly");
    expect(isEmptyReply(res)).toBe(true);
    const { body, usage, blocked } = translate(res);
    expect(body.choices).toEqual([]);
    expect(blocked).toBe(false);
    // tool-use prompt tokens are prompt tokens: 12 + 65; completion = 60 + 82 thoughts
    expect(usage).toEqual({ promptTokens: 77, completionTokens: 142, thoughtTokens: 82, cachedTokens: 0, totalTokens: 219 });
  });

  it("google-code-execution-multiple-results.json: code and results as Markdown blocks, then the text", () => {
    const { body, usage } = translate(fixtureJson("codeExecution"));
    expect(body.choices[0]?.message.content).toBe(
      "```python\nprint('ok')\nprint(1/0)\n```\n\n" +
        "```output\nok\n```\n\n" +
        "Execution result: OUTCOME_FAILED\n```output\ndivision by zero\nTraceback (most recent call last):\n" +
        '  File "/usr/bin/entry/entry_point", line 109, in _run_python\n' +
        "    exec(code, exec_scope)  # pylint: disable=exec-used\n    ^^^^^^^^^^^^^^^^^^^^^^\n" +
        '  File "<string>", line 2, in <module>\nZeroDivisionError: division by zero\n```\n\n' +
        "The code execution resulted in the following output:\n\n```\nok\n```\n\nFollowed by an error:\n\n```python\nZeroDivisionError: division by zero\n```",
    );
    expect(body.choices[0]?.finish_reason).toBe("stop");
    expect(usage).toEqual({ promptTokens: 312, completionTokens: 35, thoughtTokens: 0, cachedTokens: 0, totalTokens: 347 });
  });

  it("google-image-gemini-3.1-flash-image.json: inline image in message.images, not in content", () => {
    const { body, usage } = translate(fixtureJson("imageOutput"));
    expect(body.choices[0]?.message.content).toBe("");
    expect(body.choices[0]?.message).toMatchObject({
      images: [{ type: "image_url", image_url: { url: "data:image/jpeg;base64,<redacted live image data; length=439196>" } }],
    });
    expect(usage).toMatchObject({ promptTokens: 10, completionTokens: 1392, totalTokens: 1402 });
  });
});

describe("toChatCompletion on shapes no fixture covers", () => {
  it("thought parts go to reasoning_content, never content", () => {
    const { body } = translate({
      candidates: [
        {
          content: { role: "model", parts: [{ text: "Let me think.", thought: true }, { text: "Answer." }] },
          finishReason: "STOP",
        },
      ],
    });
    expect(body.choices[0]?.message).toMatchObject({ content: "Answer.", reasoning_content: "Let me think." });
  });

  it("parallel calls: ids per call, only the signed first call is remembered", () => {
    const { body, signatures } = translate({
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              { functionCall: { name: "a", args: { x: 1 } }, thoughtSignature: "sig-a" },
              { functionCall: { name: "b", args: {} } },
            ],
          },
          finishReason: "STOP",
        },
      ],
    });
    expect(body.choices[0]?.message.tool_calls?.map((call) => [call.id, call.function.name, call.function.arguments])).toEqual([
      ["call_abc_0_0", "a", '{"x":1}'],
      ["call_abc_0_1", "b", "{}"],
    ]);
    expect(signatures).toEqual({ call_abc_0_0: "sig-a" });
  });

  it.each([
    ["MAX_TOKENS", "length"],
    ["SAFETY", "content_filter"],
    ["RECITATION", "content_filter"],
    ["BLOCKLIST", "content_filter"],
    ["PROHIBITED_CONTENT", "content_filter"],
    ["SPII", "content_filter"],
    ["IMAGE_SAFETY", "content_filter"],
    ["MALFORMED_FUNCTION_CALL", "stop"],
    ["UNEXPECTED_TOOL_CALL", "stop"],
    ["OTHER", "stop"],
    ["SOMETHING_NEW", "stop"],
  ])("finishReason %s -> %s", (reason, expected) => {
    const { body, blocked } = translate({ candidates: [{ content: { role: "model", parts: [{ text: "x" }] }, finishReason: reason }] });
    expect(body.choices[0]?.finish_reason).toBe(expected);
    expect(blocked).toBe(expected === "content_filter");
  });

  it("n > 1: one choice per candidate, ids unique per choice", () => {
    const { body } = translate({
      candidates: [
        { index: 0, content: { parts: [{ functionCall: { name: "f", args: {} } }] }, finishReason: "STOP" },
        { index: 1, content: { parts: [{ functionCall: { name: "f", args: {} } }] }, finishReason: "STOP" },
      ],
    });
    expect(body.choices.map((choice) => [choice.index, choice.message.tool_calls?.[0]?.id])).toEqual([
      [0, "call_abc_0_0"],
      [1, "call_abc_1_0"],
    ]);
  });

  it("grounding -> url_citation annotations with UTF-16 offsets from Google's byte offsets", () => {
    // "é" is 2 bytes in UTF-8 and 1 UTF-16 unit: "Café is open." -> segment "is open" = bytes 6..13, chars 5..12
    const { body } = translate({
      candidates: [
        {
          content: { role: "model", parts: [{ text: "Café is open." }] },
          finishReason: "STOP",
          groundingMetadata: {
            groundingChunks: [{ web: { uri: "https://a.example/1", title: "a.example" } }, { web: { uri: "https://b.example/2" } }],
            groundingSupports: [{ segment: { startIndex: 6, endIndex: 13, text: "is open" }, groundingChunkIndices: [0] }],
          },
        },
      ],
    });
    expect(body.choices[0]?.message.annotations).toEqual([
      { type: "url_citation", url_citation: { url: "https://a.example/1", title: "a.example", start_index: 5, end_index: 12 } },
      { type: "url_citation", url_citation: { url: "https://b.example/2", title: "https://b.example/2", start_index: 0, end_index: 0 } },
    ]);
  });

  it("isEmptyReply: part-less candidate is empty; filtered or MAX_TOKENS candidates are answers", () => {
    expect(isEmptyReply({ candidates: [{ content: { role: "model" }, finishReason: "STOP" }] })).toBe(true);
    expect(isEmptyReply({ candidates: [{ content: { role: "model", parts: [{ text: "" }] }, finishReason: "STOP" }] })).toBe(true);
    expect(isEmptyReply({ candidates: [{ finishReason: "SAFETY" }] })).toBe(false);
    expect(isEmptyReply({ candidates: [{ finishReason: "MAX_TOKENS" }] })).toBe(false);
    expect(isEmptyReply({ candidates: [{ content: { parts: [{ text: "hi" }] } }] })).toBe(false);
    expect(isEmptyReply({})).toBe(true);
  });

  it("usageFromGemini: cached tokens from cachedContentTokenCount; missing metadata is all zero", () => {
    expect(usageFromGemini({ promptTokenCount: 100, cachedContentTokenCount: 40, candidatesTokenCount: 5 })).toEqual({
      promptTokens: 100,
      completionTokens: 5,
      thoughtTokens: 0,
      cachedTokens: 40,
      totalTokens: 105,
    });
    expect(usageFromGemini(undefined)).toEqual({ promptTokens: 0, completionTokens: 0, thoughtTokens: 0, cachedTokens: 0, totalTokens: 0 });
  });
});
