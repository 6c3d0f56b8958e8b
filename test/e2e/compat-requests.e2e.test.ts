// OpenAI compatibility, the request side: messages, content parts and parameters sent with the
// official openai client, plain and streamed, checked in the request the fake Gemini received
// (which itself refuses what Google refuses) and in the answer the SDK parsed.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ask, generateCalls, MODES, scriptedReply, sdkError, upstreamBody, type ChatParams } from "./compat-helpers";
import { fake, openaiClient, seedPool, type SeededPool } from "./harness";

const FLASH = "gemini-2.5-flash";
const PRO_25 = "gemini-2.5-pro";
const GEMINI_3 = "gemini-3-pro-preview";
const ANSWER = "Hello from fake Gemini";
/** A 1x1 PNG. */
const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
/** A minimal PDF header, enough to travel as bytes. */
const PDF_BASE64 = Buffer.from("%PDF-1.4\n%compat test\n").toString("base64");
const WAV_BASE64 = Buffer.from("RIFF\0\0\0\0WAVEfmt ").toString("base64");

let pool: SeededPool;
let client: OpenAI;
let imageServer: Server;
let imageUrl: string;

const hi = (text = "Say hello") => ({ role: "user" as const, content: text });

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({
    geminiKeys: 1,
    models: [FLASH, PRO_25, GEMINI_3],
    clientKeyName: "compat-requests",
    replace: true,
  });
  client = openaiClient(pool.clientKey.key);
  const png = Buffer.from(PNG_BASE64, "base64");
  imageServer = createServer((req, res) => {
    if (req.url === "/pixel.png") {
      res.writeHead(200, { "content-type": "image/png", "content-length": String(png.length) });
      res.end(png);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => imageServer.listen(0, "127.0.0.1", resolve));
  // By this machine's name (loopback here): the Worker refuses literal local addresses (docs/security.md).
  imageUrl = `http://${hostname()}:${(imageServer.address() as AddressInfo).port}/pixel.png`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => imageServer?.close(() => resolve()));
});

beforeEach(async () => {
  await fake.reply({});
  await fake.clearRequests();
});

/** Sends the request in one mode, checks the answer is the fake's text, returns the upstream body. */
async function sent(params: ChatParams, streamed: boolean): Promise<any> {
  const answer = await ask(client, params, streamed);
  expect(answer.choices[0]?.content).toBe(ANSWER);
  const calls = await generateCalls();
  expect(calls).toHaveLength(1);
  expect(calls[0]!.status, JSON.stringify(calls[0]!.response)).toBe(200);
  expect(calls[0]!.action).toBe(streamed ? "streamGenerateContent" : "generateContent");
  return calls[0]!.body;
}

describe.each(MODES)("messages ($name)", ({ streamed }) => {
  it("every system and developer message goes to systemInstruction in order; same-role neighbours merge", async () => {
    const body = await sent(
      {
        model: FLASH,
        messages: [
          { role: "system", content: "S1" },
          { role: "developer", content: "D1" },
          { role: "user", content: "U1" },
          { role: "user", content: [{ type: "text", text: "U2" }] },
          { role: "system", content: [{ type: "text", text: "S2" }] },
          { role: "assistant", content: "A1" },
          { role: "assistant", content: "A2" },
          { role: "user", content: "U3" },
        ],
      },
      streamed,
    );
    expect(body.systemInstruction).toEqual({ parts: [{ text: "S1" }, { text: "D1" }, { text: "S2" }] });
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "U1" }, { text: "U2" }] },
      { role: "model", parts: [{ text: "A1" }, { text: "A2" }] },
      { role: "user", parts: [{ text: "U3" }] },
    ]);
  });

  it("an assistant turn with parallel tool calls, then their results in one user turn in call order", async () => {
    const body = await sent(
      {
        model: FLASH,
        tools: [
          { type: "function", function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
          { type: "function", function: { name: "time", parameters: { type: "object", properties: { zone: { type: "string" } } } } },
        ],
        messages: [
          hi("Weather and time in Paris?"),
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_a", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
              { id: "call_b", type: "function", function: { name: "time", arguments: '{"zone":"CET"}' } },
            ],
          },
          // answered out of order on purpose: Gemini wants them in the order of the calls
          { role: "tool", tool_call_id: "call_b", content: "12:00" },
          { role: "tool", tool_call_id: "call_a", content: '{"temperature":21}' },
        ],
      },
      streamed,
    );
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "Weather and time in Paris?" }] },
      {
        role: "model",
        parts: [
          { functionCall: { id: "call_a", name: "weather", args: { city: "Paris" } } },
          { functionCall: { id: "call_b", name: "time", args: { zone: "CET" } } },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { id: "call_a", name: "weather", response: { temperature: 21 } } },
          { functionResponse: { id: "call_b", name: "time", response: { output: "12:00" } } },
        ],
      },
    ]);
  });
});

