// The call pipeline driven directly (plain dependencies, no Hono): a failure injected at each
// step leaves exactly one ledger row with the right outcome, and the client hears the right
// status in its front door's shape.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { configSnapshot } from "../../src/config/config-snapshot";
import { DEFAULT_SETTINGS, DEFAULT_WORKER_KEY_OPTIONS, type ModelConfig, type WorkerKeyRecord } from "../../src/config/schemas";
import type { Env } from "../../src/env";
import { runCall } from "../../src/proxy/call-pipeline";
import { chatDoor } from "../../src/proxy/doors/chat";
import { nativeDoor } from "../../src/proxy/doors/native";
import type { CallDeps, FrontDoor } from "../../src/proxy/front-door";
import { KeyStore } from "../../src/pool/key-store";
import { IsolateRuntime } from "../../src/runtime/runtime";
import { fakeGoogle, geminiText, googleError, sse } from "../helpers/fake-google";
import { fakeGeminiKey } from "../helpers/seed";

const MODELS: ModelConfig[] = [{ id: "gemini-2.5-flash", category: "flash", dailyQuota: null, individualQuota: null }];
const CLIENT: WorkerKeyRecord = {
  id: "pipeline-client",
  name: "pipeline",
  hash: "x",
  prefix: "x",
  enabled: true,
  createdAt: new Date(0).toISOString(),
  options: DEFAULT_WORKER_KEY_OPTIONS,
};

let runtime: IsolateRuntime;

beforeEach(async () => {
  await new KeyStore(env.GEMINI_KEYS_KV).saveKeys([
    { id: "k1", name: "k1", secret: fakeGeminiKey("P1"), enabled: true, createdAt: new Date(0).toISOString() },
  ]);
  runtime = new IsolateRuntime();
});
afterEach(() => vi.restoreAllMocks());

async function drive<Req, Reply>(
  door: FrontDoor<Req, Reply>,
  request: Request,
  bindings: Env = env as unknown as Env,
  read: (response: Response) => Promise<unknown> = (r) => r.text(),
): Promise<{ response: Response; body: unknown; rows: Array<Record<string, unknown>> }> {
  const before = await lastId();
  const ctx = createExecutionContext();
  const deps: CallDeps = {
    runtime,
    env: bindings,
    waitUntil: (promise) => ctx.waitUntil(promise),
    signal: request.signal,
    receivedAt: Date.now(),
    clientKey: CLIENT,
    config: configSnapshot(MODELS, DEFAULT_SETTINGS, []),
  };
  const response = await runCall(door, request, deps);
  const text = await read(response).catch(() => undefined);
  await waitOnExecutionContext(ctx);
  const { results } = await env.DB.prepare("SELECT * FROM usage_calls WHERE id > ? ORDER BY id").bind(before).all();
  let body: unknown = text;
  try {
    body = typeof text === "string" ? JSON.parse(text) : text;
  } catch {
    // a stream: the text as it came
  }
  return { response, body, rows: results };
}

async function lastId(): Promise<number> {
  return (await env.DB.prepare("SELECT coalesce(max(id), 0) AS n FROM usage_calls").first<{ n: number }>())!.n;
}

