export type OpenAIFinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/** Google withheld (part of) the output: safety, recitation, blocklists and the like. */
const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
  "MODEL_ARMOR",
]);

export function isFilteredFinish(reason: string | undefined): boolean {
  return reason !== undefined && FILTERED.has(reason);
}

/**
 * Gemini finishReason -> OpenAI finish_reason. Reasons OpenAI has no word for
 * (MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, TOO_MANY_TOOL_CALLS, LANGUAGE, NO_IMAGE, OTHER,
 * unknown future values) become "stop": the reply ended without a usable continuation, and
 * "stop" is the one value every client handles.
 */
export function openAIFinishReason(reason: string | undefined, hasToolCalls: boolean): OpenAIFinishReason {
  if (reason === "MAX_TOKENS") return "length";
  if (isFilteredFinish(reason)) return "content_filter";
  return hasToolCalls ? "tool_calls" : "stop";
}
