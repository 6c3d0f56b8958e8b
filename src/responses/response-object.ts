import type { UsageFigures } from "../openai/usage";
import type { ResponsesRequest } from "./schemas";
import type { ToolNames } from "./tools";

export interface ResponseContext {
  /** `resp_…` */
  id: string;
  /** seconds */
  createdAt: number;
  /** the model name as the client asked for it */
  model: string;
  request: ResponsesRequest;
  /** the request's custom and namespaced tools, to shape their calls */
  toolNames: ToolNames;
}

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";
export type IncompleteReason = "max_output_tokens" | "content_filter";

export type OutputItem = Record<string, unknown> & { type: string; id: string };

/** The Responses `usage` object: reasoning counts inside output tokens, as OpenAI does. */
export function responsesUsage(usage: UsageFigures): object {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: usage.thoughtTokens },
    total_tokens: usage.totalTokens,
  };
}

/**
 * The `response` object, with the request's settings echoed back as OpenAI does. Nothing is
 * stored, so `store` is always false and `previous_response_id` always null.
 */
export function responseObject(
  ctx: ResponseContext,
  state: {
    status: ResponseStatus;
    output: readonly OutputItem[];
    usage?: UsageFigures | null;
    incomplete?: IncompleteReason;
    error?: { code: string; message: string };
    completedAt?: number;
  },
): Record<string, unknown> {
  const req = ctx.request;
  return {
    id: ctx.id,
    object: "response",
    created_at: ctx.createdAt,
    status: state.status,
    background: false,
    completed_at: state.completedAt ?? null,
    error: state.error ?? null,
    incomplete_details: state.incomplete ? { reason: state.incomplete } : null,
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    model: ctx.model,
    output: state.output,
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: req.reasoning?.effort ?? null, summary: req.reasoning?.summary ?? null },
    store: false,
    temperature: req.temperature ?? null,
    text: { format: req.text?.format ?? { type: "text" }, verbosity: req.text?.verbosity ?? "medium" },
    tool_choice: req.tool_choice ?? "auto",
    tools: req.tools ?? [],
    top_p: req.top_p ?? null,
    truncation: "disabled",
    usage: state.usage ? responsesUsage(state.usage) : null,
    metadata: req.metadata ?? {},
  };
}
