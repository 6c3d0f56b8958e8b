// Files with key affinity through wrangler dev and the fake Gemini: a resumable upload with
// plain fetch (the upload URL the proxy answers points at the proxy), then chat calls with the
// official openai client naming the file go to the key that holds it, while rotation sends
// other calls to the newer, less loaded key; one ledger row per call, the upload's with its bytes.

import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { d1, fake, fakeGeminiKey, openaiClient, seedPool, waitFor, workerUrl, type SeededPool } from "./harness";

const FLASH = "gemini-2.5-flash";
const CONTENT = Buffer.from("Minutes of the meeting: the proxy keeps files on the key that made them.\n");
let client: OpenAI;
let pool: SeededPool;
/** The file the first test uploaded (under key A). */
let uploaded: { name: string; uri: string } | null = null;

interface Recorded {
  action: string | null;
  apiKey: string | null;
  body: unknown;
  status: number | null;
  resourceOwner?: string;
  headers: Record<string, string>;
}

beforeAll(async () => {
  await fake.reset();
  pool = await seedPool({ geminiKeys: 1, models: [FLASH], clientKeyName: "files-e2e", replace: true });
  client = openaiClient(pool.clientKey.key);
});

async function uploadFile(): Promise<{ name: string; uri: string; uploadUrl: string }> {
  const start = await fetch(`${workerUrl()}/upload/v1beta/files`, {
    method: "POST",
    headers: {
      "x-goog-api-key": pool.clientKey.key,
      "x-goog-upload-protocol": "resumable",
      "x-goog-upload-command": "start",
      "x-goog-upload-header-content-length": String(CONTENT.length),
      "x-goog-upload-header-content-type": "text/plain",
      "content-type": "application/json",
    },
    body: JSON.stringify({ file: { display_name: "minutes" } }),
  });
  expect(start.status).toBe(200);
  const uploadUrl = start.headers.get("x-goog-upload-url") ?? "";
  const finish = await fetch(uploadUrl, {
    method: "POST",
    headers: { "x-goog-api-key": pool.clientKey.key, "x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0", "content-type": "text/plain" },
    body: CONTENT,
  });
  expect(finish.status).toBe(200);
  expect(finish.headers.get("x-goog-upload-status")).toBe("final");
  const { file } = (await finish.json()) as { file: { name: string; uri: string; sizeBytes: string; mimeType: string } };
  expect(file).toMatchObject({ sizeBytes: String(CONTENT.length), mimeType: "text/plain" });
  return { name: file.name, uri: file.uri, uploadUrl };
}

const generateCalls = async (): Promise<Recorded[]> => ((await fake.requests()) as Recorded[]).filter((r) => r.action === "generateContent");

