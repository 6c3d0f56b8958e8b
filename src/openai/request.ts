import type { GenerateContentRequest, GenerationConfig, SafetySetting } from "../gemini/types";
import { TranslationError } from "./errors";
import { cleanJsonSchema } from "./json-schema";
import { isRemoteUrl, type RemoteMedia } from "./media";
import { translateMessages } from "./messages";
import { requiresThoughtSignatures } from "./model-family";
import type { ChatCompletionRequest, GoogleExtras } from "./schemas";
import { thinkingConfigFor } from "./thinking";
import { translateTools } from "./tools";

export interface ChatTranslateOptions {
  /** the Gemini model id to call (e.g. "gemini-2.5-flash"), without a "-search" suffix */
  upstreamModel: string;
  /** the model's "-search" suffix asked for the googleSearch tool (the body's `web_search` / `web_search_options` also do) */
  webSearch: boolean;
  /** per client key option: every adjustable safety category OFF */
  safetyOff: boolean;
  /** per client key option: system/developer text sent as a leading user turn */
  systemAsUser: boolean;
  /** setting: ask for thought summaries even if the client did not */
  alwaysIncludeThoughts: boolean;
  /** tool-call id -> thoughtSignature remembered from earlier answers */
  signatures: ReadonlyMap<string, string>;
  /** http(s) image URLs already fetched by the caller (base64) */
  remoteMedia: RemoteMedia;
}

const SEARCH_SUFFIX = "-search";

/** "gemini-2.5-flash-search" -> { model: "gemini-2.5-flash", webSearch: true } */
export function resolveModelName(requested: string): { model: string; webSearch: boolean } {
  if (requested.endsWith(SEARCH_SUFFIX) && requested.length > SEARCH_SUFFIX.length) {
    return { model: requested.slice(0, -SEARCH_SUFFIX.length), webSearch: true };
  }
  return { model: requested, webSearch: false };
}

/** ids of the assistant tool calls in the history, to look up their remembered signatures */
export function collectToolCallIds(req: ChatCompletionRequest): string[] {
  const ids: string[] = [];
  for (const message of req.messages) {
    if (message.role !== "assistant") continue;
    for (const call of message.tool_calls ?? []) ids.push(call.id);
  }
  return ids;
}

/** http(s) image URLs the caller must fetch (deduplicated, in order of appearance) */
export function collectRemoteMediaUrls(req: ChatCompletionRequest): string[] {
  const urls = new Set<string>();
  for (const message of req.messages) {
    if (message.role !== "user" || typeof message.content === "string") continue;
    for (const part of message.content) {
      if (part.type === "image_url" && isRemoteUrl(part.image_url.url)) urls.add(part.image_url.url);
    }
  }
  return [...urls];
}

const ADJUSTABLE_HARM_CATEGORIES = [
  "HARM_CATEGORY_HARASSMENT",
  "HARM_CATEGORY_HATE_SPEECH",
  "HARM_CATEGORY_SEXUALLY_EXPLICIT",
  "HARM_CATEGORY_DANGEROUS_CONTENT",
];

export function safetySettings(safetyOff: boolean, requested: GoogleExtras["safety_settings"]): SafetySetting[] | undefined {
  const byCategory = new Map<string, string>();
  if (safetyOff) for (const category of ADJUSTABLE_HARM_CATEGORIES) byCategory.set(category, "OFF");
  for (const setting of requested ?? []) byCategory.set(setting.category, setting.threshold);
  if (byCategory.size === 0) return undefined;
  return [...byCategory].map(([category, threshold]) => ({ category, threshold }));
}

function refuseUnsupported(req: ChatCompletionRequest): void {
  const refuse = (param: string, message: string) => {
    throw new TranslationError(message, { param, code: "unsupported_parameter" });
  };
  if (req.logprobs) refuse("logprobs", "logprobs are not supported by this proxy.");
  if (req.top_logprobs) refuse("top_logprobs", "logprobs are not supported by this proxy.");
  if (req.logit_bias && Object.keys(req.logit_bias).length > 0) refuse("logit_bias", "logit_bias is not supported by Gemini.");
  if (req.audio != null) refuse("audio", "Audio output is not supported by this proxy.");
  if (req.functions !== undefined || req.function_call !== undefined) {
    refuse(req.functions !== undefined ? "functions" : "function_call", "The deprecated `functions` / `function_call` fields are not supported; use `tools` / `tool_choice`.");
  }
}

