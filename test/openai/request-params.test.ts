import { describe, expect, it } from "vitest";
import type { GoogleErrorBody } from "../../src/gemini/types";
import { resolveModelName } from "../../src/openai/request";
import { parseChatRequest } from "../../src/openai/schemas";
import { fixtureJson } from "./fixtures";
import { translate, translationError } from "./request-helpers";

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather by city",
    strict: true,
    parameters: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: { city: { type: "string" }, $comment: { type: ["string", "null"] } },
      required: ["city"],
      additionalProperties: false,
    },
  },
};
const timeTool = { type: "function", function: { name: "get_time" } };

describe("sampling parameters", () => {
  it("map one to one; 0 is a value, not unset", () => {
    const out = translate({
      temperature: 0,
      top_p: 0,
      top_k: 40,
      max_tokens: 100,
      stop: "END",
      n: 2,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
    });
    expect(out.generationConfig).toEqual({
      temperature: 0,
      topP: 0,
      topK: 40,
      maxOutputTokens: 100,
      stopSequences: ["END"],
      candidateCount: 2,
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
    });
  });

  it("max_completion_tokens wins over max_tokens; stop arrays pass as they are", () => {
    const out = translate({ max_tokens: 10, max_completion_tokens: 20, stop: ["a", "b"] });
    expect(out.generationConfig).toEqual({ maxOutputTokens: 20, stopSequences: ["a", "b"] });
  });

  it("nothing set -> no generationConfig at all", () => {
    expect(translate({}).generationConfig).toBeUndefined();
  });

  it("out-of-range values are refused by the schema with the param name", () => {
    expect(translationError(() => translate({ temperature: 3 }))).toMatchObject({ status: 400, param: "temperature" });
    expect(translationError(() => translate({ top_p: 1.5 }))).toMatchObject({ param: "top_p" });
    expect(translationError(() => translate({ n: 0 }))).toMatchObject({ param: "n" });
    expect(translationError(() => parseChatRequest({ messages: [] }))).toMatchObject({
      param: "model",
      code: "missing_required_parameter",
    });
  });
});

describe("response_format", () => {
  it("text -> nothing; json_object -> application/json", () => {
    expect(translate({ response_format: { type: "text" } }).generationConfig).toBeUndefined();
    expect(translate({ response_format: { type: "json_object" } }).generationConfig).toEqual({ responseMimeType: "application/json" });
  });

  it("json_schema -> responseJsonSchema, meta keywords stripped, property names kept", () => {
    const out = translate({
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "answer",
          strict: true,
          schema: {
            $schema: "https://json-schema.org/draft/2020-12/schema",
            type: "object",
            properties: { $comment: { type: "string", $comment: "drop me" }, value: { anyOf: [{ type: "number" }, { type: "null" }] } },
            required: ["value"],
            additionalProperties: false,
          },
        },
      },
    });
    expect(out.generationConfig).toEqual({
      responseMimeType: "application/json",
      responseJsonSchema: {
        type: "object",
        properties: { $comment: { type: "string" }, value: { anyOf: [{ type: "number" }, { type: "null" }] } },
        required: ["value"],
        additionalProperties: false,
      },
    });
  });
});

describe("tools and tool_choice", () => {
  it("function tools -> functionDeclarations with parametersJsonSchema (JSON Schema kept, $schema dropped)", () => {
    const out = translate({ tools: [weatherTool, timeTool] });
    expect(out.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: "get_weather",
            description: "Weather by city",
            parametersJsonSchema: {
              type: "object",
              properties: { city: { type: "string" }, $comment: { type: ["string", "null"] } },
              required: ["city"],
              additionalProperties: false,
            },
          },
          { name: "get_time" },
        ],
      },
    ]);
    expect(out.toolConfig).toBeUndefined();
  });

  it.each([
    ["auto", { mode: "AUTO" }],
    ["none", { mode: "NONE" }],
    ["required", { mode: "ANY" }],
    [{ type: "function", function: { name: "get_time" } }, { mode: "ANY", allowedFunctionNames: ["get_time"] }],
    [
      { type: "allowed_tools", allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "get_time" } }] } },
      { mode: "ANY", allowedFunctionNames: ["get_time"] },
    ],
  ])("tool_choice %j -> %j", (choice, config) => {
    expect(translate({ tools: [weatherTool, timeTool], tool_choice: choice }).toolConfig).toEqual({ functionCallingConfig: config });
  });

  it("allowed_tools auto narrows the declarations instead (allowedFunctionNames needs ANY)", () => {
    const out = translate({
      tools: [weatherTool, timeTool],
      tool_choice: { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [{ type: "function", function: { name: "get_time" } }] } },
    });
    expect(out.tools).toEqual([{ functionDeclarations: [{ name: "get_time" }] }]);
    expect(out.toolConfig).toEqual({ functionCallingConfig: { mode: "AUTO" } });
  });

  it("a named function not in tools, or required without tools -> 400 on tool_choice", () => {
    const named = translationError(() => translate({ tools: [timeTool], tool_choice: { type: "function", function: { name: "nope" } } }));
    expect(named).toMatchObject({ status: 400, param: "tool_choice" });
    expect(translationError(() => translate({ tool_choice: "required" }))).toMatchObject({ param: "tool_choice" });
    // auto/none without tools ask for nothing
    expect(translate({ tool_choice: "none" }).toolConfig).toBeUndefined();
  });

  it("parallel_tool_calls is accepted and has no Gemini counterpart", () => {
    expect(translate({ tools: [timeTool], parallel_tool_calls: false })).toEqual(translate({ tools: [timeTool] }));
  });

  it("non-function tool types are refused", () => {
    expect(translationError(() => translate({ tools: [{ type: "custom", custom: { name: "x" } }] })).param).toBe("tools[0].type");
  });
});

