// Gemini 3 tool calling through the Worker: the thoughtSignature Google attaches to a
// function call must come back on the next turn. The Worker keeps it in D1 by the tool-call
// id it emitted; the fake refuses a Gemini 3 history without it, as Google does.

import OpenAI from "openai";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { d1, fake, openaiClient, seedPool, type SeededPool } from "./harness";

const MODEL = "gemini-3-pro-preview";
const USER = { role: "user" as const, content: "What's the weather in Paris?" };
const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Current weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
    },
  },
];

let pool: SeededPool;
let client: OpenAI;

/** The thoughtSignature the fake put on the function call it answered with. */
async function issuedSignature(): Promise<string> {
  const [first] = (await fake.requests()).filter((r) => r.action === "generateContent" || r.action === "streamGenerateContent");
  const response = first!.response as any;
  const events = Array.isArray(response) ? response : [response];
  const part = events.flatMap((e: any) => e.candidates?.[0]?.content?.parts ?? []).find((p: any) => p.functionCall);
  expect(part?.thoughtSignature).toEqual(expect.any(String));
  return part.thoughtSignature;
}

/** Sends the tool result back and returns what reached Google for that turn. */
async function answerTheCall(call: { id: string; name: string; arguments: string }) {
  await fake.clearRequests();
  const completion = await client.chat.completions.create({
    model: MODEL,
    tools: TOOLS,
    messages: [
      USER,
      { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }] },
      { role: "tool", tool_call_id: call.id, content: JSON.stringify({ temperature: 21 }) },
    ],
  });
  expect(completion.choices[0]!.message.content).toBe("Hello from fake Gemini");
  const [upstream] = await fake.requests();
  expect(upstream!.status).toBe(200);
  return upstream!.body as { contents: Array<{ role: string; parts: any[] }> };
}

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({ geminiKeys: 1, models: [{ id: MODEL, category: "pro" }], clientKeyName: "tools-e2e", replace: true });
  client = openaiClient(pool.clientKey.key);
});

beforeEach(async () => {
  await fake.reply({ functionCall: { name: "get_weather", args: { city: "Paris" } } });
  await fake.clearRequests();
});

describe("Gemini 3 tool calls through the Worker", () => {
  it("non-streamed: the call comes back as tool_calls and its signature returns to Google on the next turn", async () => {
    const completion = await client.chat.completions.create({ model: MODEL, messages: [USER], tools: TOOLS });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const [call] = choice.message.tool_calls ?? [];
    expect(call).toMatchObject({ type: "function", function: { name: "get_weather" } });
    const fn = (call as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall).function;
    expect(JSON.parse(fn.arguments)).toEqual({ city: "Paris" });
    expect(call!.id).toEqual(expect.any(String));

    const sent = (await fake.requests())[0]!.body as any;
    const declaration = sent.tools[0].functionDeclarations?.[0] ?? sent.tools[0].function_declarations?.[0];
    expect(declaration.name).toBe("get_weather");

    const signature = await issuedSignature();
    const [stored] = await d1<{ signature: string }>(`SELECT signature FROM thought_signatures WHERE tool_call_id = '${call!.id.replace(/'/g, "''")}'`);
    expect(stored?.signature).toBe(signature);

    const next = await answerTheCall({ id: call!.id, name: fn.name, arguments: fn.arguments });
    const modelTurn = next.contents.find((c) => c.role === "model")!;
    const callPart = modelTurn.parts.find((p) => p.functionCall);
    expect(callPart.functionCall).toMatchObject({ name: "get_weather", args: { city: "Paris" } });
    expect(callPart.thoughtSignature).toBe(signature);
    const lastTurn = next.contents.at(-1)!;
    expect(lastTurn.role).toBe("user");
    expect(lastTurn.parts[0].functionResponse).toMatchObject({ name: "get_weather" });
  });

  it("streamed: tool_calls deltas carry index, and the signature still returns on the next turn", async () => {
    const stream = await client.chat.completions.create({ model: MODEL, messages: [USER], tools: TOOLS, stream: true });
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (!choice) continue;
      finish = choice.finish_reason ?? finish;
      for (const delta of choice.delta.tool_calls ?? []) {
        expect(delta.index).toEqual(expect.any(Number));
        const entry = calls.get(delta.index) ?? { id: "", name: "", arguments: "" };
        entry.id ||= delta.id ?? "";
        entry.name += delta.function?.name ?? "";
        entry.arguments += delta.function?.arguments ?? "";
        calls.set(delta.index, entry);
      }
    }
    expect(finish).toBe("tool_calls");
    expect(calls.size).toBe(1);
    const call = calls.get(0)!;
    expect(call.name).toBe("get_weather");
    expect(JSON.parse(call.arguments)).toEqual({ city: "Paris" });

    const signature = await issuedSignature();
    const next = await answerTheCall(call);
    const callPart = next.contents.find((c) => c.role === "model")!.parts.find((p) => p.functionCall);
    expect(callPart.thoughtSignature).toBe(signature);
  });
});