function chat(body: unknown, init: RequestInit = {}): Request {
  return new Request("http://proxy.test/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
}

const hello = { model: "gemini-2.5-flash", messages: [{ role: "user", content: "Hi" }] };

describe("a failure at each step of a chat call leaves one ledger row", () => {
  it("request parse: malformed JSON is 400 invalid_json, a client_error row, no attempt", async () => {
    fakeGoogle(() => Response.json(geminiText("never")));
    const { response, body, rows } = await drive(chatDoor, chat("{not json"));
    expect(response.status).toBe(400);
    expect(body).toMatchObject({ error: { type: "invalid_request_error", code: "invalid_json" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 400, outcome: "client_error", error_code: "invalid_json", attempts: 0, model: "unknown", endpoint: "chat" });
  });

  it("a body that breaks mid-read is a 400, not a crash", async () => {
    fakeGoogle(() => Response.json(geminiText("never")));
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("connection reset by peer"));
      },
    });
    const { response, rows } = await drive(chatDoor, new Request("http://proxy.test/v1/chat/completions", { method: "POST", body }));
    expect(response.status).toBe(400);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 400, outcome: "client_error", error_code: "unreadable_body" });
  });

  it("an unconfigured model: 404 model_not_found, one row naming it", async () => {
    const { response, rows } = await drive(chatDoor, chat({ ...hello, model: "gemini-0-nope" }));
    expect(response.status).toBe(404);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 404, outcome: "client_error", error_code: "model_not_found", model: "gemini-0-nope" });
  });

  it("translation: a tool result with no tool call before it is a 400 before Google, one row", async () => {
    const upstream = fakeGoogle(() => Response.json(geminiText("never")));
    const { response, rows } = await drive(
      chatDoor,
      chat({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "hi" }, { role: "tool", tool_call_id: "call_x", content: "42" }] }),
    );
    expect(response.status).toBe(400);
    expect(upstream).toHaveLength(0);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 400, outcome: "client_error", attempts: 0, model: "gemini-2.5-flash" });
  });

  it("signature lookup: D1 failing costs the signatures, not the call", async () => {
    const upstream = fakeGoogle(() => Response.json(geminiText("fine")));
    const failingLookups = new Proxy(env.DB, {
      get(target, property) {
        if (property === "prepare") {
          return (sql: string) => {
            if (/thought_signatures/.test(sql)) throw new Error("D1_ERROR: network connection lost");
            return target.prepare(sql);
          };
        }
        const real = Reflect.get(target, property, target) as unknown;
        return typeof real === "function" ? (real as (...a: unknown[]) => unknown).bind(target) : real;
      },
    });
    const { response, rows } = await drive(
      chatDoor,
      chat({
        model: "gemini-2.5-flash",
        messages: [
          { role: "user", content: "look" },
          { role: "assistant", tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }] },
          { role: "tool", tool_call_id: "call_1", content: "42" },
        ],
      }),
      { ...env, DB: failingLookups } as unknown as Env,
    );
    expect(response.status).toBe(200);
    expect(upstream).toHaveLength(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 200, outcome: "ok", served: 1 });
  });

  it("upstream 5xx on the only key: 502 in OpenAI's shape, an upstream_error row with the attempt", async () => {
    fakeGoogle(() => googleError(500, "INTERNAL", "An internal error has occurred."));
    const { response, body, rows } = await drive(chatDoor, chat(hello));
    expect(response.status).toBe(502);
    expect(body).toMatchObject({ error: { type: "upstream_error" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 502, outcome: "upstream_error", attempts: 1, served: 0, gemini_key_id: "k1" });
  });

  it("a stream cut after the first byte: the client gets an error event and [DONE], the row says upstream_error", async () => {
    fakeGoogle(() => sse([geminiText("Hel"), { error: { code: 500, message: "boom", status: "INTERNAL" } }]));
    const { response, rows } = await drive(chatDoor, chat({ ...hello, stream: true }));
    expect(response.status).toBe(200);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 200, outcome: "upstream_error", error_code: "stream_error", served: 1, streamed: 1 });
  });

  it("the client going away mid-stream: an aborted row (499)", async () => {
    const encoder = new TextEncoder();
    fakeGoogle(() => {
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          sent += 1;
          if (sent > 50) return controller.close();
          await new Promise((resolve) => setTimeout(resolve, 5));
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(geminiText(`part ${sent} `))}\r\n\r\n`));
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    });
    const { rows } = await drive(chatDoor, chat({ ...hello, stream: true }), env as unknown as Env, async (response) => {
      const reader = response.body!.getReader();
      await reader.read();
      await reader.cancel();
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 499, outcome: "aborted", error_code: "client_disconnected" });
  });
});

describe("the native front door renders the same failures in Google's shape", () => {
  it("a body that is not a JSON object: 400 INVALID_ARGUMENT, one row", async () => {
    const { response, body, rows } = await drive(
      nativeDoor("gemini-2.5-flash", "generateContent"),
      new Request("http://proxy.test/v1beta/models/gemini-2.5-flash:generateContent", { method: "POST", body: "[1,2]" }),
    );
    expect(response.status).toBe(400);
    expect(body).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: "native:generateContent", outcome: "client_error", attempts: 0 });
  });

  it("an unconfigured model: 404 NOT_FOUND, one row", async () => {
    const { response, body, rows } = await drive(
      nativeDoor("gemini-0-nope", "generateContent"),
      new Request("http://proxy.test/v1beta/models/gemini-0-nope:generateContent", { method: "POST", body: "{}" }),
    );
    expect(response.status).toBe(404);
    expect(body).toMatchObject({ error: { code: 404, status: "NOT_FOUND" } });
    expect(rows).toHaveLength(1);
  });
});
