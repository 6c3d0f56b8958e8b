import { TranslationError } from "../../src/openai/errors";
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

/** The TranslationError a call throws (fails the test when it throws nothing or something else). */
export function translationError(run: () => unknown): TranslationError {
  try {
    run();
  } catch (error) {
    if (error instanceof TranslationError) return error;
    throw error;
  }
  throw new Error("expected a TranslationError, nothing was thrown");
}
