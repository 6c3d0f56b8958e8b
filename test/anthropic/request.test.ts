import { describe, expect, it } from "vitest";
import { toGeminiCountTokensRequest, toGeminiMessagesRequest, type MessagesTranslateOptions } from "../../src/anthropic/request";
import { parseCountTokensRequest, parseMessagesRequest } from "../../src/anthropic/schemas";
import { TranslationError } from "../../src/openai/errors";
import { DUMMY_THOUGHT_SIGNATURE } from "../../src/openai/messages";
import { translationError } from "../helpers/translation-error";

function options(extra: Partial<MessagesTranslateOptions> = {}): MessagesTranslateOptions {
  return { upstreamModel: "gemini-2.5-flash", safetyOff: false, systemAsUser: false, signatures: new Map(), remoteMedia: new Map(), ...extra };
}

function translate(body: Record<string, unknown>, extra: Partial<MessagesTranslateOptions> = {}) {
  return toGeminiMessagesRequest(parseMessagesRequest({ model: "claude-sonnet-4-5", max_tokens: 1024, ...body }), options(extra));
}

function refused(body: Record<string, unknown>, extra: Partial<MessagesTranslateOptions> = {}): TranslationError {
  return translationError(() => translate(body, extra));
}

const hi = [{ role: "user", content: "Hi" }];
const TOOL = { name: "get_weather", description: "Weather", input_schema: { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

describe("system", () => {
  it("folds `system` (string or text blocks with cache_control) and system-role messages into the system instruction, in order", () => {
    const { body } = translate({
      system: [
        { type: "text", text: "billing header" },
        { type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral" } },
      ],
      messages: [
        { role: "user", content: "Hi" },
        { role: "system", content: "Mid-conversation rule" },
        { role: "assistant", content: "Hello" },
        { role: "user", content: [{ type: "text", text: "More", cache_control: { type: "ephemeral", ttl: "1h" } }] },
      ],
    });
    expect(body.systemInstruction).toEqual({ parts: [{ text: "billing header" }, { text: "You are Claude Code." }, { text: "Mid-conversation rule" }] });
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "Hi" }] },
      { role: "model", parts: [{ text: "Hello" }] },
      { role: "user", parts: [{ text: "More" }] },
    ]);
    expect(translate({ system: "Be brief.", messages: hi }).body.systemInstruction).toEqual({ parts: [{ text: "Be brief." }] });
  });

  it("sends the system text as a leading user turn for a client key with systemAsUser", () => {
    const { body } = translate({ system: "Be brief.", messages: hi }, { systemAsUser: true });
    expect(body.systemInstruction).toBeUndefined();
    expect(body.contents[0]).toEqual({ role: "user", parts: [{ text: "Be brief." }, { text: "Hi" }] });
  });
});

describe("generation settings", () => {
  it("clamps max_tokens to the model's output limit instead of refusing it", () => {
    expect(translate({ max_tokens: 128_000, messages: hi }).body.generationConfig?.maxOutputTokens).toBe(65_536);
    expect(translate({ max_tokens: 32_000, messages: hi }).body.generationConfig?.maxOutputTokens).toBe(32_000);
    expect(translate({ max_tokens: 32_000, messages: hi }, { upstreamModel: "gemini-2.0-flash" }).body.generationConfig?.maxOutputTokens).toBe(8_192);
  });

  it("passes sampling and stop sequences, and refuses more stop sequences than Gemini takes", () => {
    const { generationConfig } = translate({ messages: hi, temperature: 0, top_p: 0.5, top_k: 40, stop_sequences: ["END"] }).body;
    expect(generationConfig).toMatchObject({ temperature: 0, topP: 0.5, topK: 40, stopSequences: ["END"] });
    expect(refused({ messages: hi, stop_sequences: ["1", "2", "3", "4", "5", "6"] }).param).toBe("stop_sequences");
  });

  it("maps thinking and effort to a budget on Gemini 2.5 and to a level on Gemini 3", () => {
    const config = (body: Record<string, unknown>, model = "gemini-2.5-flash") => translate({ messages: hi, ...body }, { upstreamModel: model });
    expect(config({ thinking: { type: "enabled", budget_tokens: 10_000 } })).toMatchObject({
      body: { generationConfig: { thinkingConfig: { thinkingBudget: 10_000, includeThoughts: true } } },
      thinkingBlocks: true,
    });
    expect(config({ thinking: { type: "enabled", budget_tokens: 100_000 } }).body.generationConfig?.thinkingConfig?.thinkingBudget).toBe(24_576);
    expect(config({ thinking: { type: "disabled" } }).body.generationConfig?.thinkingConfig).toEqual({ thinkingBudget: 0 });
    expect(config({ thinking: { type: "disabled" } }, "gemini-2.5-pro").body.generationConfig?.thinkingConfig).toBeUndefined();
    // adaptive with its display omitted: thinking blocks (for signatures) but no thought text asked for
    expect(config({ thinking: { type: "adaptive", display: "omitted" } }, "gemini-3-pro-preview")).toMatchObject({ thinkingBlocks: true });
    expect(config({ thinking: { type: "adaptive", display: "omitted" } }, "gemini-3-pro-preview").body.generationConfig?.thinkingConfig).toBeUndefined();
    expect(config({ thinking: { type: "adaptive" }, output_config: { effort: "low" } }, "gemini-3-pro-preview").body.generationConfig?.thinkingConfig).toEqual({
      thinkingLevel: "low",
      includeThoughts: true,
    });
    expect(config({ output_config: { effort: "medium" } }, "gemini-3-pro-preview")).toMatchObject({
      body: { generationConfig: { thinkingConfig: { thinkingLevel: "high" } } },
      thinkingBlocks: false,
    });
    expect(config({ thinking: { type: "enabled", budget_tokens: 2048 } }, "gemini-3-flash-preview").body.generationConfig?.thinkingConfig?.thinkingLevel).toBe("low");
  });

  it("asks for JSON with output_config.format", () => {
    const { generationConfig } = translate({ messages: hi, output_config: { format: { type: "json_schema", schema: { type: "object", $schema: "x" } } } }).body;
    expect(generationConfig).toMatchObject({ responseMimeType: "application/json", responseJsonSchema: { type: "object" } });
  });

  it("turns every adjustable safety category off for a client key with safetyOff", () => {
    expect(translate({ messages: hi }, { safetyOff: true }).body.safetySettings).toHaveLength(4);
    expect(translate({ messages: hi }).body.safetySettings).toBeUndefined();
  });
});

