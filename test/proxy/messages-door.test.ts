import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_REQUEST_BYTES } from "../../src/proxy/read-body";
import { DUMMY_THOUGHT_SIGNATURE } from "../../src/openai/messages";
import { fakeGoogle, geminiText, googleError, reply, sse, type UpstreamCall } from "../helpers/fake-google";
import { internalError, overloaded, perMinute429 } from "../helpers/google-replies";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { callWorker, ledgerRows } from "./call";

// POST /v1/messages and /v1/messages/count_tokens through the whole Worker: client key, pool,
// failover, ledger, with Google faked at the fetch boundary.

const KEY_A = fakeGeminiKey("A");
const KEY_B = fakeGeminiKey("B");
const FLASH = "gemini-2.5-flash";
const GEMINI_3 = "gemini-3-pro-preview";
const WEATHER = { name: "get_weather", description: "Weather for a city", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

type Body = Record<string, unknown>;
type Block = Record<string, any>;
type Event = { event: string; data: Record<string, any> };

function messagesBody(extra: Body = {}): Body {
  return { model: FLASH, max_tokens: 1024, messages: [{ role: "user", content: "Hi" }], ...extra };
}

async function post(key: string, body: Body | string, { path = "/v1/messages", auth = "x-api-key" }: { path?: string; auth?: "x-api-key" | "bearer" } = {}) {
  const headers: Record<string, string> = { "anthropic-version": "2023-06-01", "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14" };
  if (auth === "x-api-key") headers["x-api-key"] = key;
  else headers.authorization = `Bearer ${key}`;
  return callWorker(path, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

function events(text: string): Event[] {
  return text
    .split("\n\n")
    .filter((chunk) => chunk.startsWith("event: "))
    .map((chunk) => {
      const [eventLine, dataLine] = chunk.split("\n");
      return { event: eventLine!.slice("event: ".length), data: JSON.parse(dataLine!.slice("data: ".length)) };
    });
}

const candidate = (parts: object[], finishReason?: string) => ({
  candidates: [{ content: { role: "model", parts }, index: 0, ...(finishReason ? { finishReason } : {}) }],
  usageMetadata: { promptTokenCount: 11, candidatesTokenCount: 4, totalTokenCount: 15 },
});

function generateCalls(calls: UpstreamCall[]): UpstreamCall[] {
  return calls.filter((c) => /:(stream)?[gG]enerateContent$/.test(c.url.pathname));
}

async function seed(models: string[] = [FLASH], keys = [{ id: "a", secret: KEY_A }]) {
  return seedProxy({ geminiKeys: keys, models: models.map((id) => ({ id, category: id.includes("pro") ? "pro" : "flash", dailyQuota: null, individualQuota: null })) });
}

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM usage_calls").run();
  await env.DB.prepare("DELETE FROM thought_signatures").run();
});
afterEach(() => vi.restoreAllMocks());

describe("POST /v1/messages, not streamed", () => {
  it("answers a message object, with the key as x-api-key or Bearer, ?beta=true accepted, and one ledger row per call", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(geminiText("Hello there")));
    const first = await post(client, messagesBody());
    expect(first.response.status, first.text).toBe(200);
    expect(JSON.parse(first.text)).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: "message",
      role: "assistant",
      model: FLASH,
      content: [{ type: "text", text: "Hello there" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    const second = await post(client, messagesBody(), { path: "/v1/messages?beta=true", auth: "bearer" });
    expect(second.response.status, second.text).toBe(200);
    expect(calls.map((c) => c.url.pathname)).toEqual([`/v1beta/models/${FLASH}:generateContent`, `/v1beta/models/${FLASH}:generateContent`]);
    expect(calls[0]!.apiKey).toBe(KEY_A);
    const rows = await ledgerRows();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ endpoint: "messages", model: FLASH, gemini_key_id: "a", outcome: "ok", status: 200, streamed: 0, served: 1, prompt_tokens: 5, completion_tokens: 7 });
  });

  it("sends system blocks and a system-role message as the system instruction, in order", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(geminiText("ok")));
    await post(
      client,
      messagesBody({
        system: [{ type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral" } }],
        messages: [
          { role: "system", content: "Reply in French." },
          { role: "user", content: [{ type: "text", text: "Hi", cache_control: { type: "ephemeral" } }] },
        ],
        metadata: { user_id: "user_abc" },
        context_management: { edits: [] },
      }),
    );
    expect(calls[0]!.body).toMatchObject({
      systemInstruction: { parts: [{ text: "You are Claude Code." }, { text: "Reply in French." }] },
      contents: [{ role: "user", parts: [{ text: "Hi" }] }],
      generationConfig: { maxOutputTokens: 1024 },
    });
  });

  it("answers each stop reason", async () => {
    const client = await seed();
    const answers: Array<[object, Body, string]> = [
      [candidate([{ text: "done" }], "STOP"), {}, "end_turn"],
      [candidate([{ text: "cut" }], "MAX_TOKENS"), {}, "max_tokens"],
      [candidate([{ text: "1, 2, " }], "STOP"), { stop_sequences: ["3"] }, "stop_sequence"],
      [candidate([{ functionCall: { name: "get_weather", args: { city: "Paris" } } }], "STOP"), { tools: [WEATHER] }, "tool_use"],
      [candidate([{ text: "" }], "SAFETY"), {}, "refusal"],
      [{ promptFeedback: { blockReason: "PROHIBITED_CONTENT" }, usageMetadata: { promptTokenCount: 3, totalTokenCount: 3 } }, {}, "refusal"],
    ];
    for (const [answer, extra, stopReason] of answers) {
      fakeGoogle(() => Response.json(answer));
      const { response, text } = await post(client, messagesBody(extra));
      expect(response.status, text).toBe(200);
      expect(JSON.parse(text).stop_reason, JSON.stringify(answer)).toBe(stopReason);
      vi.restoreAllMocks();
    }
    expect(await ledgerRows()).toHaveLength(answers.length);
  });

  it("sends images (base64 and fetched URLs) and a PDF inline", async () => {
    const client = await seed();
    const calls = fakeGoogle((call) => {
      if (call.url.hostname === "images.example") return new Response(new Uint8Array([137, 80, 78, 71]), { headers: { "content-type": "image/png" } });
      return Response.json(geminiText("A cat"));
    });
    const { response, text } = await post(
      client,
      messagesBody({
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
              { type: "image", source: { type: "url", url: "https://images.example/cat.png" } },
              { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0x" } },
              { type: "text", text: "What is this?" },
            ],
          },
        ],
      }),
    );
    expect(response.status, text).toBe(200);
    expect(generateCalls(calls)[0]!.body).toMatchObject({
      contents: [
        {
          role: "user",
          parts: [
            { inlineData: { mimeType: "image/jpeg", data: "/9j/4AAQ" } },
            { inlineData: { mimeType: "image/png", data: "iVBORw==" } },
            { inlineData: { mimeType: "application/pdf", data: "JVBERi0x" } },
            { text: "What is this?" },
          ],
        },
      ],
    });
  });

  it("maps tool_choice to Gemini's calling mode", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(geminiText("ok")));
    for (const tool_choice of [{ type: "auto" }, { type: "any" }, { type: "tool", name: "get_weather" }, { type: "none" }]) {
      await post(client, messagesBody({ tools: [WEATHER], tool_choice }));
    }
    expect(calls.map((c) => (c.body as { toolConfig: object }).toolConfig)).toEqual([
      { functionCallingConfig: { mode: "AUTO" } },
      { functionCallingConfig: { mode: "ANY" } },
      { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } },
      { functionCallingConfig: { mode: "NONE" } },
    ]);
    const unknown = await post(client, messagesBody({ tools: [WEATHER], tool_choice: { type: "tool", name: "nope" } }));
    expect(unknown.response.status).toBe(400);
    expect(JSON.parse(unknown.text)).toEqual({ type: "error", error: { type: "invalid_request_error", message: expect.stringContaining("nope") } });
  });
});

