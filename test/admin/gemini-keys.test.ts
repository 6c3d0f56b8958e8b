import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { KeyStore } from "../../src/pool/key-store";
import type { KeyState } from "../../src/pool/types";
import { recordCall } from "../../src/usage/record";
import { pacificDay } from "../../src/util/pacific-day";
import { API_KEY_INVALID_BODY, admin, fakeGeminiKey, type Admin } from "./helpers";
import { ledgerCall } from "../helpers/ledger";

interface AddResult {
  added: { id: string; name: string; masked: string }[];
  duplicates: number;
  malformed: number;
}

interface KeyItem {
  id: string;
  name: string;
  masked: string;
  enabled: boolean;
  paid: boolean;
  status: string;
  statusReason?: string;
  models: Record<string, { state: string; until?: string; reason?: string }>;
  usage: { day: string; total: number; byCategory: Record<string, number>; byModel: Record<string, number> };
  createdAt: string;
}

interface TestResult {
  ok: boolean;
  status: number;
  latencyMs: number;
  message?: string;
  keyStatus: string;
}

const store = new KeyStore(env.GEMINI_KEYS_KV);

/** Sets one key's state in the packed `states` entry, as the proxy's state writer does. */
async function putState(id: string, state: KeyState): Promise<void> {
  await store.updateStates((states) => {
    states.set(id, state);
    return true;
  });
}

async function stateOf(id: string): Promise<KeyState | undefined> {
  return (await store.readStates()).get(id);
}

/** Today's served calls on a key, as the proxy's ledger rows say them. */
async function served(keyId: string, models: Record<string, number>, now = Date.now()): Promise<void> {
  for (const [model, n] of Object.entries(models)) {
    for (let i = 0; i < n; i++) {
      const category = model.startsWith("gemini-2.5-flash") ? "flash" : model.startsWith("gemini") ? "pro" : "custom";
      await recordCall(env.DB, ledgerCall({ ts: now, geminiKeyId: keyId, model, category }));
    }
  }
}

async function addOne(session: Admin, tag: string, name?: string): Promise<string> {
  const result = await session.json<AddResult>("POST", "/api/admin/gemini-keys", { keys: fakeGeminiKey(tag), name });
  const id = result.added[0]?.id;
  if (!id) throw new Error(`not added: ${JSON.stringify(result)}`);
  return id;
}

async function item(session: Admin, id: string): Promise<KeyItem> {
  const found = (await session.json<KeyItem[]>("GET", "/api/admin/gemini-keys")).find((k) => k.id === id);
  if (!found) throw new Error(`key ${id} not listed`);
  return found;
}

afterEach(() => vi.restoreAllMocks());

describe("POST /api/admin/gemini-keys", () => {
  it("adds many keys from one text, counting duplicates and malformed pieces", async () => {
    const session = await admin();
    const a = fakeGeminiKey("bulkA1");
    const b = fakeGeminiKey("bulkB2");
    const c = fakeGeminiKey("bulkC3");
    const text = `${a}\n${b}, ${a} not-a-key AIzaTooShort\n\n${c} ${c}x`;
    const result = await session.json<AddResult>("POST", "/api/admin/gemini-keys", { keys: text });
    expect(result.added.map((k) => k.masked)).toEqual(["AIzaxx…lkA1", "AIzaxx…lkB2", "AIzaxx…lkC3"]);
    expect(result.added.map((k) => k.name)).toEqual(["Key …lkA1", "Key …lkB2", "Key …lkC3"]);
    expect(result.duplicates).toBe(1);
    expect(result.malformed).toBe(3); // not-a-key, AIzaTooShort, a 40-character key

    const again = await session.json<AddResult>("POST", "/api/admin/gemini-keys", { keys: [a, `${b}\n${fakeGeminiKey("bulkD4")}`] });
    expect(again.added.map((k) => k.masked)).toEqual(["AIzaxx…lkD4"]);
    expect(again.duplicates).toBe(2);
    expect(again.malformed).toBe(0);
  });

  it("names several keys added together with #n after the given name, trimmed", async () => {
    const session = await admin();
    const result = await session.json<AddResult>("POST", "/api/admin/gemini-keys", {
      keys: [fakeGeminiKey("nameA"), fakeGeminiKey("nameB")],
      name: "  <b>Team & co</b>  ",
    });
    expect(result.added.map((k) => k.name)).toEqual(["<b>Team & co</b> #1", "<b>Team & co</b> #2"]);
    const single = await session.json<AddResult>("POST", "/api/admin/gemini-keys", { keys: fakeGeminiKey("nameC"), name: "solo" });
    expect(single.added[0]?.name).toBe("solo");
  });

  it("refuses an empty or 101-character name", async () => {
    const session = await admin();
    for (const name of ["   ", "n".repeat(101)]) {
      const response = await session.request("POST", "/api/admin/gemini-keys", { keys: fakeGeminiKey("badname"), name });
      expect(response.status).toBe(400);
    }
  });
});

