import type { Content, Part } from "../gemini/types";
import { ContentsBuilder } from "../gemini/contents-builder";
import { TranslationError } from "./errors";
import { assistantImagePart, userContentPart, type RemoteMedia } from "./media";
import type { ChatMessage, ToolCall } from "./schemas";

/**
 * Google's documented stand-in for a thought signature the proxy no longer has (history from
 * another model, an expired memory). Gemini 3 answers 400 when the first function call of a
 * step carries no signature at all; this value tells it to skip the check.
 */
export const DUMMY_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

export interface MessageTranslateOptions {
  systemAsUser: boolean;
  /** put the dummy signature on unsigned function-call turns (Gemini 3 and later) */
  needsSignatures: boolean;
  signatures: ReadonlyMap<string, string>;
  remoteMedia: RemoteMedia;
}

export interface TranslatedMessages {
  contents: Content[];
  systemInstruction?: Content;
}

type AssistantMessage = Extract<ChatMessage, { role: "assistant" }>;
type ToolMessage = Extract<ChatMessage, { role: "tool" }>;

interface CallInfo {
  name: string;
  /** position among the calls of its assistant message: tool results are sent back in this order */
  position: number;
}

interface PendingResult {
  part: Part;
  position: number;
}

function textOf(content: string | ReadonlyArray<{ type: string; text?: string; refusal?: string }>): string {
  if (typeof content === "string") return content;
  return content.map((part) => part.text ?? part.refusal ?? "").join("");
}

/** A tool call's arguments as Gemini wants them: a JSON object (an empty string is `{}`). */
export function parseCallArguments(raw: string, param: string): Record<string, unknown> {
  if (raw.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new TranslationError("Tool call arguments must be a JSON object.", { param });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new TranslationError("Tool call arguments must be a JSON object.", { param });
  }
  return parsed as Record<string, unknown>;
}

/** Gemini wants an object; a JSON object result is sent as-is, anything else as `{output}`. */
export function functionResponseBody(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // not JSON after all: fall through and send it as text
    }
  }
  return { output: text };
}

function assistantParts(
  message: AssistantMessage,
  index: number,
  options: MessageTranslateOptions,
  calls: Map<string, CallInfo>,
): Part[] {
  const parts: Part[] = [];
  const text = message.content == null ? "" : textOf(message.content);
  if (text !== "") parts.push({ text });
  else if (message.refusal) parts.push({ text: message.refusal });
  // Images the model made go back as images; Gemini 3 image models want a signature on each.
  (message.images ?? []).forEach((image, position) => {
    const part = assistantImagePart(image.image_url.url, `messages[${index}].images[${position}].image_url.url`);
    if (options.needsSignatures) part.thoughtSignature = DUMMY_THOUGHT_SIGNATURE;
    parts.push(part);
  });

  const toolCalls: ToolCall[] = message.tool_calls ?? [];
  const callParts = toolCalls.map((call, position): Part => {
    const param = `messages[${index}].tool_calls[${position}].function.arguments`;
    calls.set(call.id, { name: call.function.name, position });
    const part: Part = {
      functionCall: { id: call.id, name: call.function.name, args: parseCallArguments(call.function.arguments, param) },
    };
    const signature = options.signatures.get(call.id);
    if (signature !== undefined) part.thoughtSignature = signature;
    return part;
  });
  const firstCall = callParts[0];
  if (firstCall && options.needsSignatures && firstCall.thoughtSignature === undefined) {
    firstCall.thoughtSignature = DUMMY_THOUGHT_SIGNATURE;
  }
  parts.push(...callParts);
  return parts;
}

function toolResult(message: ToolMessage, index: number, calls: Map<string, CallInfo>): PendingResult {
  const call = calls.get(message.tool_call_id);
  const name = call?.name ?? message.name;
  if (name === undefined) {
    throw new TranslationError(`No assistant tool call with id '${message.tool_call_id}' precedes this tool message.`, {
      param: `messages[${index}].tool_call_id`,
    });
  }
  return {
    part: {
      functionResponse: { id: message.tool_call_id, name, response: functionResponseBody(textOf(message.content)) },
    },
    position: call?.position ?? Number.MAX_SAFE_INTEGER,
  };
}

/**
 * OpenAI messages -> Gemini `contents` + `systemInstruction`.
 * Every system/developer message (wherever it stands) feeds the system instruction; the tool
 * results that answer one assistant turn travel together in one user turn, in call order, as
 * Gemini requires for parallel calls.
 */
export function translateMessages(messages: readonly ChatMessage[], options: MessageTranslateOptions): TranslatedMessages {
  const systemParts: Part[] = [];
  for (const message of messages) {
    if (message.role !== "system" && message.role !== "developer") continue;
    const text = textOf(message.content);
    if (text !== "") systemParts.push({ text });
  }

  const builder = new ContentsBuilder();
  if (options.systemAsUser) builder.push("user", systemParts);

  const calls = new Map<string, CallInfo>();
  let pendingResults: PendingResult[] = [];
  const flushResults = () => {
    // stable sort: results for unknown ids (named by the client) keep their order at the end
    pendingResults.sort((a, b) => a.position - b.position);
    builder.push(
      "user",
      pendingResults.map((result) => result.part),
    );
    pendingResults = [];
  };

  messages.forEach((message, index) => {
    switch (message.role) {
      case "system":
      case "developer":
        return;
      case "tool":
        pendingResults.push(toolResult(message, index, calls));
        return;
      case "user": {
        flushResults();
        if (typeof message.content === "string") {
          builder.push("user", message.content === "" ? [] : [{ text: message.content }]);
          return;
        }
        const parts: Part[] = [];
        message.content.forEach((part, partIndex) => {
          const translated = userContentPart(part, options.remoteMedia, `messages[${index}].content[${partIndex}]`);
          if (translated) parts.push(translated);
        });
        builder.push("user", parts);
        return;
      }
      case "assistant":
        flushResults();
        builder.push("model", assistantParts(message, index, options, calls));
        return;
    }
  });
  flushResults();

  if (builder.contents.length === 0) {
    throw new TranslationError("`messages` must contain at least one non-empty user or assistant message.", {
      param: "messages",
    });
  }
  const translated: TranslatedMessages = { contents: builder.contents };
  if (!options.systemAsUser && systemParts.length > 0) translated.systemInstruction = { parts: systemParts };
  return translated;
}
