import { z } from "zod";
import { maxTokens, parseWith, samplingFields } from "../openai/schemas";

// POST /v1/responses request body (OpenAI's Responses API). The top level is loose: fields with no
// Gemini counterpart (store, include, prompt_cache_key, client_metadata, …) are accepted and
// ignored, as docs/compatibility.md lists. Item and content-part `type`s are closed sets, so
// nothing a client sends inside the conversation is silently dropped.

const inputText = z.object({ type: z.literal("input_text"), text: z.string() });
const inputImage = z.object({
  type: z.literal("input_image"),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.string().nullish(),
});
const inputFile = z.object({
  type: z.literal("input_file"),
  file_data: z.string().optional(),
  file_id: z.string().nullish(),
  file_url: z.string().optional(),
  filename: z.string().optional(),
});
const outputText = z.object({ type: z.literal("output_text"), text: z.string() });
const refusal = z.object({ type: z.literal("refusal"), refusal: z.string() });

const contentPart = z.discriminatedUnion("type", [inputText, inputImage, inputFile, outputText, refusal]);
export type InputContentPart = z.infer<typeof contentPart>;
const toolOutputPart = z.discriminatedUnion("type", [inputText, inputImage, inputFile]);
export type ToolOutputPart = z.infer<typeof toolOutputPart>;

const message = z.object({
  type: z.literal("message").optional(),
  role: z.enum(["system", "developer", "user", "assistant"]),
  content: z.union([z.string(), z.array(contentPart)]),
});
const functionCall = z.object({
  type: z.literal("function_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});
const customToolCall = z.object({
  type: z.literal("custom_tool_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  input: z.string(),
});
const toolOutput = z.union([z.string(), z.array(toolOutputPart)]);
const functionCallOutput = z.object({ type: z.literal("function_call_output"), call_id: z.string().min(1), output: toolOutput });
const customToolCallOutput = z.object({ type: z.literal("custom_tool_call_output"), call_id: z.string().min(1), output: toolOutput });
const reasoning = z.object({
  type: z.literal("reasoning"),
  summary: z.array(z.object({ type: z.string(), text: z.string() })).optional(),
  encrypted_content: z.string().nullish(),
});
/** Records of hosted tools the proxy never runs; their results reached the model as text already. */
export const HOSTED_CALL_ITEMS = ["web_search_call", "file_search_call", "code_interpreter_call", "image_generation_call"] as const;
const hostedCall = z.object({ type: z.enum(HOSTED_CALL_ITEMS) });
const itemReference = z.object({ type: z.literal("item_reference"), id: z.string() });

// A message may come without `type` (OpenAI's "easy input message"), so `type` is read first.
const item = z.union([
  message,
  z.discriminatedUnion("type", [functionCall, customToolCall, functionCallOutput, customToolCallOutput, reasoning, hostedCall, itemReference]),
]);
export type InputItem = z.infer<typeof item>;

const functionTool = z.object({
  type: z.literal("function"),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
const customTool = z.object({
  type: z.literal("custom"),
  name: z.string().min(1),
  description: z.string().nullish(),
  format: z
    .looseObject({ type: z.string(), syntax: z.string().optional(), definition: z.string().optional() })
    .nullish(),
});
/** Any other tool type: `translateTools` serves web search and drops the rest by a documented rule. */
const otherTool = z.looseObject({ type: z.string() });
/** A group of tools under one name (Codex sends its sub-agent tools so). */
const namespaceTool = z.object({
  type: z.literal("namespace"),
  name: z.string().min(1),
  description: z.string().nullish(),
  tools: z.array(z.union([functionTool, customTool, otherTool])),
});
const tool = z.union([functionTool, customTool, namespaceTool, otherTool]);
export type FunctionTool = z.infer<typeof functionTool>;
export type CustomTool = z.infer<typeof customTool>;
export type NamespaceTool = z.infer<typeof namespaceTool>;
export type RequestTool = z.infer<typeof tool>;

const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.enum(["function", "custom"]), name: z.string() }),
  z.object({
    type: z.literal("allowed_tools"),
    mode: z.enum(["auto", "required"]),
    tools: z.array(z.looseObject({ type: z.string(), name: z.string().optional() })),
  }),
  z.looseObject({ type: z.string() }),
]);
export type ResponsesToolChoice = z.infer<typeof toolChoice>;

const textFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    name: z.string().optional(),
    description: z.string().nullish(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
  }),
]);

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(item)]),
  instructions: z.string().nullish(),
  stream: z.boolean().nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning: z
    .looseObject({
      effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullish(),
      summary: z.enum(["auto", "concise", "detailed"]).nullish(),
    })
    .nullish(),
  text: z.looseObject({ format: textFormat.nullish(), verbosity: z.string().nullish() }).nullish(),
  max_output_tokens: maxTokens.nullish(),
  ...samplingFields,
  metadata: z.record(z.string(), z.string()).nullish(),
  // Accepted so a clear refusal can name them (they need state kept on the server).
  previous_response_id: z.string().nullish(),
  conversation: z.unknown().optional(),
  prompt: z.unknown().optional(),
  background: z.boolean().nullish(),
});
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

export function parseResponsesRequest(json: unknown): ResponsesRequest {
  return parseWith(responsesRequestSchema, json);
}