describe("GET /api/admin/gemini-keys", () => {
  it("never returns a full key, only the masked form", async () => {
    const session = await admin();
    const secret = fakeGeminiKey("secretZ9");
    await session.json("POST", "/api/admin/gemini-keys", { keys: secret });
    const response = await session.request("GET", "/api/admin/gemini-keys");
    const text = await response.text();
    expect(text).not.toContain(secret);
    expect(text).not.toMatch(/AIza[0-9A-Za-z_-]{35}/);
    expect(text).toContain("AIzaxx…etZ9");
  });

  it("shows status, per-model state for every configured model and today's usage", async () => {
    const session = await admin();
    await session.json("POST", "/api/admin/models", { id: "gemini-2.5-pro", category: "pro" });
    await session.json("POST", "/api/admin/models", { id: "gemini-2.5-flash", category: "flash", individualQuota: 3 });
    await session.json("POST", "/api/admin/models", { id: "my.custom-1", category: "custom", dailyQuota: 10 });
    const id = await addOne(session, "states1");
    const now = Date.now();
    const day = pacificDay(now);
    await putState(id, {
      status: "active",
      since: now,
      models: {
        "gemini-2.5-pro": { state: "exhausted", until: now + 30_000, reason: "daily quota exhausted at Google" },
        "my.custom-1": { state: "exhausted", until: now - 1, reason: "expired block" },
      },
    });
    await served(id, { "gemini-2.5-flash": 3, "my.custom-1": 2 }, now);

    const listed = await item(session, id);
    expect(listed.status).toBe("active");
    expect(listed.statusReason).toBeUndefined();
    expect(listed.enabled).toBe(true);
    expect(Date.parse(listed.createdAt)).toBeGreaterThan(0);
    expect(listed.models["gemini-2.5-pro"]).toEqual({
      state: "exhausted",
      until: new Date(now + 30_000).toISOString(),
      reason: "daily quota exhausted at Google",
    });
    expect(listed.models["gemini-2.5-flash"]?.state).toBe("exhausted");
    expect(listed.models["gemini-2.5-flash"]?.reason).toContain("individual quota of 3");
    expect(Date.parse(listed.models["gemini-2.5-flash"]?.until ?? "")).toBeGreaterThan(now);
    expect(listed.models["my.custom-1"]).toEqual({ state: "ok" });
    expect(listed.usage).toEqual({
      day,
      total: 5,
      byCategory: { pro: 0, flash: 3, custom: 2 },
      byModel: { "gemini-2.5-flash": 3, "my.custom-1": 2 },
    });
  });
});

