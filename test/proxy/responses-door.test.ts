import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DUMMY_THOUGHT_SIGNATURE } from "../../src/openai/messages";
import type { Part } from "../../src/gemini/types";
import { fakeGoogle, geminiText, reply, sse } from "../helpers/fake-google";
import { overloaded, perMinute429 } from "../helpers/google-replies";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { responsesDoor } from "../../src/proxy/doors/responses";
import { parseResponsesRequest } from "../../src/responses/schemas";
import { ConfigStore } from "../../src/config/config-store";
import { isolateRuntime } from "../../src/index";
import { callWorker, ledgerRows } from "./call";

// POST /v1/responses through the whole Worker: real KV and D1, Google faked at the fetch boundary.

const KEY_A = fakeGeminiKey("A");
const KEY_B = fakeGeminiKey("B");
const GEMINI_3 = "gemini-3-pro-preview";
const MODELS = [
  { id: "gemini-2.5-flash", category: "flash" as const, dailyQuota: null, individualQuota: null },
  { id: GEMINI_3, category: "pro" as const, dailyQuota: null, individualQuota: null },
];
const SHELL = { type: "function", name: "shell", description: "Runs a command", strict: false, parameters: { type: "object", properties: { command: { type: "array", items: { type: "string" } } }, required: ["command"] } };

type Json = Record<string, any>;

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM usage_calls").run();
  await env.DB.prepare("DELETE FROM thought_signatures").run();
  await env.DB.prepare("UPDATE usage_fold SET through = 0, folded_at = 0 WHERE id = 1").run();
});
afterEach(() => vi.restoreAllMocks());

async function seed(extra: Parameters<typeof seedProxy>[0] | undefined = undefined): Promise<string> {
  return seedProxy(extra ?? { geminiKeys: [{ id: "a", secret: KEY_A }], models: MODELS });
}

async function responses(key: string, body: Json): Promise<{ response: Response; text: string; json: () => Json }> {
  const { response, text } = await callWorker("/v1/responses", { method: "POST", key, body: JSON.stringify(body) });
  return { response, text, json: () => JSON.parse(text) as Json };
}

/** `event: <type>\ndata: <json>` blocks; the event name must equal the payload's type. */
function events(text: string): Json[] {
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("event: "))
    .map((block) => {
      const [eventLine, dataLine] = block.split("\n");
      const data = JSON.parse(dataLine!.slice("data: ".length)) as Json;
      expect(eventLine).toBe(`event: ${data.type}`);
      return data;
    });
}

const candidate = (parts: Part[], finishReason = "STOP", usage = { promptTokenCount: 4, candidatesTokenCount: 6, totalTokenCount: 10 }) => ({
  candidates: [{ content: { role: "model", parts }, finishReason, index: 0 }],
  usageMetadata: usage,
});

