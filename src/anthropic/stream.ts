import type { FunctionCall, GenerateContentResponse, Part } from "../gemini/types";
import { isFilteredFinish } from "../openai/finish-reason";
import { applyPartialArg } from "../openai/partial-args";
import { blockedRefusal } from "../openai/response";
import { hasTokenCounts, usageFromGemini, ZERO_USAGE, type UsageFigures } from "../openai/usage";

export interface MessageContext {
  /** `msg_…` */
  id: string;
  /** the model name as the client asked for it */
  model: string;
  /** the client asked for thinking: thought text and Google's signatures go into thinking blocks */
  thinkingBlocks: boolean;
  /** `disable_parallel_tool_use`: only the first tool call of the answer is kept */
  singleToolCall: boolean;
  /** the request's stop sequences (Gemini does not say whether one ended the answer) */
  stopSequences: readonly string[];
}

/** One Anthropic stream event; its `type` is also the SSE event name. */
export type MessageEvent = { type: string } & Record<string, unknown>;

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";

type BlockKind = "text" | "thinking" | "tool_use";

/** Anthropic's usage object from Gemini's figures: cached prompt tokens are reported apart, as cache reads. */
export function anthropicUsage(usage: UsageFigures): { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number } {
  return {
    input_tokens: Math.max(0, usage.promptTokens - usage.cachedTokens),
    output_tokens: usage.completionTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: usage.cachedTokens,
  };
}

/**
 * Translates Gemini's answer (streamGenerateContent events, or one generateContent reply) into
 * Anthropic's event sequence, as the parts arrive: `message_start`, then for each block
 * `content_block_start`, deltas, `content_block_stop`, and at `finish()` `message_delta` (stop
 * reason, usage) and `message_stop`. The non-streamed answer is these events accumulated
 * (src/anthropic/response.ts), so both answers always agree.
 *
 * - text parts -> a text block (`text_delta`);
 * - thought parts -> a thinking block (`thinking_delta`), when the client asked for thinking;
 * - function calls -> tool_use blocks (`input_json_delta`, the whole arguments at once, or at the
 *   close of a Vertex-style streamed call);
 * - Google's thought signature on a function call -> `signature_delta` on the thinking block
 *   before the tool_use (an empty one when Google sent no thought text), and kept in
 *   `signatures` by tool_use id for the signature memory, which also serves clients that drop
 *   thinking blocks or did not ask for thinking. A signature on a text part is not carried:
 *   Google does not require it back.
 * Only the first candidate is read (Anthropic has no `n`).
 */
export class MessagesStreamTranslator {
  private started = false;
  private ended = false;
  private nextIndex = 0;
  private open: { index: number; kind: BlockKind } | null = null;
  private streamedArgs: Record<string, unknown> | null = null;
  private toolCalls = 0;
  private skippingCall = false;
  private finishReason: string | undefined;
  private promptBlockReason: string | undefined;
  private lastUsage: UsageFigures = { ...ZERO_USAGE };
  private readonly collected: Record<string, string> = {};

  constructor(private readonly ctx: MessageContext) {}

  get usage(): UsageFigures {
    return this.lastUsage;
  }

  /** tool_use id -> the thought signature Google issued with that call */
  get signatures(): Record<string, string> {
    return this.collected;
  }

  get blocked(): boolean {
    return this.promptBlockReason !== undefined || isFilteredFinish(this.finishReason);
  }

  /** `message_start` went out: the answer has begun. */
  get hasStarted(): boolean {
    return this.started;
  }

  push(event: GenerateContentResponse): MessageEvent[] {
    if (this.ended) return [];
    if (hasTokenCounts(event.usageMetadata)) this.lastUsage = usageFromGemini(event.usageMetadata);
    const out: MessageEvent[] = [];
    this.start(out);
    const candidates = event.candidates ?? [];
    const blockReason = event.promptFeedback?.blockReason;
    if (candidates.length === 0 && blockReason && this.promptBlockReason === undefined) {
      this.promptBlockReason = blockReason;
      this.closeOpen(out);
      this.text(out, blockedRefusal(blockReason));
      this.closeOpen(out);
    }
    const candidate = candidates.find((c) => (c.index ?? 0) === 0);
    if (candidate && this.finishReason === undefined) {
      for (const part of candidate.content?.parts ?? []) this.part(out, part);
      if (candidate.finishReason) {
        this.finishReason = candidate.finishReason;
        this.closeOpen(out);
      }
    }
    return out;
  }