describe("POST /v1/messages, streamed", () => {
  it("sends the events in Anthropic's order, text deltas adding up to the answer, and one ledger row", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => sse([candidate([{ text: "Hel" }]), candidate([{ text: "lo" }], "STOP")]));
    const { response, text } = await post(client, messagesBody({ stream: true }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(calls[0]!.url.pathname).toBe(`/v1beta/models/${FLASH}:streamGenerateContent`);
    const stream = events(text);
    expect(stream.map((e) => e.event)).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    for (const e of stream) expect(e.data.type).toBe(e.event);
    expect(stream[0]!.data.message).toMatchObject({ role: "assistant", model: FLASH, content: [], stop_reason: null, usage: { input_tokens: 11 } });
    expect(stream.filter((e) => e.event === "content_block_delta").map((e) => e.data.delta.text).join("")).toBe("Hello");
    expect(stream[5]!.data).toMatchObject({ delta: { stop_reason: "end_turn" }, usage: { output_tokens: 4 } });
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "messages", streamed: 1, outcome: "ok", prompt_tokens: 11, completion_tokens: 4 });
    expect(rows[0]!.ttfb_ms).not.toBeNull();
  });

  it("streams a tool call as a tool_use block with input_json_delta", async () => {
    const client = await seed();
    fakeGoogle(() => sse([candidate([{ text: "Let me check." }]), candidate([{ functionCall: { name: "get_weather", args: { city: "Paris" } } }]), candidate([{ text: "" }], "STOP")]));
    const { text } = await post(client, messagesBody({ stream: true, tools: [WEATHER] }));
    const stream = events(text);
    const starts = stream.filter((e) => e.event === "content_block_start").map((e) => e.data.content_block);
    expect(starts).toEqual([{ type: "text", text: "" }, { type: "tool_use", id: expect.stringMatching(/^toolu_/), name: "get_weather", input: {} }]);
    const json = stream.filter((e) => e.data.delta?.type === "input_json_delta").map((e) => e.data.delta.partial_json);
    expect(JSON.parse(json.join(""))).toEqual({ city: "Paris" });
    expect(stream.at(-2)!.data.delta.stop_reason).toBe("tool_use");
  });

  it("ends with an error event, never a silent cut, when Google fails after the first byte", async () => {
    const client = await seed();
    fakeGoogle(() => sse([candidate([{ text: "Partial" }]), { error: { code: 500, message: "Internal error encountered.", status: "INTERNAL" } }]));
    const { response, text } = await post(client, messagesBody({ stream: true }));
    expect(response.status).toBe(200);
    const stream = events(text);
    expect(stream[0]!.event).toBe("message_start");
    expect(stream.at(-1)).toEqual({ event: "error", data: { type: "error", error: { type: "api_error", message: expect.stringContaining("Internal error encountered") } } });
    expect(stream.some((e) => e.event === "message_stop")).toBe(false);
    expect((await ledgerRows())[0]).toMatchObject({ outcome: "upstream_error", streamed: 1, served: 1 });
  });

  it("names Google's overload mid-stream as overloaded_error", async () => {
    const client = await seed();
    fakeGoogle(() => sse([candidate([{ text: "Partial" }]), { error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } }]));
    const { text } = await post(client, messagesBody({ stream: true }));
    expect(events(text).at(-1)!.data).toEqual({ type: "error", error: { type: "overloaded_error", message: expect.stringContaining("overloaded") } });
  });

  it("fails over to another key before the first byte", async () => {
    const client = await seed([FLASH], [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }]);
    vi.spyOn(Math, "random").mockReturnValue(0); // the pool tries key a first
    const calls = fakeGoogle(({ apiKey, url }) => {
      if (apiKey === KEY_A) return reply(perMinute429);
      const answer = candidate([{ text: "from B" }], "STOP");
      return url.pathname.endsWith(":streamGenerateContent") ? sse([answer]) : Response.json(answer);
    });
    for (const stream of [true, false]) {
      const { response, text } = await post(client, messagesBody({ stream }));
      expect(response.status, text).toBe(200);
      expect(text).toContain("from B");
    }
    expect(calls.filter((c) => c.apiKey === KEY_A)).toHaveLength(1);
    const rows = await ledgerRows();
    expect(rows.map((r) => [r.gemini_key_id, r.attempts])).toEqual([["b", 2], ["b", 1]]);
  });

  it("sends ping events while Gemini is silent", async () => {
    const client = await seedProxy({
      geminiKeys: [{ id: "a", secret: KEY_A }],
      models: [{ id: FLASH, category: "flash", dailyQuota: null, individualQuota: null }],
      settings: { keepAliveSeconds: 1 },
    });
    const encoder = new TextEncoder();
    fakeGoogle(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async start(controller) {
              controller.enqueue(encoder.encode(`data: ${JSON.stringify(candidate([{ text: "slow" }]))}\r\n\r\n`));
              await new Promise((resolve) => setTimeout(resolve, 2_500));
              controller.enqueue(encoder.encode(`data: ${JSON.stringify(candidate([{ text: " answer" }], "STOP"))}\r\n\r\n`));
              controller.close();
            },
          }),
          { headers: { "content-type": "text/event-stream" } },
        ),
    );
    const { text } = await post(client, messagesBody({ stream: true }));
    const stream = events(text);
    const pings = stream.filter((e) => e.event === "ping");
    expect(pings.length).toBeGreaterThan(0);
    expect(pings[0]!.data).toEqual({ type: "ping" });
    // between the text deltas, never inside the message's framing
    const names = stream.map((e) => e.event).filter((name) => name !== "ping");
    expect(names).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
  });

  it("during a long silence from Google: keep-alives from the pipeline, then Anthropic's error event when every attempt fails", async () => {
    const client = await seedProxy({
      geminiKeys: [{ id: "a", secret: KEY_A }],
      models: [{ id: FLASH, category: "flash", dailyQuota: null, individualQuota: null }],
      settings: { keepAliveSeconds: 1 },
    });
    fakeGoogle(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      return reply(overloaded);
    });
    const { response, text } = await post(client, messagesBody({ stream: true }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const stream = events(text);
    expect(stream).toEqual([{ event: "error", data: { type: "error", error: { type: "overloaded_error", message: expect.any(String) } } }]);
    expect((await ledgerRows())[0]).toMatchObject({ endpoint: "messages", streamed: 1, outcome: "upstream_error", error_code: "overloaded" });
  });

  it("answers the same call again without streaming, as Claude Code does when no message_start came", async () => {
    const client = await seed();
    fakeGoogle(({ url }) => (url.pathname.endsWith(":streamGenerateContent") ? sse([candidate([{ text: "streamed" }], "STOP")]) : Response.json(geminiText("whole"))));
    const streamed = await post(client, messagesBody({ stream: true }));
    const repeated = await post(client, messagesBody({ stream: false }));
    expect(events(streamed.text).some((e) => e.data.delta?.text === "streamed")).toBe(true);
    expect(JSON.parse(repeated.text).content).toEqual([{ type: "text", text: "whole" }]);
  });
});

