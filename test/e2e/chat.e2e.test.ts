// Chat through the real Worker (wrangler dev) against the fake Gemini API with the
// official OpenAI client: the answer, what reached Google, and the D1 ledger.

import OpenAI from "openai";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { promptTokens } from "../fake-gemini/replies.mjs";
import { d1, fake, openaiClient, seedPool, waitFor, workerUrl, type SeededPool } from "./harness";

const MODEL = "gemini-2.5-flash";
const PROMPT = "Say hello";
const ANSWER = "Hello from fake Gemini";

let pool: SeededPool;
let client: OpenAI;

interface LedgerRow {
  client_key_id: string;
  gemini_key_id: string | null;
  model: string;
  category: string;
  endpoint: string;
  streamed: number;
  status: number;
  outcome: string;
  attempts: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

const chatRows = () =>
  d1<LedgerRow>(
    `SELECT * FROM usage_calls WHERE endpoint = 'chat' AND model = '${MODEL}' AND client_key_id = '${pool.clientKey.id}' ORDER BY id`,
  );

/**
 * The ok calls and their tokens as the charts count them: the key roll-up plus the ledger rows
 * the cron has not folded yet, checked to agree with the client roll-up plus the same tail.
 */
const dailyRequests = async () => {
  const tail = "id > (SELECT through FROM usage_fold WHERE id = 1)";
  const okCalls = (table: string, column: string, id: string) =>
    d1<{ requests: number | null; prompt_tokens: number | null; completion_tokens: number | null }>(
      `SELECT SUM(requests) AS requests, SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens FROM (
         SELECT requests - errors AS requests, prompt_tokens, completion_tokens FROM ${table} WHERE model = '${MODEL}' AND ${column} = '${id}'
         UNION ALL
         SELECT outcome = 'ok', prompt_tokens, completion_tokens FROM usage_calls WHERE ${tail} AND model = '${MODEL}' AND ${column} = '${id}')`,
    );
  const [byKey] = await okCalls("usage_daily", "gemini_key_id", pool.geminiKeys[0]!.id);
  const [byClient] = await okCalls("usage_daily_client", "client_key_id", pool.clientKey.id);
  expect(byClient).toEqual(byKey);
  return byKey ?? { requests: null, prompt_tokens: null, completion_tokens: null };
};

/** Waits (ledger rows are written in waitUntil) until exactly `n` chat rows exist, then checks it stays n. */
async function ledgerSettlesAt(n: number): Promise<LedgerRow[]> {
  await waitFor(async () => (await chatRows()).length >= n, { timeoutMs: 15_000, message: `${n} chat ledger rows` });
  const rows = await chatRows();
  expect(rows).toHaveLength(n);
  return rows;
}

/** The one generate request that reached the fake since the last clear. */
async function upstreamCall() {
  const calls = (await fake.requests()).filter((r) => r.action === "generateContent" || r.action === "streamGenerateContent");
  expect(calls).toHaveLength(1);
  return calls[0]!;
}

beforeAll(async () => {
  await fake.reset();
  // Test files share one Worker: start from an empty pool so the one key below is the only one.
  pool = await seedPool({ geminiKeys: 1, models: [{ id: MODEL, category: "flash" }], clientKeyName: "chat-e2e", replace: true });
  client = openaiClient(pool.clientKey.key);
});

beforeEach(async () => {
  await fake.clearRequests();
});

describe("chat completions through the Worker", () => {
  it("non-streamed: the fake's answer comes back, Google saw a clean request, one ledger row and one roll-up increment", async () => {
    const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: PROMPT }] });

    expect(completion.object).toBe("chat.completion");
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]!.message.role).toBe("assistant");
    expect(completion.choices[0]!.message.content).toBe(ANSWER);
    expect(completion.choices[0]!.finish_reason).toBe("stop");

    const upstream = await upstreamCall();
    expect(upstream.method).toBe("POST");
    expect(upstream.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(upstream.apiKey).toBe(pool.geminiKeys[0]!.key);
    expect(upstream.keyInQuery).toBe(false);
    expect(upstream.query).not.toHaveProperty("key");
    expect(upstream.status).toBe(200);
    const body = upstream.body as { contents: unknown[] };
    expect(body.contents).toEqual([{ role: "user", parts: [{ text: PROMPT }] }]);

    const expectedPrompt = promptTokens(body);
    expect(completion.usage).toMatchObject({
      prompt_tokens: expectedPrompt,
      completion_tokens: 6,
      total_tokens: expectedPrompt + 6,
    });

    const [row] = await ledgerSettlesAt(1);
    expect(row).toMatchObject({
      client_key_id: pool.clientKey.id,
      gemini_key_id: pool.geminiKeys[0]!.id,
      category: "flash",
      streamed: 0,
      status: 200,
      outcome: "ok",
      attempts: 1,
      prompt_tokens: expectedPrompt,
      completion_tokens: 6,
    });
    expect(await dailyRequests()).toEqual({ requests: 1, prompt_tokens: expectedPrompt, completion_tokens: 6 });
  });

  it("streamed: deltas add up to the answer, the usage chunk has no choices, Google saw alt=sse, one more row", async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: PROMPT }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    expect(text).toBe(ANSWER);
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === "stop")).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);

    const upstream = await upstreamCall();
    expect(upstream.path).toBe(`/v1beta/models/${MODEL}:streamGenerateContent`);
    expect(upstream.query).toEqual({ alt: "sse" });
    expect(upstream.apiKey).toBe(pool.geminiKeys[0]!.key);
    expect(upstream.keyInQuery).toBe(false);
    const expectedPrompt = promptTokens(upstream.body);
    expect(last.usage).toMatchObject({ prompt_tokens: expectedPrompt, completion_tokens: 6, total_tokens: expectedPrompt + 6 });

    const rows = await ledgerSettlesAt(2);
    expect(rows[1]).toMatchObject({ streamed: 1, status: 200, outcome: "ok", gemini_key_id: pool.geminiKeys[0]!.id });
    expect((await dailyRequests()).requests).toBe(2);
  });

  it("/v1/models lists exactly the configured model", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual([MODEL]);
    expect(models.data[0]!.object).toBe("model");
  });

  it("forwards each upstream event as it arrives (no buffering of the stream)", async () => {
    await fake.reply({ chunkDelayMs: 400 });
    try {
      const started = Date.now();
      const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: PROMPT }], stream: true });
      const arrivals: Array<{ at: number; text: string }> = [];
      for await (const chunk of stream) {
        const text = chunk.choices[0]?.delta?.content;
        if (text) arrivals.push({ at: Date.now() - started, text });
      }
      expect(arrivals.map((a) => a.text).join("")).toBe(ANSWER);
      expect(arrivals.length).toBeGreaterThanOrEqual(3);
      // The fake sends 3 events 400 ms apart: the first must reach the client long before the last.
      expect(arrivals.at(-1)!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(600);
    } finally {
      await fake.reply({});
    }
  });

  it("a bad client key gets 401 invalid_api_key in OpenAI's error shape", async () => {
    const bad = openaiClient("sk-not-a-real-key");
    const error = await bad.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: PROMPT }] }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.code).toBe("invalid_api_key");

    const raw = await fetch(`${workerUrl()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-not-a-real-key", "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: PROMPT }] }),
    });
    expect(raw.status).toBe(401);
    const body = await raw.json();
    expect(Object.keys(body)).toEqual(["error"]);
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(body.error.code).toBe("invalid_api_key");
    expect(typeof body.error.message).toBe("string");
    expect((await fake.requests()).length).toBe(0);
  });
});
