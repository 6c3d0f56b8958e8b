// The Responses API through the real Worker (wrangler dev) against the fake Gemini API, driven by
// the official openai SDK's `responses.create` and its streaming helpers.

import OpenAI from "openai";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { d1, fake, openaiClient, seedPool, waitFor, type SeededPool } from "./harness";

const FLASH = "gemini-2.5-flash";
const GEMINI_3 = "gemini-3-pro-preview";
const ANSWER = "Hello from fake Gemini";
const WEATHER: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "Current weather for a city",
  strict: true,
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
};

let pool: SeededPool;
let client: OpenAI;

const generateCalls = async () => (await fake.requests()).filter((r) => r.action === "generateContent" || r.action === "streamGenerateContent");

/** The thoughtSignature the fake put on the function call of its `index`-th answer. */
async function issuedSignature(index = 0): Promise<string> {
  const response = (await generateCalls())[index]!.response as any;
  const events = Array.isArray(response) ? response : [response];
  const part = events.flatMap((e: any) => e.candidates?.[0]?.content?.parts ?? []).find((p: any) => p.functionCall);
  expect(part?.thoughtSignature).toEqual(expect.any(String));
  return part.thoughtSignature;
}

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({ geminiKeys: 1, models: [FLASH, { id: GEMINI_3, category: "pro" }], clientKeyName: "responses-e2e", replace: true });
  client = openaiClient(pool.clientKey.key);
});

beforeEach(async () => {
  await fake.reply({});
  await fake.clearRequests();
});

