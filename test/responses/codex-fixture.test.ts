import { describe, expect, it } from "vitest";
import { DUMMY_THOUGHT_SIGNATURE } from "../../src/openai/messages";
import { collectCarriedSignatures } from "../../src/responses/input";
import { toGeminiResponsesRequest } from "../../src/responses/request";
import { parseResponsesRequest } from "../../src/responses/schemas";
import { toResponse } from "../../src/responses/translator";
// What Codex CLI 0.171 really sends (test/fixtures/codex/README.md), inlined at transform time.
import textTurn from "../fixtures/codex/codex-0.171-first-turn.request.json?raw";
import toolTurn from "../fixtures/codex/codex-0.171-tool-turn.request.json?raw";

function translate(raw: string, upstreamModel: string) {
  const req = parseResponsesRequest(JSON.parse(raw));
  return toGeminiResponsesRequest(req, {
    upstreamModel,
    safetyOff: false,
    systemAsUser: false,
    alwaysIncludeThoughts: false,
    signatures: collectCarriedSignatures(req),
    remoteMedia: new Map(),
  });
}

describe("Codex CLI 0.171's recorded requests", () => {
  it("the first turn: developer messages -> system instruction, tools declared (namespace flattened), web_search by model", () => {
    const { body, toolNames } = translate(textTurn, "gemini-2.5-flash");
    expect(body.systemInstruction!.parts![0]!.text).toContain("You are a coding agent running in the Codex CLI");
    expect(body.contents.map((c) => c.role)).toEqual(["user"]);
    expect(body.contents[0]!.parts!.at(-1)).toEqual({ text: "Run the echo command" });
    const declared = body.tools![0]!.functionDeclarations!.map((d) => d.name);
    expect(declared).toEqual(expect.arrayContaining(["exec_command", "write_stdin", "view_image", "close_agent"]));
    expect(toolNames.namespaces.get("close_agent")).toBe("multi_agent_v1");
    // Gemini 2.5 cannot combine Search with functions; Gemini 3 can
    expect(body.tools!.some((tool) => tool.googleSearch)).toBe(false);
    expect(translate(textTurn, "gemini-3-flash-preview").body.tools!.some((tool) => tool.googleSearch)).toBe(true);
    // reasoning: {summary: "auto"} asks for thought summaries
    expect(body.generationConfig).toEqual({ thinkingConfig: { includeThoughts: true } });
  });

  it("the tool turn: the signature carried in the reasoning item returns on the call; the command output is the functionResponse", () => {
    const { body } = translate(toolTurn, "gemini-3-flash-preview");
    const model = body.contents.find((c) => c.role === "model")!;
    expect(model.parts).toEqual([
      { functionCall: { id: "call_rec1", name: "exec_command", args: { cmd: "echo recorded-$((6*7))" } }, thoughtSignature: "SIG_REC" },
    ]);
    expect(model.parts![0]!.thoughtSignature).not.toBe(DUMMY_THOUGHT_SIGNATURE);
    const response = body.contents.at(-1)!.parts!.at(-1)!.functionResponse!;
    expect(response).toMatchObject({ id: "call_rec1", name: "exec_command" });
    expect(String(response.response.output)).toContain("recorded-42");
  });

  it("a call to a namespaced tool comes back naming its namespace", () => {
    const { toolNames } = translate(textTurn, "gemini-2.5-flash");
    const req = parseResponsesRequest(JSON.parse(textTurn));
    const reply = { candidates: [{ content: { role: "model" as const, parts: [{ functionCall: { name: "close_agent", args: { target: "a1" } } }] }, finishReason: "STOP" }] };
    const { body } = toResponse(reply, { id: "resp_x", createdAt: 1, model: "gemini-2.5-flash", request: req, toolNames });
    expect(body.output).toEqual([expect.objectContaining({ type: "function_call", name: "close_agent", namespace: "multi_agent_v1" })]);
  });
});
