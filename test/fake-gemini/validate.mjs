// What Google rejects with 400 INVALID_ARGUMENT, checked the way Google checks it.
// Field allow-lists follow the v1beta protos (google.ai.generativelanguage.v1beta:
// GenerateContentRequest, GenerationConfig, ThinkingConfig, Content, Part,
// FunctionDeclaration, Schema). Proto JSON accepts lowerCamel and snake_case names.

import { invalidArgument } from "./errors.mjs";
import { isImageModel } from "./image.mjs";
import { isGemini3, isGemini3Pro } from "./models.mjs";

/** @param {string} camel */
const snake = (camel) => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** @param {string[]} camelNames */
const allowList = (camelNames) => new Set(camelNames.flatMap((n) => [n, snake(n)]));

const REQUEST_FIELDS = allowList([
  "model", "contents", "systemInstruction", "tools", "toolConfig", "safetySettings", "generationConfig", "cachedContent",
]);
const GENERATION_CONFIG_FIELDS = allowList([
  "stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema", "responseModalities", "candidateCount",
  "maxOutputTokens", "temperature", "topP", "topK", "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs",
  "logprobs", "enableEnhancedCivicAnswers", "speechConfig", "thinkingConfig", "imageConfig", "mediaResolution",
]);
const THINKING_CONFIG_FIELDS = allowList(["includeThoughts", "thinkingBudget", "thinkingLevel"]);
const CONTENT_FIELDS = allowList(["role", "parts"]);
const PART_FIELDS = allowList([
  "text", "inlineData", "functionCall", "functionResponse", "fileData", "executableCode", "codeExecutionResult",
  "thought", "thoughtSignature", "videoMetadata", "partMetadata", "mediaResolution",
]);
const FUNCTION_DECLARATION_FIELDS = allowList([
  "name", "description", "behavior", "parameters", "parametersJsonSchema", "response", "responseJsonSchema",
]);
// The OpenAPI-subset Schema of `parameters`; JSON Schema goes in `parametersJsonSchema`.
const SCHEMA_FIELDS = allowList([
  "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required",
  "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
  "default", "items", "minimum", "maximum",
]);

/** @param {unknown} v @returns {v is Record<string, any>} */
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/** @param {Record<string, any>} obj @param {string} camel */
const field = (obj, camel) => (camel in obj ? obj[camel] : obj[snake(camel)]);

/**
 * @typedef {{ field?: string, description: string }} FieldViolation
 */

/**
 * @param {Record<string, any>} obj
 * @param {Set<string>} allowed
 * @param {string} at proto path in snake_case, "" for the top level
 * @param {FieldViolation[]} out
 */
function unknownNames(obj, allowed, at, out) {
  for (const name of Object.keys(obj)) {
    if (allowed.has(name)) continue;
    const where = at ? ` at '${at}'` : "";
    const violation = { description: `Invalid JSON payload received. Unknown name "${name}"${where}: Cannot find field.` };
    out.push(at ? { field: at, ...violation } : violation);
  }
}

/**
 * @param {unknown} schema
 * @param {string} at
 * @param {FieldViolation[]} out
 */
function checkSchema(schema, at, out) {
  if (!isObject(schema)) return;
  unknownNames(schema, SCHEMA_FIELDS, at, out);
  const properties = field(schema, "properties");
  if (isObject(properties)) {
    Object.values(properties).forEach((sub, i) => checkSchema(sub, `${at}.properties[${i}].value`, out));
  }
  checkSchema(field(schema, "items"), `${at}.items`, out);
  const anyOf = field(schema, "anyOf");
  if (Array.isArray(anyOf)) anyOf.forEach((sub, i) => checkSchema(sub, `${at}.any_of[${i}]`, out));
}

/**
 * @param {unknown} content
 * @param {string} at
 * @param {FieldViolation[]} out
 */
function checkContent(content, at, out) {
  if (!isObject(content)) return;
  unknownNames(content, CONTENT_FIELDS, at, out);
  const parts = field(content, "parts");
  if (Array.isArray(parts)) {
    parts.forEach((part, i) => isObject(part) && unknownNames(part, PART_FIELDS, `${at}.parts[${i}]`, out));
  }
}

/**
 * @param {Record<string, any>} body
 * @returns {FieldViolation[]}
 */
function unknownFieldViolations(body) {
  /** @type {FieldViolation[]} */
  const out = [];
  unknownNames(body, REQUEST_FIELDS, "", out);
  const contents = field(body, "contents");
  if (Array.isArray(contents)) contents.forEach((c, i) => checkContent(c, `contents[${i}]`, out));
  checkContent(field(body, "systemInstruction"), "system_instruction", out);
  const config = field(body, "generationConfig");
  if (isObject(config)) {
    unknownNames(config, GENERATION_CONFIG_FIELDS, "generation_config", out);
    const thinking = field(config, "thinkingConfig");
    if (isObject(thinking)) unknownNames(thinking, THINKING_CONFIG_FIELDS, "generation_config.thinking_config", out);
  }
  const tools = field(body, "tools");
  if (Array.isArray(tools)) {
    tools.forEach((tool, t) => {
      const declarations = isObject(tool) ? field(tool, "functionDeclarations") : undefined;
      if (!Array.isArray(declarations)) return;
      declarations.forEach((decl, d) => {
        if (!isObject(decl)) return;
        const at = `tools[${t}].function_declarations[${d}]`;
        unknownNames(decl, FUNCTION_DECLARATION_FIELDS, at, out);
        checkSchema(field(decl, "parameters"), `${at}.parameters`, out);
      });
    });
  }
  return out;
}

