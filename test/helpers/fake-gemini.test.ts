// The fake Gemini core inside workerd: the same handler the e2e suite serves over node:http,
// reached through the Worker's fetch by useFakeGemini(), and behind fakeGoogle() when a
// scripted handler lets a call fall through.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { callWorker, chatBody, ledgerRows } from "../proxy/call";
import { fakeGoogle, geminiText, useFakeGemini } from "./fake-google";
import { fakeGeminiKey, seedProxy } from "./seed";

const KEY_A = fakeGeminiKey("A");
const KEY_B = fakeGeminiKey("B");

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM usage_calls").run();
});
afterEach(() => vi.restoreAllMocks());

describe("useFakeGemini in workerd", () => {
  it("serves Google's default reply to the Worker, records the key, and writes one ledger row", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }] });
    const fake = useFakeGemini();
    const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody() });
    expect(response.status).toBe(200);
    expect(JSON.parse(text).choices[0].message.content).toBe("Hello from fake Gemini");
    expect(fake.received()).toMatchObject([{ action: "generateContent", model: "gemini-2.5-flash", apiKey: KEY_A, status: 200, outcome: "ok" }]);
    expect(await ledgerRows()).toMatchObject([{ gemini_key_id: "a", outcome: "ok", status: 200 }]);
  });

  it("streams SSE events the Worker translates", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }] });
    const fake = useFakeGemini();
    const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody({ stream: true }) });
    expect(response.status).toBe(200);
    const deltas = text
      .split("\n\n")
      .filter((frame) => frame.startsWith("data: {"))
      .map((frame) => JSON.parse(frame.slice(6)).choices[0]?.delta?.content ?? "")
      .join("");
    expect(deltas).toBe("Hello from fake Gemini");
    expect(fake.received()[0]).toMatchObject({ action: "streamGenerateContent", query: { alt: "sse" } });
  });

  it("key behaviours set through the control API: a 429 key fails over to the next", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }] });
    vi.spyOn(Math, "random").mockReturnValue(0); // the pool tries its keys first to last
    const fake = useFakeGemini();
    await fake.setKey(KEY_A, "rate_limit_minute");
    const { response } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody() });
    expect(response.status).toBe(200);
    const byKey = Object.fromEntries(fake.received().map((r) => [r.apiKey, r.status]));
    expect(byKey).toEqual({ [KEY_A]: 429, [KEY_B]: 200 });
  });

  it("replays a recorded fixture (bundled, no file system in workerd) and answers the Files API", async () => {
    const fake = useFakeGemini();
    await fake.reply({ fixture: "google-text" });
    const res = await fetch("https://upstream.test/v1beta/models/gemini-2.5-flash:generateContent", {
      method: "POST",
      headers: { "x-goog-api-key": KEY_A, "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    });
    const recorded = (await res.json()) as { candidates: Array<{ content: { parts: Array<{ text: string }> } }> };
    expect(recorded.candidates[0]!.content.parts[0]!.text).not.toBe("Hello from fake Gemini");
    expect(recorded.candidates[0]!.content.parts[0]!.text.length).toBeGreaterThan(0);

    const start = await fetch("https://upstream.test/upload/v1beta/files", {
      method: "POST",
      headers: { "x-goog-api-key": KEY_A, "x-goog-upload-protocol": "resumable", "x-goog-upload-command": "start", "content-type": "application/json" },
      body: JSON.stringify({ file: { display_name: "a.txt" } }),
    });
    const uploadUrl = start.headers.get("x-goog-upload-url")!;
    expect(uploadUrl.startsWith("https://upstream.test/upload/v1beta/files?upload_id=")).toBe(true);
    const done = await fetch(uploadUrl, { method: "POST", headers: { "x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0" }, body: "hello" });
    const { file } = (await done.json()) as { file: { name: string; sizeBytes: string } };
    expect(file.sizeBytes).toBe("5");
    expect((await fetch(`https://upstream.test/v1beta/${file.name}`, { headers: { "x-goog-api-key": KEY_B } })).status).toBe(403);
    expect((await fake.state()).files).toEqual([{ name: file.name, owner: KEY_A }]);
  });
});

describe("aborts, as fetch has them", () => {
  it("a caller that aborts a slow call gets fetch's rejection; the fake records it as gone", async () => {
    const fake = useFakeGemini();
    await fake.setKey(KEY_A, "slow:5000");
    const controller = new AbortController();
    const call = fetch("https://upstream.test/v1beta/models/gemini-2.5-flash:generateContent", {
      method: "POST",
      headers: { "x-goog-api-key": KEY_A, "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("caller gave up")), 20);
    const started = Date.now();
    await expect(call).rejects.toThrow("caller gave up");
    expect(Date.now() - started).toBeLessThan(2_000);
    await vi.waitFor(() => expect(fake.received()[0]!.outcome).toBe("client_gone"));
  });
});

describe("fakeGoogle with fall-through", () => {
  it("a scripted reply where the handler answers, the shared fake where it returns nothing", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }] });
    const calls = fakeGoogle(({ body }) => {
      const text = JSON.stringify(body);
      return text.includes("scripted") ? Response.json(geminiText("from the script")) : undefined;
    });
    const scripted = await callWorker("/v1/chat/completions", {
      method: "POST",
      key: client,
      body: JSON.stringify({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "scripted please" }] }),
    });
    expect(JSON.parse(scripted.text).choices[0].message.content).toBe("from the script");
    const fallen = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody() });
    expect(JSON.parse(fallen.text).choices[0].message.content).toBe("Hello from fake Gemini");
    expect(calls.map((c) => c.apiKey)).toEqual([KEY_A, KEY_A]);
  });
});
