import { jsonShape } from "../util/json-shape";
import { TranslationError } from "./errors";

// OpenAI tool parameters and response schemas are JSON Schema, and Gemini's native JSON Schema
// fields (`parametersJsonSchema`, `responseJsonSchema`) take them nearly as they are. Only the
// meta keywords that describe the document rather than the data are dropped: `$schema` and
// `$comment` constrain nothing, and Google's schema parser does not accept `$schema`.
const DROPPED_KEYWORDS = new Set(["$schema", "$comment"]);

/** keywords whose value maps names to sub-schemas: the names are data and are kept as they are */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
/** keywords whose value is data, never a schema */
const DATA_KEYWORDS = new Set(["enum", "const", "default", "examples", "example", "required"]);

/**
 * A schema deeper or bigger than any real tool's is refused before it is walked: the cleaner
 * recurses, and a schema nested 10,000 levels deep would overflow the stack.
 */
export const MAX_SCHEMA_DEPTH = 64;
export const MAX_SCHEMA_NODES = 20_000;

/** Why a JSON Schema is out of bounds, or null when it is within them. */
export function schemaBoundsProblem(schema: unknown): string | null {
  const shape = jsonShape(schema, { maxDepth: MAX_SCHEMA_DEPTH, maxNodes: MAX_SCHEMA_NODES });
  if (shape.depth > MAX_SCHEMA_DEPTH) return `The JSON Schema is nested deeper than ${MAX_SCHEMA_DEPTH} levels.`;
  if (shape.nodes > MAX_SCHEMA_NODES) return `The JSON Schema has more than ${MAX_SCHEMA_NODES} values.`;
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The schema as Gemini takes it; a TranslationError (naming `param`) when it is out of bounds. */
export function cleanJsonSchema(schema: unknown, param: string | null = null): unknown {
  const problem = schemaBoundsProblem(schema);
  if (problem) throw new TranslationError(problem, { param, code: "schema_too_complex" });
  return clean(schema);
}

function clean(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(clean);
  if (!isObject(schema)) return schema;
  // fromEntries defines own properties, so a `__proto__` key stays a key and never a prototype.
  const out: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(key)) continue;
    if (DATA_KEYWORDS.has(key)) out.push([key, value]);
    else if (SCHEMA_MAPS.has(key) && isObject(value)) {
      out.push([key, Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, clean(sub)]))]);
    } else out.push([key, clean(value)]);
  }
  return Object.fromEntries(out);
}
