import type { Content, Part } from "../gemini/types";
import { ContentsBuilder } from "../gemini/contents-builder";
import { TranslationError } from "../openai/errors";
import type { RemoteMedia } from "../openai/media";
import { DUMMY_THOUGHT_SIGNATURE } from "../openai/messages";
import type { ContentBlock, DocumentBlock, ImageBlock, MessageParam, MessagesRequest, ToolResultBlock } from "./schemas";

export interface ConversationOptions {
  /** per client key option: system text sent as a leading user turn */
  systemAsUser: boolean;
  /** put the dummy signature on unsigned function-call turns (Gemini 3 and later) */
  needsSignatures: boolean;
  /** tool_use id -> the thought signature Google issued with that call (D1 memory) */
  signatures: ReadonlyMap<string, string>;
  /** http(s) media already fetched by the caller (base64) */
  remoteMedia: RemoteMedia;
}

export interface Conversation {
  contents: Content[];
  systemInstruction?: Content;
}

interface CallInfo {
  name: string;
  /** position among the calls of its assistant turn: results go back in this order */
  position: number;
}

type Blocks = Exclude<MessageParam["content"], string>;

/** The tool_use ids of the assistant turns, to look their signatures up in the memory. */
export function collectToolUseIds(messages: readonly MessageParam[]): string[] {
  const ids: string[] = [];
  for (const message of messages) {
    if (message.role !== "assistant" || typeof message.content === "string") continue;
    for (const block of message.content) if (block.type === "tool_use") ids.push((block as { id: string }).id);
  }
  return ids;
}

/** The http(s) image and document URLs the caller must fetch, in order of appearance. */
export function collectMediaUrls(messages: readonly MessageParam[]): string[] {
  const urls = new Set<string>();
  const visit = (blocks: readonly ContentBlock[]) => {
    for (const block of blocks) {
      if ((block.type === "image" || block.type === "document") && (block as ImageBlock | DocumentBlock).source.type === "url") {
        urls.add((block as { source: { url: string } }).source.url);
      } else if (block.type === "tool_result" && Array.isArray((block as ToolResultBlock).content)) {
        visit((block as ToolResultBlock).content as ContentBlock[]);
      }
    }
  };
  for (const message of messages) if (message.role === "user" && typeof message.content !== "string") visit(message.content);
  return [...urls];
}

function systemTexts(system: MessagesRequest["system"]): string[] {
  if (system == null) return [];
  if (typeof system === "string") return system === "" ? [] : [system];
  return system.map((block) => block.text).filter((text) => text !== "");
}

function textOf(content: MessageParam["content"]): string {
  if (typeof content === "string") return content;
  return content.flatMap((block) => (block.type === "text" ? [(block as { text: string }).text] : [])).join("\n");
}

function mediaPart(source: ImageBlock["source"] | DocumentBlock["source"], remote: RemoteMedia, param: string): Part {
  switch (source.type) {
    case "base64":
      return { inlineData: { mimeType: source.media_type, data: source.data } };
    case "url": {
      const fetched = remote.get(source.url);
      if (!fetched) throw new TranslationError(`The media at '${source.url}' could not be downloaded.`, { param: `${param}.source.url`, code: "invalid_image_url" });
      return { inlineData: { mimeType: fetched.mimeType, data: fetched.data } };
    }
    case "file":
      throw new TranslationError("Files API ids are not supported; send the file inline (base64) or as a URL.", {
        param: `${param}.source.file_id`,
        code: "unsupported_parameter",
      });
    case "text":
      return { text: source.data };
    case "content":
      return { text: typeof source.content === "string" ? source.content : source.content.flatMap((b) => (typeof b.text === "string" ? [b.text] : [])).join("\n") };
  }
}

/** A user-side block as Gemini parts (none for blocks Gemini has no counterpart for). */
function userParts(block: ContentBlock, remote: RemoteMedia, param: string): Part[] {
  switch (block.type) {
    case "text": {
      const text = (block as { text: string }).text;
      return text === "" ? [] : [{ text }];
    }
    case "image":
      return [mediaPart((block as ImageBlock).source, remote, param)];
    case "document": {
      const document = block as DocumentBlock;
      const parts: Part[] = [];
      if (document.title) parts.push({ text: `Document: ${document.title}` });
      if (document.context) parts.push({ text: document.context });
      parts.push(mediaPart(document.source, remote, param));
      return parts;
    }
    default:
      return [];
  }
}

