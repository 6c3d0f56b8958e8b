import type { GenerateContentResponse } from "../gemini/types";
import { CandidateReader, type ToolCallDelta } from "./candidate";
import { isFilteredFinish, openAIFinishReason, type OpenAIFinishReason } from "./finish-reason";
import { blockedRefusal, callIdBase, type CompletionContext } from "./response";
import { hasTokenCounts, openAIUsage, usageFromGemini, ZERO_USAGE, type UsageFigures } from "./usage";

export const SSE_DONE = "data: [DONE]\n\n";
export const SSE_KEEPALIVE = ": keep-alive\n\n";

export function sseEvent(obj: object): string {
  return `data: ${JSON.stringify(obj)}\n\n`;
}

interface ChoiceState {
  reader: CandidateReader;
  roleSent: boolean;
  finished: boolean;
}

/**
 * Translates streamGenerateContent events into chat.completion.chunk objects as they arrive,
 * keeping only per-choice state (memory does not grow with the answer's length, except for the
 * text of non-ASCII pieces kept for citation offsets).
 *
 * The first chunk of a choice carries `role`; a choice ends with a chunk holding only
 * `finish_reason`; `finish()` closes choices the upstream left open and, with include_usage,
 * adds the usage chunk (`choices: []`). Nothing is emitted for an event that adds nothing, so
 * `sentAnything` stays false on an empty upstream answer and the caller can still fail over.
 */
export class ChatStreamTranslator {
  private readonly choices = new Map<number, ChoiceState>();
  private readonly collected: Record<string, string> = {};
  private lastUsage: UsageFigures = { ...ZERO_USAGE };
  private promptBlocked = false;
  private finishedChoices = 0;
  private filteredChoices = 0;
  private anythingSent = false;
  private imagesSent = 0;

  constructor(private readonly ctx: CompletionContext & { includeUsage: boolean }) {}

  get usage(): UsageFigures {
    return this.lastUsage;
  }

  /** emitted tool-call id -> thought signature */
  get signatures(): Record<string, string> {
    return this.collected;
  }

  get blocked(): boolean {
    return this.promptBlocked || (this.finishedChoices > 0 && this.filteredChoices === this.finishedChoices);
  }

  /** Images sent so far as delta.images, for the ledger. */
  get images(): number {
    return this.imagesSent;
  }

  get sentAnything(): boolean {
    return this.anythingSent;
  }

  push(event: GenerateContentResponse): object[] {
    if (hasTokenCounts(event.usageMetadata)) this.lastUsage = usageFromGemini(event.usageMetadata);
    const chunks: object[] = [];
    const candidates = event.candidates ?? [];
    const blockReason = event.promptFeedback?.blockReason;

    if (candidates.length === 0 && blockReason) {
      this.promptBlocked = true;
      const state = this.state(0);
      if (!state.finished) {
        state.roleSent = true;
        state.finished = true;
        chunks.push(this.chunk(0, { role: "assistant", content: "", refusal: blockedRefusal(blockReason) }, null));
        chunks.push(this.chunk(0, {}, "content_filter"));
      }
    }

    candidates.forEach((candidate, position) => {
      const index = candidate.index ?? position;
      const state = this.state(index);
      if (state.finished) return;
      state.reader.noteGrounding(candidate);
      const delta = state.reader.read(candidate.content?.parts ?? []);
      const body: Record<string, unknown> = {};
      if (delta.content !== "") body.content = delta.content;
      if (delta.reasoning !== "") body.reasoning_content = delta.reasoning;
      if (delta.toolCalls.length > 0) body.tool_calls = delta.toolCalls;
      if (delta.images.length > 0) body.images = delta.images;
      this.imagesSent += delta.images.length;
      if (Object.keys(body).length > 0) chunks.push(this.chunk(index, this.withRole(state, body), null));
      if (candidate.finishReason) chunks.push(...this.finishChoice(index, state, candidate.finishReason));
    });

    if (chunks.length > 0) this.anythingSent = true;
    return chunks;
  }

  finish(): object[] {
    const chunks: object[] = [];
    for (const [index, state] of this.choices) {
      if (!state.finished && state.roleSent) chunks.push(...this.finishChoice(index, state, undefined));
    }
    if (this.ctx.includeUsage) {
      chunks.push({ ...this.envelope(), choices: [], usage: openAIUsage(this.lastUsage) });
    }
    if (chunks.length > 0) this.anythingSent = true;
    return chunks;
  }

  private finishChoice(index: number, state: ChoiceState, reason: string | undefined): object[] {
    const chunks: object[] = [];
    const closing: ToolCallDelta[] = state.reader.close();
    if (closing.length > 0) chunks.push(this.chunk(index, this.withRole(state, { tool_calls: closing }), null));
    const citations = state.reader.citations();
    if (citations.length > 0) chunks.push(this.chunk(index, this.withRole(state, { annotations: citations }), null));
    chunks.push(this.chunk(index, this.withRole(state, {}), openAIFinishReason(reason, state.reader.hasToolCalls)));
    state.finished = true;
    this.finishedChoices++;
    if (isFilteredFinish(reason)) this.filteredChoices++;
    return chunks;
  }

  private state(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (!state) {
      state = { reader: new CandidateReader(callIdBase(this.ctx.id, index), this.collected, { imagesApart: true }), roleSent: false, finished: false };
      this.choices.set(index, state);
    }
    return state;
  }

  private withRole(state: ChoiceState, delta: Record<string, unknown>): Record<string, unknown> {
    if (state.roleSent) return delta;
    state.roleSent = true;
    return { role: "assistant", ...delta };
  }

  private envelope() {
    return { id: this.ctx.id, object: "chat.completion.chunk", created: this.ctx.created, model: this.ctx.model };
  }

  private chunk(index: number, delta: Record<string, unknown>, finishReason: OpenAIFinishReason | null): object {
    return { ...this.envelope(), choices: [{ index, delta, logprobs: null, finish_reason: finishReason }] };
  }
}
