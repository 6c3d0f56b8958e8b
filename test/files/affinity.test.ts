// Files and cached contents stay on the key that made them: the resumable upload through the
// pool, D1's key_affinity, and every later call naming the file or cache pinned to that key,
// through the whole Worker with local KV and D1 and Google faked at the fetch boundary.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pruneAffinities, rememberAffinity } from "../../src/files/affinity-store";
import { STATES_ENTRY } from "../../src/pool/kv-layout";
import { fakeGoogle, geminiText, reply, type UpstreamCall } from "../helpers/fake-google";
import { perDay429 } from "../helpers/google-replies";
import { fakeGeminiKey, seedProxy } from "../helpers/seed";
import { callWorker, chatBody, ledgerRows } from "../proxy/call";

const KEY_A = fakeGeminiKey("A");
const KEY_B = fakeGeminiKey("B");
const FILE_URI = "https://upstream.test/v1beta/files/abc123";
const EXPIRES = new Date(Date.now() + 48 * 3_600_000).toISOString();
/** The bytes uploaded (JSON text: the fetch fake reads request bodies as JSON). */
const CONTENT = JSON.stringify("hello files");

/** Google: uploads, files, caches and generateContent, with the key of each call recorded. */
function google(overrides: (call: UpstreamCall) => Response | null = () => null): UpstreamCall[] {
  return fakeGoogle((call) => {
    const special = overrides(call);
    if (special) return special;
    const path = call.url.pathname;
    if (path === "/upload/v1beta/files" && !call.url.searchParams.has("upload_id")) {
      return new Response(null, {
        headers: { "x-goog-upload-url": "https://upstream.test/upload/v1beta/files?upload_id=UP1&upload_protocol=resumable", "x-goog-upload-status": "active" },
      });
    }
    if (path === "/upload/v1beta/files") {
      const file = { name: "files/abc123", mimeType: "text/plain", sizeBytes: String(CONTENT.length), uri: FILE_URI, expirationTime: EXPIRES, state: "ACTIVE" };
      return Response.json({ file }, { headers: { "x-goog-upload-status": "final" } });
    }
    if (path === "/v1beta/cachedContents") return Response.json({ name: "cachedContents/c1", model: "models/gemini-2.5-flash", expireTime: EXPIRES });
    if (path.startsWith("/v1beta/files/")) return Response.json(call.url.searchParams.size === 0 ? { name: "files/abc123" } : {});
    return Response.json(geminiText("ok"));
  });
}

async function upload(client: string): Promise<{ start: Response; finish: Response; finishText: string }> {
  const { response: start } = await callWorker("/upload/v1beta/files", {
    method: "POST",
    key: client,
    headers: {
      "x-goog-upload-protocol": "resumable",
      "x-goog-upload-command": "start",
      "x-goog-upload-header-content-length": String(CONTENT.length),
      "x-goog-upload-header-content-type": "text/plain",
      "content-type": "application/json",
    },
    body: JSON.stringify({ file: { display_name: "notes" } }),
  });
  const url = new URL(start.headers.get("x-goog-upload-url") ?? "http://proxy.test/none");
  const { response: finish, text: finishText } = await callWorker(`${url.pathname}${url.search}`, {
    method: "POST",
    key: client,
    headers: { "x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0", "content-type": "text/plain" },
    body: CONTENT,
  });
  return { start, finish, finishText };
}

/** Math.random pinned: 0 makes the pool pick the first key (a), 0.99 the last (b). */
function rotationPicks(which: "a" | "b"): void {
  vi.spyOn(Math, "random").mockReturnValue(which === "a" ? 0 : 0.99);
}