describe("tools and thought signatures", () => {
  it("sends a tool_result back as the functionResponse of its call", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json(geminiText("21 C in Paris")));
    await post(
      client,
      messagesBody({
        tools: [WEATHER],
        messages: [
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris" } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: [{ type: "text", text: "21 C" }] }] },
        ],
      }),
    );
    expect((calls[0]!.body as { contents: object[] }).contents.slice(1)).toEqual([
      { role: "model", parts: [{ functionCall: { id: "toolu_01", name: "get_weather", args: { city: "Paris" } } }] },
      { role: "user", parts: [{ functionResponse: { id: "toolu_01", name: "get_weather", response: { output: "21 C" } } }] },
    ]);
  });

  /**
   * A 10-turn agent loop on Gemini 3, the client replaying the assistant content it got as
   * Claude Code does. Google issues a new signature with each call; every request must carry
   * each issued signature on its call, never the dummy. `keepThinking: false` stands for a
   * client that drops thinking blocks (or did not ask for thinking): the D1 memory carries them.
   */
  async function toolLoop(thinking: object | undefined, keepThinking: boolean, stream: boolean): Promise<void> {
    const client = await seed([GEMINI_3]);
    let turn = 0;
    const calls = fakeGoogle(() => {
      turn++;
      const parts = [{ text: `Thinking about step ${turn}`, thought: true }, { functionCall: { name: "get_weather", args: { city: `City ${turn}` } }, thoughtSignature: `sig-${turn}` }];
      return stream ? sse([candidate(parts.slice(0, 1)), candidate(parts.slice(1), "STOP")]) : Response.json(candidate(parts, "STOP"));
    });
    const messages: Body[] = [{ role: "user", content: "Check ten cities, one at a time." }];
    const issued = new Map<string, string>();
    for (let i = 1; i <= 10; i++) {
      const { response, text } = await post(client, { model: GEMINI_3, max_tokens: 32_000, stream, tools: [WEATHER], messages, ...(thinking ? { thinking } : {}) });
      expect(response.status, text).toBe(200);
      const content: Block[] = stream ? accumulated(events(text)) : JSON.parse(text).content;
      const toolUse = content.find((b) => b.type === "tool_use")!;
      expect(toolUse).toMatchObject({ name: "get_weather", input: { city: `City ${i}` } });
      issued.set(toolUse.id, `sig-${i}`);
      if (thinking) expect(content.find((b) => b.type === "thinking")).toMatchObject({ signature: `sig-${i}` });
      else expect(content.some((b) => b.type === "thinking")).toBe(false);
      messages.push({ role: "assistant", content: keepThinking ? content : content.filter((b) => b.type !== "thinking") });
      messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: toolUse.id, content: `weather ${i}` }] });

      const sent = (generateCalls(calls).at(-1)!.body as { contents: Array<{ parts: Block[] }> }).contents.flatMap((c) => c.parts).filter((p) => p.functionCall);
      expect(sent).toHaveLength(i - 1);
      for (const part of sent) {
        expect(part.thoughtSignature).not.toBe(DUMMY_THOUGHT_SIGNATURE);
        expect(part.thoughtSignature).toBe(issued.get(part.functionCall.id));
      }
    }
    const rows = await ledgerRows();
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.outcome === "ok" && r.endpoint === "messages")).toBe(true);
  }

  function accumulated(stream: Event[]): Block[] {
    const blocks: Block[] = [];
    const json: string[] = [];
    for (const { data } of stream) {
      if (data.type === "content_block_start") blocks[data.index] = { ...data.content_block };
      if (data.type === "content_block_delta") {
        const block = blocks[data.index]!;
        if (data.delta.type === "thinking_delta") block.thinking += data.delta.thinking;
        if (data.delta.type === "signature_delta") block.signature = data.delta.signature;
        if (data.delta.type === "text_delta") block.text += data.delta.text;
        if (data.delta.type === "input_json_delta") json[data.index] = (json[data.index] ?? "") + data.delta.partial_json;
      }
      if (data.type === "content_block_stop" && json[data.index] !== undefined) blocks[data.index]!.input = JSON.parse(json[data.index]!);
    }
    return blocks;
  }

  it("sends Google's issued signature back on every call of a 10-turn Gemini 3 tool loop, from the thinking blocks", async () => {
    await toolLoop({ type: "adaptive" }, true, true);
  });

  it("does the same from the signature memory when the client keeps no thinking blocks", async () => {
    await toolLoop(undefined, false, false);
  });

  it("sends the thinking block's signature when the memory has none", async () => {
    const client = await seed([GEMINI_3]);
    const calls = fakeGoogle(() => Response.json(geminiText("done")));
    await post(client, {
      model: GEMINI_3,
      max_tokens: 1024,
      tools: [WEATHER],
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: [{ type: "thinking", thinking: "I should call it", signature: "carried-by-client" }, { type: "tool_use", id: "toolu_x", name: "get_weather", input: { city: "Oslo" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_x", content: "cold" }] },
      ],
    });
    const model = (calls[0]!.body as { contents: Array<{ role: string; parts: Block[] }> }).contents[1]!;
    expect(model.parts).toEqual([{ functionCall: { id: "toolu_x", name: "get_weather", args: { city: "Oslo" } }, thoughtSignature: "carried-by-client" }]);
  });
});