  finish(): MessageEvent[] {
    if (this.ended) return [];
    const out: MessageEvent[] = [];
    this.start(out);
    this.closeOpen(out);
    this.ended = true;
    const stopReason = this.stopReason();
    const stopSequence = stopReason === "stop_sequence" && this.ctx.stopSequences.length === 1 ? this.ctx.stopSequences[0]! : null;
    out.push({ type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: stopSequence }, usage: anthropicUsage(this.lastUsage) });
    out.push({ type: "message_stop" });
    return out;
  }

  /**
   * Gemini says STOP both for a natural end and for a stop sequence (which it leaves out of the
   * text), so a text answer to a request with stop sequences is reported as stopped by one.
   */
  private stopReason(): StopReason {
    if (this.blocked) return "refusal";
    if (this.finishReason === "MAX_TOKENS") return "max_tokens";
    if (this.toolCalls > 0) return "tool_use";
    if (this.finishReason === "STOP" && this.ctx.stopSequences.length > 0) return "stop_sequence";
    return "end_turn";
  }

  private start(out: MessageEvent[]): void {
    if (this.started) return;
    this.started = true;
    out.push({
      type: "message_start",
      message: {
        id: this.ctx.id,
        type: "message",
        role: "assistant",
        model: this.ctx.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...anthropicUsage(this.lastUsage), output_tokens: 0 },
      },
    });
  }

  private part(out: MessageEvent[], part: Part): void {
    if (part.functionCall) {
      this.functionCall(out, part.functionCall, part.thoughtSignature);
      return;
    }
    if (part.text === undefined) return;
    if (part.thought) {
      if (!this.ctx.thinkingBlocks) return;
      const index = this.ensureOpen(out, "thinking", { type: "thinking", thinking: "", signature: "" });
      if (part.text !== "") out.push({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: part.text } });
      if (part.thoughtSignature) {
        out.push({ type: "content_block_delta", index, delta: { type: "signature_delta", signature: part.thoughtSignature } });
        this.closeOpen(out);
      }
      return;
    }
    if (part.text !== "") this.text(out, part.text);
  }

  private text(out: MessageEvent[], text: string): void {
    const index = this.ensureOpen(out, "text", { type: "text", text: "" });
    out.push({ type: "content_block_delta", index, delta: { type: "text_delta", text } });
  }

  private functionCall(out: MessageEvent[], call: FunctionCall, signature: string | undefined): void {
    const continues = call.name === undefined && (call.partialArgs !== undefined || call.willContinue === true);
    if (continues) {
      if (!this.skippingCall && this.streamedArgs) for (const arg of call.partialArgs ?? []) applyPartialArg(this.streamedArgs, arg);
      return;
    }
    // `functionCall: {}` only closes the streamed call
    if (call.name === undefined) {
      if (this.open?.kind === "tool_use") this.closeOpen(out);
      return;
    }
    if (this.ctx.singleToolCall && this.toolCalls > 0) {
      if (this.open?.kind === "tool_use") this.closeOpen(out);
      this.skippingCall = call.willContinue === true;
      return;
    }
    this.skippingCall = false;
    const id = call.id ?? `toolu_${this.ctx.id.replace(/^msg_/, "")}_${this.toolCalls}`;
    this.toolCalls++;
    if (signature !== undefined) {
      this.collected[id] = signature;
      if (this.ctx.thinkingBlocks) {
        const index = this.open?.kind === "thinking" ? this.open.index : this.ensureOpen(out, "thinking", { type: "thinking", thinking: "", signature: "" });
        out.push({ type: "content_block_delta", index, delta: { type: "signature_delta", signature } });
      }
    }
    this.closeOpen(out);
    const index = this.openBlock(out, "tool_use", { type: "tool_use", id, name: call.name, input: {} });
    if (call.willContinue === true) {
      this.streamedArgs = {};
      for (const arg of call.partialArgs ?? []) applyPartialArg(this.streamedArgs, arg);
      return;
    }
    const args: Record<string, unknown> = { ...call.args };
    for (const arg of call.partialArgs ?? []) applyPartialArg(args, arg);
    out.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: JSON.stringify(args) } });
    this.closeOpen(out);
  }

  private ensureOpen(out: MessageEvent[], kind: BlockKind, block: object): number {
    if (this.open?.kind === kind) return this.open.index;
    this.closeOpen(out);
    return this.openBlock(out, kind, block);
  }

  private openBlock(out: MessageEvent[], kind: BlockKind, block: object): number {
    const index = this.nextIndex++;
    this.open = { index, kind };
    out.push({ type: "content_block_start", index, content_block: block });
    return index;
  }

  private closeOpen(out: MessageEvent[]): void {
    const open = this.open;
    if (!open) return;
    if (open.kind === "tool_use" && this.streamedArgs) {
      out.push({ type: "content_block_delta", index: open.index, delta: { type: "input_json_delta", partial_json: JSON.stringify(this.streamedArgs) } });
      this.streamedArgs = null;
    }
    out.push({ type: "content_block_stop", index: open.index });
    this.open = null;
  }
}
