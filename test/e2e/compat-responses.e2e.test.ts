// OpenAI compatibility, the answer side: what the official openai client parses from the
// Worker's replies (plain and streamed) for tool calls, thoughts, usage, blocks, finish reasons
// and grounding; the Gemini 3 signature round trip through the SDK's own tool runner; and
// keep-alive comments on an idle stream.

import OpenAI from "openai";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ask, foldChunks, generateCalls, MODES, scriptedReply, type Chunk } from "./compat-helpers";
import { fake, openaiClient, seedPool, workerUrl, type SeededPool } from "./harness";

const FLASH = "gemini-2.5-flash";
const GEMINI_3 = "gemini-3-flash-preview";
const ANSWER = "Hello from fake Gemini";
const THOUGHTS = "Thinking about a greeting.";

let pool: SeededPool;
let client: OpenAI;

const hi = { role: "user" as const, content: "Say hello" };
const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: "function", function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
  { type: "function", function: { name: "time", parameters: { type: "object", properties: { zone: { type: "string" } } } } },
];

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({ geminiKeys: 1, models: [FLASH, GEMINI_3], clientKeyName: "compat-responses", replace: true });
  client = openaiClient(pool.clientKey.key);
});

beforeEach(async () => {
  await fake.reply({});
  await fake.clearRequests();
});

/** One scripted candidate answer (text + finish reason + usage), for both modes. */
function scriptedCandidate(name: string, candidate: object, usageMetadata: object, extra: object = {}) {
  const body = { candidates: [{ index: 0, ...candidate }], usageMetadata, modelVersion: FLASH, responseId: `compat-${name}`, ...extra };
  return scriptedReply(name, [body], body);
}

