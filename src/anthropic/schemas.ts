import { z } from "zod";
import { parseWith } from "../openai/schemas";

// Request schemas for POST /v1/messages and /v1/messages/count_tokens (Anthropic's Messages API
// reference). Top-level objects and blocks are loose: Claude Code sends many fields Gemini has
// no counterpart for (cache_control, metadata, context_management, …); they are accepted and
// ignored (docs/compatibility.md, "Messages API"). The blocks the proxy translates are checked
// strictly; block types with no Gemini counterpart are accepted and skipped.

const textBlock = z.looseObject({ type: z.literal("text"), text: z.string() });

const base64Source = z.looseObject({ type: z.literal("base64"), media_type: z.string().min(1), data: z.string() });
const urlSource = z.looseObject({ type: z.literal("url"), url: z.string().min(1) });
const fileSource = z.looseObject({ type: z.literal("file"), file_id: z.string() });
const plainTextSource = z.looseObject({ type: z.literal("text"), media_type: z.string().optional(), data: z.string() });
const contentSource = z.looseObject({ type: z.literal("content"), content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]) });

const imageBlock = z.looseObject({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [base64Source, urlSource, fileSource]),
});
const documentBlock = z.looseObject({
  type: z.literal("document"),
  source: z.discriminatedUnion("type", [base64Source, urlSource, fileSource, plainTextSource, contentSource]),
  title: z.string().nullish(),
  context: z.string().nullish(),
});

const toolUseBlock = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});
const thinkingBlock = z.looseObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.string().optional() });
const redactedThinkingBlock = z.looseObject({ type: z.literal("redacted_thinking"), data: z.string() });

/** A block type the proxy has no Gemini counterpart for (server tool results, search results, …). */
const KNOWN_BLOCKS = new Set(["text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking"]);
const otherBlock = z.looseObject({ type: z.string().refine((type) => !KNOWN_BLOCKS.has(type), "unexpected block") });

const toolResultContent = z.union([textBlock, imageBlock, documentBlock, otherBlock]);
const toolResultBlock = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(toolResultContent)]).optional(),
  is_error: z.boolean().optional(),
});

const knownBlock = z.discriminatedUnion("type", [
  textBlock,
  imageBlock,
  documentBlock,
  toolUseBlock,
  toolResultBlock,
  thinkingBlock,
  redactedThinkingBlock,
]);
const contentBlock = z.union([knownBlock, otherBlock]);
export type ContentBlock = z.infer<typeof contentBlock>;
export type ImageBlock = z.infer<typeof imageBlock>;
export type DocumentBlock = z.infer<typeof documentBlock>;
export type ToolResultBlock = z.infer<typeof toolResultBlock>;

const message = z.looseObject({
  // Claude Code sends a `system` message inside `messages` too.
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(contentBlock)]),
});
export type MessageParam = z.infer<typeof message>;

/** A custom tool has an `input_schema`; Anthropic-defined tools (`type: "bash_20250124"`, web search, …) have none. */
const tool = z.looseObject({
  name: z.string().min(1),
  type: z.string().nullish(),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
});
export type ToolParam = z.infer<typeof tool>;

const toolChoice = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("tool"), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("none") }),
]);
export type ToolChoice = z.infer<typeof toolChoice>;

const display = z.enum(["summarized", "omitted"]).nullish();
const thinking = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("enabled"), budget_tokens: z.int().min(0), display }),
  z.looseObject({ type: z.literal("adaptive"), display }),
  z.looseObject({ type: z.literal("disabled") }),
  z.looseObject({ type: z.literal("between_tools") }),
]);
export type ThinkingParam = z.infer<typeof thinking>;

export const EFFORTS = ["low", "medium", "high", "xhigh", "max"] as const;
export type Effort = (typeof EFFORTS)[number];

const outputConfig = z.looseObject({
  effort: z.enum(EFFORTS).nullish(),
  format: z.looseObject({ type: z.literal("json_schema"), schema: z.record(z.string(), z.unknown()) }).nullish(),
});

const system = z.union([z.string(), z.array(textBlock)]);

const requestFields = {
  model: z.string().min(1).max(200),
  messages: z.array(message),
  system: system.nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  thinking: thinking.nullish(),
  output_config: outputConfig.nullish(),
};

export const messagesRequestSchema = z.looseObject({
  ...requestFields,
  max_tokens: z.int().min(1),
  stream: z.boolean().nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.int().min(1).nullish(),
});
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

export const countTokensRequestSchema = z.looseObject(requestFields);
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;

export function parseMessagesRequest(json: unknown): MessagesRequest {
  return parseWith(messagesRequestSchema, json);
}

export function parseCountTokensRequest(json: unknown): CountTokensRequest {
  return parseWith(countTokensRequestSchema, json);
}
