// Day counters on the proxy path: spaced KV writes (at most one per call, one per second
// per entry), the in-isolate snapshot and its refresh, and a reset by hand in another isolate.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KeyPool } from "../../src/pool/key-pool";
import { KeyStore } from "../../src/pool/key-store";
import { pacificDay } from "../../src/pool/pacific-day";
import { POOL_TTL_MS, invalidatePoolSnapshot, loadPoolSnapshot } from "../../src/pool/pool-snapshot";
import { resetQuotasNow } from "../../src/pool/reset";
import { CountingKv, MODELS, configSnapshot, seed, waitUntilCollector } from "./harness";

const FLASH = MODELS[1]!;
const PRO = MODELS[0]!;
const store = new KeyStore(env.GEMINI_KEYS_KV);
let run = 0;
let keyId: string;

beforeEach(async () => {
  run += 1;
  keyId = `c${run}-key`;
  await seed([{ id: keyId, behaviour: "ok" }]);
});

afterEach(() => vi.restoreAllMocks());

async function kvCount(id: string, model: string): Promise<number | undefined> {
  return (await store.readCounters(pacificDay(Date.now()), [id])).get(id)?.models[model];
}

describe("counter writes", () => {
  it("a burst of calls on one key costs two writes and the last one carries every call", async () => {
    const kv = new CountingKv(env.GEMINI_KEYS_KV);
    const pool = await KeyPool.open(kv.binding, configSnapshot());
    const { waitUntil, settle } = waitUntilCollector();
    for (let i = 0; i < 5; i++) pool.recordSuccess(keyId, FLASH.id, waitUntil);
    pool.recordSuccess(keyId, PRO.id, waitUntil);
    await settle();
    expect(kv.counts.put).toBe(2);
    expect(await kvCount(keyId, FLASH.id)).toBe(5);
    expect(await kvCount(keyId, PRO.id)).toBe(1);
  });

  it("keeps writing after the first write (calls spread over time each reach KV)", async () => {
    const kv = new CountingKv(env.GEMINI_KEYS_KV);
    const { waitUntil, settle } = waitUntilCollector();
    for (let i = 1; i <= 3; i++) {
      const pool = await KeyPool.open(kv.binding, configSnapshot());
      pool.recordSuccess(keyId, FLASH.id, waitUntil);
      await settle();
      expect(await kvCount(keyId, FLASH.id)).toBe(i);
    }
    expect(kv.counts.put).toBe(3);
  });
});

describe("the pool snapshot", () => {
  it("cold: one get and one bulk get; warm within the TTL: nothing; after the TTL: read again", async () => {
    const kv = new CountingKv(env.GEMINI_KEYS_KV);
    const now = Date.now();
    await loadPoolSnapshot(kv.binding, now);
    expect(kv.counts).toMatchObject({ get: 1, bulkGet: 1, put: 0, list: 0 });
    kv.reset();
    await loadPoolSnapshot(kv.binding, now + POOL_TTL_MS - 1);
    expect(kv.total).toBe(0);
    await loadPoolSnapshot(kv.binding, now + POOL_TTL_MS);
    expect(kv.counts).toMatchObject({ get: 1, bulkGet: 1 });
  });

  it("a refresh that fails serves the previous snapshot of the day; with none, the error stands", async () => {
    const now = Date.now();
    const before = await loadPoolSnapshot(env.GEMINI_KEYS_KV, now);
    const broken = new Proxy(env.GEMINI_KEYS_KV, {
      get(target, property) {
        if (property === "get") return () => Promise.reject(new Error("KV unavailable"));
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(await loadPoolSnapshot(broken, now + POOL_TTL_MS)).toBe(before);
    invalidatePoolSnapshot();
    await expect(loadPoolSnapshot(broken, now + POOL_TTL_MS)).rejects.toThrow("KV unavailable");
  });

  it("a call that outlives a refresh counts into the new snapshot, and KV gets the full count", async () => {
    const now = Date.now();
    const longCall = await KeyPool.open(env.GEMINI_KEYS_KV, configSnapshot(), now);
    const { waitUntil, settle } = waitUntilCollector();
    const refreshed = await loadPoolSnapshot(env.GEMINI_KEYS_KV, now + POOL_TTL_MS); // another call came in
    longCall.recordSuccess(keyId, FLASH.id, waitUntil);
    const later = await KeyPool.open(env.GEMINI_KEYS_KV, configSnapshot(), now + POOL_TTL_MS);
    later.recordSuccess(keyId, FLASH.id, waitUntil);
    await settle();
    expect(refreshed.counters.get(keyId)?.models[FLASH.id]).toBe(2);
    expect(await kvCount(keyId, FLASH.id)).toBe(2);
  });

  it("a refresh keeps counts this isolate has not written yet, and takes higher ones from KV", async () => {
    const now = Date.now();
    const pool = await KeyPool.open(env.GEMINI_KEYS_KV, configSnapshot(), now);
    const { waitUntil } = waitUntilCollector();
    pool.recordSuccess(keyId, FLASH.id, waitUntil); // written at once
    pool.recordSuccess(keyId, FLASH.id, waitUntil); // queued for a second later
    // Meanwhile another isolate wrote a higher pro count.
    await store.writeCounter(keyId, { day: pacificDay(now), total: 7, models: { [PRO.id]: 7 } });
    const refreshed = await loadPoolSnapshot(env.GEMINI_KEYS_KV, now + POOL_TTL_MS);
    expect(refreshed.counters.get(keyId)?.models).toEqual({ [FLASH.id]: 2, [PRO.id]: 7 });
    expect(refreshed.counters.get(keyId)?.total).toBe(9);
  });

  it("after 'reset quotas now' in another isolate, a refresh drops this isolate's old counts", async () => {
    const now = Date.now();
    const pool = await KeyPool.open(env.GEMINI_KEYS_KV, configSnapshot(), now);
    const { waitUntil, settle } = waitUntilCollector();
    pool.recordSuccess(keyId, FLASH.id, waitUntil);
    await settle();
    expect((await loadPoolSnapshot(env.GEMINI_KEYS_KV, now)).counters.get(keyId)?.total).toBe(1);
    // The other isolate's reset, as resetQuotasNow leaves KV (without touching this isolate's cache).
    const day = pacificDay(now);
    await store.writeResetMarker(day, now + 1);
    await store.deleteCounter(day, keyId);
    const refreshed = await loadPoolSnapshot(env.GEMINI_KEYS_KV, now + POOL_TTL_MS);
    expect(refreshed.resetAt).toBe(now + 1);
    expect(refreshed.counters.get(keyId)).toBeUndefined();
  });

  it("resetQuotasNow in this isolate: counters gone, blocks lifted, the marker set", async () => {
    const now = Date.now();
    const day = pacificDay(now);
    await store.writeCounter(keyId, { day, total: 3, models: { [FLASH.id]: 3 } });
    await store.writeState(keyId, { status: "active", since: now, models: { [FLASH.id]: { state: "cooling", until: now + 60_000, reason: "429" } } });
    await resetQuotasNow(env.GEMINI_KEYS_KV, now);
    expect(await store.readResetMarker(day)).toBe(now);
    expect(await kvCount(keyId, FLASH.id)).toBeUndefined();
    expect((await store.readStates([keyId])).get(keyId)?.models).toEqual({});
    const snapshot = await loadPoolSnapshot(env.GEMINI_KEYS_KV, now);
    expect(snapshot.counters.get(keyId)).toBeUndefined();
  });
});
