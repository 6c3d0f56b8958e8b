import { z } from "zod";
import { TranslationError } from "./errors";
import { schemaBoundsProblem } from "./json-schema";
import { fieldIssue } from "../util/zod-issues";

// Request schemas for the OpenAI endpoints the proxy serves. Top-level objects are loose: fields
// we do not know are ignored (docs/compatibility.md lists them). Inside messages the `role` and
// the content-part `type` are closed sets, so nothing a client sends is silently dropped there.

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const refusalPart = z.object({ type: z.literal("refusal"), refusal: z.string() });
const imagePart = z.object({
  type: z.literal("image_url"),
  // some clients send the URL as a bare string; OpenAI's shape is the object
  image_url: z.union([
    z.object({ url: z.string(), detail: z.enum(["auto", "low", "high"]).optional() }),
    z.string().transform((url) => ({ url })),
  ]),
});
const audioPart = z.object({
  type: z.literal("input_audio"),
  input_audio: z.object({ data: z.string(), format: z.enum(["wav", "mp3"]) }),
});
const filePart = z.object({
  type: z.literal("file"),
  file: z.object({
    file_data: z.string().optional(),
    file_id: z.string().optional(),
    filename: z.string().optional(),
  }),
});

/** A JSON Schema object, refused when deeper or bigger than any real one (src/openai/json-schema.ts). */
const jsonSchema = z.record(z.string(), z.unknown()).superRefine((schema, ctx) => {
  const problem = schemaBoundsProblem(schema);
  if (problem) ctx.addIssue({ code: "custom", message: problem, input: schema });
});

// Google's documented bounds (docs/compatibility.md, "Bounds"). Integers Google reads as int32.
const INT32_MAX = 2_147_483_647;
const int32 = z.int().min(-INT32_MAX - 1).max(INT32_MAX);
/** The largest output any current Gemini model allows (2.5 and 3 Pro/Flash: 65,536 tokens). */
export const MAX_OUTPUT_TOKENS = 65_536;
/** gemini-embedding-001's largest `outputDimensionality` (128 to 3072). */
export const MAX_EMBEDDING_DIMENSIONS = 3072;
/** Asking for more than a model can write is the same request as asking for all it can: clamped. */
export const maxTokens = z.int().min(1).transform((tokens) => Math.min(tokens, MAX_OUTPUT_TOKENS));

/** The sampling fields the chat and Responses bodies share, in Google's bounds. */
export const samplingFields = {
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
};

const userPart = z.discriminatedUnion("type", [textPart, imagePart, audioPart, filePart]);
export type UserContentPart = z.infer<typeof userPart>;

const toolCall = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});
export type ToolCall = z.infer<typeof toolCall>;

const systemMessage = z.object({
  role: z.enum(["system", "developer"]),
  content: z.union([z.string(), z.array(textPart)]),
  name: z.string().optional(),
});
const userMessage = z.object({
  role: z.literal("user"),
  content: z.union([z.string(), z.array(userPart)]),
  name: z.string().optional(),
});
const assistantMessage = z.object({
  role: z.literal("assistant"),
  content: z.union([z.string(), z.array(z.discriminatedUnion("type", [textPart, refusalPart]))]).nullish(),
  refusal: z.string().nullish(),
  tool_calls: z.array(toolCall).nullish(),
  // images the model made, as this proxy (and OpenRouter, LiteLLM) return them
  images: z.array(imagePart).nullish(),
  name: z.string().optional(),
});
const toolMessage = z.object({
  role: z.literal("tool"),
  content: z.union([z.string(), z.array(textPart)]),
  tool_call_id: z.string(),
  name: z.string().optional(),
});

const message = z.discriminatedUnion("role", [systemMessage, userMessage, assistantMessage, toolMessage]);
export type ChatMessage = z.infer<typeof message>;

const functionTool = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: jsonSchema.optional(),
    strict: z.boolean().nullish(),
  }),
});
export type FunctionTool = z.infer<typeof functionTool>;

const namedFunction = z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) });
const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  namedFunction,
  z.object({
    type: z.literal("allowed_tools"),
    allowed_tools: z.object({ mode: z.enum(["auto", "required"]), tools: z.array(namedFunction) }),
  }),
]);
export type ToolChoice = z.infer<typeof toolChoice>;

const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string(),
      description: z.string().optional(),
      schema: jsonSchema.optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const thinkingConfig = z.object({
  thinking_budget: int32.optional(),
  thinking_level: z
    .string()
    .transform((level) => level.toLowerCase())
    .pipe(z.enum(["minimal", "low", "medium", "high"]))
    .optional(),
  include_thoughts: z.boolean().optional(),
});

/** OpenRouter's `image_config` for image-output models -> `generationConfig.imageConfig`. */
const imageConfig = z.looseObject({ aspect_ratio: z.string().min(1).optional(), image_size: z.string().min(1).optional() });
export type ImageConfigRequest = z.infer<typeof imageConfig>;

/** `extra_body.google` as Google's own OpenAI-compatible endpoint defines it. */
const googleExtras = z.looseObject({
  image_config: imageConfig.optional(),
  thinking_config: thinkingConfig.optional(),
  safety_settings: z.array(z.object({ category: z.string(), threshold: z.string() })).optional(),
  cached_content: z.string().optional(),
});
export type GoogleExtras = z.infer<typeof googleExtras>;

const stopSequences = z.union([z.string(), z.array(z.string()).max(5)]);

export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  ...samplingFields,
  top_k: z.int().min(1).max(INT32_MAX).nullish(),
  max_tokens: maxTokens.nullish(),
  max_completion_tokens: maxTokens.nullish(),
  stop: stopSequences.nullish(),
  n: z.int().min(1).max(8).nullish(),
  seed: int32.nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  response_format: responseFormat.nullish(),
  tools: z.array(functionTool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh", "max"]).nullish(),
  web_search: z.boolean().nullish(),
  web_search_options: z.looseObject({}).nullish(),
  google: googleExtras.nullish(),
  extra_body: z.looseObject({ google: googleExtras.nullish() }).nullish(),
  // Accepted only in their harmless form; anything else is refused by the translator.
  logprobs: z.boolean().nullish(),
  top_logprobs: int32.nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  modalities: z.array(z.string()).nullish(),
  image_config: imageConfig.nullish(),
  audio: z.unknown().optional(),
  prediction: z.unknown().optional(),
  functions: z.unknown().optional(),
  function_call: z.unknown().optional(),
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048), z.array(z.number()), z.array(z.array(z.number()))]),
  encoding_format: z.enum(["float", "base64"]).nullish(),
  dimensions: z.int().min(1).max(MAX_EMBEDDING_DIMENSIONS).nullish(),
  user: z.string().nullish(),
});
export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

/** Parses with a zod schema; the first (most specific) issue becomes a TranslationError naming its param. */
export function parseWith<T>(schema: z.ZodType<T>, json: unknown): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  if (!first) throw new TranslationError("Invalid request body.");
  const { path: param, message, missing } = fieldIssue(first);
  const where = param === "" ? "the request body" : `'${param}'`;
  throw new TranslationError(`Invalid value for ${where}: ${message}`, {
    param: param || null,
    code: missing ? "missing_required_parameter" : "invalid_value",
  });
}

export function parseChatRequest(json: unknown): ChatCompletionRequest {
  return parseWith(chatCompletionRequestSchema, json);
}

export function parseEmbeddingsRequest(json: unknown): EmbeddingsRequest {
  return parseWith(embeddingsRequestSchema, json);
}