describe("files stay on the key that uploaded them", () => {
  it("upload on key A, then chat calls naming the file go to A while rotation sends plain calls to key B", async () => {
    await fake.clearRequests();
    const keyA = pool.geminiKeys[0]!;
    const file = await uploadFile();
    uploaded = file;
    // The client sends the bytes to the proxy, never to Google's host.
    const workerOrigin = new URL(workerUrl()).origin;
    expect(new URL(file.uploadUrl).origin).toBe(workerOrigin);
    expect(new URL(file.uploadUrl).searchParams.get("upload_id")).toBeTruthy();
    const uploads = ((await fake.requests()) as Recorded[]).filter((r) => r.action === "uploadStart" || r.action === "uploadFinalize");
    expect(uploads.map((r) => [r.action, r.apiKey, r.status])).toEqual([
      ["uploadStart", keyA.key, 200],
      ["uploadFinalize", keyA.key, 200],
    ]);
    // The bytes streamed through keep their length (workerd knows it from the client's request).
    expect(uploads[1]!.headers).toMatchObject({ "x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0", "content-length": String(CONTENT.length) });

    // Key B joins the pool with no load: rotation (the less loaded of two random keys) sends plain calls to it.
    const keyB = fakeGeminiKey();
    const added = await pool.admin.post<{ added: Array<{ id: string }> }>("/api/admin/gemini-keys", { keys: keyB, name: "files-e2e-b" });
    await waitFor(
      async () => {
        await fake.clearRequests();
        await client.chat.completions.create({ model: FLASH, messages: [{ role: "user", content: "Hello" }] });
        return (await generateCalls())[0]?.apiKey === keyB;
      },
      { timeoutMs: 20_000, intervalMs: 100, message: "rotation never picked the new key B" },
    );

    await fake.clearRequests();
    for (const fileId of [file.name, file.name.slice("files/".length), file.name]) {
      const answer = await client.chat.completions.create({
        model: FLASH,
        messages: [{ role: "user", content: [{ type: "text", text: "Summarise the file." }, { type: "file", file: { file_id: fileId } }] }],
      });
      expect(answer.choices[0]?.message.content).toBeTruthy();
    }
    const pinned = await generateCalls();
    expect(pinned.map((r) => r.apiKey)).toEqual([keyA.key, keyA.key, keyA.key]);
    expect(pinned[0]!.body).toMatchObject({
      contents: [{ role: "user", parts: [{ text: "Summarise the file." }, { fileData: { fileUri: file.uri, mimeType: "text/plain" } }] }],
    });

    // Another client never sees it.
    const other = await pool.admin.post<{ key: string }>("/api/admin/worker-keys", { name: "files-e2e-other" });
    const otherClient = openaiClient(other.key);
    const refused = await waitFor(async () =>
      otherClient.chat.completions
        .create({ model: FLASH, messages: [{ role: "user", content: [{ type: "file", file: { file_id: file.name } }] }] })
        .then(() => null, (error: unknown) => (error instanceof OpenAI.APIError && error.status !== 401 ? error : null)),
    );
    expect(refused.status).toBe(404);
    expect(refused.code).toBe("file_not_found");

    const rows = await d1<{ endpoint: string; gemini_key_id: string | null; status: number; files: number; file_bytes: number }>(
      `SELECT endpoint, gemini_key_id, status, files, file_bytes FROM usage_calls WHERE client_key_id = '${pool.clientKey.id}' AND endpoint LIKE 'native:files%' ORDER BY id`,
    );
    expect(rows).toEqual([
      { endpoint: "native:files.upload.start", gemini_key_id: keyA.id, status: 200, files: 0, file_bytes: 0 },
      { endpoint: "native:files.upload", gemini_key_id: keyA.id, status: 200, files: 1, file_bytes: CONTENT.length },
    ]);
    const chats = await d1<{ gemini_key_id: string }>(
      `SELECT gemini_key_id FROM usage_calls WHERE client_key_id = '${pool.clientKey.id}' AND endpoint = 'chat' ORDER BY id DESC LIMIT 3`,
    );
    expect(chats.map((r) => r.gemini_key_id)).toEqual([keyA.id, keyA.id, keyA.id]);
    expect(added.added).toHaveLength(1);
  });

  it("a cached content made through the proxy pins chat's extra_body.google.cached_content to its key; a deleted file is 404 without a Google call", async () => {
    expect(uploaded).not.toBeNull();
    await fake.clearRequests();
    const created = await fetch(`${workerUrl()}/v1beta/cachedContents`, {
      method: "POST",
      headers: { "x-goog-api-key": pool.clientKey.key, "content-type": "application/json" },
      body: JSON.stringify({ model: `models/${FLASH}`, contents: [{ role: "user", parts: [{ text: "The minutes, at length." }] }], ttl: "600s" }),
    });
    expect(created.status).toBe(200);
    const cache = (await created.json()) as { name: string };
    const owner = ((await fake.requests()) as Recorded[]).find((r) => r.action === "createCachedContent")!.apiKey;
    expect(owner).toBeTruthy();

    await fake.clearRequests();
    for (let i = 0; i < 4; i += 1) {
      const params = { model: FLASH, messages: [{ role: "user", content: "What do the minutes say?" }], extra_body: { google: { cached_content: cache.name } } };
      await client.chat.completions.create(params as OpenAI.ChatCompletionCreateParamsNonStreaming);
    }
    const cached = await generateCalls();
    expect(cached.map((r) => r.apiKey)).toEqual([owner, owner, owner, owner]);
    expect(cached[0]!.body).toMatchObject({ cachedContent: cache.name });

    const deleted = await fetch(`${workerUrl()}/v1beta/${uploaded!.name}`, { method: "DELETE", headers: { "x-goog-api-key": pool.clientKey.key } });
    expect(deleted.status).toBe(200);
    await fake.clearRequests();
    const gone = await client.chat.completions
      .create({ model: FLASH, messages: [{ role: "user", content: [{ type: "file", file: { file_id: uploaded!.name } }] }] })
      .then(() => null, (error: unknown) => error);
    expect(gone).toBeInstanceOf(OpenAI.APIError);
    expect((gone as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    expect(await fake.requests()).toEqual([]);
  });
});