/**
 * An assistant turn: text and tool calls. Each call carries Google's signature for it — from the
 * signature memory (keyed by tool_use id: surely Google's), else from the thinking block before it
 * (the proxy put it there), else, on the first call of a Gemini 3 step, Google's documented dummy.
 * Thought text is not sent back: Gemini takes no thought summaries as input.
 */
function assistantParts(blocks: Blocks, options: ConversationOptions, calls: Map<string, CallInfo>): Part[] {
  const parts: Part[] = [];
  let pendingSignature: string | undefined;
  let position = 0;
  for (const block of blocks) {
    if (block.type === "text") {
      const text = (block as { text: string }).text;
      if (text !== "") parts.push({ text });
    } else if (block.type === "thinking") {
      const signature = (block as { signature?: string }).signature;
      if (signature) pendingSignature = signature;
    } else if (block.type === "tool_use") {
      const call = block as { id: string; name: string; input: Record<string, unknown> };
      calls.set(call.id, { name: call.name, position: position++ });
      const part: Part = { functionCall: { id: call.id, name: call.name, args: call.input } };
      const signature = options.signatures.get(call.id) ?? pendingSignature;
      if (signature !== undefined) part.thoughtSignature = signature;
      pendingSignature = undefined;
      parts.push(part);
    }
  }
  const firstCall = parts.find((part) => part.functionCall);
  if (firstCall && options.needsSignatures && firstCall.thoughtSignature === undefined) firstCall.thoughtSignature = DUMMY_THOUGHT_SIGNATURE;
  return parts;
}

function toolResultParts(block: ToolResultBlock, calls: Map<string, CallInfo>, remote: RemoteMedia, param: string): { response: Part; position: number; extra: Part[] } {
  const call = calls.get(block.tool_use_id);
  if (!call) {
    throw new TranslationError(`No tool_use block with id '${block.tool_use_id}' precedes this tool_result.`, { param: `${param}.tool_use_id` });
  }
  const content = block.content ?? "";
  const blocks = typeof content === "string" ? [] : content;
  const text = typeof content === "string" ? content : textOf(content as Blocks);
  const extra = blocks.flatMap((inner, i) => (inner.type === "text" ? [] : userParts(inner as ContentBlock, remote, `${param}.content[${i}]`)));
  const response = block.is_error ? { error: text } : { output: text };
  return { response: { functionResponse: { id: block.tool_use_id, name: call.name, response } }, position: call.position, extra };
}

/**
 * `system` + `messages` -> Gemini contents and system instruction. `system` and every system-role
 * message (Claude Code sends one) feed the system instruction, in order. The tool results of a
 * user turn go first, in the order of the calls they answer, as Gemini requires for parallel calls.
 */
export function translateConversation(system: MessagesRequest["system"], messages: readonly MessageParam[], options: ConversationOptions): Conversation {
  const systemParts: Part[] = systemTexts(system).map((text) => ({ text }));
  for (const message of messages) {
    if (message.role !== "system") continue;
    const text = textOf(message.content);
    if (text !== "") systemParts.push({ text });
  }

  const turns = new ContentsBuilder();
  if (options.systemAsUser) turns.push("user", systemParts);
  const calls = new Map<string, CallInfo>();

  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    if (message.role === "system") return;
    if (typeof message.content === "string") {
      turns.push(message.role === "user" ? "user" : "model", message.content === "" ? [] : [{ text: message.content }]);
      return;
    }
    if (message.role === "assistant") {
      turns.push("model", assistantParts(message.content, options, calls));
      return;
    }
    const results: Array<{ part: Part; position: number }> = [];
    const parts: Part[] = [];
    message.content.forEach((block, blockIndex) => {
      const blockParam = `${param}.content[${blockIndex}]`;
      if (block.type === "tool_result") {
        const result = toolResultParts(block as ToolResultBlock, calls, options.remoteMedia, blockParam);
        results.push({ part: result.response, position: result.position });
        parts.push(...result.extra);
      } else {
        parts.push(...userParts(block, options.remoteMedia, blockParam));
      }
    });
    results.sort((a, b) => a.position - b.position);
    turns.push("user", [...results.map((result) => result.part), ...parts]);
  });

  if (turns.contents.length === 0) {
    throw new TranslationError("`messages` must contain at least one non-empty user or assistant message.", { param: "messages" });
  }
  const conversation: Conversation = { contents: turns.contents };
  if (!options.systemAsUser && systemParts.length > 0) conversation.systemInstruction = { parts: systemParts };
  return conversation;
}