describe.each(MODES)("answers ($name)", ({ streamed }) => {
  it("parallel function calls → tool_calls (ids, names, JSON arguments), content null, finish_reason tool_calls", async () => {
    await fake.reply({ functionCall: [{ name: "weather", args: { city: "Paris" } }, { name: "time", args: { zone: "CET" } }] });
    const answer = await ask(client, { model: FLASH, messages: [hi], tools: TOOLS }, streamed);
    const [choice] = answer.choices;
    expect(choice!.finishReason).toBe("tool_calls");
    expect(choice!.content ?? null).toBeNull();
    expect(choice!.toolCalls.map((c) => [c.index, c.name, JSON.parse(c.arguments)])).toEqual([
      [0, "weather", { city: "Paris" }],
      [1, "time", { zone: "CET" }],
    ]);
    const ids = choice!.toolCalls.map((c) => c.id);
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(2);
    if (streamed) {
      const deltas = answer.chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
      expect(deltas.length).toBeGreaterThanOrEqual(2);
      for (const delta of deltas) expect(delta.index).toEqual(expect.any(Number));
    }
  });

  it("thought parts come back as reasoning_content, never in content; usage counts them as reasoning_tokens", async () => {
    await fake.reply({ thoughts: THOUGHTS, thoughtsTokenCount: 12 });
    const answer = await ask(client, { model: FLASH, messages: [hi], reasoning_effort: "low" }, streamed);
    const [choice] = answer.choices;
    expect(choice!.content).toBe(ANSWER);
    expect(choice!.reasoning).toBe(THOUGHTS);
    // the fake counts the thought text in candidatesTokenCount too: take its figures from what it sent
    const [call] = await generateCalls();
    const events = Array.isArray(call!.response) ? (call!.response as any[]) : [call!.response as any];
    const sentUsage = events.at(-1).usageMetadata;
    expect(sentUsage.thoughtsTokenCount).toBe(12);
    expect(answer.usage?.completion_tokens_details?.reasoning_tokens).toBe(12);
    expect(answer.usage?.completion_tokens).toBe(sentUsage.candidatesTokenCount + 12);
    expect(answer.usage?.total_tokens).toBe(sentUsage.totalTokenCount);
  });

  it("usage: cached_tokens and reasoning_tokens from usageMetadata, totals add up", async () => {
    const usage = { promptTokenCount: 100, cachedContentTokenCount: 40, candidatesTokenCount: 5, thoughtsTokenCount: 12, totalTokenCount: 117 };
    const fixture = scriptedCandidate("usage", { content: { role: "model", parts: [{ text: "Cached hello" }] }, finishReason: "STOP" }, usage);
    await fake.reply({ fixture: streamed ? fixture.streamed : fixture.plain });
    const answer = await ask(client, { model: FLASH, messages: [hi] }, streamed);
    expect(answer.choices[0]!.content).toBe("Cached hello");
    expect(answer.usage).toMatchObject({
      prompt_tokens: 100,
      completion_tokens: 17,
      total_tokens: 117,
      prompt_tokens_details: { cached_tokens: 40 },
      completion_tokens_details: { reasoning_tokens: 12 },
    });
  });

  it.each([
    { reason: "MAX_TOKENS", expected: "length" },
    { reason: "SAFETY", expected: "content_filter" },
  ])("finishReason $reason → finish_reason $expected", async ({ reason, expected }) => {
    const fixture = scriptedCandidate(
      `finish-${reason}`,
      { content: { role: "model", parts: [{ text: "Partial" }] }, finishReason: reason },
      { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 },
    );
    await fake.reply({ fixture: streamed ? fixture.streamed : fixture.plain });
    const answer = await ask(client, { model: FLASH, messages: [hi] }, streamed);
    expect(answer.choices).toHaveLength(1);
    expect(answer.choices[0]!.content).toBe("Partial");
    expect(answer.choices[0]!.finishReason).toBe(expected);
  });

  it("a blocked prompt (recorded issue-19758) is one choice with a refusal and finish_reason content_filter", async () => {
    await fake.reply({ fixture: "issue-19758-prompt-block" });
    const answer = await ask(client, { model: FLASH, messages: [hi] }, streamed);
    expect(answer.choices).toHaveLength(1);
    const [choice] = answer.choices;
    expect(choice!.finishReason).toBe("content_filter");
    expect(choice!.content ?? "").toBe("");
    expect(choice!.refusal).toBe("The prompt was blocked by Google (PROHIBITED_CONTENT).");
    expect(choice!.toolCalls).toEqual([]);
    expect(answer.usage?.prompt_tokens).toBe(9);
    expect(await generateCalls()).toHaveLength(1); // a block is an answer, not an empty reply to retry
  });

  it("groundingMetadata → url_citation annotations with character offsets", async () => {
    const text = "Zürich is in Switzerland. Bern is its capital.";
    const first = "Zürich is in Switzerland.";
    const second = "Bern is its capital.";
    const bytes = (s: string) => Buffer.byteLength(s, "utf8");
    const groundingMetadata = {
      webSearchQueries: ["zurich country"],
      groundingChunks: [
        { web: { uri: "https://example.com/zurich", title: "example.com" } },
        { web: { uri: "https://example.org/bern", title: "example.org" } },
      ],
      groundingSupports: [
        { segment: { startIndex: 0, endIndex: bytes(first), text: first }, groundingChunkIndices: [0] },
        {
          segment: { startIndex: bytes(first) + 1, endIndex: bytes(text), text: second },
          groundingChunkIndices: [1],
        },
      ],
    };
    const fixture = scriptedCandidate(
      "grounding",
      { content: { role: "model", parts: [{ text }] }, finishReason: "STOP", groundingMetadata },
      { promptTokenCount: 3, candidatesTokenCount: 12, totalTokenCount: 15 },
    );
    await fake.reply({ fixture: streamed ? fixture.streamed : fixture.plain });
    const answer = await ask(client, { model: FLASH, messages: [hi] }, streamed);
    const [choice] = answer.choices;
    expect(choice!.content).toBe(text);
    expect(choice!.annotations).toEqual([
      { type: "url_citation", url_citation: { url: "https://example.com/zurich", title: "example.com", start_index: 0, end_index: first.length } },
      {
        type: "url_citation",
        url_citation: { url: "https://example.org/bern", title: "example.org", start_index: first.length + 1, end_index: text.length },
      },
    ]);
  });
});