describe.each(MODES)("content parts ($name)", ({ streamed }) => {
  it("text, data-URI image, input_audio and a PDF file become text and inlineData parts in order", async () => {
    const body = await sent(
      {
        model: FLASH,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Describe these" },
              { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_BASE64}`, detail: "low" } },
              { type: "input_audio", input_audio: { data: WAV_BASE64, format: "wav" } },
              { type: "file", file: { file_data: `data:application/pdf;base64,${PDF_BASE64}`, filename: "doc.pdf" } },
            ],
          },
        ],
      },
      streamed,
    );
    expect(body.contents).toEqual([
      {
        role: "user",
        parts: [
          { text: "Describe these" },
          { inlineData: { mimeType: "image/png", data: PNG_BASE64 } },
          { inlineData: { mimeType: "audio/wav", data: WAV_BASE64 } },
          { inlineData: { mimeType: "application/pdf", data: PDF_BASE64 } },
        ],
      },
    ]);
  });

  it("an http image URL is downloaded by the Worker and sent as inlineData with the same bytes", async () => {
    const body = await sent(
      { model: FLASH, messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: imageUrl } }] }] },
      streamed,
    );
    expect(body.contents[0].parts).toEqual([{ text: "What is this?" }, { inlineData: { mimeType: "image/png", data: PNG_BASE64 } }]);
  });
});

describe("content parts that cannot be sent", () => {
  it.each(MODES)("an unreachable image URL is a 400 invalid_image_url and Google is not called ($name)", async ({ streamed }) => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadUrl = `http://${hostname()}:${(closed.address() as AddressInfo).port}/gone.png`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await sdkError(
      client.chat.completions.create({
        model: FLASH,
        stream: streamed,
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: deadUrl } }] }],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.type).toBe("invalid_request_error");
    expect(error.code).toBe("invalid_image_url");
    expect(await generateCalls()).toHaveLength(0);
  });

  it.each(MODES)("an unknown content-part type is a 400 naming the part, never dropped ($name)", async ({ streamed }) => {
    const error = await sdkError(
      client.chat.completions.create({
        model: FLASH,
        stream: streamed,
        messages: [{ role: "user", content: [{ type: "text", text: "hi" }, { type: "video_url", video_url: { url: "x" } } as never] }],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.type).toBe("invalid_request_error");
    expect(error.param).toBe("messages[0].content[1].type");
    expect(await generateCalls()).toHaveLength(0);
  });

  it.each(MODES)("an unknown message role is a 400 naming the role ($name)", async ({ streamed }) => {
    const error = await sdkError(
      client.chat.completions.create({
        model: FLASH,
        stream: streamed,
        messages: [hi(), { role: "function", name: "f", content: "x" } as never],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.type).toBe("invalid_request_error");
    expect(error.param).toBe("messages[1].role");
    expect(await generateCalls()).toHaveLength(0);
  });
});

const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather",
    strict: true,
    parameters: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: { city: { type: "string" }, unit: { type: ["string", "null"], enum: ["c", "f", null] } },
      required: ["city", "unit"],
      additionalProperties: false,
    },
  },
};

interface ParameterCase {
  name: string;
  params: Partial<ChatParams> & Record<string, unknown>;
  model?: string;
  check: (body: any) => void;
}

