/** One Anthropic server-sent event: the SSE event name repeats the data's `type`. */
export function sseEvent(name: string, data: object): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const SSE_PING = sseEvent("ping", { type: "ping" });