describe("tools", () => {
  it("declares custom tools from input_schema (meta keywords dropped, defer_loading ignored) and skips Anthropic-defined tools", () => {
    const { body } = translate({
      messages: hi,
      tools: [TOOL, { ...TOOL, name: "later", defer_loading: true, cache_control: { type: "ephemeral" } }, { type: "bash_20250124", name: "bash" }, { type: "web_search_20250305", name: "web_search" }],
    });
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          { name: "get_weather", description: "Weather", parametersJsonSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
          { name: "later", description: "Weather", parametersJsonSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
        ],
      },
      { googleSearch: {} },
    ]);
  });

  it("maps tool_choice auto / any / tool / none and refuses a tool that is not declared", () => {
    const mode = (tool_choice: object) => translate({ messages: hi, tools: [TOOL], tool_choice }).body.toolConfig;
    expect(mode({ type: "auto" })).toEqual({ functionCallingConfig: { mode: "AUTO" } });
    expect(mode({ type: "any" })).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(mode({ type: "tool", name: "get_weather" })).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } });
    expect(mode({ type: "none" })).toEqual({ functionCallingConfig: { mode: "NONE" } });
    expect(refused({ messages: hi, tools: [TOOL], tool_choice: { type: "tool", name: "nope" } }).param).toBe("tool_choice");
    expect(translate({ messages: hi, tools: [TOOL], tool_choice: { type: "auto", disable_parallel_tool_use: true } }).singleToolCall).toBe(true);
    expect(translate({ messages: hi, tools: [TOOL], tool_choice: { type: "auto" } }).singleToolCall).toBe(false);
  });
});

