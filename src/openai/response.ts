import type { Candidate, GenerateContentResponse, Part } from "../gemini/types";
import { CandidateReader, type ToolCallDelta } from "./candidate";
import { isFilteredFinish, openAIFinishReason } from "./finish-reason";
import { openAIUsage, usageFromGemini, type UsageFigures } from "./usage";

export { usageFromGemini, type UsageFigures } from "./usage";

export interface CompletionContext {
  id: string;
  created: number;
  /** the model name as the client asked for it */
  model: string;
}

/** Base for derived tool-call ids: "chatcmpl-abc" -> "abc". */
export function callIdBase(completionId: string, choiceIndex: number): string {
  return `${completionId.replace(/^chatcmpl-/, "")}_${choiceIndex}`;
}

export function blockedRefusal(reason: string): string {
  return `The prompt was blocked by Google (${reason}).`;
}

function hasPayload(part: Part): boolean {
  return (
    (part.text !== undefined && part.text !== "") ||
    part.functionCall !== undefined ||
    part.inlineData !== undefined ||
    part.fileData !== undefined ||
    part.executableCode !== undefined ||
    part.codeExecutionResult !== undefined
  );
}

function isEmptyCandidate(candidate: Candidate): boolean {
  if (isFilteredFinish(candidate.finishReason) || candidate.finishReason === "MAX_TOKENS") return false;
  return !(candidate.content?.parts ?? []).some(hasPayload);
}

/**
 * DESIGN §3: an answer worth retrying on another key — no candidate and no block reason, or
 * candidates that carry nothing. A candidate withheld by a filter or cut by MAX_TOKENS is a real
 * answer (another key would get the same), so it does not count as empty.
 */
export function isEmptyReply(res: GenerateContentResponse): boolean {
  const candidates = res.candidates ?? [];
  if (candidates.length === 0) return !res.promptFeedback?.blockReason;
  return candidates.every(isEmptyCandidate);
}

function mergeToolCalls(deltas: readonly ToolCallDelta[]): object[] {
  const byIndex = new Map<number, { id: string; type: "function"; function: { name: string; arguments: string } }>();
  for (const delta of deltas) {
    const call = byIndex.get(delta.index) ?? { id: "", type: "function" as const, function: { name: "", arguments: "" } };
    if (delta.id !== undefined) call.id = delta.id;
    if (delta.function.name !== undefined) call.function.name = delta.function.name;
    call.function.arguments += delta.function.arguments;
    byIndex.set(delta.index, call);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
}

function choiceFrom(candidate: Candidate, position: number, ctx: CompletionContext, signatures: Record<string, string>, tally: { images: number }): object {
  const index = candidate.index ?? position;
  const reader = new CandidateReader(callIdBase(ctx.id, index), signatures, { imagesApart: true });
  reader.noteGrounding(candidate);
  const delta = reader.read(candidate.content?.parts ?? []);
  const toolCalls = mergeToolCalls([...delta.toolCalls, ...reader.close()]);

  const message: Record<string, unknown> = {
    role: "assistant",
    content: delta.content === "" && toolCalls.length > 0 ? null : delta.content,
    refusal: null,
  };
  if (delta.images.length > 0) message.images = delta.images;
  tally.images += delta.images.length;
  if (delta.reasoning !== "") message.reasoning_content = delta.reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const citations = reader.citations();
  if (citations.length > 0) message.annotations = citations;

  return {
    index,
    message,
    logprobs: null,
    finish_reason: openAIFinishReason(candidate.finishReason, reader.hasToolCalls),
  };
}

/** Gemini generateContent answer -> OpenAI chat.completion. */
export function toChatCompletion(
  res: GenerateContentResponse,
  ctx: CompletionContext,
): { body: object; usage: UsageFigures; signatures: Record<string, string>; blocked: boolean; images: number } {
  const signatures: Record<string, string> = {};
  const tally = { images: 0 };
  const candidates = res.candidates ?? [];
  const blockReason = res.promptFeedback?.blockReason;
  const usage = usageFromGemini(res.usageMetadata);

  let choices: object[];
  if (candidates.length === 0 && blockReason) {
    choices = [
      {
        index: 0,
        message: { role: "assistant", content: "", refusal: blockedRefusal(blockReason) },
        logprobs: null,
        finish_reason: "content_filter",
      },
    ];
  } else {
    choices = candidates.map((candidate, position) => choiceFrom(candidate, position, ctx, signatures, tally));
  }

  const blocked = (candidates.length === 0 && blockReason !== undefined) ||
    (candidates.length > 0 && candidates.every((candidate) => isFilteredFinish(candidate.finishReason)));

  return {
    body: {
      id: ctx.id,
      object: "chat.completion",
      created: ctx.created,
      model: ctx.model,
      choices,
      usage: openAIUsage(usage),
    },
    usage,
    signatures,
    blocked,
    images: tally.images,
  };
}
