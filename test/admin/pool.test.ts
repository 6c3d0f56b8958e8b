import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { KeyStore } from "../../src/pool/key-store";
import type { KeyState } from "../../src/pool/types";
import { recordCall } from "../../src/usage/record";
import { pacificDay } from "../../src/util/pacific-day";
import { admin, fakeGeminiKey, type Admin } from "./helpers";
import { ledgerCall } from "../helpers/ledger";

interface PoolToday {
  day: string;
  keys: { id: string; name: string; total: number; byModel: Record<string, number> }[];
  models: { id: string; category: string; capacity: number | null; used: number; remaining: number | null; availableKeys: number }[];
}

const store = new KeyStore(env.GEMINI_KEYS_KV);

/** Sets one key's state in the packed `states` entry, as the proxy's state writer does. */
async function putState(id: string, state: KeyState): Promise<void> {
  await store.updateStates((states) => {
    states.set(id, state);
    return true;
  });
}

/** Today's served calls on a key: ledger rows, as the proxy writes them. */
async function served(keyId: string, models: Record<string, number>, now = Date.now()): Promise<void> {
  for (const [model, n] of Object.entries(models)) {
    for (let i = 0; i < n; i++) {
      await recordCall(env.DB, ledgerCall({ ts: now, geminiKeyId: keyId, model }));
    }
  }
}

async function addKey(session: Admin, tag: string): Promise<string> {
  const result = await session.json<{ added: { id: string }[] }>("POST", "/api/admin/gemini-keys", {
    keys: fakeGeminiKey(tag),
    name: tag,
  });
  return result.added[0]?.id ?? "";
}

describe("pool", () => {
  it("today: per-key totals and per-model capacity, use, remaining and available keys", async () => {
    const session = await admin();
    await session.json("PUT", "/api/admin/settings", {
      quotas: { pro: 10, flash: 100 },
      maxAttempts: 3,
      attemptTimeoutMs: 60_000,
      keepAliveSeconds: 15,
      alwaysIncludeThoughts: false,
      retentionDays: 90,
    });
    await session.json("POST", "/api/admin/models", { id: "gemini-2.5-pro", category: "pro" });
    await session.json("POST", "/api/admin/models", { id: "gemini-3-pro", category: "pro", individualQuota: 4 });
    await session.json("POST", "/api/admin/models", { id: "gemini-2.5-flash", category: "flash" });
    await session.json("POST", "/api/admin/models", { id: "gemma.custom", category: "custom" });
    await session.json("POST", "/api/admin/models", { id: "limited.custom", category: "custom", dailyQuota: 5 });
    await session.json("POST", "/api/admin/models", { id: "imagen-4.0-generate-001", category: "custom", dailyQuota: 5 });

    const a = await addKey(session, "poolA");
    const b = await addKey(session, "poolB");
    const disabled = await addKey(session, "poolOff");
    const invalid = await addKey(session, "poolBad");
    await session.json("PATCH", `/api/admin/gemini-keys/${disabled}`, { enabled: false });
    await session.json("PATCH", `/api/admin/gemini-keys/${b}`, { paid: true });
    const now = Date.now();
    await putState(invalid, { status: "invalid", since: now, models: {} });
    await putState(b, {
      status: "active",
      since: now,
      models: { "gemini-2.5-flash": { state: "exhausted", until: now + 60_000, reason: "daily quota exhausted at Google" } },
    });
    const day = pacificDay(now);
    await served(a, { "gemini-2.5-pro": 6, "gemini-3-pro": 4, "limited.custom": 3 }, now);
    await served(b, { "gemini-2.5-flash": 2 }, now);
    await served(invalid, { "gemini-2.5-pro": 1 }, now);

    const today = await session.json<PoolToday>("GET", "/api/admin/pool/today");
    expect(today.day).toBe(day);
    expect(today.keys).toEqual([
      { id: a, name: "poolA", total: 13, byModel: { "gemini-2.5-pro": 6, "gemini-3-pro": 4, "limited.custom": 3 } },
      { id: b, name: "poolB", total: 2, byModel: { "gemini-2.5-flash": 2 } },
      { id: disabled, name: "poolOff", total: 0, byModel: {} },
      { id: invalid, name: "poolBad", total: 1, byModel: { "gemini-2.5-pro": 1 } },
    ]);
    const byId = new Map(today.models.map((m) => [m.id, m]));
    // Usable keys: a and b. Pro quota 10 per key; a has drawn all 10 of it.
    expect(byId.get("gemini-2.5-pro")).toEqual({
      id: "gemini-2.5-pro", category: "pro", capacity: 20, used: 7, remaining: 10, availableKeys: 1,
    });
    // Individual quota 4 per key; a used its 4.
    expect(byId.get("gemini-3-pro")).toEqual({
      id: "gemini-3-pro", category: "pro", capacity: 8, used: 4, remaining: 4, availableKeys: 1,
    });
    // b is exhausted for flash (Google's per-day 429), so only a can serve it now.
    expect(byId.get("gemini-2.5-flash")).toEqual({
      id: "gemini-2.5-flash", category: "flash", capacity: 200, used: 2, remaining: 198, availableKeys: 1,
    });
    expect(byId.get("gemma.custom")).toEqual({
      id: "gemma.custom", category: "custom", capacity: null, used: 0, remaining: null, availableKeys: 2,
    });
    expect(byId.get("limited.custom")).toEqual({
      id: "limited.custom", category: "custom", capacity: 10, used: 3, remaining: 7, availableKeys: 2,
    });
    // Imagen runs only on keys marked paid: b alone, so one key's quota.
    expect(byId.get("imagen-4.0-generate-001")).toEqual({
      id: "imagen-4.0-generate-001", category: "custom", capacity: 5, used: 0, remaining: 5, availableKeys: 1,
    });
  });

  it("reset zeroes today's key counts (D1 and counts:<day> in KV) and lifts per-model blocks, keeping invalid keys invalid", async () => {
    const session = await admin();
    const day = pacificDay(Date.now());
    const before = await session.json<PoolToday>("GET", "/api/admin/pool/today");
    expect(before.keys.some((k) => k.total > 0)).toBe(true);

    expect(await session.json("POST", "/api/admin/pool/reset", {})).toEqual({ ok: true });

    const reset = await env.DB.prepare("SELECT through FROM quota_resets WHERE day = ?").bind(day).first<{ through: number }>();
    expect(reset).not.toBeNull();
    expect(await store.readCounts(day)).toMatchObject({ day, resetThrough: reset!.through, keys: {} });
    const states = await store.readStates();
    for (const state of states.values()) expect(state.models).toEqual({});
    expect([...states.values()].some((s) => s.status === "invalid")).toBe(true);
    const today = await session.json<PoolToday>("GET", "/api/admin/pool/today");
    expect(today.keys.every((k) => k.total === 0)).toBe(true);
    expect(today.models.find((m) => m.id === "gemini-2.5-flash")?.availableKeys).toBe(2);
  });
});