describe("PATCH and DELETE /api/admin/gemini-keys/{id}", () => {
  it("renames, disables and re-enables; re-enabling clears invalid", async () => {
    const session = await admin();
    const id = await addOne(session, "patch1");
    const renamed = await session.json<KeyItem>("PATCH", `/api/admin/gemini-keys/${id}`, { name: " main key " });
    expect(renamed.name).toBe("main key");
    const disabled = await session.json<KeyItem>("PATCH", `/api/admin/gemini-keys/${id}`, { enabled: false });
    expect(disabled).toMatchObject({ enabled: false, status: "disabled" });

    await putState(id, { status: "invalid", reason: "API key not valid", since: Date.now(), models: {} });
    expect((await item(session, id)).status).toBe("disabled");
    const enabled = await session.json<KeyItem>("PATCH", `/api/admin/gemini-keys/${id}`, { enabled: true });
    expect(enabled).toMatchObject({ enabled: true, status: "active" });
    expect((await stateOf(id))?.status).toBe("active");
  });

  it("marks a key paid and back (stored in the key record, one write per change); a record without the flag reads unpaid", async () => {
    const session = await admin();
    const id = await addOne(session, "paid1");
    expect((await item(session, id)).paid).toBe(false);
    expect((await store.listKeys()).find((k) => k.id === id)).not.toHaveProperty("paid");

    const kvPut = vi.spyOn(env.GEMINI_KEYS_KV, "put");
    const paid = await session.json<KeyItem>("PATCH", `/api/admin/gemini-keys/${id}`, { paid: true });
    expect(paid).toMatchObject({ id, paid: true, enabled: true, status: "active" });
    expect(kvPut).toHaveBeenCalledTimes(1);
    expect((await store.listKeys()).find((k) => k.id === id)?.paid).toBe(true);
    expect((await item(session, id)).paid).toBe(true);

    kvPut.mockClear();
    await session.json<KeyItem>("PATCH", `/api/admin/gemini-keys/${id}`, { paid: true });
    expect(kvPut).not.toHaveBeenCalled(); // no change, no write

    const unpaid = await session.json<KeyItem>("PATCH", `/api/admin/gemini-keys/${id}`, { paid: false });
    expect(unpaid.paid).toBe(false);
    expect((await item(session, id)).paid).toBe(false);

    for (const bad of [{ paid: "yes" }, { paid: 1 }, { paid: null }]) {
      const response = await session.request("PATCH", `/api/admin/gemini-keys/${id}`, bad);
      expect(response.status).toBe(400);
    }
    expect((await item(session, id)).paid).toBe(false);
  });

  it("answers 404 for an unknown id and 400 for unknown fields", async () => {
    const session = await admin();
    expect((await session.request("PATCH", "/api/admin/gemini-keys/missing", { name: "x" })).status).toBe(404);
    expect((await session.request("DELETE", "/api/admin/gemini-keys/missing")).status).toBe(404);
    const id = await addOne(session, "patch2");
    expect((await session.request("PATCH", `/api/admin/gemini-keys/${id}`, { secret: "x" })).status).toBe(400);
    expect((await session.request("PATCH", `/api/admin/gemini-keys/${id}`, { enabled: "yes" })).status).toBe(400);
  });

  it("deletes a key and its state", async () => {
    const session = await admin();
    const id = await addOne(session, "delete1");
    const other = await addOne(session, "delete2");
    await putState(id, { status: "invalid", since: 1, models: {} });
    await putState(other, { status: "invalid", since: 1, models: {} });
    expect(await session.json("DELETE", `/api/admin/gemini-keys/${id}`)).toEqual({ ok: true });
    expect((await session.json<KeyItem[]>("GET", "/api/admin/gemini-keys")).some((k) => k.id === id)).toBe(false);
    const states = await store.readStates();
    expect(states.has(id)).toBe(false);
    expect(states.get(other)?.status).toBe("invalid"); // the other keys' states stay in the packed entry
  });

  it("bulk-deletes the ids that exist", async () => {
    const session = await admin();
    const first = await addOne(session, "bulkdel1");
    const second = await addOne(session, "bulkdel2");
    const kept = await addOne(session, "bulkdel3");
    const result = await session.json("POST", "/api/admin/gemini-keys/bulk-delete", { ids: [first, second, "unknown"] });
    expect(result).toEqual({ deleted: 2 });
    const ids = (await session.json<KeyItem[]>("GET", "/api/admin/gemini-keys")).map((k) => k.id);
    expect(ids).toContain(kept);
    expect(ids).not.toContain(first);
    expect(ids).not.toContain(second);
  });
});

