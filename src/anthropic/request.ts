import type { GenerateContentRequest, GenerationConfig, SafetySetting, Tool, ToolConfig } from "../gemini/types";
import { TranslationError } from "../openai/errors";
import { cleanJsonSchema } from "../openai/json-schema";
import type { RemoteMedia } from "../openai/media";
import { requiresThoughtSignatures } from "../openai/model-family";
import type { FunctionTool, ToolChoice as OpenAIToolChoice } from "../openai/schemas";
import { translateTools } from "../openai/tools";
import { translateConversation } from "./content";
import { clampMaxTokens } from "./output-limit";
import type { CountTokensRequest, MessagesRequest, ToolChoice, ToolParam } from "./schemas";
import { thinkingFor } from "./thinking";

export interface MessagesTranslateOptions {
  /** the Gemini model id to call */
  upstreamModel: string;
  /** per client key option: every adjustable safety category OFF */
  safetyOff: boolean;
  /** per client key option: system text sent as a leading user turn */
  systemAsUser: boolean;
  /** tool_use id -> thought signature remembered from earlier answers */
  signatures: ReadonlyMap<string, string>;
  /** http(s) media already fetched by the caller */
  remoteMedia: RemoteMedia;
}

export interface TranslatedMessagesRequest {
  body: GenerateContentRequest;
  /** the client asked for thinking: the answer carries thinking blocks */
  thinkingBlocks: boolean;
  /** only the first of several tool calls in one answer is kept */
  singleToolCall: boolean;
}

/** Gemini takes at most 5 stop sequences. */
const MAX_STOP_SEQUENCES = 5;

const ADJUSTABLE_HARM_CATEGORIES = ["HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT"];

function isCustomTool(tool: ToolParam): boolean {
  return tool.input_schema !== undefined && (tool.type == null || tool.type === "custom");
}

/** Anthropic's server web search is Gemini's Google Search grounding; other Anthropic-defined tools have no counterpart. */
function isWebSearch(tool: ToolParam): boolean {
  return typeof tool.type === "string" && tool.type.startsWith("web_search");
}

function openAIChoice(choice: ToolChoice | null | undefined): OpenAIToolChoice | undefined {
  switch (choice?.type) {
    case undefined:
      return undefined;
    case "auto":
      return "auto";
    case "any":
      return "required";
    case "none":
      return "none";
    case "tool":
      return { type: "function", function: { name: choice.name } };
  }
}

/** Custom tools (input_schema; `defer_loading` and `cache_control` ignored) + tool_choice -> Gemini declarations and calling mode. */
function tools(req: Pick<MessagesRequest, "tools" | "tool_choice">): { tools: Tool[]; toolConfig?: ToolConfig } {
  const all = req.tools ?? [];
  const functionTools: FunctionTool[] = all.filter(isCustomTool).map((tool) => ({
    type: "function",
    function: { name: tool.name, ...(tool.description !== undefined ? { description: tool.description } : {}), parameters: tool.input_schema },
  }));
  return translateTools(functionTools, openAIChoice(req.tool_choice), all.some(isWebSearch));
}

function safetySettings(safetyOff: boolean): SafetySetting[] | undefined {
  return safetyOff ? ADJUSTABLE_HARM_CATEGORIES.map((category) => ({ category, threshold: "OFF" })) : undefined;
}

function generationConfig(req: MessagesRequest, model: string): { config: GenerationConfig; thinkingBlocks: boolean } {
  const config: GenerationConfig = { maxOutputTokens: clampMaxTokens(req.max_tokens, model) };
  if (req.temperature != null) config.temperature = req.temperature;
  if (req.top_p != null) config.topP = req.top_p;
  if (req.top_k != null) config.topK = req.top_k;
  const stops = (req.stop_sequences ?? []).filter((stop) => stop !== "");
  if (stops.length > MAX_STOP_SEQUENCES) {
    throw new TranslationError(`Gemini takes at most ${MAX_STOP_SEQUENCES} stop sequences.`, { param: "stop_sequences" });
  }
  if (stops.length > 0) config.stopSequences = stops;
  const format = req.output_config?.format;
  if (format) {
    config.responseMimeType = "application/json";
    config.responseJsonSchema = cleanJsonSchema(format.schema);
  }
  const thinking = thinkingFor(req, model);
  if (thinking.config) config.thinkingConfig = thinking.config;
  return { config, thinkingBlocks: thinking.blocks };
}

function conversation(req: CountTokensRequest, opts: MessagesTranslateOptions) {
  return translateConversation(req.system, req.messages, {
    systemAsUser: opts.systemAsUser,
    needsSignatures: requiresThoughtSignatures(opts.upstreamModel),
    signatures: opts.signatures,
    remoteMedia: opts.remoteMedia,
  });
}

/** Anthropic Messages request -> Gemini generateContent request. Throws TranslationError. */
export function toGeminiMessagesRequest(req: MessagesRequest, opts: MessagesTranslateOptions): TranslatedMessagesRequest {
  const { contents, systemInstruction } = conversation(req, opts);
  const body: GenerateContentRequest = { contents };
  if (systemInstruction) body.systemInstruction = systemInstruction;
  const translatedTools = tools(req);
  if (translatedTools.tools.length > 0) body.tools = translatedTools.tools;
  if (translatedTools.toolConfig) body.toolConfig = translatedTools.toolConfig;
  const safety = safetySettings(opts.safetyOff);
  if (safety) body.safetySettings = safety;
  const { config, thinkingBlocks } = generationConfig(req, opts.upstreamModel);
  body.generationConfig = config;
  const choice = req.tool_choice;
  const singleToolCall = choice != null && choice.type !== "none" && choice.disable_parallel_tool_use === true;
  return { body, thinkingBlocks, singleToolCall };
}

/** Anthropic count_tokens request -> Gemini countTokens request (the whole prompt: system, tools, messages). */
export function toGeminiCountTokensRequest(req: CountTokensRequest, opts: MessagesTranslateOptions): object {
  const { contents, systemInstruction } = conversation(req, opts);
  const inner: Record<string, unknown> = { model: `models/${opts.upstreamModel}`, contents };
  if (systemInstruction) inner.systemInstruction = systemInstruction;
  const translatedTools = tools(req);
  if (translatedTools.tools.length > 0) inner.tools = translatedTools.tools;
  return { generateContentRequest: inner };
}
