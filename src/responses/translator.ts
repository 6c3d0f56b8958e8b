import type { GenerateContentResponse, Part } from "../gemini/types";
import { CandidateReader, type ToolCallDelta } from "../openai/candidate";
import { isFilteredFinish } from "../openai/finish-reason";
import { blockedRefusal } from "../openai/response";
import { hasTokenCounts, usageFromGemini, ZERO_USAGE, type UsageFigures } from "../openai/usage";
import { responseObject, type IncompleteReason, type OutputItem, type ResponseContext, type ResponseStatus } from "./response-object";
import { completeCall, refusalMessage, type OpenCall } from "./call-items";
import { clone, OutputLog, type ResponsesEvent } from "./output-log";
import { encodeSignatures } from "./signatures";

export type { ResponsesEvent } from "./output-log";

interface OpenText {
  kind: "message" | "reasoning";
  index: number;
  item: OutputItem;
  text: string;
}

/**
 * Gemini's answer -> Responses output items and streaming events, fed one
 * GenerateContentResponse at a time (each SSE event of streamGenerateContent, or the one body of
 * generateContent). Only the first candidate is read (the Responses API has no `n`).
 * - thought parts -> a `reasoning` item whose summary is their text;
 * - text, code execution and images -> a `message` with one `output_text` part (code and images
 *   as Markdown, like the chat door), with url citations from Google Search grounding;
 * - function calls -> `function_call` items, or `custom_tool_call` items for custom tools;
 * - Google's thought signature on a call -> the `encrypted_content` of the reasoning item before
 *   it (one is made when the model showed no thoughts), keyed by call id, so it comes back with
 *   the history (src/responses/signatures.ts).
 * Every event gets the next `sequence_number`; the first batch opens with response.created and
 * response.in_progress; `finish()` closes what is open and ends with response.completed or
 * response.incomplete; `fail()` ends with response.failed.
 */
export class ResponsesTranslator {
  private readonly log: OutputLog;
  private readonly reader: CandidateReader;
  /** call id -> thought signature, for the D1 memory */
  readonly signatures: Record<string, string> = {};
  private openText: OpenText | undefined;
  private readonly openCalls = new Map<number, OpenCall>();
  private lastUsage: UsageFigures = { ...ZERO_USAGE };
  private finishReason: string | undefined;
  private promptBlocked = false;
  private started = false;
  private ended = false;

  constructor(private readonly ctx: ResponseContext) {
    const idSuffix = ctx.id.replace(/^resp_/, "");
    this.log = new OutputLog(idSuffix);
    this.reader = new CandidateReader(idSuffix, this.signatures);
  }

  get usage(): UsageFigures {
    return this.lastUsage;
  }

  get blocked(): boolean {
    return this.promptBlocked || isFilteredFinish(this.finishReason);
  }

  /**
   * response.created and response.in_progress, once, ahead of whatever comes first: so the
   * stream's first byte (and the ledger's time to first byte) is Gemini's first event.
   */
  private start(): ResponsesEvent[] {
    if (this.started) return [];
    this.started = true;
    const snapshot = this.snapshot("in_progress");
    return [this.log.event("response.created", { response: snapshot }), this.log.event("response.in_progress", { response: clone(snapshot) })];
  }

  push(reply: GenerateContentResponse): ResponsesEvent[] {
    if (this.ended) return [];
    if (hasTokenCounts(reply.usageMetadata)) this.lastUsage = usageFromGemini(reply.usageMetadata);
    const events: ResponsesEvent[] = this.start();
    const candidate = reply.candidates?.[0];
    const blockReason = reply.promptFeedback?.blockReason;
    if (!candidate) {
      if (blockReason && !this.promptBlocked) {
        this.promptBlocked = true;
        events.push(...this.closeText("completed"), ...refusalMessage(this.log, blockedRefusal(blockReason)));
      }
      return events;
    }
    this.reader.noteGrounding(candidate);
    for (const part of candidate.content?.parts ?? []) events.push(...this.readPart(part));
    if (candidate.finishReason) this.finishReason = candidate.finishReason;
    return events;
  }