describe("POST /v1/messages/count_tokens", () => {
  it("asks Google's countTokens, makes no generate call and charges no key", async () => {
    const client = await seed();
    const calls = fakeGoogle(() => Response.json({ totalTokens: 42, promptTokensDetails: [{ modality: "TEXT", tokenCount: 42 }] }));
    const { response, text } = await post(client, { model: FLASH, system: "Be brief.", tools: [WEATHER], messages: [{ role: "user", content: "Hi" }] }, { path: "/v1/messages/count_tokens?beta=true" });
    expect(response.status, text).toBe(200);
    expect(JSON.parse(text)).toEqual({ input_tokens: 42 });
    expect(calls.map((c) => c.url.pathname)).toEqual([`/v1beta/models/${FLASH}:countTokens`]);
    expect(calls[0]!.body).toMatchObject({ generateContentRequest: { model: `models/${FLASH}`, systemInstruction: { parts: [{ text: "Be brief." }] } } });
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "messages:count_tokens", served: 0, outcome: "ok", prompt_tokens: 0 });
  });
});

describe("errors in Anthropic's shape", () => {
  const shape = (type: string) => ({ type: "error", error: { type, message: expect.any(String) } });

  it("401 authentication_error for a missing or wrong key, before anything is parsed", async () => {
    await seed();
    const calls = fakeGoogle(() => Response.json(geminiText("never")));
    const wrong = await post("sk-wrong", messagesBody());
    expect(wrong.response.status).toBe(401);
    expect(JSON.parse(wrong.text)).toEqual(shape("authentication_error"));
    const missing = await callWorker("/v1/messages/count_tokens", { method: "POST", body: JSON.stringify(messagesBody()) });
    expect(missing.response.status).toBe(401);
    expect(JSON.parse(missing.text)).toEqual(shape("authentication_error"));
    expect(calls).toHaveLength(0);
  });

  it("400 invalid_request_error, 404 not_found_error (model, path), 413 request_too_large", async () => {
    const client = await seed();
    fakeGoogle(() => Response.json(geminiText("never")));
    for (const body of ["{not json", "[]", JSON.stringify({ model: FLASH, messages: [] }), JSON.stringify(messagesBody({ messages: [{ role: "wizard", content: "x" }] }))]) {
      const bad = await post(client, body);
      expect(bad.response.status, body).toBe(400);
      expect(JSON.parse(bad.text)).toEqual(shape("invalid_request_error"));
    }
    const model = await post(client, messagesBody({ model: "claude-unknown-9" }));
    expect(model.response.status).toBe(404);
    expect(JSON.parse(model.text)).toEqual(shape("not_found_error"));
    const path = await post(client, messagesBody(), { path: "/v1/messages/batches" });
    expect(path.response.status).toBe(404);
    expect(JSON.parse(path.text)).toEqual(shape("not_found_error"));
    const huge = await post(client, JSON.stringify(messagesBody({ messages: [{ role: "user", content: "x".repeat(MAX_REQUEST_BYTES) }] })));
    expect(huge.response.status).toBe(413);
    expect(JSON.parse(huge.text)).toEqual(shape("request_too_large"));
  });

  it("429 rate_limit_error with retry-after, 529 overloaded_error, 500 api_error, each after failing over", async () => {
    const cases: Array<[() => Response, number, string]> = [
      [() => reply(perMinute429), 429, "rate_limit_error"],
      [() => reply(overloaded), 529, "overloaded_error"],
      [() => reply(internalError), 500, "api_error"],
      [() => googleError(400, "INVALID_ARGUMENT", "Unknown name \"foo\""), 400, "invalid_request_error"],
    ];
    for (const [answer, status, type] of cases) {
      // a fresh pool each time: the keys' cool-downs from one case stay out of the next
      const client = await seed([FLASH], [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }]);
      fakeGoogle(answer);
      const { response, text } = await post(client, messagesBody());
      expect(response.status, text).toBe(status);
      expect(JSON.parse(text)).toEqual(shape(type));
      if (status === 429 || status === 529) expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      vi.restoreAllMocks();
    }
    const rows = await ledgerRows();
    expect(rows.map((r) => r.outcome)).toEqual(["rate_limited", "upstream_error", "upstream_error", "client_error"]);
  });
});
