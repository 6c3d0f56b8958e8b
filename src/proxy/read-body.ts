import { TranslationError } from "../openai/errors";
import { jsonShape } from "../util/json-shape";

/** Gemini takes at most 20 MB per request; inline images and files count in it. */
export const MAX_REQUEST_BYTES = 20 * 1024 * 1024;

/** Deeper than any real request (a tool schema may be 64 deep inside a few wrappers). */
export const MAX_JSON_DEPTH = 128;

/** Reads a JSON request body, refusing oversized and malformed ones with a client error. */
export async function readJsonBody(request: Request, maxBytes = MAX_REQUEST_BYTES): Promise<unknown> {
  const declaredHeader = request.headers.get("content-length");
  const declared = Number(declaredHeader ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  // A declared length within the limit bounds the body (the runtime enforces it): read it whole.
  let bytes: Uint8Array;
  try {
    bytes = declaredHeader !== null && Number.isFinite(declared)
      ? new Uint8Array(await request.arrayBuffer())
      : await readLimited(request, maxBytes);
  } catch (error) {
    if (error instanceof TranslationError) throw error;
    // The client's body broke off while being read (it went away, or sent a bad chunk).
    throw new TranslationError(`The request body could not be read: ${String(error)}`, { code: "unreadable_body" });
  }
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") throw new TranslationError("The request body is empty; send a JSON object.", { code: "invalid_json" });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TranslationError(`The request body is not valid JSON: ${(error as Error).message}`, { code: "invalid_json" });
  }
  // Everything after this (validation, translation, JSON.stringify to Google) may recurse.
  const { tooDeepAt } = jsonShape(json, { maxDepth: MAX_JSON_DEPTH });
  if (tooDeepAt) {
    throw new TranslationError(`The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`, { code: "invalid_json", param: deepParam(tooDeepAt) });
  }
  return json;
}

// Keys whose value is a JSON Schema (OpenAI, Anthropic, Gemini): the usual place of deep nesting.
const SCHEMA_KEYS = new Set(["parameters", "schema", "input_schema", "parametersJsonSchema", "responseJsonSchema", "responseSchema", "response_schema"]);

/** Names where a body is too deep: down to the schema that holds the depth, else its first 4 steps. */
function deepParam(path: Array<string | number>): string {
  const schemaAt = path.findIndex((key) => typeof key === "string" && SCHEMA_KEYS.has(key));
  const named = path.slice(0, schemaAt >= 0 ? schemaAt + 1 : 4);
  return named.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out === "" ? key : `${out}.${key}`), "");
}

export async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

export function tooLarge(maxBytes: number): TranslationError {
  return new TranslationError(`The request body is larger than ${maxBytes} bytes.`, {
    status: 413,
    code: "request_too_large",
  });
}