describe("POST /api/admin/gemini-keys/{id}/test", () => {
  it("marks a key Google calls invalid, redacts the message, and a passing test makes it active again", async () => {
    const session = await admin();
    const secret = fakeGeminiKey("probe1");
    const id = await addOne(session, "probe1");
    const calls: { url: string; method: string; apiKey: string | null; body: string }[] = [];
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      calls.push({ url: request.url, method: request.method, apiKey: request.headers.get("x-goog-api-key"), body: await request.text() });
      const invalid = { ...API_KEY_INVALID_BODY, error: { ...API_KEY_INVALID_BODY.error, message: `API key not valid: ${secret}` } };
      return Response.json(invalid, { status: 400 });
    });

    const failed = await session.json<TestResult>("POST", `/api/admin/gemini-keys/${id}/test`, { model: "gemini-2.5-flash" });
    expect(failed).toMatchObject({ ok: false, status: 400, keyStatus: "invalid" });
    expect(failed.latencyMs).toBeGreaterThanOrEqual(0);
    expect(failed.message).toContain("API key not valid");
    expect(failed.message).not.toContain(secret);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe("https://upstream.test/v1beta/models/gemini-2.5-flash:countTokens");
    expect(calls[0]?.method).toBe("POST");
    expect(calls[0]?.apiKey).toBe(secret);
    expect(calls[0]?.url).not.toContain("key=");
    const listed = await item(session, id);
    expect(listed.status).toBe("invalid");
    expect(listed.statusReason).toContain("API key not valid");

    spy.mockImplementation(async () => Response.json({ totalTokens: 1 }));
    const passed = await session.json<TestResult>("POST", `/api/admin/gemini-keys/${id}/test`, {});
    expect(passed).toMatchObject({ ok: true, status: 200, keyStatus: "active" });
    expect(passed.message).toBeUndefined();
    expect((await item(session, id)).status).toBe("active");
  });

  it("marks a key suspended on 403 and lifts it on a passing test", async () => {
    const session = await admin();
    const id = await addOne(session, "probe2");
    // A Response must be made inside the request that reads it, hence mockImplementation.
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      Response.json(
        { error: { code: 403, message: "Permission denied: Consumer has been suspended.", status: "PERMISSION_DENIED" } },
        { status: 403 },
      ),
    );
    const failed = await session.json<TestResult>("POST", `/api/admin/gemini-keys/${id}/test`, {});
    expect(failed).toMatchObject({ ok: false, status: 403, keyStatus: "suspended" });
    spy.mockImplementation(async () => Response.json({ totalTokens: 1 }));
    expect((await session.json<TestResult>("POST", `/api/admin/gemini-keys/${id}/test`, {})).keyStatus).toBe("active");
  });

  it("a rate limit or network error on the test call leaves the key's state alone", async () => {
    const session = await admin();
    const id = await addOne(session, "probe3");
    await putState(id, { status: "invalid", reason: "old", since: 1, models: {} });
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("network down"));
    const result = await session.json<TestResult>("POST", `/api/admin/gemini-keys/${id}/test`, {});
    expect(result).toMatchObject({ ok: false, status: 0, keyStatus: "invalid" });
    expect((await stateOf(id))?.reason).toBe("old");
  });

  it("tests the configured flash model by default, and 404s an unknown key", async () => {
    const session = await admin();
    const id = await addOne(session, "probe4");
    const urls: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      urls.push(new Request(input, init).url);
      return Response.json({ totalTokens: 1 });
    });
    await session.json("POST", `/api/admin/gemini-keys/${id}/test`);
    expect(urls[0]).toMatch(/\/v1beta\/models\/gemini-2\.5-flash:countTokens$/);
    expect((await session.request("POST", "/api/admin/gemini-keys/nope/test", {})).status).toBe(404);
    expect((await session.request("POST", `/api/admin/gemini-keys/${id}/test`, { model: "bad model" })).status).toBe(400);
  });
});
