import type { FunctionDeclaration, Tool, ToolConfig } from "../gemini/types";
import { TranslationError } from "./errors";
import { cleanJsonSchema } from "./json-schema";
import type { FunctionTool, ToolChoice } from "./schemas";

export interface TranslatedTools {
  tools: Tool[];
  toolConfig?: ToolConfig;
}

// `parametersJsonSchema` takes the client's JSON Schema as it is (additionalProperties, anyOf,
// $ref, type arrays), where the older `parameters` field is an OpenAPI subset that rejects those
// and would need a lossy rewrite.
function declaration(tool: FunctionTool): FunctionDeclaration {
  const { name, description, parameters } = tool.function;
  const declared: FunctionDeclaration = { name };
  if (description !== undefined) declared.description = description;
  if (parameters !== undefined) declared.parametersJsonSchema = cleanJsonSchema(parameters);
  return declared;
}

function requireDeclared(names: readonly string[], declared: ReadonlySet<string>): void {
  for (const name of names) {
    if (!declared.has(name)) {
      throw new TranslationError(`tool_choice names function '${name}', which is not in tools.`, { param: "tool_choice" });
    }
  }
}

/** tools + tool_choice -> Gemini functionDeclarations + functionCallingConfig (+ googleSearch). */
export function translateTools(
  functionTools: readonly FunctionTool[],
  choice: ToolChoice | null | undefined,
  webSearch: boolean,
): TranslatedTools {
  let declarations = functionTools.map(declaration);
  const declared = new Set(declarations.map((d) => d.name));
  let toolConfig: ToolConfig | undefined;

  if (choice != null) {
    const needsTools = choice === "required" || typeof choice === "object";
    if (needsTools && declarations.length === 0) {
      throw new TranslationError("tool_choice requires tools.", { param: "tool_choice" });
    }
    if (choice === "auto") toolConfig = { functionCallingConfig: { mode: "AUTO" } };
    else if (choice === "none") toolConfig = { functionCallingConfig: { mode: "NONE" } };
    else if (choice === "required") toolConfig = { functionCallingConfig: { mode: "ANY" } };
    else if (choice.type === "function") {
      requireDeclared([choice.function.name], declared);
      toolConfig = { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.function.name] } };
    } else {
      const allowed = choice.allowed_tools.tools.map((tool) => tool.function.name);
      requireDeclared(allowed, declared);
      if (choice.allowed_tools.mode === "required") {
        toolConfig = { functionCallingConfig: { mode: "ANY", allowedFunctionNames: allowed } };
      } else {
        // allowedFunctionNames is only valid with ANY, so "auto among these" narrows the declarations instead
        const keep = new Set(allowed);
        declarations = declarations.filter((d) => keep.has(d.name));
        toolConfig = { functionCallingConfig: { mode: "AUTO" } };
      }
    }
  }

  const tools: Tool[] = [];
  if (declarations.length > 0) tools.push({ functionDeclarations: declarations });
  if (webSearch) tools.push({ googleSearch: {} });
  const translated: TranslatedTools = { tools };
  // a choice without any function to apply it to means nothing to Gemini
  if (toolConfig && declarations.length > 0) translated.toolConfig = toolConfig;
  return translated;
}
