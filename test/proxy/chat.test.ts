import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { foldLedger } from "../../src/usage/fold";
import { fakeGoogle, geminiText, googleError, reply, sse } from "../helpers/fake-google";
import { apiKeyInvalid, overloaded, perMinute429 } from "../helpers/google-replies";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { callWorker, chatBody, ledgerRows } from "./call";

const KEY_A = fakeGeminiKey("A");
const KEY_B = fakeGeminiKey("B");

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM usage_calls").run();
  for (const table of ["usage_daily", "usage_daily_client", "usage_daily_outcome", "usage_latency"]) await env.DB.prepare(`DELETE FROM ${table}`).run();
  // Ledger ids start over once the table is empty: the fold cursor (and the counts that read it) too.
  await env.DB.prepare("UPDATE usage_fold SET through = 0, folded_at = 0 WHERE id = 1").run();
});
afterEach(() => vi.restoreAllMocks());

describe("POST /v1/chat/completions", () => {
  it("answers a plain chat through a pool key, with the key in the header only, and writes one ledger row", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }] });
    const calls = fakeGoogle(() => Response.json(geminiText("Hello there")));
    const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody() });
    expect(response.status).toBe(200);
    const body = JSON.parse(text);
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0].message).toMatchObject({ role: "assistant", content: "Hello there" });
    expect(body.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.apiKey).toBe(KEY_A);
    expect(calls[0]!.url.pathname).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(calls[0]!.url.search).toBe("");
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ gemini_key_id: "a", client_key_id: "client-1", model: "gemini-2.5-flash", outcome: "ok", status: 200, attempts: 1, prompt_tokens: 5, completion_tokens: 7, streamed: 0 });
    // The roll-ups get the row when the cron folds the ledger.
    expect((await foldLedger(env.DB)).rows).toBe(1);
    for (const table of ["usage_daily", "usage_daily_client", "usage_daily_outcome"]) {
      const daily = await env.DB.prepare(`SELECT requests FROM ${table}`).all();
      expect(daily.results, table).toEqual([{ requests: 1 }]);
    }
  });

  it("streams OpenAI chunks translated from Gemini SSE, ending with the usage chunk and [DONE]", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }] });
    const calls = fakeGoogle(() =>
      sse([
        { candidates: [{ content: { role: "model", parts: [{ text: "Hel" }] }, index: 0 }] },
        { candidates: [{ content: { role: "model", parts: [{ text: "lo" }] }, finishReason: "STOP", index: 0 }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 } },
      ]),
    );
    const { response, text } = await callWorker("/v1/chat/completions", {
      method: "POST",
      key: client,
      body: chatBody({ stream: true, stream_options: { include_usage: true } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(calls[0]!.url.pathname).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
    expect(calls[0]!.url.searchParams.get("alt")).toBe("sse");
    const events = text.split("\n\n").filter((e) => e.startsWith("data: ")).map((e) => e.slice(6));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("Hello");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ streamed: 1, outcome: "ok", prompt_tokens: 3, completion_tokens: 2 });
    expect(rows[0]!.ttfb_ms).not.toBeNull();
  });

  it("turns an upstream error after the first byte into an error event, and still counts the call as served", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }] });
    fakeGoogle(() =>
      sse([
        { candidates: [{ content: { role: "model", parts: [{ text: "Partial" }] }, index: 0 }] },
        { error: { code: 500, message: "Internal error encountered.", status: "INTERNAL" } },
      ]),
    );
    const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody({ stream: true }) });
    expect(response.status).toBe(200);
    const events = text.split("\n\n").filter((e) => e.startsWith("data: ")).map((e) => e.slice(6));
    expect(events.at(-1)).toBe("[DONE]");
    expect(JSON.parse(events.at(-2)!)).toMatchObject({ error: { type: "upstream_error", message: expect.stringContaining("Internal error encountered") } });
    expect(JSON.parse(events[0]!).choices[0].delta.content).toBe("Partial");
    expect((await ledgerRows())[0]).toMatchObject({ outcome: "upstream_error", served: 1, streamed: 1 });
  });

  it("fails over from a rate-limited, an invalid and an overloaded key to a healthy one", async () => {
    const keys = [fakeGeminiKey("rl"), fakeGeminiKey("bad"), fakeGeminiKey("busy"), fakeGeminiKey("good")];
    const client = await seedProxy({
      geminiKeys: keys.map((secret, i) => ({ id: `k${i}`, secret })),
      settings: { maxAttempts: 4 },
    });
    const calls = fakeGoogle(({ apiKey }) => {
      if (apiKey === keys[0]) return reply(perMinute429);
      if (apiKey === keys[1]) return reply(apiKeyInvalid);
      if (apiKey === keys[2]) return reply(overloaded);
      return Response.json(geminiText("from the good key"));
    });
    for (let i = 0; i < 5; i++) {
      const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody() });
      expect(response.status, text).toBe(200);
      expect(JSON.parse(text).choices[0].message.content).toBe("from the good key");
    }
    // Each bad key is tried at most once: its cooling (per-minute 429, in memory), its state (invalid) or its sideline (503) keeps it out afterwards.
    for (const bad of keys.slice(0, 3)) expect(calls.filter((c) => c.apiKey === bad).length).toBeLessThanOrEqual(1);
    const rows = await ledgerRows();
    expect(rows.map((r) => r.gemini_key_id)).toEqual(["k3", "k3", "k3", "k3", "k3"]);
  });

  it("sends a client's own 400 straight back without trying another key", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }] });
    const calls = fakeGoogle(() => googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unknown name \"foo\"."));
    const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody() });
    expect(response.status).toBe(400);
    expect(JSON.parse(text).error).toMatchObject({ type: "invalid_request_error", message: expect.stringContaining("Unknown name") });
    expect(calls).toHaveLength(1);
    expect((await ledgerRows())[0]).toMatchObject({ outcome: "client_error", status: 400 });
  });

  it("answers 429 with Retry-After when every key is rate limited", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }] });
    fakeGoogle(() => reply(perMinute429));
    const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody() });
    expect(response.status).toBe(429);
    expect(JSON.parse(text).error.code).toBe("rate_limit_exceeded");
    const retryAfter = Number(response.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(35); // the recorded retryDelay is 34.4s
  });

  it("answers 503 when no key is usable", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A, enabled: false }] });
    const calls = fakeGoogle(() => Response.json(geminiText("never")));
    const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody() });
    expect(response.status).toBe(503);
    expect(JSON.parse(text).error.code).toBe("no_key_available");
    expect(calls).toHaveLength(0);
  });

  it("rejects bad client keys, unknown models and malformed bodies in OpenAI's error shape", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }] });
    fakeGoogle(() => Response.json(geminiText("never")));
    const unauthorized = await callWorker("/v1/chat/completions", { method: "POST", key: "sk-wrong", body: chatBody() });
    expect(unauthorized.response.status).toBe(401);
    expect(JSON.parse(unauthorized.text)).toEqual({ error: { message: expect.any(String), type: "invalid_request_error", code: "invalid_api_key", param: null } });
    const unknown = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody({ model: "gemini-9-ultra" }) });
    expect(unknown.response.status).toBe(404);
    expect(JSON.parse(unknown.text).error.code).toBe("model_not_found");
    for (const body of ["{not json", "[]", JSON.stringify({ model: "gemini-2.5-flash", messages: "hi" }), JSON.stringify({ model: "gemini-2.5-flash", messages: [{ role: "wizard", content: "x" }] })]) {
      const bad = await callWorker("/v1/chat/completions", { method: "POST", key: client, body });
      expect(bad.response.status, body).toBe(400);
      expect(JSON.parse(bad.text).error.type).toBe("invalid_request_error");
    }
  });
});

describe("GET /v1/models", () => {
  it("lists the configured models and 404s an unconfigured one", async () => {
    const client = await seedProxy({
      geminiKeys: [{ id: "a", secret: KEY_A }],
      models: [
        { id: "gemini-2.5-flash", category: "flash", dailyQuota: null, individualQuota: null },
        { id: "gemini-2.5-pro", category: "pro", dailyQuota: null, individualQuota: 10 },
      ],
    });
    const list = await callWorker("/v1/models", { key: client });
    expect(list.response.status).toBe(200);
    expect(JSON.parse(list.text).data.map((m: { id: string }) => m.id)).toEqual(["gemini-2.5-flash", "gemini-2.5-pro"]);
    const one = await callWorker("/v1/models/gemini-2.5-pro", { key: client });
    expect(JSON.parse(one.text)).toMatchObject({ id: "gemini-2.5-pro", object: "model" });
    const missing = await callWorker("/v1/models/gemini-1.0-nano", { key: client });
    expect(missing.response.status).toBe(404);
    expect(JSON.parse(missing.text).error.code).toBe("model_not_found");
  });
});
