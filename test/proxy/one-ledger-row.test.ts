// Every authenticated call leaves exactly one ledger row with the right outcome, also when
// something fails after the key was charged: a reply the translator cannot read, D1 refusing
// the thought signatures, Google's stream breaking mid-way on a native route.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { fakeGoogle, geminiText, sse } from "../helpers/fake-google";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { callWorker, ledgerRows } from "./call";

const KEY = fakeGeminiKey("ROW");
let clientKey: string;

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM usage_calls WHERE id < (SELECT max(id) FROM usage_calls)").run();
  clientKey = await seedProxy({
    geminiKeys: [{ id: "k", secret: KEY }],
    models: [
      { id: "gemini-3-flash-preview", category: "flash", dailyQuota: null, individualQuota: null },
      { id: "gemini-embedding-001", category: "custom", dailyQuota: null, individualQuota: null },
    ],
  });
});
afterEach(() => vi.restoreAllMocks());

async function newRows(since: number): Promise<Array<Record<string, unknown>>> {
  return (await ledgerRows()).filter((row) => Number(row.id) > since);
}

async function lastId(): Promise<number> {
  return (await env.DB.prepare("SELECT coalesce(max(id), 0) AS n FROM usage_calls").first<{ n: number }>())!.n;
}

describe("one ledger row per call", () => {
  it("embeddings: a reply that cannot be translated after the key was charged is a 500 in OpenAI's shape and one row", async () => {
    fakeGoogle(() => Response.json({ unexpected: true }));
    const since = await lastId();
    const { response, text } = await callWorker("/v1/embeddings", {
      method: "POST",
      key: clientKey,
      body: JSON.stringify({ model: "gemini-embedding-001", input: ["a", "b"] }),
    });
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toMatchObject({ error: { code: "internal_error" } });
    const rows = await newRows(since);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "embeddings", status: 500, outcome: "internal_error", served: 1 });
  });

  it("chat: D1 refusing the thought signatures does not lose the answer or the row", async () => {
    fakeGoogle(() =>
      Response.json({
        candidates: [
          {
            content: { role: "model", parts: [{ functionCall: { name: "lookup", args: { q: "x" } }, thoughtSignature: "c2lnbmF0dXJl" }] },
            finishReason: "STOP",
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 7, totalTokenCount: 12 },
      }),
    );
    const failingSignatures = new Proxy(env.DB, {
      get(target, property) {
        const real = Reflect.get(target, property, target) as unknown;
        if (property === "batch") {
          return async (statements: D1PreparedStatement[]) => {
            throw new Error(`D1_ERROR: refused (${statements.length} statements)`);
          };
        }
        return typeof real === "function" ? (real as (...a: unknown[]) => unknown).bind(target) : real;
      },
    });
    const since = await lastId();
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request("http://proxy.test/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${clientKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: "gemini-3-flash-preview",
          messages: [{ role: "user", content: "look it up" }],
          tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } } }],
        }),
      }),
      { ...env, DB: failingSignatures } as unknown as Env,
      ctx,
    );
    const body = (await response.json()) as { choices: Array<{ finish_reason: string }> };
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(200);
    expect(body.choices[0]!.finish_reason).toBe("tool_calls");
    const rows = await newRows(since);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "chat", status: 200, outcome: "ok", served: 1 });
  });

  it("native stream: Google's stream breaking after the first event is recorded as an upstream error, not ok", async () => {
    fakeGoogle(() => {
      const encoder = new TextEncoder();
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (!sent) {
            sent = true;
            controller.enqueue(encoder.encode(`data: ${JSON.stringify(geminiText("Hel"))}\r\n\r\n`));
            return;
          }
          controller.error(new Error("connection reset"));
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    });
    const since = await lastId();
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request("http://proxy.test/v1beta/models/gemini-3-flash-preview:streamGenerateContent?alt=sse", {
        method: "POST",
        headers: { "x-goog-api-key": clientKey, "content-type": "application/json" },
        body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
      }),
      env,
      ctx,
    );
    expect(response.status).toBe(200);
    // The client's copy of the stream breaks too, after what came before.
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain("Hel");
    await expect(reader.read()).rejects.toThrow();
    await waitOnExecutionContext(ctx);
    const rows = await newRows(since);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "native:streamGenerateContent", outcome: "upstream_error", error_code: "stream_error" });
  });

  it("native stream: an error event from Google mid-stream is an upstream error too", async () => {
    fakeGoogle(() => sse([geminiText("Hel"), { error: { code: 500, message: "internal", status: "INTERNAL" } }]));
    const since = await lastId();
    const { response } = await callWorker("/v1beta/models/gemini-3-flash-preview:streamGenerateContent?alt=sse", {
      method: "POST",
      headers: { "x-goog-api-key": clientKey },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    });
    expect(response.status).toBe(200);
    const rows = await newRows(since);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: "upstream_error", error_code: "stream_error" });
  });
});