describe("POST /v1/responses", () => {
  it("answers a plain request with a response object, echoes the requested model and writes one ledger row (endpoint responses)", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(geminiText("Hello there")));
    const { response, json } = await responses(client, { model: "gemini-2.5-flash", input: "Hi", instructions: "Be nice", store: false, metadata: { run: "1" }, prompt_cache_key: "k" });
    expect(response.status).toBe(200);
    const body = json();
    expect(body).toMatchObject({ object: "response", status: "completed", model: "gemini-2.5-flash", instructions: "Be nice", metadata: { run: "1" }, store: false, error: null, incomplete_details: null });
    expect(body.id).toMatch(/^resp_/);
    expect(body.output).toEqual([{ type: "message", id: expect.any(String), status: "completed", role: "assistant", content: [{ type: "output_text", text: "Hello there", annotations: [], logprobs: [] }] }]);
    expect(body.usage).toMatchObject({ input_tokens: 5, output_tokens: 7, total_tokens: 12 });
    expect(calls[0]!.url.pathname).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(calls[0]!.body).toMatchObject({ systemInstruction: { parts: [{ text: "Be nice" }] }, contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "responses", model: "gemini-2.5-flash", outcome: "ok", status: 200, streamed: 0, prompt_tokens: 5, completion_tokens: 7 });
  });

  it("streams the full event sequence (created … completed) with increasing sequence numbers, no [DONE]", async () => {
    const client = await seed();
    const calls = fakeGoogle(() =>
      sse([
        candidate([{ text: "Thinking about it", thought: true }], undefined as unknown as string),
        candidate([{ text: "Hel" }], undefined as unknown as string),
        candidate([{ text: "lo" }], "STOP", { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 9, thoughtsTokenCount: 4 } as never),
      ]),
    );
    const { response, text } = await responses(client, { model: "gemini-2.5-flash", input: "Hi", stream: true, reasoning: { effort: "medium", summary: "auto" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(text).not.toContain("[DONE]");
    expect(calls[0]!.url.pathname).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
    expect(calls[0]!.body).toMatchObject({ generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 } } });
    const all = events(text);
    expect(all.map((e) => e.sequence_number)).toEqual(all.map((_, i) => i));
    expect(all.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.done",
      "response.reasoning_summary_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const completed = all.at(-1)!.response;
    expect(completed.output.map((item: Json) => item.type)).toEqual(["reasoning", "message"]);
    expect(completed.output[0].summary).toEqual([{ type: "summary_text", text: "Thinking about it" }]);
    expect(completed.output[1].content[0].text).toBe("Hello");
    expect(completed.usage).toEqual({ input_tokens: 3, input_tokens_details: { cached_tokens: 0 }, output_tokens: 6, output_tokens_details: { reasoning_tokens: 4 }, total_tokens: 9 });
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "responses", streamed: 1, outcome: "ok", prompt_tokens: 3, completion_tokens: 6 });
    expect(rows[0]!.ttfb_ms).not.toBeNull();
  });

  it("a 10-turn function-call loop on Gemini 3: every turn sends back the signature Google issued for each call, never the dummy", async () => {
    const client = await seed();
    const issued = new Map<string, string>(); // call_id -> signature
    let turn = 0;
    const calls = fakeGoogle(({ url }) => {
      turn++;
      const body = turn <= 10 ? candidate([{ functionCall: { name: "shell", args: { command: ["echo", String(turn)] } }, thoughtSignature: `SIG_${turn}` }]) : geminiText("all done");
      return url.pathname.endsWith(":streamGenerateContent") ? sse([body]) : Response.json(body);
    });
    const history: Json[] = [{ role: "user", content: [{ type: "input_text", text: "run ten commands" }] }];
    for (let n = 1; n <= 11; n++) {
      const stream = n % 2 === 0;
      const { response, text, json } = await responses(client, { model: GEMINI_3, input: history, tools: [SHELL], stream, store: false, include: ["reasoning.encrypted_content"] });
      expect(response.status, text).toBe(200);
      const result = stream ? events(text).at(-1)!.response : json();
      expect(result.status).toBe("completed");
      // what reached Google: every earlier call with the signature issued for it
      const sent = calls[n - 1]!.body as { contents: Array<{ role: string; parts: Part[] }> };
      const sentCalls = sent.contents.flatMap((c) => c.parts).filter((p) => p.functionCall);
      expect(sentCalls).toHaveLength(n - 1);
      for (const part of sentCalls) {
        expect(part.thoughtSignature).not.toBe(DUMMY_THOUGHT_SIGNATURE);
        expect(part.thoughtSignature).toBe(issued.get(part.functionCall!.id!));
      }
      if (n === 11) {
        expect(result.output.at(-1).content[0].text).toBe("all done");
        break;
      }
      const call = result.output.find((item: Json) => item.type === "function_call");
      expect(call).toMatchObject({ name: "shell", arguments: JSON.stringify({ command: ["echo", String(n)] }) });
      issued.set(call.call_id, `SIG_${n}`);
      history.push(...result.output, { type: "function_call_output", call_id: call.call_id, output: `${n}\n` });
      // the history alone must carry them: the D1 memory is emptied between turns
      await env.DB.prepare("DELETE FROM thought_signatures").run();
    }
    expect(issued.size).toBe(10);
    const rows = await ledgerRows();
    expect(rows).toHaveLength(11);
    expect(new Set(rows.map((r) => r.endpoint))).toEqual(new Set(["responses"]));
  });

  it("a client that drops the reasoning items still gets the issued signature back, from the D1 memory", async () => {
    const client = await seed();
    let turn = 0;
    const calls = fakeGoogle(() => (++turn === 1 ? Response.json(candidate([{ functionCall: { name: "shell", args: { command: ["ls"] } }, thoughtSignature: "SIG_MEMORY" }])) : Response.json(geminiText("ok"))));
    const first = (await responses(client, { model: GEMINI_3, input: "list", tools: [SHELL] })).json();
    const call = first.output.find((item: Json) => item.type === "function_call");
    const history = [{ role: "user", content: "list" }, call, { type: "function_call_output", call_id: call.call_id, output: "a.txt" }];
    const second = await responses(client, { model: GEMINI_3, input: history, tools: [SHELL] });
    expect(second.response.status).toBe(200);
    const model = (calls[1]!.body as Json).contents[1];
    expect(model).toEqual({ role: "model", parts: [{ functionCall: { id: call.call_id, name: "shell", args: { command: ["ls"] } }, thoughtSignature: "SIG_MEMORY" }] });
  });

  it("custom tool round trip: the call comes back as custom_tool_call, its array output goes to Google as the functionResponse", async () => {
    const client = await seed();
    const patch = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n";
    let turn = 0;
    const calls = fakeGoogle(() =>
      ++turn === 1 ? sse([candidate([{ functionCall: { name: "apply_patch", args: { input: patch } }, thoughtSignature: "SIG_PATCH" }])]) : Response.json(geminiText("patched")),
    );
    const tools = [{ type: "custom", name: "apply_patch", description: "Edit files", format: { type: "grammar", syntax: "lark", definition: "start: begin_patch" } }];
    const first = await responses(client, { model: GEMINI_3, input: "add hello.txt", tools, stream: true });
    const all = events(first.text);
    expect(all.map((e) => e.type)).toEqual(expect.arrayContaining(["response.custom_tool_call_input.delta", "response.custom_tool_call_input.done"]));
    const output = all.at(-1)!.response.output as Json[];
    const call = output.find((item) => item.type === "custom_tool_call")!;
    expect(call).toMatchObject({ name: "apply_patch", input: patch });
    const declared = (calls[0]!.body as Json).tools[0].functionDeclarations[0];
    expect(declared).toMatchObject({ name: "apply_patch", parametersJsonSchema: { properties: { input: { type: "string" } } } });

    const second = await responses(client, {
      model: GEMINI_3,
      tools,
      input: [
        { role: "user", content: "add hello.txt" },
        ...output,
        { type: "custom_tool_call_output", call_id: call.call_id, output: [{ type: "input_text", text: "Success. Updated the following files:" }, { type: "input_text", text: "A hello.txt" }] },
      ],
    });
    expect(second.json().output[0].content[0].text).toBe("patched");
    const contents = (calls[1]!.body as Json).contents;
    expect(contents[1]).toEqual({ role: "model", parts: [{ functionCall: { id: call.call_id, name: "apply_patch", args: { input: patch } }, thoughtSignature: "SIG_PATCH" }] });
    expect(contents[2]).toEqual({
      role: "user",
      parts: [{ functionResponse: { id: call.call_id, name: "apply_patch", response: { output: "Success. Updated the following files:\nA hello.txt" } } }],
    });
  });

  it("json_schema output: the schema reaches Google, the JSON text comes back", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(geminiText('{"city":"Paris"}')));
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
    const { json } = await responses(client, { model: "gemini-2.5-flash", input: "capital of France?", text: { format: { type: "json_schema", name: "city", strict: true, schema } } });
    expect(JSON.parse(json().output[0].content[0].text)).toEqual({ city: "Paris" });
    expect(json().text.format).toMatchObject({ type: "json_schema", name: "city" });
    expect((calls[0]!.body as Json).generationConfig).toMatchObject({ responseMimeType: "application/json", responseJsonSchema: schema });
  });

  it("MAX_TOKENS -> status incomplete with incomplete_details.reason, plain and streamed", async () => {
    const client = await seed();
    fakeGoogle(({ url }) => (url.pathname.endsWith(":streamGenerateContent") ? sse([candidate([{ text: "cut" }], "MAX_TOKENS")]) : Response.json(candidate([{ text: "cut" }], "MAX_TOKENS"))));
    const plain = (await responses(client, { model: "gemini-2.5-flash", input: "long", max_output_tokens: 16 })).json();
    expect(plain).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, max_output_tokens: 16 });
    const streamed = events((await responses(client, { model: "gemini-2.5-flash", input: "long", max_output_tokens: 16, stream: true })).text);
    expect(streamed.at(-1)).toMatchObject({ type: "response.incomplete", response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } } });
  });

  it("fails over to another key before the first byte", async () => {
    const client = await seed({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }], models: MODELS });
    let n = 0;
    const calls = fakeGoogle(() => (++n === 1 ? reply(perMinute429) : sse([candidate([{ text: "from the second key" }])])));
    const { response, text } = await responses(client, { model: "gemini-2.5-flash", input: "hi", stream: true });
    expect(response.status).toBe(200);
    expect(events(text).at(-1)!.response.output[0].content[0].text).toBe("from the second key");
    expect(calls).toHaveLength(2);
    expect(calls[0]!.apiKey).not.toBe(calls[1]!.apiKey);
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "responses", attempts: 2, outcome: "ok" });
  });

  it("a mid-stream upstream failure ends the stream with response.failed, never a silent cut", async () => {
    const client = await seed();
    fakeGoogle(() => sse([candidate([{ text: "Partial" }], undefined as unknown as string), { error: { code: 500, message: "Internal error encountered.", status: "INTERNAL" } }]));
    const { response, text } = await responses(client, { model: "gemini-2.5-flash", input: "hi", stream: true });
    expect(response.status).toBe(200);
    const all = events(text);
    expect(all.at(-1)).toMatchObject({ type: "response.failed", response: { status: "failed", error: { code: "server_error", message: expect.stringContaining("Internal error encountered") } } });
    expect(all.find((e) => e.type === "response.output_text.delta")!.delta).toBe("Partial");
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "responses", outcome: "upstream_error", streamed: 1, served: 1 });
  });

  it("web_search is served by Google Search grounding, its sources as url_citation annotations; unservable tools are left out", async () => {
    const client = await seed();
    const calls = fakeGoogle(() =>
      Response.json({
        candidates: [{ content: { role: "model", parts: [{ text: "It is sunny." }] }, finishReason: "STOP", index: 0, groundingMetadata: { groundingChunks: [{ web: { uri: "https://weather.example/paris", title: "weather.example" } }], groundingSupports: [{ segment: { startIndex: 0, endIndex: 12 }, groundingChunkIndices: [0] }] } }],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 4, totalTokenCount: 8 },
      }),
    );
    const { response, json } = await responses(client, { model: "gemini-2.5-flash", input: "weather in Paris?", tools: [{ type: "web_search" }, { type: "code_interpreter", container: { type: "auto" } }, { type: "image_generation" }] });
    expect(response.status).toBe(200);
    expect((calls[0]!.body as Json).tools).toEqual([{ googleSearch: {} }]);
    expect(json().output[0].content[0].annotations).toEqual([{ type: "url_citation", url: "https://weather.example/paris", title: "weather.example", start_index: 0, end_index: 12 }]);
  });

  it("a long silence: keep-alive comments first, then a failure on every key ends the stream with response.failed", async () => {
    const client = await seed({ geminiKeys: [{ id: "a", secret: KEY_A }], models: MODELS, settings: { keepAliveSeconds: 1 } });
    fakeGoogle(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_300));
      return reply(overloaded);
    });
    const { response, text } = await responses(client, { model: "gemini-2.5-flash", input: "think hard", stream: true });
    expect(response.status).toBe(200);
    expect(text.startsWith(": keep-alive\n\n")).toBe(true);
    const all = events(text);
    expect(all.map((e) => e.type)).toEqual(["response.created", "response.in_progress", "response.failed"]);
    expect(all[2]!.response.error.message).toContain("overloaded");
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "responses", status: 503, outcome: "upstream_error" });
  });

  it("a model alias (gpt-5* -> a Gemini model): Google gets the Gemini model, the answer keeps the name sent, the ledger both", async () => {
    const client = await seed();
    await new ConfigStore(env.WORKER_CONFIG_KV).saveAliases([{ alias: "gpt-5*", model: GEMINI_3 }]);
    isolateRuntime.clear();
    const calls = fakeGoogle(() => Response.json(geminiText("aliased")));
    const { response, json } = await responses(client, { model: "gpt-5.1-codex", input: "hi" });
    expect(response.status).toBe(200);
    expect(json()).toMatchObject({ model: "gpt-5.1-codex", output: [{ content: [{ text: "aliased" }] }] });
    expect(calls[0]!.url.pathname).toBe(`/v1beta/models/${GEMINI_3}:generateContent`);
    expect((await ledgerRows())[0]).toMatchObject({ endpoint: "responses", model: GEMINI_3, requested_model: "gpt-5.1-codex" });
  });

  it("answers 429 with Retry-After when every key is rate limited", async () => {
    const client = await seed({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }], models: MODELS });
    fakeGoogle(() => reply(perMinute429));
    const { response, json } = await responses(client, { model: "gemini-2.5-flash", input: "hi", stream: true });
    expect(response.status).toBe(429);
    expect(json().error.code).toBe("rate_limit_exceeded");
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await ledgerRows())[0]).toMatchObject({ endpoint: "responses", outcome: "rate_limited", status: 429 });
  });

  it("answers client mistakes in OpenAI's shape: unknown model 404, previous_response_id 400, bad bodies 400; each with one ledger row", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(geminiText("never")));
    const unknown = await responses(client, { model: "gemini-9-ultra", input: "hi" });
    expect(unknown.response.status).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: "model_not_found", type: "invalid_request_error", param: "model" });
    const previous = await responses(client, { model: "gemini-2.5-flash", input: "hi", previous_response_id: "resp_1", store: true });
    expect(previous.response.status).toBe(400);
    expect(previous.json().error).toMatchObject({ param: "previous_response_id", code: "unsupported_parameter", message: expect.stringContaining("Resend") });
    for (const body of [{ model: "gemini-2.5-flash" }, { model: "gemini-2.5-flash", input: [{ role: "wizard", content: "x" }] }, { model: "gemini-2.5-flash", input: "hi", temperature: 9 }]) {
      const bad = await responses(client, body);
      expect(bad.response.status, JSON.stringify(body)).toBe(400);
      expect(bad.json().error.type).toBe("invalid_request_error");
    }
    expect(calls).toHaveLength(0);
    const rows = await ledgerRows();
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => r.endpoint)).toEqual(["responses", "responses", "responses", "responses", "responses"]);
  });
});

describe("responsesDoor.streamFailure", () => {
  it("renders a failure after the headers went out as a complete Responses stream ending in response.failed", () => {
    const call = {
      body: parseResponsesRequest({ model: "gpt-5-codex", input: "hi", stream: true }),
      id: "resp_failed",
      createdAt: 1_700_000_000,
      toolNames: { customNames: new Set<string>(), namespaces: new Map<string, string>() },
    };
    const text = responsesDoor.streamFailure({ status: 502, message: "Gemini failed on every attempt: boom", type: "upstream_error", code: "server", outcome: "upstream_error" }, call);
    const all = events(text);
    expect(all.map((e) => [e.type, e.sequence_number])).toEqual([
      ["response.created", 0],
      ["response.in_progress", 1],
      ["response.failed", 2],
    ]);
    expect(all[2]!.response).toMatchObject({ id: "resp_failed", model: "gpt-5-codex", status: "failed", error: { code: "server_error", message: "Gemini failed on every attempt: boom" } });
  });
});
