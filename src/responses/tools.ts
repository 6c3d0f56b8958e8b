import type { FunctionDeclaration, Tool, ToolConfig } from "../gemini/types";
import { TranslationError } from "../openai/errors";
import { cleanJsonSchema } from "../openai/json-schema";
import { thinkingControl } from "../openai/model-family";
import type { CustomTool, FunctionTool, NamespaceTool, RequestTool, ResponsesToolChoice } from "./schemas";

/** The one string parameter a custom (free-form) tool's Gemini function takes. */
export const CUSTOM_INPUT = "input";

/** Hosted tool types served by Google Search grounding. */
const WEB_SEARCH_TYPES = new Set(["web_search", "web_search_preview", "web_search_2025_08_26", "web_search_preview_2025_03_11"]);

/** What the answer needs to know about the request's tools. */
export interface ToolNames {
  /** names of custom tools: their Gemini function calls come back as `custom_tool_call` items */
  customNames: ReadonlySet<string>;
  /** function name -> its namespace, for the tools a `namespace` tool groups */
  namespaces: ReadonlyMap<string, string>;
}

export interface TranslatedTools {
  tools: Tool[];
  toolConfig?: ToolConfig;
  names: ToolNames;
}

function functionDeclaration(tool: FunctionTool): FunctionDeclaration {
  const declared: FunctionDeclaration = { name: tool.name };
  if (tool.description) declared.description = tool.description;
  if (tool.parameters) declared.parametersJsonSchema = cleanJsonSchema(tool.parameters);
  return declared;
}

/**
 * A custom tool takes free-form text (e.g. Codex's apply_patch). Gemini only has functions, so it
 * becomes a function with one string parameter; a grammar or regex the client gave is put in the
 * description, since Gemini cannot constrain a function argument by one.
 */
function customDeclaration(tool: CustomTool): FunctionDeclaration {
  const format = tool.format;
  const lines = [tool.description ?? ""];
  if (format?.type === "grammar" && format.definition) {
    lines.push(`The ${CUSTOM_INPUT} must follow this ${format.syntax ?? ""} grammar:\n${format.definition}`);
  }
  const description = lines.filter((line) => line !== "").join("\n\n");
  return {
    name: tool.name,
    ...(description !== "" ? { description } : {}),
    parametersJsonSchema: {
      type: "object",
      properties: { [CUSTOM_INPUT]: { type: "string", description: "The tool's raw free-form input." } },
      required: [CUSTOM_INPUT],
    },
  };
}

const isFunction = (tool: RequestTool): tool is FunctionTool => tool.type === "function";
const isCustom = (tool: RequestTool): tool is CustomTool => tool.type === "custom";
const isNamespace = (tool: RequestTool): tool is NamespaceTool => tool.type === "namespace" && "tools" in tool;

function requireDeclared(name: string, declared: ReadonlySet<string>): void {
  if (!declared.has(name)) throw new TranslationError(`tool_choice names '${name}', which is not in tools.`, { param: "tool_choice" });
}

type Choice = Exclude<ResponsesToolChoice, string>;
type NamedChoice = { type: "function" | "custom"; name: string };
type AllowedChoice = { type: "allowed_tools"; mode: "auto" | "required"; tools: Array<{ type: string; name?: string }> };
const isNamed = (choice: Choice): choice is NamedChoice => (choice.type === "function" || choice.type === "custom") && "name" in choice;
const isAllowed = (choice: Choice): choice is AllowedChoice => choice.type === "allowed_tools" && "tools" in choice;

/** tool_choice -> functionCallingConfig, and for "auto among these" the names to keep declared. */
function functionCalling(choice: ResponsesToolChoice | null | undefined, declared: ReadonlySet<string>): { config?: ToolConfig; keep?: ReadonlySet<string> } {
  if (choice == null || choice === "auto") return {};
  if (choice === "none") return { config: { functionCallingConfig: { mode: "NONE" } } };
  if (choice === "required") {
    if (declared.size === 0) throw new TranslationError("tool_choice 'required' needs a function or custom tool.", { param: "tool_choice" });
    return { config: { functionCallingConfig: { mode: "ANY" } } };
  }
  if (isNamed(choice)) {
    requireDeclared(choice.name, declared);
    return { config: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.name] } } };
  }
  if (isAllowed(choice)) {
    const allowed = choice.tools.flatMap((tool) => (tool.name !== undefined ? [tool.name] : []));
    for (const name of allowed) requireDeclared(name, declared);
    // allowedFunctionNames is only valid with ANY, so "auto among these" narrows the declarations
    return choice.mode === "required" ? { config: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: allowed } } } : { keep: new Set(allowed) };
  }
  if (WEB_SEARCH_TYPES.has(choice.type)) return {};
  throw new TranslationError(`tool_choice '${choice.type}' names a hosted tool this proxy does not serve.`, { param: "tool_choice", code: "unsupported_value" });
}

/**
 * Responses `tools` + `tool_choice` -> Gemini tools + functionCallingConfig.
 * - `function` -> a function declaration (JSON Schema as is; `strict` has no Gemini switch);
 * - `custom` -> a function with one string parameter `input`;
 * - `namespace` -> its function and custom tools, each under its own name (the call names its
 *   namespace on the way back);
 * - `web_search` (and its preview names) -> Google Search grounding. Gemini 2.x cannot combine it
 *   with function calling, so there it is served only when no function or custom tool is given;
 * - every other hosted type (file_search, computer, code_interpreter, image_generation, mcp,
 *   local_shell, shell, apply_patch, …) needs OpenAI's own servers: it is left out, and a
 *   tool_choice forcing it is refused.
 */
export function translateTools(
  requested: readonly RequestTool[],
  choice: ResponsesToolChoice | null | undefined,
  model: string,
): TranslatedTools {
  const customNames = new Set<string>();
  const namespaces = new Map<string, string>();
  let declarations: FunctionDeclaration[] = [];
  const declare = (tool: RequestTool, namespace?: string) => {
    if (isFunction(tool)) declarations.push(functionDeclaration(tool));
    else if (isCustom(tool)) {
      declarations.push(customDeclaration(tool));
      customNames.add(tool.name);
    } else return;
    if (namespace !== undefined) namespaces.set(tool.name, namespace);
  };
  for (const tool of requested) {
    if (isNamespace(tool)) for (const inner of tool.tools) declare(inner, tool.name);
    else declare(tool);
  }
  const wantsSearch = requested.some((tool) => WEB_SEARCH_TYPES.has(tool.type));
  const canCombine = thinkingControl(model) === "level"; // Gemini 3 and later
  const webSearch = wantsSearch && (declarations.length === 0 || canCombine);
  const declared = new Set(declarations.map((d) => d.name));

  const { config: toolConfig, keep } = functionCalling(choice, declared);
  if (keep) declarations = declarations.filter((d) => keep.has(d.name));

  const tools: Tool[] = [];
  if (declarations.length > 0) tools.push({ functionDeclarations: declarations });
  if (webSearch) tools.push({ googleSearch: {} });
  const translated: TranslatedTools = { tools, names: { customNames, namespaces } };
  if (toolConfig && declarations.length > 0) translated.toolConfig = toolConfig;
  return translated;
}
