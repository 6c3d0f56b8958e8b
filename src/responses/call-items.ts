import { clone, type OutputLog, type ResponsesEvent } from "./output-log";
import type { OutputItem } from "./response-object";
import { CUSTOM_INPUT } from "./tools";

/** A function or custom tool call item whose arguments are still to come. */
export interface OpenCall {
  index: number;
  item: OutputItem;
  custom: boolean;
}

/** A custom tool's Gemini function call carries its free-form input as the one string argument. */
function customInput(args: string): string {
  try {
    const parsed = JSON.parse(args) as Record<string, unknown>;
    if (typeof parsed[CUSTOM_INPUT] === "string") return parsed[CUSTOM_INPUT];
  } catch {
    // not JSON: pass it on as it is
  }
  return args;
}

/** The arguments (or a custom tool's input) arrive whole: their delta, done and the item's done. */
export function completeCall(log: OutputLog, open: OpenCall, args: string): ResponsesEvent[] {
  const where = { item_id: open.item.id, output_index: open.index };
  open.item.status = "completed";
  if (open.custom) {
    const input = customInput(args);
    open.item.input = input;
    return [
      log.event("response.custom_tool_call_input.delta", { ...where, delta: input }),
      log.event("response.custom_tool_call_input.done", { ...where, input }),
      log.done(open.index, open.item),
    ];
  }
  open.item.arguments = args;
  return [
    log.event("response.function_call_arguments.delta", { ...where, delta: args }),
    log.event("response.function_call_arguments.done", { ...where, name: open.item.name, arguments: args }),
    log.done(open.index, open.item),
  ];
}

/** A prompt Google blocked: a message with a refusal part, told whole. */
export function refusalMessage(log: OutputLog, text: string): ResponsesEvent[] {
  const item: OutputItem = { type: "message", id: log.nextId("msg"), status: "in_progress", role: "assistant", content: [] };
  const { index, event } = log.add(item);
  const where = { item_id: item.id, output_index: index, content_index: 0 };
  const part = { type: "refusal", refusal: text };
  const events = [
    event,
    log.event("response.content_part.added", { ...where, part: { type: "refusal", refusal: "" } }),
    log.event("response.refusal.delta", { ...where, delta: text }),
    log.event("response.refusal.done", { ...where, refusal: text }),
    log.event("response.content_part.done", { ...where, part: clone(part) }),
  ];
  item.content = [part];
  item.status = "incomplete";
  events.push(log.done(index, item));
  return events;
}