const fileChat = (extra: Record<string, unknown> = {}) =>
  chatBody({ messages: [{ role: "user", content: [{ type: "text", text: "Sum it up" }, { type: "file", file: { file_id: "files/abc123" } }] }], ...extra });

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM usage_calls").run();
  await env.DB.prepare("DELETE FROM key_affinity").run();
  // Key states (an exhausted key) outlive a test in KV: each test starts with healthy keys.
  await env.GEMINI_KEYS_KV.delete(STATES_ENTRY);
});
afterEach(() => vi.restoreAllMocks());

describe("resumable upload through the pool", () => {
  it("start on a usable key, the upload URL rewritten to the proxy, the bytes to the same key, the file remembered; one ledger row each", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }] });
    rotationPicks("a");
    const calls = google();
    const { start, finish, finishText } = await upload(client);

    expect(start.status).toBe(200);
    expect(start.headers.get("x-goog-upload-url")).toBe("http://proxy.test/upload/v1beta/files?upload_id=UP1&upload_protocol=resumable");
    expect(start.headers.get("x-goog-upload-status")).toBe("active");
    expect(finish.status).toBe(200);
    expect(finish.headers.get("x-goog-upload-status")).toBe("final");
    expect(JSON.parse(finishText).file).toMatchObject({ name: "files/abc123", uri: FILE_URI });

    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.apiKey)).toEqual([KEY_A, KEY_A]);
    expect(calls[0]!.url.href).toBe("https://upstream.test/upload/v1beta/files");
    expect(calls[0]!.body).toEqual({ file: { display_name: "notes" } });
    // Google's URL from GEMINI_API_BASE and the upload id, the bytes passed through.
    expect(calls[1]!.url.href).toBe("https://upstream.test/upload/v1beta/files?upload_id=UP1&upload_protocol=resumable");
    expect(calls[1]!.body).toBe("hello files");

    const { results } = await env.DB.prepare("SELECT name, kind, gemini_key_id, client_key_id, mime_type, uri, size_bytes FROM key_affinity").all();
    expect(results).toEqual([{ name: "files/abc123", kind: "file", gemini_key_id: "a", client_key_id: "client-1", mime_type: "text/plain", uri: FILE_URI, size_bytes: CONTENT.length }]);

    const rows = await ledgerRows();
    expect(rows.map((r) => [r.endpoint, r.gemini_key_id, r.status, r.outcome, r.model])).toEqual([
      ["native:files.upload.start", "a", 200, "ok", "files"],
      ["native:files.upload", "a", 200, "ok", "files"],
    ]);
    expect(rows[1]).toMatchObject({ files: 1, file_bytes: CONTENT.length });
    expect(rows[0]).toMatchObject({ files: 0, file_bytes: 0 });
  });

  it("the bytes of an upload another client started, or one the proxy never saw: 404 in Google's shape, no Google call", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }] });
    await rememberAffinity(env.DB, { name: "uploads/THEIRS", kind: "upload", geminiKeyId: "a", clientKeyId: "client-2", mimeType: null, uri: null, sizeBytes: null, createdAt: Date.now(), expiresAt: Date.now() + 60_000 });
    const calls = google();
    for (const id of ["THEIRS", "NEVER"]) {
      const { response, text } = await callWorker(`/upload/v1beta/files?upload_id=${id}&upload_protocol=resumable`, {
        method: "POST",
        key: client,
        headers: { "x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0" },
        body: CONTENT,
      });
      expect(response.status).toBe(404);
      expect(JSON.parse(text)).toMatchObject({ error: { code: 404, status: "NOT_FOUND" } });
    }
    expect(calls).toHaveLength(0);
    expect((await ledgerRows()).map((r) => [r.endpoint, r.status, r.outcome])).toEqual([
      ["native:files.upload", 404, "client_error"],
      ["native:files.upload", 404, "client_error"],
    ]);
  });

  it("a multipart upload: streamed through to one usable key in one request, the file remembered; a failure is not retried on another key", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }] });
    rotationPicks("a");
    const seen: Array<{ url: string; apiKey: string | null; contentType: string | null; text: string }> = [];
    let overloaded = false;
    // Google faked here without fakeGoogle, which reads every request body as JSON: this one is multipart.
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input as RequestInfo, init as RequestInit);
      seen.push({ url: request.url, apiKey: request.headers.get("x-goog-api-key"), contentType: request.headers.get("content-type"), text: await request.text() });
      if (overloaded) return Response.json({ error: { code: 503, message: "The service is currently unavailable.", status: "UNAVAILABLE" } }, { status: 503 });
      const file = { name: "files/multi1", mimeType: "text/plain", sizeBytes: "5", uri: "https://upstream.test/v1beta/files/multi1", expirationTime: EXPIRES, state: "ACTIVE" };
      return Response.json({ file });
    });
    const body = '--b\r\nContent-Type: application/json\r\n\r\n{"file":{"display_name":"m"}}\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n';
    const headers = { "content-type": "multipart/related; boundary=b" };
    const { response, text } = await callWorker("/upload/v1beta/files?uploadType=multipart", { method: "POST", key: client, headers, body });
    expect(response.status).toBe(200);
    expect(JSON.parse(text).file.name).toBe("files/multi1");
    expect(seen).toEqual([{ url: "https://upstream.test/upload/v1beta/files?uploadType=multipart", apiKey: KEY_A, contentType: "multipart/related; boundary=b", text: body }]);
    const { results } = await env.DB.prepare("SELECT name, gemini_key_id, size_bytes FROM key_affinity").all();
    expect(results).toEqual([{ name: "files/multi1", gemini_key_id: "a", size_bytes: 5 }]);

    overloaded = true;
    const failed = await callWorker("/upload/v1beta/files?uploadType=multipart", { method: "POST", key: client, headers, body });
    expect(failed.response.status).toBe(503);
    expect(seen).toHaveLength(2);
    expect((await ledgerRows()).map((r) => [r.endpoint, r.status, r.attempts, r.files])).toEqual([
      ["native:files.upload", 200, 1, 1],
      ["native:files.upload", 503, 1, 0],
    ]);
  });

  it("raw uploads, and multipart without its content type: a clear 400", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }] });
    const calls = google();
    const raw = await callWorker("/upload/v1beta/files", { method: "POST", key: client, headers: { "x-goog-upload-protocol": "raw" }, body: "{}" });
    expect(raw.response.status).toBe(400);
    expect(JSON.parse(raw.text).error.message).toMatch(/raw uploads are not supported/);
    const multipart = await callWorker("/upload/v1beta/files?uploadType=multipart", { method: "POST", key: client, body: "{}" });
    expect(multipart.response.status).toBe(400);
    expect(JSON.parse(multipart.text).error.message).toMatch(/multipart\/related/);
    expect(calls).toHaveLength(0);
  });
});

