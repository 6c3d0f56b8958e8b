// Reading a body that comes from outside (a remote image, an upstream reply) without trusting
// its size or its pace: chunk by chunk, never past a byte budget, and stopped by a signal.

export class BodyLimitError extends Error {
  override readonly name = "BodyLimitError";
  constructor(readonly reason: "too_large" | "aborted") {
    super(reason === "too_large" ? "the body is larger than allowed" : "reading the body was stopped");
  }
}

/** A byte allowance one or more reads draw from (e.g. every image of one request). */
export interface ByteBudget {
  remaining: number;
}

/**
 * Reads a stream whole, stopping (and cancelling it, so the sender is cut off) as soon as it
 * goes past `maxBytes` or past what `budget` has left, or when `signal` aborts.
 */
export async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  options: { maxBytes: number; budget?: ByteBudget; signal?: AbortSignal },
): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const { signal, budget } = options;
  const stop = (reason: "too_large" | "aborted") => {
    reader.cancel().catch(() => {});
    return new BodyLimitError(reason);
  };
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new BodyLimitError("aborted"));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await Promise.race([reader.read(), aborted]);
      } catch (error) {
        if (error instanceof BodyLimitError || signal?.aborted) throw stop("aborted");
        throw error;
      }
      if (step.done) break;
      size += step.value.byteLength;
      if (size > options.maxBytes || (budget && step.value.byteLength > budget.remaining)) throw stop("too_large");
      if (budget) budget.remaining -= step.value.byteLength;
      chunks.push(step.value);
    }
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** A response's body as text, refused past `maxBytes` (declared or actual). */
export async function readTextBounded(response: Response, maxBytes: number, signal?: AbortSignal): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    response.body?.cancel().catch(() => {});
    throw new BodyLimitError("too_large");
  }
  return new TextDecoder().decode(await readBounded(response.body, { maxBytes, signal }));
}
