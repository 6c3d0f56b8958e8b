// Issue 12 item 9: Gemini can think for minutes before its first byte. A streamed call whose
// upstream is silent past keepAliveSeconds gets its SSE headers and comment keep-alives from the
// pipeline, failover still runs until the first content, and a failure after the headers is an
// in-stream error in the door's protocol. A non-streamed call of a client key that opted in gets
// leading spaces before its JSON. One ledger row per call either way. (keepAliveSeconds: 1 here.)
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import worker from "../../src/index";
import type { WorkerKeyOptions } from "../../src/config/schemas";
import { fakeGoogle, geminiText, reply, sse } from "../helpers/fake-google";
import * as google from "../helpers/google-replies";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { ledgerRows } from "../proxy/call";

const SLOW = fakeGeminiKey("SLOW");
const SPARE = fakeGeminiKey("SPARE");
const SILENCE_MS = 3_200; // three keep-alive periods of 1 s and some margin for a loaded machine

vi.setConfig({ testTimeout: 30_000 });
afterEach(() => vi.restoreAllMocks());
beforeEach(() => vi.spyOn(Math, "random").mockReturnValue(0)); // SLOW is tried first

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function setUp(clientOptions: Partial<WorkerKeyOptions> = {}, keys = [SLOW]): Promise<string> {
  return seedProxy({
    geminiKeys: keys.map((secret, i) => ({ id: `ls-${i}`, secret })),
    settings: { keepAliveSeconds: 1 },
    clientOptions,
  });
}

async function lastId(): Promise<number> {
  return (await env.DB.prepare("SELECT coalesce(max(id), 0) AS n FROM usage_calls").first<{ n: number }>())!.n;
}

