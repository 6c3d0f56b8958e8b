import type { Content, Part } from "../gemini/types";
import { ContentsBuilder } from "../gemini/contents-builder";
import { TranslationError } from "../openai/errors";
import { isRemoteUrl, userContentPart, type RemoteMedia } from "../openai/media";
import { DUMMY_THOUGHT_SIGNATURE, functionResponseBody, parseCallArguments } from "../openai/messages";
import type { InputContentPart, InputItem, ResponsesRequest, ToolOutputPart } from "./schemas";
import { decodeSignatures } from "./signatures";
import { CUSTOM_INPUT } from "./tools";

export interface InputTranslateOptions {
  /** per client key option: system/developer text sent as a leading user turn */
  systemAsUser: boolean;
  /** put the dummy signature on an unsigned function-call turn (Gemini 3 and later) */
  needsSignatures: boolean;
  /** call id -> thought signature, from the history's reasoning items and the D1 memory */
  signatures: ReadonlyMap<string, string>;
  remoteMedia: RemoteMedia;
}

export interface TranslatedInput {
  contents: Content[];
  systemInstruction?: Content;
}

type MessageItem = Extract<InputItem, { role: string }>;

const isMessage = (item: InputItem): item is MessageItem => "role" in item;

function items(req: ResponsesRequest): InputItem[] {
  return typeof req.input === "string" ? [{ role: "user", content: req.input }] : req.input;
}

/** call ids of the function and custom tool calls in the history, to look up remembered signatures */
export function collectCallIds(req: ResponsesRequest): string[] {
  return items(req).flatMap((item) => (!isMessage(item) && (item.type === "function_call" || item.type === "custom_tool_call") ? [item.call_id] : []));
}

/** call id -> signature carried in the history's reasoning items */
export function collectCarriedSignatures(req: ResponsesRequest): Map<string, string> {
  const found = new Map<string, string>();
  for (const item of items(req)) {
    if (!isMessage(item) && item.type === "reasoning") {
      for (const [callId, signature] of Object.entries(decodeSignatures(item.encrypted_content))) found.set(callId, signature);
    }
  }
  return found;
}

/** http(s) image and file URLs the caller must fetch */
export function collectRemoteMediaUrls(req: ResponsesRequest): string[] {
  const urls = new Set<string>();
  const visit = (parts: ReadonlyArray<InputContentPart | ToolOutputPart>) => {
    for (const part of parts) {
      if (part.type === "input_image" && part.image_url && isRemoteUrl(part.image_url)) urls.add(part.image_url);
      if (part.type === "input_file" && part.file_url !== undefined) urls.add(part.file_url);
    }
  };
  for (const item of items(req)) {
    if (isMessage(item)) {
      if (typeof item.content !== "string") visit(item.content);
    } else if ((item.type === "function_call_output" || item.type === "custom_tool_call_output") && typeof item.output !== "string") {
      visit(item.output);
    }
  }
  return [...urls];
}

function mediaPart(part: InputContentPart | ToolOutputPart, remote: RemoteMedia, param: string): Part | null {
  switch (part.type) {
    case "input_text":
    case "output_text":
      return part.text === "" ? null : { text: part.text };
    case "refusal":
      return { text: part.refusal };
    case "input_image":
      if (part.image_url) return userContentPart({ type: "image_url", image_url: { url: part.image_url } }, remote, param);
      throw new TranslationError("Uploaded file ids are not supported; send the image as `image_url` (a data URI or an http(s) URL).", {
        param: `${param}.file_id`,
        code: "unsupported_parameter",
      });
    case "input_file": {
      if (part.file_url !== undefined) {
        const fetched = remote.get(part.file_url);
        if (!fetched) throw new TranslationError(`The file at '${part.file_url}' could not be downloaded.`, { param: `${param}.file_url` });
        return { inlineData: fetched };
      }
      const file: { file_data?: string; file_id?: string; filename?: string } = {};
      if (part.file_data !== undefined) file.file_data = part.file_data;
      if (part.file_id) file.file_id = part.file_id;
      if (part.filename !== undefined) file.filename = part.filename;
      return userContentPart({ type: "file", file }, remote, param);
    }
  }
}

interface PendingResult {
  parts: Part[];
  position: number;
}