describe("tool round trips and thought signatures", () => {
  const turn = (assistant: object[], result: object = { type: "tool_result", tool_use_id: "toolu_1", content: "21 C" }) => [
    { role: "user", content: "Weather in Paris and Rome?" },
    { role: "assistant", content: assistant },
    { role: "user", content: [result] },
  ];
  const call = (id = "toolu_1", city = "Paris") => ({ type: "tool_use", id, name: "get_weather", input: { city } });

  it("sends tool_use as functionCall and tool_result (string, blocks with an image, is_error) as functionResponse", () => {
    const { body } = translate({
      tools: [TOOL],
      messages: [
        { role: "user", content: "Weather in Paris and Rome?" },
        { role: "assistant", content: [{ type: "text", text: "Checking." }, call("toolu_1"), call("toolu_2", "Rome")] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_2", is_error: true, content: [{ type: "text", text: "no data" }] },
            {
              type: "tool_result",
              tool_use_id: "toolu_1",
              content: [{ type: "text", text: "21 C" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBOR" } }],
            },
            { type: "text", text: "Thanks" },
          ],
        },
      ],
    });
    expect(body.contents[1]).toEqual({
      role: "model",
      parts: [
        { text: "Checking." },
        { functionCall: { id: "toolu_1", name: "get_weather", args: { city: "Paris" } } },
        { functionCall: { id: "toolu_2", name: "get_weather", args: { city: "Rome" } } },
      ],
    });
    // results in the order of the calls, then the other parts of the turn
    expect(body.contents[2]).toEqual({
      role: "user",
      parts: [
        { functionResponse: { id: "toolu_1", name: "get_weather", response: { output: "21 C" } } },
        { functionResponse: { id: "toolu_2", name: "get_weather", response: { error: "no data" } } },
        { inlineData: { mimeType: "image/png", data: "iVBOR" } },
        { text: "Thanks" },
      ],
    });
  });

  it("refuses a tool_result for a tool_use the history does not hold", () => {
    expect(refused({ messages: turn([call()], { type: "tool_result", tool_use_id: "toolu_9", content: "x" }) }).param).toBe("messages[2].content[0].tool_use_id");
  });

  it("puts the signature of the thinking block before a tool_use on its functionCall (thought text is not sent back)", () => {
    const { body } = translate(
      { messages: turn([{ type: "thinking", thinking: "Let me look", signature: "issued-sig" }, { type: "redacted_thinking", data: "zzz" }, call()]) },
      { upstreamModel: "gemini-3-pro-preview" },
    );
    expect(body.contents[1]!.parts).toEqual([{ functionCall: { id: "toolu_1", name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "issued-sig" }]);
  });

  it("prefers the remembered signature, and falls back to Google's dummy on Gemini 3 only", () => {
    const remembered = translate({ messages: turn([{ type: "thinking", thinking: "", signature: "from-block" }, call()]) }, {
      upstreamModel: "gemini-3-pro-preview",
      signatures: new Map([["toolu_1", "from-memory"]]),
    });
    expect(remembered.body.contents[1]!.parts![0]!.thoughtSignature).toBe("from-memory");
    expect(translate({ messages: turn([call()]) }, { upstreamModel: "gemini-3-pro-preview" }).body.contents[1]!.parts![0]!.thoughtSignature).toBe(DUMMY_THOUGHT_SIGNATURE);
    expect(translate({ messages: turn([call()]) }).body.contents[1]!.parts![0]!.thoughtSignature).toBeUndefined();
  });
});

describe("media", () => {
  it("inlines base64 images, fetched URL images and PDF documents", () => {
    const { body } = translate(
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/" } },
              { type: "image", source: { type: "url", url: "https://images.example/cat.png" } },
              { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBER" }, title: "Spec" },
              { type: "document", source: { type: "text", media_type: "text/plain", data: "plain words" } },
              { type: "text", text: "Describe" },
            ],
          },
        ],
      },
      { remoteMedia: new Map([["https://images.example/cat.png", { mimeType: "image/png", data: "iVBOR" }]]) },
    );
    expect(body.contents[0]!.parts).toEqual([
      { inlineData: { mimeType: "image/jpeg", data: "/9j/" } },
      { inlineData: { mimeType: "image/png", data: "iVBOR" } },
      { text: "Document: Spec" },
      { inlineData: { mimeType: "application/pdf", data: "JVBER" } },
      { text: "plain words" },
      { text: "Describe" },
    ]);
  });

  it("refuses a URL the caller could not fetch and Files API ids", () => {
    expect(refused({ messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "https://x.example/a.png" } }] }] }).code).toBe("invalid_image_url");
    expect(refused({ messages: [{ role: "user", content: [{ type: "image", source: { type: "file", file_id: "file_1" } }] }] }).code).toBe("unsupported_parameter");
  });
});

describe("request validation", () => {
  it("names the field at fault", () => {
    const parse = (body: object) => {
      try {
        parseMessagesRequest(body);
      } catch (error) {
        return error as TranslationError;
      }
      throw new Error("expected a refusal");
    };
    expect(parse({ model: "m", messages: hi }).param).toBe("max_tokens");
    expect(parse({ model: "m", max_tokens: 1, messages: [{ role: "wizard", content: "x" }] }).param).toBe("messages[0].role");
    expect(parse({ model: "m", max_tokens: 1, messages: [{ role: "user", content: [{ type: "image", source: { type: "base64" } }] }] }).param).toContain("messages[0].content[0]");
    // block types with no Gemini counterpart are accepted and skipped
    expect(translate({ messages: [{ role: "user", content: [{ type: "search_result", source: "x", title: "t", content: [] }, { type: "text", text: "Hi" }] }] }).body.contents).toEqual([
      { role: "user", parts: [{ text: "Hi" }] },
    ]);
    expect(refused({ messages: [] }).param).toBe("messages");
  });
});

describe("count_tokens", () => {
  it("asks Google to count the whole prompt: system, tools and messages", () => {
    const request = toGeminiCountTokensRequest(parseCountTokensRequest({ model: "claude-sonnet-4-5", system: "Be brief.", tools: [TOOL], messages: hi }), options());
    expect(request).toEqual({
      generateContentRequest: {
        model: "models/gemini-2.5-flash",
        contents: [{ role: "user", parts: [{ text: "Hi" }] }],
        systemInstruction: { parts: [{ text: "Be brief." }] },
        tools: [{ functionDeclarations: [expect.objectContaining({ name: "get_weather" })] }],
      },
    });
  });
});
