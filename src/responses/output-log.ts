import type { OutputItem } from "./response-object";

export type ResponsesEvent = Record<string, unknown> & { type: string; sequence_number: number };

export const clone = <T>(value: T): T => structuredClone(value);

/**
 * The output items of one response and the events that tell them, in order: every event gets
 * the next `sequence_number`, every item the next id under the response's own suffix.
 */
export class OutputLog {
  readonly items: OutputItem[] = [];
  private sequence = 0;
  private itemCount = 0;

  constructor(private readonly idSuffix: string) {}

  event(type: string, body: Record<string, unknown>): ResponsesEvent {
    return { type, sequence_number: this.sequence++, ...body };
  }

  nextId(prefix: string): string {
    return `${prefix}_${this.idSuffix}${String(this.itemCount++).padStart(2, "0")}`;
  }

  /** Appends an item: its index and the response.output_item.added event. */
  add(item: OutputItem): { index: number; event: ResponsesEvent } {
    const index = this.items.length;
    this.items.push(item);
    return { index, event: this.event("response.output_item.added", { output_index: index, item: clone(item) }) };
  }

  done(index: number, item: OutputItem): ResponsesEvent {
    return this.event("response.output_item.done", { output_index: index, item: clone(item) });
  }
}
