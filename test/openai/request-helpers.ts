import { toGeminiChatRequest, type ChatTranslateOptions } from "../../src/openai/request";
import { parseChatRequest } from "../../src/openai/schemas";

export const defaultOptions: ChatTranslateOptions = {
  upstreamModel: "gemini-2.5-flash",
  webSearch: false,
  safetyOff: false,
  systemAsUser: false,
  alwaysIncludeThoughts: false,
  signatures: new Map(),
  remoteMedia: new Map(),
};

export const hello = [{ role: "user", content: "Hello" }];

/** Parses like the route does, then translates. */
export function translate(body: Record<string, unknown>, options: Partial<ChatTranslateOptions> = {}) {
  return toGeminiChatRequest(parseChatRequest({ model: "m", messages: hello, ...body }), { ...defaultOptions, ...options });
}

export { translationError } from "../helpers/translation-error";