/**
 * Gemini 3 checks, within the current turn (everything after the last user message that
 * is not only function responses), that each model turn's first functionCall part
 * carries a thoughtSignature. `position` in Google's message is the 1-based index of
 * the offending content.
 * @param {any[]} contents
 * @returns {string | null} Google's message, or null when the history is acceptable
 */
export function missingThoughtSignature(contents) {
  let turnStart = 0;
  contents.forEach((c, i) => {
    if (!isObject(c) || (c.role ?? "user") !== "user") return;
    const parts = Array.isArray(c.parts) ? c.parts : [];
    if (parts.some((p) => isObject(p) && !("functionResponse" in p) && !("function_response" in p))) turnStart = i;
  });
  for (let i = turnStart; i < contents.length; i++) {
    const c = contents[i];
    if (!isObject(c) || c.role !== "model" || !Array.isArray(c.parts)) continue;
    const firstCall = c.parts.find((p) => isObject(p) && field(p, "functionCall"));
    if (!firstCall || field(firstCall, "thoughtSignature")) continue;
    const name = field(firstCall, "functionCall")?.name ?? "";
    return (
      "Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, " +
      "and missing thought_signature may lead to degraded model performance. Additional data, function call " +
      `\`default_api:${name}\` , position ${i + 1}. Please refer to the thought signatures documentation for more details.`
    );
  }
  return null;
}

/**
 * @param {unknown} body parsed JSON body of generateContent / streamGenerateContent
 * @param {string} model model id from the path
 * @returns {import("./errors.mjs").GoogleError | null}
 */
export function validateGenerateContent(body, model) {
  if (!isObject(body)) return invalidArgument("Invalid JSON payload received. Expected an object.");
  const violations = unknownFieldViolations(body);
  if (violations.length) {
    return invalidArgument(violations.map((v) => v.description).join("\n"), violations);
  }
  const contents = field(body, "contents");
  if (!Array.isArray(contents) || contents.length === 0) {
    return invalidArgument("* GenerateContentRequest.contents: contents is not specified\n");
  }
  for (const c of contents) {
    const role = isObject(c) ? c.role : undefined;
    if (role !== undefined && role !== "user" && role !== "model") {
      return invalidArgument("Please use a valid role: user, model.");
    }
  }
  const config = field(body, "generationConfig");
  const thinking = isObject(config) ? field(config, "thinkingConfig") : undefined;
  if (isObject(thinking)) {
    const level = field(thinking, "thinkingLevel");
    if (level !== undefined && field(thinking, "thinkingBudget") !== undefined) {
      return invalidArgument("You can only set only one of thinking budget and thinking level.");
    }
    if (String(level).toUpperCase() === "MINIMAL" && isGemini3Pro(model)) {
      return invalidArgument("Thinking level MINIMAL is not supported for this model. Please retry with other thinking level.");
    }
  }
  // The image models take one candidate (gemini-cli issue 10370 quotes Google's answer).
  const candidates = isObject(config) ? Number(field(config, "candidateCount") ?? 1) : 1;
  if (isImageModel(model) && candidates > 1) return invalidArgument(`Multiple candidates is not enabled for models/${model}`);
  if (isGemini3(model)) {
    const message = missingThoughtSignature(contents);
    if (message) return invalidArgument(message);
  }
  return null;
}

const EMBED_FIELDS = allowList(["model", "content", "taskType", "title", "outputDimensionality"]);
const COUNT_TOKENS_FIELDS = allowList(["contents", "generateContentRequest"]);

/** @param {FieldViolation[]} violations */
const asError = (violations) =>
  violations.length ? invalidArgument(violations.map((v) => v.description).join("\n"), violations) : null;

/**
 * @param {unknown} body an EmbedContentRequest
 * @returns {import("./errors.mjs").GoogleError | null}
 */
export function validateEmbedContent(body) {
  if (!isObject(body)) return invalidArgument("Invalid JSON payload received. Expected an object.");
  /** @type {FieldViolation[]} */
  const out = [];
  unknownNames(body, EMBED_FIELDS, "", out);
  checkContent(field(body, "content"), "content", out);
  if (out.length) return asError(out);
  if (!isObject(field(body, "content"))) return invalidArgument("* EmbedContentRequest.content: content is not specified\n");
  return null;
}

/**
 * @param {unknown} body a BatchEmbedContentsRequest
 * @returns {import("./errors.mjs").GoogleError | null}
 */
export function validateBatchEmbedContents(body) {
  if (!isObject(body)) return invalidArgument("Invalid JSON payload received. Expected an object.");
  /** @type {FieldViolation[]} */
  const out = [];
  unknownNames(body, allowList(["requests"]), "", out);
  const requests = field(body, "requests");
  if (Array.isArray(requests)) {
    requests.forEach((r, i) => {
      if (!isObject(r)) return;
      unknownNames(r, EMBED_FIELDS, `requests[${i}]`, out);
      checkContent(field(r, "content"), `requests[${i}].content`, out);
    });
  }
  if (out.length) return asError(out);
  if (!Array.isArray(requests) || requests.length === 0) {
    return invalidArgument("* BatchEmbedContentsRequest.requests: requests is not specified\n");
  }
  return null;
}

/**
 * @param {unknown} body a CountTokensRequest
 * @returns {import("./errors.mjs").GoogleError | null}
 */
export function validateCountTokens(body) {
  if (!isObject(body)) return invalidArgument("Invalid JSON payload received. Expected an object.");
  /** @type {FieldViolation[]} */
  const out = [];
  unknownNames(body, COUNT_TOKENS_FIELDS, "", out);
  const contents = field(body, "contents");
  if (Array.isArray(contents)) contents.forEach((c, i) => checkContent(c, `contents[${i}]`, out));
  return asError(out);
}