describe("calls naming a file or cached content run on the key that holds it", () => {
  it("a chat file_id part goes to key A although rotation picks key B, with the file's URI and MIME type from D1", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }] });
    rotationPicks("a");
    const calls = google();
    await upload(client);
    rotationPicks("b");
    // Rotation now: a plain chat lands on B.
    await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody() });
    expect(calls.at(-1)!.apiKey).toBe(KEY_B);

    const { response } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: fileChat() });
    expect(response.status).toBe(200);
    const call = calls.at(-1)!;
    expect(call.apiKey).toBe(KEY_A);
    expect(call.body).toMatchObject({ contents: [{ role: "user", parts: [{ text: "Sum it up" }, { fileData: { fileUri: FILE_URI, mimeType: "text/plain" } }] }] });

    // The bare id works too, and so does the native API naming the file's URI.
    await callWorker("/v1/chat/completions", { method: "POST", key: client, body: fileChat().replace("files/abc123", "abc123") });
    expect(calls.at(-1)!.apiKey).toBe(KEY_A);
    const native = await callWorker("/v1beta/models/gemini-2.5-flash:generateContent", {
      method: "POST",
      key: client,
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ fileData: { mimeType: "text/plain", fileUri: FILE_URI } }, { text: "?" }] }] }),
    });
    expect(native.response.status).toBe(200);
    expect(calls.at(-1)!.apiKey).toBe(KEY_A);
    // A URI that is not a Files API one (YouTube) pins nothing.
    await callWorker("/v1beta/models/gemini-2.5-flash:generateContent", {
      method: "POST",
      key: client,
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ fileData: { fileUri: "https://www.youtube.com/watch?v=x" } }] }] }),
    });
    expect(calls.at(-1)!.apiKey).toBe(KEY_B);
    expect((await ledgerRows()).map((r) => r.gemini_key_id)).toEqual(["a", "a", "b", "a", "a", "a", "b"]);
  });

  it("a cached content made through the proxy pins chat (extra_body.google.cached_content) and native calls to its key", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }] });
    rotationPicks("a");
    const calls = google();
    const created = await callWorker("/v1beta/cachedContents", {
      method: "POST",
      key: client,
      body: JSON.stringify({ model: "models/gemini-2.5-flash", contents: [{ role: "user", parts: [{ text: "a long text" }] }], ttl: "300s" }),
    });
    expect(created.response.status).toBe(200);
    expect(calls.at(-1)!.url.pathname).toBe("/v1beta/cachedContents");
    rotationPicks("b");
    const chat = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: chatBody({ extra_body: { google: { cached_content: "cachedContents/c1" } } }) });
    expect(chat.response.status).toBe(200);
    expect(calls.at(-1)!).toMatchObject({ apiKey: KEY_A, body: { cachedContent: "cachedContents/c1" } });
    await callWorker("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", {
      method: "POST",
      key: client,
      body: JSON.stringify({ cachedContent: "cachedContents/c1", contents: [{ role: "user", parts: [{ text: "?" }] }] }),
    });
    expect(calls.at(-1)!.apiKey).toBe(KEY_A);
    const list = await callWorker("/v1beta/cachedContents", { key: client });
    expect(JSON.parse(list.text).cachedContents).toEqual([expect.objectContaining({ name: "cachedContents/c1", expireTime: EXPIRES })]);
    expect((await ledgerRows()).map((r) => [r.endpoint, r.gemini_key_id])).toEqual([
      ["native:cachedContents.create", "a"],
      ["chat", "a"],
      ["native:streamGenerateContent", "a"],
    ]);
  });

  it("names count only where Google reads them: a tool result with a cachedContent key pins nothing, countTokens' generateContentRequest does", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }] });
    await rememberAffinity(env.DB, { name: "cachedContents/ona", kind: "cache", geminiKeyId: "a", clientKeyId: "client-1", mimeType: null, uri: null, sizeBytes: null, createdAt: Date.now(), expiresAt: Date.now() + 60_000 });
    rotationPicks("b");
    const calls = google();
    const toolTurn = chatBody({
      messages: [
        { role: "user", content: "Look it up" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_1", content: JSON.stringify({ cachedContent: "not a cache of ours" }) },
      ],
    });
    const tool = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: toolTurn });
    expect(tool.response.status).toBe(200);
    expect(calls.at(-1)!.apiKey).toBe(KEY_B);
    const counted = await callWorker("/v1beta/models/gemini-2.5-flash:countTokens", {
      method: "POST",
      key: client,
      body: JSON.stringify({ generateContentRequest: { model: "models/gemini-2.5-flash", cachedContent: "cachedContents/ona", contents: [{ role: "user", parts: [{ text: "?" }] }] } }),
    });
    expect(counted.response.status).toBe(200);
    expect(calls.at(-1)!.apiKey).toBe(KEY_A);
  });

  it("a file under key A and a cache under key B in one call: 400, no Google call", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }] });
    rotationPicks("a");
    const calls = google();
    await upload(client);
    await rememberAffinity(env.DB, { name: "cachedContents/onb", kind: "cache", geminiKeyId: "b", clientKeyId: "client-1", mimeType: null, uri: null, sizeBytes: null, createdAt: Date.now(), expiresAt: Date.now() + 60_000 });
    const before = calls.length;
    const { response, text } = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: fileChat({ extra_body: { google: { cached_content: "cachedContents/onb" } } }) });
    expect(response.status).toBe(400);
    expect(JSON.parse(text).error).toMatchObject({ code: "files_on_different_keys", message: expect.stringContaining("files/abc123, cachedContents/onb") });
    expect(calls.length).toBe(before);
  });

  it("the owning key exhausted: 429 with Retry-After naming the file, and key B is never called", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }] });
    rotationPicks("a");
    const calls = google((call) => (call.url.pathname.endsWith(":generateContent") && call.apiKey === KEY_A ? reply(perDay429()) : null));
    await upload(client);
    rotationPicks("b");
    const first = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: fileChat() });
    expect(first.response.status).toBe(429);
    expect(Number(first.response.headers.get("retry-after"))).toBeGreaterThan(60);
    expect(JSON.parse(first.text).error).toMatchObject({ code: "rate_limit_exceeded", message: expect.stringContaining("files/abc123") });
    // Now known exhausted: refused before any Google call.
    const second = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: fileChat() });
    expect(second.response.status).toBe(429);
    expect(Number(second.response.headers.get("retry-after"))).toBeGreaterThan(60);
    const generate = calls.filter((c) => c.url.pathname.endsWith(":generateContent"));
    expect(generate.map((c) => c.apiKey)).toEqual([KEY_A]);
    expect((await ledgerRows()).slice(2).map((r) => [r.status, r.outcome, r.gemini_key_id, r.attempts])).toEqual([
      [429, "rate_limited", "a", 1],
      [429, "rate_limited", null, 0],
    ]);
  });

  it("the owning key disabled by the admin: 503 file_key_unavailable naming the file, no Google call", async () => {
    let client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }] });
    rotationPicks("a");
    const calls = google();
    await upload(client);
    client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A, enabled: false }, { id: "b", secret: KEY_B }] });
    const before = calls.length;
    const chat = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: fileChat() });
    expect(chat.response.status).toBe(503);
    expect(JSON.parse(chat.text).error).toMatchObject({ code: "file_key_unavailable", message: expect.stringMatching(/files\/abc123.*disabled by the admin/) });
    const get = await callWorker("/v1beta/files/abc123", { key: client });
    expect(get.response.status).toBe(503);
    expect(JSON.parse(get.text).error).toMatchObject({ code: 503, status: "UNAVAILABLE" });
    expect(calls.length).toBe(before);
  });

  it("Google's 403 about the file (expired, deleted) is the client's 404; the key stays active and serves the next call", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }] });
    rotationPicks("a");
    const forbidden = Response.json(
      { error: { code: 403, message: "You do not have permission to access the File abc123 or it may not exist.", status: "PERMISSION_DENIED" } },
      { status: 403 },
    );
    let refuse = true;
    const calls = google((call) => (call.url.pathname.endsWith(":generateContent") && refuse ? ((refuse = false), forbidden) : null));
    await upload(client);
    rotationPicks("b");
    const refused = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: fileChat() });
    expect(refused.response.status).toBe(404);
    expect(JSON.parse(refused.text).error).toMatchObject({ code: "file_not_accessible" });
    const again = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: fileChat() });
    expect(again.response.status).toBe(200);
    expect(calls.filter((c) => c.url.pathname.endsWith(":generateContent")).map((c) => c.apiKey)).toEqual([KEY_A, KEY_A]);
    expect((await ledgerRows()).slice(2).map((r) => [r.status, r.outcome, r.gemini_key_id])).toEqual([
      [404, "client_error", "a"],
      [200, "ok", "a"],
    ]);
  });
});