  /** Closes what is still open; the last event is response.completed or response.incomplete. */
  finish(): ResponsesEvent[] {
    if (this.ended) return [];
    const events: ResponsesEvent[] = this.start();
    for (const closing of this.reader.close()) events.push(...this.closeCall(closing));
    const incomplete = this.incompleteReason();
    events.push(...this.closeText(incomplete ? "incomplete" : "completed"));
    this.ended = true;
    const status: ResponseStatus = incomplete ? "incomplete" : "completed";
    const response = this.snapshot(status, incomplete);
    events.push(this.log.event(incomplete ? "response.incomplete" : "response.completed", { response }));
    return events;
  }

  /** An upstream failure after the stream began: response.failed with the error. */
  fail(message: string): ResponsesEvent[] {
    if (this.ended) return [];
    const events = this.start();
    this.ended = true;
    for (const item of this.log.items) if (item.status === "in_progress") item.status = "incomplete";
    const response = responseObject(this.ctx, {
      status: "failed",
      output: clone(this.log.items),
      usage: this.lastUsage,
      error: { code: "server_error", message },
    });
    return [...events, this.log.event("response.failed", { response })];
  }

  /** The final `response` object (after `finish()`). */
  response(): Record<string, unknown> {
    return this.snapshot(this.ended ? (this.incompleteReason() ? "incomplete" : "completed") : "in_progress", this.incompleteReason());
  }

  private incompleteReason(): IncompleteReason | undefined {
    if (this.finishReason === "MAX_TOKENS") return "max_output_tokens";
    if (this.blocked) return "content_filter";
    return undefined;
  }

  private snapshot(status: ResponseStatus, incomplete?: IncompleteReason): Record<string, unknown> {
    const done = status !== "in_progress";
    return responseObject(this.ctx, {
      status,
      output: clone(this.log.items),
      usage: done ? this.lastUsage : null,
      ...(incomplete ? { incomplete } : {}),
      ...(done ? { completedAt: Math.max(this.ctx.createdAt, Math.floor(Date.now() / 1000)) } : {}),
    });
  }

  private readPart(part: Part): ResponsesEvent[] {
    const events: ResponsesEvent[] = [];
    const delta = this.reader.read([part]);
    for (const call of delta.toolCalls) {
      if (call.id !== undefined) events.push(...this.openCall(call, part));
      else events.push(...this.closeCall(call));
    }
    if (delta.reasoning !== "") events.push(...this.appendText("reasoning", delta.reasoning));
    if (delta.content !== "") events.push(...this.appendText("message", delta.content));
    return events;
  }

  private appendText(kind: OpenText["kind"], text: string): ResponsesEvent[] {
    const events: ResponsesEvent[] = [];
    if (this.openText?.kind !== kind) {
      events.push(...this.closeText("completed"));
      events.push(...(kind === "message" ? this.openMessage() : this.openReasoning()));
    }
    const open = this.openText!;
    open.text += text;
    const where = { item_id: open.item.id, output_index: open.index };
    events.push(
      kind === "message"
        ? this.log.event("response.output_text.delta", { ...where, content_index: 0, delta: text, logprobs: [] })
        : this.log.event("response.reasoning_summary_text.delta", { ...where, summary_index: 0, delta: text }),
    );
    return events;
  }

  private openMessage(): ResponsesEvent[] {
    const item: OutputItem = { type: "message", id: this.log.nextId("msg"), status: "in_progress", role: "assistant", content: [] };
    const { index, event } = this.log.add(item);
    this.openText = { kind: "message", index, item, text: "" };
    const part = { type: "output_text", text: "", annotations: [], logprobs: [] };
    return [event, this.log.event("response.content_part.added", { item_id: item.id, output_index: index, content_index: 0, part })];
  }

  private openReasoning(): ResponsesEvent[] {
    const item: OutputItem = { type: "reasoning", id: this.log.nextId("rs"), summary: [] };
    const { index, event } = this.log.add(item);
    this.openText = { kind: "reasoning", index, item, text: "" };
    const part = { type: "summary_text", text: "" };
    return [event, this.log.event("response.reasoning_summary_part.added", { item_id: item.id, output_index: index, summary_index: 0, part })];
  }