/**
 * Responses `instructions` + `input` items -> Gemini `contents` + `systemInstruction`.
 * Messages by role (system/developer feed the system instruction wherever they stand); function
 * and custom tool calls become the model's functionCall parts with the signature Google issued;
 * their outputs travel together in one user turn, in call order, as Gemini requires. Reasoning
 * items only carry signatures (Gemini takes no thought text back), and records of hosted tool
 * calls carry nothing the model needs.
 */
export function translateInput(req: ResponsesRequest, options: InputTranslateOptions): TranslatedInput {
  const systemParts: Part[] = [];
  if (req.instructions) systemParts.push({ text: req.instructions });
  const builder = new ContentsBuilder();
  const calls = new Map<string, { name: string; position: number }>();
  let pending: PendingResult[] = [];
  const flush = () => {
    pending.sort((a, b) => a.position - b.position);
    builder.push("user", pending.flatMap((result) => result.parts));
    pending = [];
  };

  const all = items(req);
  const param = (index: number) => (typeof req.input === "string" ? "input" : `input[${index}]`);
  all.forEach((item, index) => {
    if (isMessage(item)) {
      const message = item;
      const parts: Part[] = [];
      if (typeof message.content === "string") {
        if (message.content !== "") parts.push({ text: message.content });
      } else {
        message.content.forEach((part, partIndex) => {
          const translated = mediaPart(part, options.remoteMedia, `${param(index)}.content[${partIndex}]`);
          if (translated) parts.push(translated);
        });
      }
      if (message.role === "system" || message.role === "developer") {
        if (parts.some((part) => part.text === undefined)) {
          throw new TranslationError(`A ${message.role} message may only hold text.`, { param: `${param(index)}.content` });
        }
        systemParts.push(...parts);
        return;
      }
      flush();
      builder.push(message.role === "assistant" ? "model" : "user", parts);
      return;
    }
    switch (item.type) {
      case "function_call":
      case "custom_tool_call": {
        flush();
        const args = item.type === "function_call" ? parseCallArguments(item.arguments, `${param(index)}.arguments`) : { [CUSTOM_INPUT]: item.input };
        calls.set(item.call_id, { name: item.name, position: calls.size });
        const part: Part = { functionCall: { id: item.call_id, name: item.name, args } };
        const signature = options.signatures.get(item.call_id);
        if (signature !== undefined) part.thoughtSignature = signature;
        builder.push("model", [part]);
        return;
      }
      case "function_call_output":
      case "custom_tool_call_output": {
        const call = calls.get(item.call_id);
        if (!call) {
          throw new TranslationError(`No function_call or custom_tool_call with call_id '${item.call_id}' precedes this output.`, {
            param: `${param(index)}.call_id`,
          });
        }
        const extra: Part[] = [];
        let text: string;
        if (typeof item.output === "string") text = item.output;
        else {
          const texts: string[] = [];
          item.output.forEach((part, partIndex) => {
            if (part.type === "input_text") texts.push(part.text);
            else {
              const media = mediaPart(part, options.remoteMedia, `${param(index)}.output[${partIndex}]`);
              if (media) extra.push(media);
            }
          });
          text = texts.join("\n");
        }
        const response = { functionResponse: { id: item.call_id, name: call.name, response: functionResponseBody(text) } };
        pending.push({ parts: [response, ...extra], position: call.position });
        return;
      }
      case "reasoning":
      case "web_search_call":
      case "file_search_call":
      case "code_interpreter_call":
      case "image_generation_call":
        return;
      case "item_reference":
        throw new TranslationError(
          "item_reference needs responses stored on the server, which this proxy does not keep: send the referenced items themselves.",
          { param: `${param(index)}.id`, code: "unsupported_parameter" },
        );
    }
  });
  flush();

  if (options.needsSignatures) {
    for (const content of builder.contents) {
      if (content.role !== "model") continue;
      const firstCall = content.parts?.find((part) => part.functionCall !== undefined);
      if (firstCall && firstCall.thoughtSignature === undefined) firstCall.thoughtSignature = DUMMY_THOUGHT_SIGNATURE;
    }
  }
  if (builder.contents.length === 0) {
    throw new TranslationError("`input` must contain at least one non-empty user or assistant item.", { param: "input" });
  }
  const translated: TranslatedInput = { contents: builder.contents };
  if (systemParts.length > 0) {
    const first = translated.contents[0];
    if (options.systemAsUser && first?.role === "user") first.parts = [...systemParts, ...(first.parts ?? [])];
    else if (options.systemAsUser) translated.contents.unshift({ role: "user", parts: systemParts });
    else translated.systemInstruction = { parts: systemParts };
  }
  return translated;
}
