// OpenAI tool parameters and response schemas are JSON Schema, and Gemini's native JSON Schema
// fields (`parametersJsonSchema`, `responseJsonSchema`) take them nearly as they are. Only the
// meta keywords that describe the document rather than the data are dropped: `$schema` and
// `$comment` constrain nothing, and Google's schema parser does not accept `$schema`.
const DROPPED_KEYWORDS = new Set(["$schema", "$comment"]);

/** keywords whose value maps names to sub-schemas: the names are data and are kept as they are */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
/** keywords whose value is data, never a schema */
const DATA_KEYWORDS = new Set(["enum", "const", "default", "examples", "example", "required"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function cleanJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(cleanJsonSchema);
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(key)) continue;
    if (DATA_KEYWORDS.has(key)) out[key] = value;
    else if (SCHEMA_MAPS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, cleanJsonSchema(sub)]));
    } else out[key] = cleanJsonSchema(value);
  }
  return out;
}
