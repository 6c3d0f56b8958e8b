import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { KeyStore } from "../../src/pool/key-store";
import { API_KEY_INVALID_BODY, admin, fakeGeminiKey } from "./helpers";

afterEach(() => vi.restoreAllMocks());

interface Model {
  id: string;
  category: string;
  dailyQuota: number | null;
  individualQuota: number | null;
}

describe("models", () => {
  it("creates, lists, replaces and deletes models whose ids hold dots and dashes", async () => {
    const session = await admin();
    const created = await session.json<Model>("POST", "/api/admin/models", { id: "gemini-2.5-flash-lite", category: "flash" });
    expect(created).toEqual({ id: "gemini-2.5-flash-lite", category: "flash", dailyQuota: null, individualQuota: null });
    await session.json("POST", "/api/admin/models", { id: "gemma-3.27b-it", category: "custom", dailyQuota: 50 });
    expect(await session.json<Model[]>("GET", "/api/admin/models")).toEqual([
      created,
      { id: "gemma-3.27b-it", category: "custom", dailyQuota: 50, individualQuota: null },
    ]);

    const replaced = await session.json<Model>("PUT", "/api/admin/models/gemini-2.5-flash-lite", {
      category: "flash",
      individualQuota: 20,
    });
    expect(replaced).toEqual({ id: "gemini-2.5-flash-lite", category: "flash", dailyQuota: null, individualQuota: 20 });
    expect((await session.json<Model[]>("GET", "/api/admin/models"))[0]).toEqual(replaced);

    expect(await session.json("DELETE", "/api/admin/models/gemma-3.27b-it")).toEqual({ ok: true });
    expect((await session.json<Model[]>("GET", "/api/admin/models")).map((m) => m.id)).toEqual(["gemini-2.5-flash-lite"]);
  });

  it("answers 409 for a duplicate id, 404 for an unknown one, 400 for bad fields", async () => {
    const session = await admin();
    await session.json("POST", "/api/admin/models", { id: "dup.model", category: "pro" });
    const duplicate = await session.request("POST", "/api/admin/models", { id: "dup.model", category: "flash" });
    expect(duplicate.status).toBe(409);
    expect(((await duplicate.json()) as { error: { code: string } }).error.code).toBe("duplicate_model");
    expect((await session.request("PUT", "/api/admin/models/unknown", { category: "pro" })).status).toBe(404);
    expect((await session.request("DELETE", "/api/admin/models/unknown")).status).toBe(404);
    expect((await session.request("PUT", "/api/admin/models/dup.model", { id: "other", category: "pro" })).status).toBe(400);
    expect((await session.request("PUT", "/api/admin/models/dup.model", { category: "pro", dailyQuota: 1.5 })).status).toBe(400);
  });

  it("lists Google's servable models over every page through a usable key", async () => {
    const session = await admin();
    const store = new KeyStore(env.GEMINI_KEYS_KV);
    for (const key of await store.listKeys()) await session.request("DELETE", `/api/admin/gemini-keys/${key.id}`);
    expect((await session.request("GET", "/api/admin/models/available")).status).toBe(503);

    const badSecret = fakeGeminiKey("listBad");
    const goodSecret = fakeGeminiKey("listGood");
    await session.json("POST", "/api/admin/gemini-keys", { keys: [badSecret, goodSecret] });
    const seen: { url: URL; apiKey: string | null }[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      const apiKey = request.headers.get("x-goog-api-key");
      seen.push({ url, apiKey });
      if (apiKey === badSecret) return Response.json(API_KEY_INVALID_BODY, { status: 400 });
      if (!url.searchParams.get("pageToken")) {
        return Response.json({
          models: [
            { name: "models/gemini-2.5-pro", displayName: "Gemini 2.5 Pro", supportedGenerationMethods: ["generateContent", "countTokens"] },
            { name: "models/imagen-4.0-generate-001", displayName: "Imagen 4", supportedGenerationMethods: ["predict"] },
          ],
          nextPageToken: "page-2",
        });
      }
      return Response.json({
        models: [
          { name: "models/gemini-2.5-flash", displayName: "Gemini 2.5 Flash", supportedGenerationMethods: ["generateContent"] },
          { name: "models/gemini-embedding-001", displayName: "Gemini Embedding", supportedGenerationMethods: ["embedContent"] },
        ],
      });
    });

    const available = await session.json<{ models: unknown[] }>("GET", "/api/admin/models/available");
    expect(available.models).toEqual([
      { id: "gemini-2.5-pro", displayName: "Gemini 2.5 Pro", suggestedCategory: "pro" },
      { id: "gemini-2.5-flash", displayName: "Gemini 2.5 Flash", suggestedCategory: "flash" },
      { id: "gemini-embedding-001", displayName: "Gemini Embedding", suggestedCategory: "custom" },
    ]);
    expect(seen.map((s) => `${s.url.pathname}?${s.url.searchParams}`)).toEqual([
      "/v1beta/models?pageSize=1000",
      "/v1beta/models?pageSize=1000",
      "/v1beta/models?pageSize=1000&pageToken=page-2",
    ]);
    const badKey = (await store.listKeys()).find((k) => k.secret === badSecret);
    expect((await store.readStates()).get(badKey?.id ?? "")?.status).toBe("invalid");
  });

  it("answers 502 with a redacted message when Google fails for another reason", async () => {
    const session = await admin();
    const secret = fakeGeminiKey("listDown");
    await session.json("POST", "/api/admin/gemini-keys", { keys: secret });
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      Response.json({ error: { code: 500, message: `internal with ${secret}`, status: "INTERNAL" } }, { status: 500 }),
    );
    const response = await session.request("GET", "/api/admin/models/available");
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).not.toContain(secret);
    expect(text).toContain("upstream_error");
  });
});