describe("stream framing", () => {
  it("one id, created and model on every chunk; role in the first delta; final usage chunk with choices: []", async () => {
    const stream = await client.chat.completions.create({
      model: FLASH,
      messages: [hi],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: Chunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]!.id).toMatch(/^chatcmpl-/);
    expect(new Set(chunks.map((c) => c.created)).size).toBe(1);
    expect(new Set(chunks.map((c) => c.model))).toEqual(new Set([FLASH]));
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: 6 });
    expect(chunks.slice(0, -1).every((c) => c.usage == null)).toBe(true);
    expect(foldChunks(chunks).choices[0]!.content).toBe(ANSWER);
  });

  it("without include_usage, no usage chunk", async () => {
    const stream = await client.chat.completions.create({ model: FLASH, messages: [hi], stream: true });
    const chunks: Chunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1 && c.usage == null)).toBe(true);
  });
});

describe.each(MODES)("Gemini 3 thought signatures through the SDK's own tool runner ($name)", ({ streamed }) => {
  it("runTools completes the loop; the signature that reached the fake is the one it issued, not the dummy", async () => {
    await fake.reply({ functionCall: { name: "weather", args: { city: "Paris" } } });
    const calledWith: unknown[] = [];
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "weather",
          description: "Current weather for a city",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
          parse: (args: string) => JSON.parse(args) as { city: string },
          function: (args: { city: string }) => {
            calledWith.push(args);
            return { temperature: 21 };
          },
        },
      },
    ];
    const runner = streamed
      ? client.chat.completions.runTools({ model: GEMINI_3, messages: [hi], tools, stream: true })
      : client.chat.completions.runTools({ model: GEMINI_3, messages: [hi], tools });
    expect(await runner.finalContent()).toBe(ANSWER);
    expect(calledWith).toEqual([{ city: "Paris" }]);

    const calls = await generateCalls();
    expect(calls.map((c) => c.status)).toEqual([200, 200]);
    const firstResponse = calls[0]!.response as any;
    const events = Array.isArray(firstResponse) ? firstResponse : [firstResponse];
    const issued = events.flatMap((e: any) => e.candidates?.[0]?.content?.parts ?? []).find((p: any) => p.functionCall)?.thoughtSignature;
    expect(issued).toEqual(expect.any(String));

    const next = calls[1]!.body as { contents: Array<{ role: string; parts: any[] }> };
    const modelTurn = next.contents.find((c) => c.role === "model")!;
    const callPart = modelTurn.parts.find((p) => p.functionCall);
    expect(callPart.thoughtSignature).toBe(issued);
    expect(callPart.thoughtSignature).not.toBe("skip_thought_signature_validator");
    expect(next.contents.at(-1)!.parts[0].functionResponse).toMatchObject({ name: "weather", response: { temperature: 21 } });
  });
});

describe("keep-alive on an idle stream", () => {
  it("the raw SSE carries ': keep-alive' comments while Google is silent, and the SDK still parses the stream", async () => {
    const admin = pool.admin;
    const before = await admin.get<Record<string, unknown>>("/api/admin/settings");
    await admin.put("/api/admin/settings", { ...before, keepAliveSeconds: 1 });
    try {
      await fake.reply({ chunkDelayMs: 2_500 });
      const res = await fetch(`${workerUrl()}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${pool.clientKey.key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: FLASH, messages: [hi], stream: true }),
      });
      expect(res.status).toBe(200);
      const raw = await res.text();
      const lines = raw.split("\n");
      expect(lines.filter((l) => l === ": keep-alive").length).toBeGreaterThanOrEqual(1);
      expect(lines.filter((l) => l.startsWith("data: ")).at(-1)).toBe("data: [DONE]");

      const answer = await ask(client, { model: FLASH, messages: [hi] }, true);
      expect(answer.choices[0]!.content).toBe(ANSWER);
      expect(answer.choices[0]!.finishReason).toBe("stop");
    } finally {
      await fake.reply({});
      await admin.put("/api/admin/settings", before);
    }
    expect((await admin.get<{ keepAliveSeconds: number }>("/api/admin/settings")).keepAliveSeconds).toBe(before.keepAliveSeconds);
  });
});