describe("each client sees its own files only", () => {
  it("another client's file: 404 on GET, DELETE, and in a chat, absent from the list; no Google call", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }] });
    await rememberAffinity(env.DB, { name: "files/theirs", kind: "file", geminiKeyId: "a", clientKeyId: "client-2", mimeType: "text/plain", uri: "https://upstream.test/v1beta/files/theirs", sizeBytes: 5, createdAt: Date.now(), expiresAt: Date.now() + 60_000 });
    const calls = google();
    const get = await callWorker("/v1beta/files/theirs", { key: client });
    expect(get.response.status).toBe(404);
    expect(JSON.parse(get.text)).toMatchObject({ error: { code: 404, status: "NOT_FOUND" } });
    const del = await callWorker("/v1beta/files/theirs", { method: "DELETE", key: client });
    expect(del.response.status).toBe(404);
    const chat = await callWorker("/v1/chat/completions", { method: "POST", key: client, body: fileChat().replace("abc123", "theirs") });
    expect(chat.response.status).toBe(404);
    expect(JSON.parse(chat.text).error).toMatchObject({ code: "file_not_found" });
    const list = await callWorker("/v1beta/files", { key: client });
    expect(JSON.parse(list.text)).toEqual({ files: [] });
    expect(calls).toHaveLength(0);
    expect((await ledgerRows()).map((r) => [r.endpoint, r.status])).toEqual([
      ["native:files.get", 404],
      ["native:files.delete", 404],
      ["chat", 404],
    ]);
  });

  it("its own file: listed from D1, GET and DELETE on the owning key, deleted means forgotten", async () => {
    const client = await seedProxy({ geminiKeys: [{ id: "a", secret: KEY_A }, { id: "b", secret: KEY_B }] });
    rotationPicks("a");
    const calls = google();
    await upload(client);
    rotationPicks("b");
    const list = await callWorker("/v1beta/files", { key: client });
    expect(JSON.parse(list.text).files).toEqual([
      { name: "files/abc123", mimeType: "text/plain", sizeBytes: String(CONTENT.length), uri: FILE_URI, state: "ACTIVE", createTime: expect.any(String), expirationTime: EXPIRES },
    ]);
    const get = await callWorker("/v1beta/files/abc123", { key: client });
    expect(get.response.status).toBe(200);
    expect(calls.at(-1)).toMatchObject({ apiKey: KEY_A });
    expect(calls.at(-1)!.url.pathname).toBe("/v1beta/files/abc123");
    const del = await callWorker("/v1beta/files/abc123", { method: "DELETE", key: client });
    expect(del.response.status).toBe(200);
    expect(calls.at(-1)!.apiKey).toBe(KEY_A);
    const gone = await callWorker("/v1beta/files/abc123", { key: client });
    expect(gone.response.status).toBe(404);
    expect(calls).toHaveLength(4);
    expect((await ledgerRows()).slice(2).map((r) => [r.endpoint, r.gemini_key_id, r.status])).toEqual([
      ["native:files.get", "a", 200],
      ["native:files.delete", "a", 200],
      ["native:files.get", null, 404],
    ]);
  });
});

describe("the store", () => {
  it("pruning drops only the rows past their expiry", async () => {
    const now = Date.now();
    const row = { kind: "file" as const, geminiKeyId: "a", clientKeyId: "client-1", mimeType: null, uri: null, sizeBytes: null, createdAt: now };
    await rememberAffinity(env.DB, { ...row, name: "files/old", expiresAt: now - 1 });
    await rememberAffinity(env.DB, { ...row, name: "files/live", expiresAt: now + 60_000 });
    await pruneAffinities(env.DB, now);
    const { results } = await env.DB.prepare("SELECT name FROM key_affinity").all();
    expect(results).toEqual([{ name: "files/live" }]);
  });
});
