import type { GenerateContentResponse } from "../gemini/types";
import type { UsageFigures } from "../openai/usage";
import { MessagesStreamTranslator, type MessageContext, type MessageEvent } from "./stream";

type Block = Record<string, unknown> & { type: string };

/**
 * Folds Anthropic stream events into the message object they describe, as Anthropic's SDKs
 * do (`finalMessage()`): blocks from their start, deltas appended, tool input parsed at the stop.
 */
export function accumulateMessage(events: readonly MessageEvent[]): Record<string, unknown> {
  let message: Record<string, unknown> & { content: Block[]; usage: Record<string, unknown> } = { content: [], usage: {} };
  const json = new Map<number, string>();
  for (const event of events) {
    switch (event.type) {
      case "message_start":
        message = structuredClone(event.message) as typeof message;
        break;
      case "content_block_start":
        message.content[event.index as number] = { ...(event.content_block as Block) };
        break;
      case "content_block_delta": {
        const index = event.index as number;
        const block = message.content[index];
        const delta = event.delta as Record<string, string>;
        if (!block) break;
        if (delta.type === "text_delta") block.text = `${block.text as string}${delta.text}`;
        else if (delta.type === "thinking_delta") block.thinking = `${block.thinking as string}${delta.thinking}`;
        else if (delta.type === "signature_delta") block.signature = delta.signature;
        else if (delta.type === "input_json_delta") json.set(index, (json.get(index) ?? "") + delta.partial_json);
        break;
      }
      case "content_block_stop": {
        const index = event.index as number;
        const text = json.get(index);
        const block = message.content[index];
        if (block && text !== undefined) block.input = text === "" ? {} : JSON.parse(text);
        break;
      }
      case "message_delta": {
        const delta = event.delta as Record<string, unknown>;
        message.stop_reason = delta.stop_reason;
        message.stop_sequence = delta.stop_sequence;
        message.usage = { ...message.usage, ...(event.usage as object) };
        break;
      }
    }
  }
  return message;
}

/** Gemini generateContent answer -> Anthropic message, through the same translator as the stream. */
export function toAnthropicMessage(
  reply: GenerateContentResponse,
  ctx: MessageContext,
): { body: Record<string, unknown>; usage: UsageFigures; signatures: Record<string, string>; blocked: boolean } {
  const translator = new MessagesStreamTranslator(ctx);
  const body = accumulateMessage([...translator.push(reply), ...translator.finish()]);
  return { body, usage: translator.usage, signatures: translator.signatures, blocked: translator.blocked };
}