describe("web search", () => {
  it("resolveModelName strips -search", () => {
    expect(resolveModelName("gemini-2.5-flash-search")).toEqual({ model: "gemini-2.5-flash", webSearch: true });
    expect(resolveModelName("gemini-2.5-flash")).toEqual({ model: "gemini-2.5-flash", webSearch: false });
    expect(resolveModelName("-search")).toEqual({ model: "-search", webSearch: false });
  });

  it("the option, the web_search flag and web_search_options each add googleSearch after the functions", () => {
    expect(translate({}, { webSearch: true }).tools).toEqual([{ googleSearch: {} }]);
    expect(translate({ web_search: true }).tools).toEqual([{ googleSearch: {} }]);
    expect(translate({ web_search_options: {} }).tools).toEqual([{ googleSearch: {} }]);
    expect(translate({ tools: [timeTool], web_search: true }).tools).toEqual([
      { functionDeclarations: [{ name: "get_time" }] },
      { googleSearch: {} },
    ]);
    expect(translate({ web_search: false }).tools).toBeUndefined();
  });
});

describe("thinking", () => {
  const thinking = (body: Record<string, unknown>, upstreamModel: string, alwaysIncludeThoughts = false) =>
    translate(body, { upstreamModel, alwaysIncludeThoughts }).generationConfig?.thinkingConfig;

  it("reasoning_effort -> thinkingLevel for Gemini 3, with thought summaries", () => {
    expect(thinking({ reasoning_effort: "low" }, "gemini-3-pro-preview")).toEqual({ includeThoughts: true, thinkingLevel: "low" });
    expect(thinking({ reasoning_effort: "minimal" }, "gemini-3-flash-preview")).toEqual({ includeThoughts: true, thinkingLevel: "minimal" });
    expect(thinking({ reasoning_effort: "xhigh" }, "gemini-3.1-pro-preview")).toEqual({ includeThoughts: true, thinkingLevel: "high" });
  });

  it("reasoning_effort -> thinkingBudget for 2.5", () => {
    expect(thinking({ reasoning_effort: "minimal" }, "gemini-2.5-flash-lite")).toEqual({ includeThoughts: true, thinkingBudget: 512 });
    expect(thinking({ reasoning_effort: "medium" }, "gemini-2.5-flash")).toEqual({ includeThoughts: true, thinkingBudget: 8192 });
    expect(thinking({ reasoning_effort: "high" }, "gemini-2.5-pro")).toEqual({ includeThoughts: true, thinkingBudget: 24576 });
  });

  it("reasoning_effort none: budget 0 where thinking can be switched off, 400 elsewhere", () => {
    expect(thinking({ reasoning_effort: "none" }, "gemini-2.5-flash")).toEqual({ thinkingBudget: 0 });
    expect(translationError(() => thinking({ reasoning_effort: "none" }, "gemini-2.5-pro"))).toMatchObject({
      status: 400,
      param: "reasoning_effort",
    });
    // Google itself answers 400 for this on gemini-3.1-pro-preview (recorded in issue-22372-live-errors.json)
    const recorded = fixtureJson<{ reasoningNoneResponse: GoogleErrorBody }>("liveErrors").reasoningNoneResponse;
    expect(recorded.error.status).toBe("INVALID_ARGUMENT");
    expect(translationError(() => thinking({ reasoning_effort: "none" }, "gemini-3.1-pro-preview")).param).toBe("reasoning_effort");
  });

  it("models without thinking controls ignore reasoning_effort", () => {
    expect(thinking({ reasoning_effort: "high" }, "gemini-2.0-flash")).toBeUndefined();
  });

  it("extra_body.google.thinking_config wins over reasoning_effort and never yields both knobs", () => {
    expect(thinking({ reasoning_effort: "high", google: { thinking_config: { thinking_budget: 2048 } } }, "gemini-3-pro-preview")).toEqual({
      includeThoughts: true,
      thinkingBudget: 2048,
    });
    expect(thinking({ extra_body: { google: { thinking_config: { thinking_level: "LOW", include_thoughts: true } } } }, "gemini-3-pro-preview")).toEqual({
      includeThoughts: true,
      thinkingLevel: "low",
    });
    expect(thinking({ reasoning_effort: "low", google: { thinking_config: { include_thoughts: false } } }, "gemini-2.5-flash")).toEqual({
      includeThoughts: false,
      thinkingBudget: 1024,
    });
  });

  it("both thinking_level and thinking_budget -> 400 (Google refuses it too: issue-22372-live-errors.json)", () => {
    const recorded = fixtureJson<{ thinkingLevelAndBudgetResponse: GoogleErrorBody }>("liveErrors").thinkingLevelAndBudgetResponse;
    expect(recorded.error.message).toContain("only one of thinking budget and thinking level");
    const error = translationError(() =>
      thinking({ google: { thinking_config: { thinking_level: "low", thinking_budget: 100 } } }, "gemini-3.1-pro-preview"),
    );
    expect(error).toMatchObject({ status: 400, param: "extra_body.google.thinking_config" });
  });

  it("alwaysIncludeThoughts asks for summaries unless the client said otherwise or thinking is off", () => {
    expect(thinking({}, "gemini-2.5-flash", true)).toEqual({ includeThoughts: true });
    expect(thinking({ google: { thinking_config: { include_thoughts: false } } }, "gemini-2.5-flash", true)).toEqual({ includeThoughts: false });
    expect(thinking({ reasoning_effort: "none" }, "gemini-2.5-flash", true)).toEqual({ thinkingBudget: 0 });
    expect(thinking({}, "gemini-2.0-flash", true)).toBeUndefined();
  });
});

