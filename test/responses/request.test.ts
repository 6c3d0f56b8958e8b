import { describe, expect, it } from "vitest";
import { DUMMY_THOUGHT_SIGNATURE } from "../../src/openai/messages";
import { collectCallIds, collectCarriedSignatures } from "../../src/responses/input";
import { toGeminiResponsesRequest, type ResponsesTranslateOptions } from "../../src/responses/request";
import { parseResponsesRequest } from "../../src/responses/schemas";
import { encodeSignatures } from "../../src/responses/signatures";
import { translationError } from "../helpers/translation-error";

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

function translate(body: Record<string, unknown>, options: Partial<ResponsesTranslateOptions> = {}) {
  const req = parseResponsesRequest({ model: "gemini-3-pro-preview", ...body });
  return toGeminiResponsesRequest(req, {
    upstreamModel: "gemini-3-pro-preview",
    safetyOff: false,
    systemAsUser: false,
    alwaysIncludeThoughts: false,
    signatures: collectCarriedSignatures(req),
    remoteMedia: new Map(),
    ...options,
  });
}

const refusal = translationError;

describe("Responses request -> Gemini", () => {
  it("takes a string input, instructions and developer messages (Codex's base prompt) into the system instruction", () => {
    const { body } = translate({
      instructions: "Be brief.",
      input: [
        { type: "message", role: "developer", content: [{ type: "input_text", text: "You are Codex." }] },
        { role: "user", content: "hi" },
      ],
    });
    expect(body.systemInstruction).toEqual({ parts: [{ text: "Be brief." }, { text: "You are Codex." }] });
    expect(body.contents).toEqual([{ role: "user", parts: [{ text: "hi" }] }]);
    expect(translate({ input: "just text" }).body.contents).toEqual([{ role: "user", parts: [{ text: "just text" }] }]);
  });

  it("maps every message content type: input_text, input_image, input_file, output_text", () => {
    const { body } = translate({
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "look" },
            { type: "input_image", image_url: `data:image/png;base64,${PNG}`, detail: "auto" },
            { type: "input_file", filename: "notes.txt", file_data: "aGVsbG8=" },
          ],
        },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "seen" }] },
        { role: "user", content: "next" },
      ],
    });
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "look" }, { inlineData: { mimeType: "image/png", data: PNG } }, { inlineData: { mimeType: "text/plain", data: "aGVsbG8=" } }] },
      { role: "model", parts: [{ text: "seen" }] },
      { role: "user", parts: [{ text: "next" }] },
    ]);
  });

  it("function_call / function_call_output and custom_tool_call / custom_tool_call_output (array output) round trip", () => {
    const { body } = translate({
      input: [
        { role: "user", content: "go" },
        { type: "function_call", call_id: "call_1", name: "shell", arguments: '{"command":["ls"]}' },
        { type: "function_call_output", call_id: "call_1", output: "a.txt" },
        { type: "custom_tool_call", call_id: "call_2", name: "apply_patch", input: "*** Begin Patch" },
        { type: "custom_tool_call_output", call_id: "call_2", output: [{ type: "input_text", text: "Done!" }, { type: "input_text", text: "1 file" }] },
      ],
      tools: [{ type: "custom", name: "apply_patch", description: "Patch files", format: { type: "grammar", syntax: "lark", definition: "start: x" } }],
    });
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "go" }] },
      { role: "model", parts: [{ functionCall: { id: "call_1", name: "shell", args: { command: ["ls"] } }, thoughtSignature: DUMMY_THOUGHT_SIGNATURE }] },
      { role: "user", parts: [{ functionResponse: { id: "call_1", name: "shell", response: { output: "a.txt" } } }] },
      { role: "model", parts: [{ functionCall: { id: "call_2", name: "apply_patch", args: { input: "*** Begin Patch" } }, thoughtSignature: DUMMY_THOUGHT_SIGNATURE }] },
      { role: "user", parts: [{ functionResponse: { id: "call_2", name: "apply_patch", response: { output: "Done!\n1 file" } } }] },
    ]);
    const declaration = body.tools![0]!.functionDeclarations![0]!;
    expect(declaration).toMatchObject({ name: "apply_patch", parametersJsonSchema: { type: "object", properties: { input: { type: "string" } }, required: ["input"] } });
    expect(declaration.description).toContain("start: x");
  });

  it("puts the signature carried in a reasoning item's encrypted_content back on its call, in any order; parallel calls share one model turn", () => {
    const req = {
      input: [
        { role: "user", content: "go" },
        { type: "reasoning", summary: [{ type: "summary_text", text: "thinking" }], encrypted_content: encodeSignatures({ call_a: "SIG_A" }) },
        { type: "function_call", call_id: "call_a", name: "f", arguments: "{}" },
        { type: "function_call", call_id: "call_b", name: "f", arguments: "{}" },
        { type: "function_call_output", call_id: "call_b", output: "B" },
        { type: "function_call_output", call_id: "call_a", output: '{"ok":true}' },
        // a reasoning item from elsewhere (not ours) is ignored, not refused
        { type: "reasoning", summary: [], encrypted_content: "gAAAAABoOpenAIblob" },
      ],
    };
    const { body } = translate(req);
    expect(body.contents[1]).toEqual({
      role: "model",
      parts: [
        { functionCall: { id: "call_a", name: "f", args: {} }, thoughtSignature: "SIG_A" },
        { functionCall: { id: "call_b", name: "f", args: {} } },
      ],
    });
    // results in call order, JSON objects as they are
    expect(body.contents[2]!.parts!.map((p) => p.functionResponse)).toEqual([
      { id: "call_a", name: "f", response: { ok: true } },
      { id: "call_b", name: "f", response: { output: "B" } },
    ]);
    expect(collectCallIds(parseResponsesRequest({ model: "m", ...req }))).toEqual(["call_a", "call_b"]);
  });

  it("tools: function (strict), custom, web_search -> googleSearch, hosted types left out; tool_choice", () => {
    const tools = [
      { type: "function", name: "shell", description: "Run", strict: true, parameters: { $schema: "x", type: "object", properties: { cmd: { type: "string" } }, additionalProperties: false } },
      { type: "web_search" },
      { type: "file_search", vector_store_ids: ["vs_1"] },
      { type: "local_shell" },
    ];
    const gemini3 = translate({ input: "hi", tools, tool_choice: { type: "function", name: "shell" } }).body;
    expect(gemini3.tools).toEqual([
      { functionDeclarations: [{ name: "shell", description: "Run", parametersJsonSchema: { type: "object", properties: { cmd: { type: "string" } }, additionalProperties: false } }] },
      { googleSearch: {} },
    ]);
    expect(gemini3.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["shell"] } });
    // Gemini 2.5 cannot combine search with functions: search is left out there
    const flash = translate({ input: "hi", tools }, { upstreamModel: "gemini-2.5-flash" }).body;
    expect(flash.tools).toEqual([gemini3.tools![0]]);
    expect(translate({ input: "hi", tools: [{ type: "web_search" }] }, { upstreamModel: "gemini-2.5-flash" }).body.tools).toEqual([{ googleSearch: {} }]);
    expect(translate({ input: "hi", tools, tool_choice: "required" }).body.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(translate({ input: "hi", tools, tool_choice: "none" }).body.toolConfig).toEqual({ functionCallingConfig: { mode: "NONE" } });
    expect(refusal(() => translate({ input: "hi", tools, tool_choice: { type: "function", name: "nope" } })).param).toBe("tool_choice");
    expect(refusal(() => translate({ input: "hi", tools, tool_choice: { type: "file_search" } })).code).toBe("unsupported_value");
  });

  it("text.format, max_output_tokens, temperature, top_p, reasoning; harmless fields ignored", () => {
    const { body } = translate({
      input: "hi",
      text: { format: { type: "json_schema", name: "answer", strict: true, schema: { $schema: "x", type: "object", properties: { a: { type: "number" } } } }, verbosity: "low" },
      max_output_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      reasoning: { effort: "high", summary: "auto" },
      store: false,
      include: ["reasoning.encrypted_content"],
      prompt_cache_key: "abc",
      metadata: { a: "b" },
      client_metadata: { x: 1 },
      parallel_tool_calls: false,
      service_tier: "auto",
    });
    expect(body.generationConfig).toEqual({
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 100,
      responseMimeType: "application/json",
      responseJsonSchema: { type: "object", properties: { a: { type: "number" } } },
      thinkingConfig: { includeThoughts: true, thinkingLevel: "high" },
    });
    expect(translate({ input: "hi", text: { format: { type: "json_object" } } }).body.generationConfig).toEqual({ responseMimeType: "application/json" });
    // effort without summary: thinking level, no thought summaries asked
    expect(translate({ input: "hi", reasoning: { effort: "low" } }).body.generationConfig).toEqual({ thinkingConfig: { thinkingLevel: "low" } });
  });

  it("refuses with a clear 400: previous_response_id, item_reference, stored prompts, unknown items, media in a developer message", () => {
    const previous = refusal(() => translate({ input: "hi", previous_response_id: "resp_123" }));
    expect(previous).toMatchObject({ status: 400, param: "previous_response_id", code: "unsupported_parameter" });
    expect(previous.message).toContain("Resend the whole conversation");
    expect(refusal(() => translate({ input: [{ type: "item_reference", id: "msg_1" }] })).message).toContain("item_reference");
    expect(refusal(() => translate({ input: [{ type: "function_call_output", call_id: "nope", output: "x" }] })).param).toBe("input[0].call_id");
    expect(refusal(() => parseResponsesRequest({ model: "m", input: [{ type: "wizard_call" }] })).status).toBe(400);
    expect(refusal(() => translate({ input: "hi", prompt: { id: "pmpt_1" } })).param).toBe("prompt");
    const image = { type: "input_image", image_url: `data:image/png;base64,${PNG}` };
    expect(refusal(() => translate({ input: [{ role: "developer", content: [image] }, { role: "user", content: "hi" }] })).param).toBe("input[0].content");
  });
});