describe("settings", () => {
  it("answers the defaults, then saves and returns a full settings object", async () => {
    const session = await admin();
    const defaults = await session.json<Record<string, unknown>>("GET", "/api/admin/settings");
    expect(defaults).toEqual({
      quotas: { pro: 100, flash: 250 },
      maxAttempts: 3,
      attemptTimeoutMs: 60_000,
      keepAliveSeconds: 15,
      alwaysIncludeThoughts: false,
      retentionDays: 90,
      retentionMaxMb: 400,
      corsOrigins: ["*"],
    });
    const next = { ...defaults, quotas: { pro: 50, flash: 1000 }, alwaysIncludeThoughts: true, maxAttempts: 5, retentionMaxMb: 120 };
    expect(await session.json("PUT", "/api/admin/settings", next)).toEqual(next);
    expect(await session.json("GET", "/api/admin/settings")).toEqual(next);
  });

  it("refuses a partial or out-of-range settings object with 400 and keeps the stored one", async () => {
    const session = await admin();
    const before = await session.json<Record<string, unknown>>("GET", "/api/admin/settings");
    const partial = await session.request("PUT", "/api/admin/settings", { quotas: { pro: 1, flash: 2 } });
    expect(partial.status).toBe(400);
    const body = (await partial.json()) as { error: { issues: { path: string }[] } };
    expect(body.error.issues.map((i) => i.path)).toContain("maxAttempts");
    expect((await session.request("PUT", "/api/admin/settings", { ...before, maxAttempts: 0 })).status).toBe(400);
    for (const retentionMaxMb of [9, 491, 100.5, "400"]) {
      const refused = await session.request("PUT", "/api/admin/settings", { ...before, retentionMaxMb });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).toEqual(["retentionMaxMb"]);
    }
    expect(await session.json("GET", "/api/admin/settings")).toEqual(before);
  });

  it("takes a settings object without retentionMaxMb (a client older than the field) as 400 MB", async () => {
    const session = await admin();
    const { retentionMaxMb: _omitted, ...older } = await session.json<Record<string, unknown>>("GET", "/api/admin/settings");
    expect(await session.json("PUT", "/api/admin/settings", { ...older, retentionMaxMb: 10 })).toMatchObject({ retentionMaxMb: 10 });
    expect(await session.json("PUT", "/api/admin/settings", older)).toEqual({ ...older, retentionMaxMb: 400 });
    expect(await session.json("GET", "/api/admin/settings")).toMatchObject({ retentionMaxMb: 400 });
  });
});