const PARAMETER_CASES: ParameterCase[] = [
  {
    name: "temperature 0 and top_p 0 arrive as 0",
    params: { temperature: 0, top_p: 0 },
    check: (b) => {
      expect(b.generationConfig.temperature).toBe(0);
      expect(b.generationConfig.topP).toBe(0);
    },
  },
  { name: "max_tokens → maxOutputTokens", params: { max_tokens: 77 }, check: (b) => expect(b.generationConfig.maxOutputTokens).toBe(77) },
  {
    name: "max_completion_tokens wins over max_tokens",
    params: { max_tokens: 77, max_completion_tokens: 55 },
    check: (b) => expect(b.generationConfig.maxOutputTokens).toBe(55),
  },
  { name: "stop string → stopSequences", params: { stop: "END" }, check: (b) => expect(b.generationConfig.stopSequences).toEqual(["END"]) },
  { name: "stop array → stopSequences", params: { stop: ["a", "b"] }, check: (b) => expect(b.generationConfig.stopSequences).toEqual(["a", "b"]) },
  { name: "seed", params: { seed: 42 }, check: (b) => expect(b.generationConfig.seed).toBe(42) },
  {
    name: "presence and frequency penalties",
    params: { presence_penalty: 0.5, frequency_penalty: -0.5 },
    check: (b) => expect(b.generationConfig).toMatchObject({ presencePenalty: 0.5, frequencyPenalty: -0.5 }),
  },
  { name: "top_k as an extra body field", params: { top_k: 40 }, check: (b) => expect(b.generationConfig.topK).toBe(40) },
  {
    name: "response_format json_object",
    params: { response_format: { type: "json_object" } },
    check: (b) => {
      expect(b.generationConfig.responseMimeType).toBe("application/json");
      expect(b.generationConfig.responseJsonSchema).toBeUndefined();
    },
  },
  {
    name: "response_format json_schema with $schema/additionalProperties → responseJsonSchema",
    params: {
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "answer",
          strict: true,
          schema: {
            $schema: "http://json-schema.org/draft-07/schema#",
            type: "object",
            properties: { greeting: { type: "string" } },
            required: ["greeting"],
            additionalProperties: false,
          },
        },
      },
    },
    check: (b) => {
      expect(b.generationConfig.responseMimeType).toBe("application/json");
      expect(b.generationConfig.responseJsonSchema).toEqual({
        type: "object",
        properties: { greeting: { type: "string" } },
        required: ["greeting"],
        additionalProperties: false,
      });
      expect(b.generationConfig.responseSchema).toBeUndefined();
    },
  },
  {
    name: "a tool schema with $schema/additionalProperties travels in parametersJsonSchema",
    params: { tools: [WEATHER_TOOL] },
    check: (b) => {
      expect(b.tools).toHaveLength(1);
      const [declaration] = b.tools[0].functionDeclarations;
      expect(declaration).toEqual({
        name: "get_weather",
        description: "Current weather",
        parametersJsonSchema: {
          type: "object",
          properties: { city: { type: "string" }, unit: { type: ["string", "null"], enum: ["c", "f", null] } },
          required: ["city", "unit"],
          additionalProperties: false,
        },
      });
    },
  },
  {
    name: "tool_choice auto → AUTO",
    params: { tools: [WEATHER_TOOL], tool_choice: "auto" },
    check: (b) => expect(b.toolConfig).toEqual({ functionCallingConfig: { mode: "AUTO" } }),
  },
  {
    name: "tool_choice none → NONE",
    params: { tools: [WEATHER_TOOL], tool_choice: "none" },
    check: (b) => expect(b.toolConfig).toEqual({ functionCallingConfig: { mode: "NONE" } }),
  },
  {
    name: "tool_choice required → ANY",
    params: { tools: [WEATHER_TOOL], tool_choice: "required" },
    check: (b) => expect(b.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } }),
  },
  {
    name: "tool_choice named → ANY + allowedFunctionNames",
    params: { tools: [WEATHER_TOOL], tool_choice: { type: "function", function: { name: "get_weather" } } },
    check: (b) => expect(b.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } }),
  },
  {
    name: "reasoning_effort on gemini-2.5 → thinkingBudget only",
    params: { reasoning_effort: "low" },
    check: (b) => expect(b.generationConfig.thinkingConfig).toEqual({ thinkingBudget: 1024, includeThoughts: true }),
  },
  {
    name: "reasoning_effort on gemini-3 → thinkingLevel only",
    model: GEMINI_3,
    params: { reasoning_effort: "high" },
    check: (b) => {
      const thinking = b.generationConfig.thinkingConfig;
      expect(thinking.thinkingBudget).toBeUndefined();
      expect(String(thinking.thinkingLevel).toLowerCase()).toBe("high");
      expect(thinking.includeThoughts).toBe(true);
    },
  },
  {
    name: "reasoning_effort none on 2.5 Flash → thinkingBudget 0, no thoughts asked",
    params: { reasoning_effort: "none" },
    check: (b) => {
      expect(b.generationConfig.thinkingConfig.thinkingBudget).toBe(0);
      expect(b.generationConfig.thinkingConfig.thinkingLevel).toBeUndefined();
      expect(b.generationConfig.thinkingConfig.includeThoughts ?? false).toBe(false);
    },
  },
  {
    // cached_content is pinned to the key that made the cache (test/e2e/files, test/files): a made-up name is a 404 now.
    name: "extra_body.google thinking_config include_thoughts, safety_settings (merged into the body)",
    params: {
      google: {
        thinking_config: { include_thoughts: true },
        safety_settings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_ONLY_HIGH" }],
      },
    },
    check: (b) => {
      expect(b.generationConfig.thinkingConfig).toEqual({ includeThoughts: true });
      expect(b.safetySettings).toEqual([{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_ONLY_HIGH" }]);
    },
  },
  {
    name: "extra_body.google nested as extra_body",
    params: { extra_body: { google: { thinking_config: { include_thoughts: true } } } },
    check: (b) => {
      expect(b.generationConfig.thinkingConfig.includeThoughts).toBe(true);
    },
  },
];

describe.each(MODES)("parameters ($name)", ({ streamed }) => {
  it.each(PARAMETER_CASES)("$name", async ({ params, model, check }) => {
    const body = await sent({ model: model ?? FLASH, messages: [hi()], ...params } as ChatParams, streamed);
    check(body);
  });

  it("n=2 → candidateCount 2, and both candidates come back as two choices", async () => {
    await fake.reply({ fixture: twoCandidatesFixture(streamed) });
    const answer = await ask(client, { model: FLASH, messages: [hi()], n: 2 }, streamed);
    expect(answer.choices.map((c) => [c.index, c.content, c.finishReason])).toEqual([
      [0, "First answer", "stop"],
      [1, "Second answer", "stop"],
    ]);
    expect((await upstreamBody()).generationConfig.candidateCount).toBe(2);
  });

  it("reasoning_effort none is refused on Gemini 3 and 2.5 Pro before any key is used", async () => {
    for (const model of [GEMINI_3, PRO_25]) {
      const error = await sdkError(client.chat.completions.create({ model, messages: [hi()], reasoning_effort: "none", stream: streamed }));
      expect(error.status, model).toBe(400);
      expect(error.param, model).toBe("reasoning_effort");
    }
    expect(await generateCalls()).toHaveLength(0);
  });
});

let twoCandidates: { streamed: string; plain: string } | undefined;
/** Two candidates: interleaved over two events when streamed, whole in one plain response. */
function twoCandidatesFixture(streamed: boolean): string {
  const candidate = (index: number, text: string, finish?: string) => ({
    content: { role: "model", parts: [{ text }] },
    index,
    ...(finish ? { finishReason: finish } : {}),
  });
  const usageMetadata = { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 };
  twoCandidates ??= scriptedReply(
    "two-candidates",
    [
      { candidates: [candidate(0, "First "), candidate(1, "Second ")], modelVersion: FLASH, responseId: "compat-n2" },
      { candidates: [candidate(0, "answer", "STOP"), candidate(1, "answer", "STOP")], usageMetadata, modelVersion: FLASH, responseId: "compat-n2" },
    ],
    {
      candidates: [candidate(0, "First answer", "STOP"), candidate(1, "Second answer", "STOP")],
      usageMetadata,
      modelVersion: FLASH,
      responseId: "compat-n2",
    },
  );
  return streamed ? twoCandidates.streamed : twoCandidates.plain;
}
