import type { UsageMetadata } from "../gemini/types";

export interface UsageFigures {
  promptTokens: number;
  completionTokens: number;
  thoughtTokens: number;
  cachedTokens: number;
  totalTokens: number;
}

export const ZERO_USAGE: UsageFigures = Object.freeze({
  promptTokens: 0,
  completionTokens: 0,
  thoughtTokens: 0,
  cachedTokens: 0,
  totalTokens: 0,
});

/**
 * Google bills thoughts and built-in tool prompts separately; OpenAI counts reasoning inside
 * completion tokens and everything fed to the model as prompt tokens. So:
 * prompt = promptTokenCount + toolUsePromptTokenCount, completion = candidates + thoughts,
 * total = prompt + completion (which equals Google's totalTokenCount).
 */
export function usageFromGemini(u: UsageMetadata | undefined): UsageFigures {
  if (!u) return { ...ZERO_USAGE };
  const promptTokens = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0);
  const thoughtTokens = u.thoughtsTokenCount ?? 0;
  const completionTokens = (u.candidatesTokenCount ?? 0) + thoughtTokens;
  return {
    promptTokens,
    completionTokens,
    thoughtTokens,
    cachedTokens: u.cachedContentTokenCount ?? 0,
    totalTokens: promptTokens + completionTokens,
  };
}

/** True when the metadata carries token counts (Vertex streams send `{trafficType}` alone). */
export function hasTokenCounts(u: UsageMetadata | undefined): u is UsageMetadata {
  return u !== undefined && (u.promptTokenCount !== undefined || u.totalTokenCount !== undefined || u.candidatesTokenCount !== undefined);
}

/** The OpenAI `usage` object. */
export function openAIUsage(usage: UsageFigures): object {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
    completion_tokens_details: { reasoning_tokens: usage.thoughtTokens },
  };
}