describe("extra_body.google, safety, cached content", () => {
  it("safetyOff turns every adjustable category OFF; the client's own settings override per category", () => {
    expect(translate({}, { safetyOff: true }).safetySettings).toEqual([
      { category: "HARM_CATEGORY_HARASSMENT", threshold: "OFF" },
      { category: "HARM_CATEGORY_HATE_SPEECH", threshold: "OFF" },
      { category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", threshold: "OFF" },
      { category: "HARM_CATEGORY_DANGEROUS_CONTENT", threshold: "OFF" },
    ]);
    const mixed = translate(
      { google: { safety_settings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_LOW_AND_ABOVE" }] } },
      { safetyOff: true },
    );
    expect(mixed.safetySettings?.[0]).toEqual({ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_LOW_AND_ABOVE" });
    expect(translate({}).safetySettings).toBeUndefined();
  });

  it("cached_content -> cachedContent, from either the merged or the nested form", () => {
    expect(translate({ google: { cached_content: "cachedContents/abc" } }).cachedContent).toBe("cachedContents/abc");
    expect(translate({ extra_body: { google: { cached_content: "cachedContents/def" } } }).cachedContent).toBe("cachedContents/def");
  });
});

describe("accepted-and-ignored and refused fields", () => {
  it("harmless OpenAI fields change nothing", () => {
    const plain = translate({});
    const decorated = translate({
      user: "u-1",
      metadata: { a: "b" },
      store: false,
      logprobs: false,
      top_logprobs: 0,
      logit_bias: {},
      stream: true,
      stream_options: { include_usage: true },
      service_tier: "auto",
      prompt_cache_key: "k",
      safety_identifier: "s",
      verbosity: "low",
      modalities: ["text"],
      prediction: { type: "content", content: "x" },
      some_vendor_field: 1,
    });
    expect(decorated).toEqual(plain);
  });

  it("modalities with image asks Gemini for image output", () => {
    expect(translate({ modalities: ["text", "image"] }).generationConfig).toEqual({ responseModalities: ["TEXT", "IMAGE"] });
  });

  it.each([
    [{ logprobs: true }, "logprobs"],
    [{ top_logprobs: 3 }, "top_logprobs"],
    [{ logit_bias: { "50256": -100 } }, "logit_bias"],
    [{ audio: { voice: "alloy", format: "wav" } }, "audio"],
    [{ modalities: ["text", "audio"] }, "modalities[1]"],
    [{ functions: [{ name: "f" }] }, "functions"],
    [{ function_call: "auto" }, "function_call"],
  ])("%j is refused (param %s)", (body, param) => {
    expect(translationError(() => translate(body))).toMatchObject({ status: 400, param });
  });
});