function responseModalities(modalities: readonly string[] | null | undefined): string[] | undefined {
  if (!modalities || modalities.length === 0) return undefined;
  const mapped = modalities.map((modality, index) => {
    if (modality === "text") return "TEXT";
    if (modality === "image") return "IMAGE";
    throw new TranslationError(`Output modality '${modality}' is not supported.`, {
      param: `modalities[${index}]`,
      code: "unsupported_value",
    });
  });
  // plain text is Gemini's default; only ask when something else is wanted
  return mapped.every((m) => m === "TEXT") ? undefined : mapped;
}

function generationConfig(req: ChatCompletionRequest, google: GoogleExtras | undefined, opts: ChatTranslateOptions): GenerationConfig {
  const config: GenerationConfig = {};
  // `!= null` keeps 0, which is a value (top_p: 0, temperature: 0), not "unset"
  if (req.temperature != null) config.temperature = req.temperature;
  if (req.top_p != null) config.topP = req.top_p;
  if (req.top_k != null) config.topK = req.top_k;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) config.maxOutputTokens = maxTokens;
  if (req.stop != null) {
    const stops = typeof req.stop === "string" ? [req.stop] : req.stop;
    if (stops.length > 0) config.stopSequences = stops;
  }
  if (req.n != null) config.candidateCount = req.n;
  if (req.seed != null) config.seed = req.seed;
  if (req.presence_penalty != null) config.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty != null) config.frequencyPenalty = req.frequency_penalty;

  const format = req.response_format;
  if (format?.type === "json_object") config.responseMimeType = "application/json";
  if (format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    if (format.json_schema.schema !== undefined) config.responseJsonSchema = cleanJsonSchema(format.json_schema.schema);
  }

  const modalities = responseModalities(req.modalities);
  if (modalities) config.responseModalities = modalities;
  const image = req.image_config ?? google?.image_config;
  if (image?.aspect_ratio !== undefined || image?.image_size !== undefined) {
    config.imageConfig = {};
    if (image.aspect_ratio !== undefined) config.imageConfig.aspectRatio = image.aspect_ratio;
    if (image.image_size !== undefined) config.imageConfig.imageSize = image.image_size;
  }

  const thinking = thinkingConfigFor(req, google, opts.upstreamModel, opts.alwaysIncludeThoughts);
  if (thinking) config.thinkingConfig = thinking;
  return config;
}

/** `extra_body: {google: ...}` reaches us either merged into the body or still nested. */
function googleExtras(req: ChatCompletionRequest): GoogleExtras | undefined {
  const nested = req.extra_body?.google ?? undefined;
  const merged = req.google ?? undefined;
  if (!nested) return merged;
  if (!merged) return nested;
  return { ...nested, ...merged };
}

/** OpenAI chat completion request -> Gemini generateContent request. Throws TranslationError. */
export function toGeminiChatRequest(req: ChatCompletionRequest, opts: ChatTranslateOptions): GenerateContentRequest {
  refuseUnsupported(req);
  const google = googleExtras(req);
  const { contents, systemInstruction } = translateMessages(req.messages, {
    systemAsUser: opts.systemAsUser,
    needsSignatures: requiresThoughtSignatures(opts.upstreamModel),
    signatures: opts.signatures,
    remoteMedia: opts.remoteMedia,
  });

  const out: GenerateContentRequest = { contents };
  if (systemInstruction) out.systemInstruction = systemInstruction;

  const webSearch = opts.webSearch || req.web_search === true || req.web_search_options != null;
  const { tools, toolConfig } = translateTools(req.tools ?? [], req.tool_choice, webSearch);
  if (tools.length > 0) out.tools = tools;
  if (toolConfig) out.toolConfig = toolConfig;

  const safety = safetySettings(opts.safetyOff, google?.safety_settings);
  if (safety) out.safetySettings = safety;

  const config = generationConfig(req, google, opts);
  if (Object.keys(config).length > 0) out.generationConfig = config;

  if (google?.cached_content) out.cachedContent = google.cached_content;
  return out;
}