/** Calls the Worker; `headersAfterMs` is when the response (its headers) came back. */
async function send(path: string, clientKey: string, body: object) {
  const since = await lastId();
  const ctx = createExecutionContext();
  const started = Date.now();
  const response = await worker.fetch(
    new Request(`http://proxy.test${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${clientKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    env,
    ctx,
  );
  const headersAfterMs = Date.now() - started;
  const text = await response.text();
  await waitOnExecutionContext(ctx);
  const rows = (await ledgerRows()).filter((row) => Number(row.id) > since);
  return { response, text, headersAfterMs, rows };
}

const chat = (stream: boolean) => ({ model: "gemini-2.5-flash", stream, messages: [{ role: "user", content: "Think hard" }] });
const dataEvents = (text: string) => text.split("\n\n").filter((event) => event.startsWith("data: ")).map((event) => event.slice(6));

it("chat stream: headers and keep-alive comments during the silence, then the content; one row, ok", async () => {
  const clientKey = await setUp();
  fakeGoogle(async () => {
    await pause(SILENCE_MS);
    return sse([geminiText("Deep thought.")]);
  });
  const { response, text, headersAfterMs, rows } = await send("/v1/chat/completions", clientKey, chat(true));
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  expect(headersAfterMs).toBeLessThan(SILENCE_MS - 800);
  expect(text.startsWith(": keep-alive\n\n")).toBe(true);
  expect(text.split(": keep-alive\n\n").length - 1).toBeGreaterThanOrEqual(2);
  expect(text.indexOf(": keep-alive")).toBeLessThan(text.indexOf("Deep thought."));
  expect(dataEvents(text).at(-1)).toBe("[DONE]");
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: 200, outcome: "ok", streamed: 1, served: 1 });
});

it("chat stream: a failure after the keep-alives is an OpenAI error event and [DONE]; one row with the failure", async () => {
  const clientKey = await setUp();
  fakeGoogle(async () => {
    await pause(SILENCE_MS);
    return reply(google.overloaded);
  });
  const { response, text, rows } = await send("/v1/chat/completions", clientKey, chat(true));
  expect(response.status).toBe(200);
  expect(text.startsWith(": keep-alive\n\n")).toBe(true);
  const events = dataEvents(text);
  expect(events.at(-1)).toBe("[DONE]");
  expect(JSON.parse(events.at(-2)!)).toMatchObject({ error: { code: "overloaded", type: "upstream_error" } });
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: 503, outcome: "upstream_error", error_code: "overloaded" });
});

it("chat stream: failover still happens after the keep-alives began, until the first content", async () => {
  const clientKey = await setUp({}, [SLOW, SPARE]);
  const asked: string[] = [];
  fakeGoogle(async (call) => {
    asked.push(call.apiKey === SLOW ? "slow" : "spare");
    if (call.apiKey === SLOW) {
      await pause(SILENCE_MS);
      return reply(google.perMinute429);
    }
    return sse([geminiText("From the spare key.")]);
  });
  const { text, rows } = await send("/v1/chat/completions", clientKey, chat(true));
  expect(asked).toEqual(["slow", "spare"]);
  expect(text.startsWith(": keep-alive\n\n")).toBe(true);
  expect(text).toContain("From the spare key.");
  expect(dataEvents(text).some((event) => event.includes('"error"'))).toBe(false);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: 200, outcome: "ok", attempts: 2 });
});

it("native stream (alt=sse): keep-alives, then Google's own error event when the call fails", async () => {
  const clientKey = await setUp();
  fakeGoogle(async () => {
    await pause(SILENCE_MS);
    return reply(google.overloaded);
  });
  const { response, text, rows } = await send("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", clientKey, {
    contents: [{ role: "user", parts: [{ text: "Think hard" }] }],
  });
  expect(response.status).toBe(200);
  expect(text.startsWith(": keep-alive\n\n")).toBe(true);
  const last = text.trim().split(/\r?\n\r?\n/).at(-1)!;
  expect(JSON.parse(last.replace(/^data: /, ""))).toEqual({ error: { code: 503, message: expect.stringContaining("overloaded"), status: "UNAVAILABLE" } });
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: 503, outcome: "upstream_error" });
});

it("a silence shorter than the threshold: a plain answer, no keep-alive", async () => {
  const clientKey = await setUp();
  fakeGoogle(async () => {
    await pause(200);
    return sse([geminiText("Quick.")]);
  });
  const { text } = await send("/v1/chat/completions", clientKey, chat(true));
  expect(text).not.toContain(": keep-alive");
  expect(text).toContain("Quick.");
});

it("non-streamed, client key opted in: spaces before the JSON body; a failure is a JSON error with status 200", async () => {
  const clientKey = await setUp({ keepAliveWhitespace: true });
  fakeGoogle(async () => {
    await pause(SILENCE_MS);
    return Response.json(geminiText("Patient answer."));
  });
  const served = await send("/v1/chat/completions", clientKey, chat(false));
  expect(served.response.status).toBe(200);
  expect(served.headersAfterMs).toBeLessThan(SILENCE_MS - 800);
  expect(served.text).toMatch(/^ {2,}\{/);
  expect(JSON.parse(served.text)).toMatchObject({ choices: [{ message: { content: "Patient answer." } }] });
  expect(served.rows).toHaveLength(1);
  expect(served.rows[0]).toMatchObject({ status: 200, outcome: "ok" });

  vi.restoreAllMocks();
  fakeGoogle(async () => {
    await pause(SILENCE_MS);
    return reply(google.overloaded);
  });
  const failed = await send("/v1/chat/completions", clientKey, chat(false));
  expect(failed.response.status).toBe(200);
  expect(JSON.parse(failed.text)).toMatchObject({ error: { code: "overloaded" } });
  expect(failed.rows).toHaveLength(1);
  expect(failed.rows[0]).toMatchObject({ status: 503, outcome: "upstream_error" });
});

it("non-streamed without the opt-in: the answer waits, no whitespace", async () => {
  const clientKey = await setUp();
  fakeGoogle(async () => {
    await pause(1_500);
    return Response.json(geminiText("Plain."));
  });
  const { text, headersAfterMs } = await send("/v1/chat/completions", clientKey, chat(false));
  expect(headersAfterMs).toBeGreaterThanOrEqual(1_400);
  expect(text.startsWith("{")).toBe(true);
});

it("a client that leaves during the keep-alives: one row, aborted", async () => {
  const clientKey = await setUp();
  fakeGoogle(async () => {
    await pause(SILENCE_MS);
    return sse([geminiText("Nobody is listening."), geminiText(" Still nobody.")]);
  });
  const since = await lastId();
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request("http://proxy.test/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${clientKey}`, "content-type": "application/json" },
      body: JSON.stringify(chat(true)),
    }),
    env,
    ctx,
  );
  const reader = response.body!.getReader();
  const first = await reader.read();
  expect(new TextDecoder().decode(first.value)).toBe(": keep-alive\n\n");
  await reader.cancel();
  await waitOnExecutionContext(ctx);
  const rows = (await ledgerRows()).filter((row) => Number(row.id) > since);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: 499, outcome: "aborted" });
});

it("a client that leaves during the keep-alives of a call that then fails: one row, aborted (not the failure)", async () => {
  const clientKey = await setUp();
  fakeGoogle(async () => {
    await pause(SILENCE_MS);
    return reply(google.overloaded);
  });
  const since = await lastId();
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request("http://proxy.test/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${clientKey}`, "content-type": "application/json" },
      body: JSON.stringify(chat(true)),
    }),
    env,
    ctx,
  );
  const reader = response.body!.getReader();
  await reader.read();
  await reader.cancel();
  await waitOnExecutionContext(ctx);
  const rows = (await ledgerRows()).filter((row) => Number(row.id) > since);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: 499, outcome: "aborted" });
});

it.each([
  ["/v1/responses", { model: "gemini-2.5-flash", stream: true, input: "Think hard" }],
  ["/v1/messages", { model: "gemini-2.5-flash", stream: true, max_tokens: 64, messages: [{ role: "user", content: "Think hard" }] }],
] as const)("%s stream: keep-alives during the silence, then the door's own in-stream failure; one row", async (path, body) => {
  const clientKey = await setUp();
  fakeGoogle(async () => {
    await pause(SILENCE_MS);
    return reply(google.overloaded);
  });
  const { response, text, rows } = await send(path, clientKey, body);
  expect(response.status).toBe(200);
  expect(text.startsWith(": keep-alive\n\n")).toBe(true);
  expect(text.slice(text.lastIndexOf(": keep-alive\n\n"))).toMatch(/overloaded/);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: 503, outcome: "upstream_error" });
});
