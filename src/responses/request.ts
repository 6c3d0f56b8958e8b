import type { GenerateContentRequest, GenerationConfig, ThinkingConfig } from "../gemini/types";
import { TranslationError } from "../openai/errors";
import { cleanJsonSchema } from "../openai/json-schema";
import type { RemoteMedia } from "../openai/media";
import { requiresThoughtSignatures, thinkingControl } from "../openai/model-family";
import { safetySettings } from "../openai/request";
import { thinkingConfigFor } from "../openai/thinking";
import { translateInput } from "./input";
import type { ResponsesRequest } from "./schemas";
import { translateTools, type ToolNames } from "./tools";

export interface ResponsesTranslateOptions {
  /** the Gemini model id to call */
  upstreamModel: string;
  safetyOff: boolean;
  systemAsUser: boolean;
  alwaysIncludeThoughts: boolean;
  /** call id -> thoughtSignature (the history's reasoning items, then the D1 memory) */
  signatures: ReadonlyMap<string, string>;
  remoteMedia: RemoteMedia;
}

/**
 * Fields that need responses kept on OpenAI's servers. The proxy keeps none (its clients, Codex
 * with `store: false` among them, resend the whole history each turn), so they are refused
 * with a message that says what to do instead.
 */
function refuseServerState(req: ResponsesRequest): void {
  if (req.previous_response_id) {
    throw new TranslationError(
      "previous_response_id is not supported: this proxy stores no responses. Resend the whole conversation in `input` (as with store: false).",
      { param: "previous_response_id", code: "unsupported_parameter" },
    );
  }
  if (req.conversation != null) {
    throw new TranslationError("conversation is not supported: this proxy stores no conversations. Resend the whole history in `input`.", {
      param: "conversation",
      code: "unsupported_parameter",
    });
  }
  if (req.prompt != null) {
    throw new TranslationError("prompt (a prompt stored on OpenAI's servers) is not supported: send its text in `instructions` or `input`.", {
      param: "prompt",
      code: "unsupported_parameter",
    });
  }
  if (req.background === true) {
    throw new TranslationError("background responses are not supported by this proxy; use stream: true for long answers.", {
      param: "background",
      code: "unsupported_parameter",
    });
  }
}

/**
 * reasoning.effort as chat's reasoning_effort. Chat's effort also asks for thoughts; here the
 * client asks for them with `reasoning.summary` (or the "always include thoughts" setting does).
 */
function thinking(req: ResponsesRequest, opts: ResponsesTranslateOptions): ThinkingConfig | undefined {
  const model = opts.upstreamModel;
  const config = thinkingConfigFor({ reasoning_effort: req.reasoning?.effort ?? null }, undefined, model, opts.alwaysIncludeThoughts) ?? {};
  const summary = req.reasoning?.summary != null;
  if (config.includeThoughts && !summary && !opts.alwaysIncludeThoughts) delete config.includeThoughts;
  if (summary && config.thinkingBudget !== 0 && thinkingControl(model) !== "none") config.includeThoughts = true;
  return Object.keys(config).length > 0 ? config : undefined;
}

function generationConfig(req: ResponsesRequest, opts: ResponsesTranslateOptions): GenerationConfig {
  const config: GenerationConfig = {};
  if (req.temperature != null) config.temperature = req.temperature;
  if (req.top_p != null) config.topP = req.top_p;
  if (req.max_output_tokens != null) config.maxOutputTokens = req.max_output_tokens;
  const format = req.text?.format;
  if (format?.type === "json_object") config.responseMimeType = "application/json";
  if (format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    config.responseJsonSchema = cleanJsonSchema(format.schema);
  }
  const thinkingConfig = thinking(req, opts);
  if (thinkingConfig) config.thinkingConfig = thinkingConfig;
  return config;
}

/** Responses API request -> Gemini generateContent request. Throws TranslationError. */
export function toGeminiResponsesRequest(req: ResponsesRequest, opts: ResponsesTranslateOptions): { body: GenerateContentRequest; toolNames: ToolNames } {
  refuseServerState(req);
  const { contents, systemInstruction } = translateInput(req, {
    systemAsUser: opts.systemAsUser,
    needsSignatures: requiresThoughtSignatures(opts.upstreamModel),
    signatures: opts.signatures,
    remoteMedia: opts.remoteMedia,
  });
  const body: GenerateContentRequest = { contents };
  if (systemInstruction) body.systemInstruction = systemInstruction;
  const { tools, toolConfig, names } = translateTools(req.tools ?? [], req.tool_choice, opts.upstreamModel);
  if (tools.length > 0) body.tools = tools;
  if (toolConfig) body.toolConfig = toolConfig;
  const safety = safetySettings(opts.safetyOff, undefined);
  if (safety) body.safetySettings = safety;
  const config = generationConfig(req, opts);
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return { body, toolNames: names };
}