  /** Ends the open message or reasoning item; `signatures` go into a reasoning item's encrypted_content. */
  private closeText(status: "completed" | "incomplete", signatures?: Record<string, string>): ResponsesEvent[] {
    const open = this.openText;
    if (!open) return [];
    this.openText = undefined;
    const where = { item_id: open.item.id, output_index: open.index };
    const events: ResponsesEvent[] = [];
    if (open.kind === "message") {
      const annotations = this.reader.citations().map(({ url_citation: c }) => ({ type: "url_citation", url: c.url, title: c.title, start_index: c.start_index, end_index: c.end_index }));
      annotations.forEach((annotation, annotationIndex) =>
        events.push(this.log.event("response.output_text.annotation.added", { ...where, content_index: 0, annotation_index: annotationIndex, annotation })),
      );
      const part = { type: "output_text", text: open.text, annotations, logprobs: [] };
      events.push(this.log.event("response.output_text.done", { ...where, content_index: 0, text: open.text, logprobs: [] }));
      events.push(this.log.event("response.content_part.done", { ...where, content_index: 0, part: clone(part) }));
      open.item.content = [part];
      open.item.status = status;
    } else {
      const part = { type: "summary_text", text: open.text };
      events.push(this.log.event("response.reasoning_summary_text.done", { ...where, summary_index: 0, text: open.text }));
      events.push(this.log.event("response.reasoning_summary_part.done", { ...where, summary_index: 0, part: clone(part) }));
      open.item.summary = [part];
      if (signatures) open.item.encrypted_content = encodeSignatures(signatures);
    }
    events.push(this.log.done(open.index, open.item));
    return events;
  }

  private openCall(call: ToolCallDelta, part: Part): ResponsesEvent[] {
    const events: ResponsesEvent[] = [];
    const callId = call.id!;
    const signature = part.thoughtSignature;
    const signatures = signature !== undefined ? { [callId]: signature } : undefined;
    if (this.openText?.kind === "reasoning") events.push(...this.closeText("completed", signatures));
    else {
      events.push(...this.closeText("completed"));
      if (signatures) {
        const item: OutputItem = { type: "reasoning", id: this.log.nextId("rs"), summary: [], encrypted_content: encodeSignatures(signatures) };
        const { index, event } = this.log.add(item);
        events.push(event, this.log.done(index, item));
      }
    }
    const name = call.function.name ?? "";
    const custom = this.ctx.toolNames.customNames.has(name);
    const namespace = this.ctx.toolNames.namespaces.get(name);
    const item: OutputItem = custom
      ? { type: "custom_tool_call", id: this.log.nextId("ctc"), call_id: callId, name, input: "", status: "in_progress" }
      : { type: "function_call", id: this.log.nextId("fc"), call_id: callId, name, arguments: "", status: "in_progress" };
    if (namespace !== undefined) item.namespace = namespace;
    const { index, event } = this.log.add(item);
    events.push(event);
    const open: OpenCall = { index, item, custom };
    // "" = a call whose arguments stream in later pieces (Vertex-style partialArgs)
    if (call.function.arguments === "") this.openCalls.set(call.index, open);
    else events.push(...completeCall(this.log, open, call.function.arguments));
    return events;
  }

  private closeCall(call: ToolCallDelta): ResponsesEvent[] {
    const open = this.openCalls.get(call.index);
    if (!open) return [];
    this.openCalls.delete(call.index);
    return completeCall(this.log, open, call.function.arguments);
  }


}

/** One generateContent answer -> the whole `response` object. */
export function toResponse(reply: GenerateContentResponse, ctx: ResponseContext): { body: Record<string, unknown>; usage: UsageFigures; signatures: Record<string, string>; blocked: boolean } {
  const translator = new ResponsesTranslator(ctx);
  translator.push(reply);
  translator.finish();
  return { body: translator.response(), usage: translator.usage, signatures: translator.signatures, blocked: translator.blocked };
}