describe("client.responses.create through the Worker", () => {
  it("non-streamed: output_text, usage, what reached Google, one ledger row with endpoint responses", async () => {
    const response = await client.responses.create({ model: FLASH, instructions: "Be brief.", input: "Say hello", store: false, metadata: { test: "e2e" } });
    expect(response.object).toBe("response");
    expect(response.status).toBe("completed");
    expect(response.model).toBe(FLASH);
    expect(response.output_text).toBe(ANSWER);
    expect(response.metadata).toEqual({ test: "e2e" });
    expect(response.usage!.output_tokens).toBeGreaterThan(0);
    const [sent] = await generateCalls();
    expect(sent!.model).toBe(FLASH);
    expect(sent!.body).toMatchObject({ systemInstruction: { parts: [{ text: "Be brief." }] }, contents: [{ role: "user", parts: [{ text: "Say hello" }] }] });
    await waitFor(async () => (await d1(`SELECT id FROM usage_calls WHERE endpoint = 'responses' AND client_key_id = '${pool.clientKey.id}'`)).length === 1, {
      timeoutMs: 15_000,
      message: "one responses ledger row",
    });
  });

  it("client.responses.stream: text deltas, the reasoning summary, and finalResponse()", async () => {
    await fake.reply({ thoughts: "Let me think about greetings.", thoughtsTokenCount: 12 });
    const deltas: string[] = [];
    const summary: string[] = [];
    const stream = client.responses.stream({ model: FLASH, input: "Say hello", reasoning: { effort: "low", summary: "auto" } });
    stream.on("response.output_text.delta", (event) => deltas.push(event.delta));
    stream.on("response.reasoning_summary_text.delta", (event) => summary.push(event.delta));
    const final = await stream.finalResponse();
    expect(deltas.join("")).toBe(ANSWER);
    expect(deltas.length).toBeGreaterThan(1); // the fake splits the text over several events
    expect(summary.join("")).toBe("Let me think about greetings.");
    expect(final.output_text).toBe(ANSWER);
    expect(final.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    expect(final.usage!.output_tokens_details.reasoning_tokens).toBe(12);
  });

  it("stream: true: every event in order with increasing sequence_number, ending with response.completed", async () => {
    const stream = await client.responses.create({ model: FLASH, input: "Say hello", stream: true });
    const types: string[] = [];
    const sequence: number[] = [];
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
    }
    expect(sequence).toEqual(sequence.map((_, i) => i));
    expect(types.slice(0, 4)).toEqual(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
    expect(types.slice(-4)).toEqual(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]);
  });

  it("Gemini 3 tool loop: function_call out, function_call_output back, the issued signature returns to Google", async () => {
    await fake.reply({ functionCall: { name: "get_weather", args: { city: "Paris" } } });
    const first = await client.responses.create({ model: GEMINI_3, input: "Weather in Paris?", tools: [WEATHER], store: false, include: ["reasoning.encrypted_content"] });
    const call = first.output.find((item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === "function_call")!;
    expect(JSON.parse(call.arguments)).toEqual({ city: "Paris" });
    const reasoning = first.output.find((item) => item.type === "reasoning") as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.encrypted_content).toEqual(expect.any(String));
    const signature = await issuedSignature();

    await fake.clearRequests();
    const second = await client.responses.create({
      model: GEMINI_3,
      tools: [WEATHER],
      store: false,
      input: [{ role: "user", content: "Weather in Paris?" }, ...first.output, { type: "function_call_output", call_id: call.call_id, output: '{"temperature":21}' }] as OpenAI.Responses.ResponseInput,
    });
    expect(second.output_text).toBe(ANSWER);
    const sent = (await generateCalls())[0]!.body as any;
    const modelTurn = sent.contents.find((c: any) => c.role === "model");
    expect(modelTurn.parts[0]).toMatchObject({ functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: signature });
    expect(sent.contents.at(-1).parts[0].functionResponse).toMatchObject({ name: "get_weather", response: { temperature: 21 } });
  });

  it("custom tool round trip with an array output, streamed", async () => {
    const patch = "*** Begin Patch\n*** Add File: hi.txt\n+hi\n*** End Patch";
    await fake.reply({ functionCall: { name: "apply_patch", args: { input: patch } } });
    const tools: OpenAI.Responses.Tool[] = [{ type: "custom", name: "apply_patch", description: "Edit files with a patch" }];
    const inputs: string[] = [];
    const stream = client.responses.stream({ model: GEMINI_3, input: "add hi.txt", tools });
    stream.on("response.custom_tool_call_input.delta", (event) => inputs.push(event.delta));
    const first = await stream.finalResponse();
    const call = first.output.find((item): item is OpenAI.Responses.ResponseCustomToolCall => item.type === "custom_tool_call")!;
    expect(call.input).toBe(patch);
    expect(inputs.join("")).toBe(patch);

    await fake.clearRequests();
    const second = await client.responses.create({
      model: GEMINI_3,
      tools,
      input: [
        { role: "user", content: "add hi.txt" },
        ...first.output,
        { type: "custom_tool_call_output", call_id: call.call_id, output: [{ type: "input_text", text: "Success." }, { type: "input_text", text: "A hi.txt" }] },
      ] as OpenAI.Responses.ResponseInput,
    });
    expect(second.output_text).toBe(ANSWER);
    const sent = (await generateCalls())[0]!.body as any;
    expect(sent.contents.at(-1).parts[0].functionResponse).toMatchObject({ name: "apply_patch", response: { output: "Success.\nA hi.txt" } });
  });

  it("a mid-stream upstream failure ends the stream with response.failed", async () => {
    await fake.setKey(pool.geminiKeys[0]!.key, "stream_error_after_first_chunk");
    try {
      const stream = await client.responses.create({ model: FLASH, input: "Say hello", stream: true });
      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      const last = events.at(-1)!;
      expect(last.type).toBe("response.failed");
      expect((last as OpenAI.Responses.ResponseFailedEvent).response.error?.message).toContain("mid-stream");
      expect(events.some((e) => e.type === "response.output_text.delta")).toBe(true);
    } finally {
      await fake.setKey(pool.geminiKeys[0]!.key, "ok");
    }
  });

  it("errors in OpenAI's shape: an unconfigured model is 404, previous_response_id is 400", async () => {
    await expect(client.responses.create({ model: "gemini-9-ultra", input: "hi" })).rejects.toMatchObject({ status: 404, code: "model_not_found" });
    const refused = client.responses.create({ model: FLASH, input: "hi", previous_response_id: "resp_123" });
    await expect(refused).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(refused).rejects.toMatchObject({ param: "previous_response_id", message: expect.stringContaining("Resend") });
    expect(await generateCalls()).toHaveLength(0);
  });
});
