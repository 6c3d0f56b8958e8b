import { TranslationError } from "../openai/errors";
import { BodyLimitError, readBounded } from "../util/read-bounded";
import { jsonShape } from "../util/json-shape";
import { formatPath } from "../util/zod-issues";

// The one reader of a client's request body, for the front doors and the admin API alike: bounded,
// depth-checked, and every refusal a TranslationError (the one client-mistake type) that each side
// renders in its own shape (the door's protocol; the admin's JSON error in src/admin/json-body.ts).

/** Gemini takes at most 20 MB per request; inline images and files count in it. */
export const MAX_REQUEST_BYTES = 20 * 1024 * 1024;

/** Deeper than any real request (a tool schema may be 64 deep inside a few wrappers). */
export const MAX_JSON_DEPTH = 128;

export interface JsonBodyOptions {
  maxBytes?: number;
  /** What an empty body reads as; without it an empty body is refused. */
  emptyAs?: unknown;
}

/** Reads a JSON request body, refusing oversized, unreadable, malformed and too-deep ones. */
export async function readJsonBody(request: Request, options: JsonBodyOptions = {}): Promise<unknown> {
  const bytes = await readBodyBytes(request, options.maxBytes ?? MAX_REQUEST_BYTES);
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") {
    if ("emptyAs" in options) return options.emptyAs;
    throw new TranslationError("The request body is empty; send a JSON object.", { code: "invalid_json" });
  }
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

/** readJsonBody for bodies that must be one JSON object (Gemini's native requests). */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const body = await readJsonBody(request);
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new TranslationError("The request body must be a JSON object.", { code: "invalid_json" });
  }
  return body as Record<string, unknown>;
}

/** A request body's bytes, refused past `maxBytes` (declared or sent) or when it breaks off. */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declaredHeader = request.headers.get("content-length");
  const declared = Number(declaredHeader ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  try {
    // A declared length within the limit bounds the body (the runtime enforces it): read it whole.
    if (declaredHeader !== null && Number.isFinite(declared)) return new Uint8Array(await request.arrayBuffer());
    return await readBounded(request.body, { maxBytes });
  } catch (error) {
    if (error instanceof BodyLimitError && error.reason === "too_large") throw tooLarge(maxBytes);
    // The client's body broke off while being read (it went away, or sent a bad chunk).
    throw new TranslationError(`The request body could not be read: ${String(error)}`, { code: "unreadable_body" });
  }
}

// Keys whose value is a JSON Schema (OpenAI, Anthropic, Gemini): the usual place of deep nesting.
const SCHEMA_KEYS = new Set(["parameters", "schema", "input_schema", "parametersJsonSchema", "responseJsonSchema", "responseSchema", "response_schema"]);

/** Names where a body is too deep: down to the schema that holds the depth, else its first 4 steps. */
function deepParam(path: Array<string | number>): string {
  const schemaAt = path.findIndex((key) => typeof key === "string" && SCHEMA_KEYS.has(key));
  const named = path.slice(0, schemaAt >= 0 ? schemaAt + 1 : 4);
  return formatPath(named);
}

export function tooLarge(maxBytes: number): TranslationError {
  return new TranslationError(`The request body is larger than ${maxBytes} bytes.`, {
    status: 413,
    code: "request_too_large",
  });
}
