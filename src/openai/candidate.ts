import type { Candidate, FunctionCall, Part } from "../gemini/types";
import { citationsFrom, type UrlCitation } from "./citations";
import { applyPartialArg } from "./partial-args";
import { TextOffsets } from "./text-offsets";

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function: { name?: string; arguments: string };
}

/** An output image the way OpenRouter and LiteLLM return it: `message.images[]` / `delta.images[]`. */
export interface ChatImage {
  type: "image_url";
  image_url: { url: string };
}

/** What one batch of parts adds to a choice. */
export interface CandidateDelta {
  content: string;
  reasoning: string;
  toolCalls: ToolCallDelta[];
  images: ChatImage[];
}

export interface CandidateReaderOptions {
  /** output images in `images` (chat) instead of Markdown data-URI images in the content (Responses) */
  imagesApart?: boolean;
}

interface StreamedCall {
  index: number;
  args: Record<string, unknown>;
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

function fenced(language: string, body: string): string {
  const fence = "`".repeat(Math.max(3, longestBacktickRun(body) + 1));
  return `${fence}${language}\n${body}${body.endsWith("\n") || body === "" ? "" : "\n"}${fence}`;
}

/**
 * Reads the parts of one Gemini candidate, in one piece (generateContent) or event by event
 * (streamGenerateContent), and says what each batch adds to the OpenAI choice:
 * - `thought: true` text -> reasoning, never content;
 * - function calls -> tool calls, whole, or assembled from Vertex-style `partialArgs` pieces
 *   (the header is sent when the call opens, the arguments when it closes);
 * - code execution -> Markdown blocks in content; images -> `images` with `imagesApart` (interim
 *   `thought` images are dropped), else Markdown data-URI images in content (docs/compatibility.md).
 * Tool-call ids are Google's `functionCall.id` when present, else derived from the completion id.
 */
export class CandidateReader {
  private contentLength = 0;
  private contentTail = "";
  private toolCallCount = 0;
  private streamed: StreamedCall | undefined;
  private readonly offsets = new TextOffsets();
  private grounding: Candidate["groundingMetadata"];

  constructor(
    private readonly callIdBase: string,
    private readonly signatures: Record<string, string>,
    private readonly options: CandidateReaderOptions = {},
  ) {}

  get hasToolCalls(): boolean {
    return this.toolCallCount > 0;
  }

  read(parts: readonly Part[]): CandidateDelta {
    const delta: CandidateDelta = { content: "", reasoning: "", toolCalls: [], images: [] };
    for (const part of parts) this.readPart(part, delta);
    return delta;
  }

  /** Closes a streamed call still open (the stream ended or the finish reason arrived). */
  close(): ToolCallDelta[] {
    const closing = this.closeStreamed();
    return closing ? [closing] : [];
  }

  noteGrounding(candidate: Candidate): void {
    if (candidate.groundingMetadata) this.grounding = candidate.groundingMetadata;
  }

  citations(): UrlCitation[] {
    return citationsFrom(this.grounding, this.offsets);
  }

  private readPart(part: Part, delta: CandidateDelta): void {
    if (part.functionCall) {
      this.readFunctionCall(part.functionCall, part.thoughtSignature, delta);
      return;
    }
    const closing = this.closeStreamed();
    if (closing) delta.toolCalls.push(closing);

    if (part.text !== undefined) {
      if (part.thought) delta.reasoning += part.text;
      else if (part.text !== "") {
        this.offsets.append(part.text, this.contentLength);
        this.appendContent(delta, part.text);
      }
    } else if (part.executableCode) {
      this.appendBlock(delta, fenced((part.executableCode.language ?? "").toLowerCase(), part.executableCode.code));
    } else if (part.codeExecutionResult) {
      const { outcome, output = "" } = part.codeExecutionResult;
      const block = fenced("output", output);
      this.appendBlock(delta, outcome && outcome !== "OUTCOME_OK" ? `Execution result: ${outcome}\n${block}` : block);
    } else if (part.inlineData && this.options.imagesApart) {
      const { mimeType, data } = part.inlineData;
      if (!part.thought) delta.images.push({ type: "image_url", image_url: { url: `data:${mimeType};base64,${data}` } });
    } else if (part.inlineData) {
      this.appendBlock(delta, `![image](data:${part.inlineData.mimeType};base64,${part.inlineData.data})`);
    } else if (part.fileData) {
      this.appendBlock(delta, `[${part.fileData.mimeType ?? "file"}](${part.fileData.fileUri})`);
    }
  }

  private readFunctionCall(call: FunctionCall, signature: string | undefined, delta: CandidateDelta): void {
    const opensStream = call.name !== undefined && call.willContinue === true;
    const continuesStream = call.name === undefined && (call.partialArgs !== undefined || call.willContinue === true);

    if (continuesStream) {
      if (this.streamed) for (const arg of call.partialArgs ?? []) applyPartialArg(this.streamed.args, arg);
      return;
    }
    const closing = this.closeStreamed();
    if (closing) delta.toolCalls.push(closing);
    // `functionCall: {}` only closes the streamed call
    if (call.name === undefined) return;

    const index = this.toolCallCount++;
    const id = call.id ?? `call_${this.callIdBase}_${index}`;
    if (signature !== undefined) this.signatures[id] = signature;
    if (opensStream) {
      this.streamed = { index, args: {} };
      for (const arg of call.partialArgs ?? []) applyPartialArg(this.streamed.args, arg);
      delta.toolCalls.push({ index, id, type: "function", function: { name: call.name, arguments: "" } });
      return;
    }
    const args = { ...call.args };
    for (const arg of call.partialArgs ?? []) applyPartialArg(args, arg);
    delta.toolCalls.push({ index, id, type: "function", function: { name: call.name, arguments: JSON.stringify(args) } });
  }

  private closeStreamed(): ToolCallDelta | null {
    const open = this.streamed;
    if (!open) return null;
    this.streamed = undefined;
    return { index: open.index, function: { arguments: JSON.stringify(open.args) } };
  }

  private appendContent(delta: CandidateDelta, text: string): void {
    delta.content += text;
    this.contentLength += text.length;
    this.contentTail = (this.contentTail + text).slice(-2);
  }

  /** A block stands on its own lines, separated from surrounding text by a blank line. */
  private appendBlock(delta: CandidateDelta, block: string): void {
    const lead = this.contentLength === 0 || this.contentTail === "\n\n" ? "" : this.contentTail.endsWith("\n") ? "\n" : "\n\n";
    this.appendContent(delta, `${lead}${block}\n\n`);
  }
}
