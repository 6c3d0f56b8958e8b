// Folds chat.completion.chunk objects the way the openai SDK's stream helpers do, so stream
// tests can assert the message a client ends up with as well as the individual chunks.

export interface Chunk {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: {
    index: number;
    delta: {
      role?: string;
      content?: string;
      reasoning_content?: string;
      refusal?: string;
      tool_calls?: { index: number; id?: string; type?: string; function: { name?: string; arguments: string } }[];
      annotations?: unknown[];
    };
    finish_reason: string | null;
  }[];
  usage?: Record<string, unknown>;
}

export interface AccumulatedChoice {
  role?: string;
  content: string;
  reasoning: string;
  refusal?: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  annotations: unknown[];
  finishReason: string | null;
}

export function accumulate(chunks: readonly object[]): { choices: Map<number, AccumulatedChoice>; usage?: Record<string, unknown> } {
  const choices = new Map<number, AccumulatedChoice>();
  let usage: Record<string, unknown> | undefined;
  for (const raw of chunks) {
    const chunk = raw as Chunk;
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      const acc = choices.get(choice.index) ?? { content: "", reasoning: "", toolCalls: [], annotations: [], finishReason: null };
      const { delta } = choice;
      if (delta.role) acc.role = delta.role;
      if (delta.content) acc.content += delta.content;
      if (delta.reasoning_content) acc.reasoning += delta.reasoning_content;
      if (delta.refusal) acc.refusal = delta.refusal;
      if (delta.annotations) acc.annotations.push(...delta.annotations);
      for (const call of delta.tool_calls ?? []) {
        const slot = (acc.toolCalls[call.index] ??= { id: "", name: "", arguments: "" });
        if (call.id) slot.id = call.id;
        if (call.function.name) slot.name = call.function.name;
        slot.arguments += call.function.arguments;
      }
      if (choice.finish_reason) acc.finishReason = choice.finish_reason;
      choices.set(choice.index, acc);
    }
  }
  return usage ? { choices, usage } : { choices };
}
