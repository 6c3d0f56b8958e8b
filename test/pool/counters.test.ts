// Today's counts on the proxy path. A served call counts at once in its isolate (its ticket),
// with no KV write; its ledger row takes over at the isolate's next sync (counted exactly
// once). The isolate's view: what a cold and a warm isolate read, a failed refresh, a call
// that outlives a refresh, other isolates' calls, and "reset quotas now".
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { KeyPool } from "../../src/pool/key-pool";
import { KeyStore } from "../../src/pool/key-store";
import { resetQuotasNow } from "../../src/pool/reset";
import type { DayCounter } from "../../src/pool/types";
import { KV_MAX_AGE_MS, SYNC_MS } from "../../src/runtime/isolate-view";
import { IsolateRuntime } from "../../src/runtime/runtime";
import { bumpConfigVersion } from "../../src/usage/ledger-reads";
import { recordCall, type CallRecord } from "../../src/usage/record";
import { pacificDay } from "../../src/util/pacific-day";
import { CountingKv, MODELS, seed, waitUntilCollector } from "./harness";
import { ledgerCall } from "../helpers/ledger";

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

/** One isolate over counted KV bindings. */
function isolate() {
  const keysKv = new CountingKv(env.GEMINI_KEYS_KV);
  const configKv = new CountingKv(env.WORKER_CONFIG_KV);
  const bindings = { ...env, GEMINI_KEYS_KV: keysKv.binding, WORKER_CONFIG_KV: configKv.binding } as Env;
  const runtime = new IsolateRuntime();
  const { waitUntil, settle } = waitUntilCollector();
  return {
    runtime,
    bindings,
    keysKv,
    configKv,
    settle,
    open: (now?: number) => KeyPool.open(runtime, bindings, waitUntil, now),
    /** A call Google served on `model`, counted as the proxy counts it; `ledger`: its row is written too. */
    async serve(pool: KeyPool, model: string, options: { ledger: boolean; now?: number }): Promise<void> {
      const now = options.now ?? Date.now();
      const ticket = runtime.own.open(pacificDay(now), "client-1");
      pool.recordSuccess(keyId, model, ticket);
      if (options.ledger) await runtime.ledger.record(bindings, row(keyId, model, now), ticket);
    },
  };
}

function row(geminiKeyId: string, model: string, ts = Date.now()): CallRecord {
  return ledgerCall({ ts, geminiKeyId, model, category: model === PRO.id ? "pro" : "flash" });
}

/** The key's calls today as the pool's quotas see them (D1's counts + own tickets + in flight). */
function counted(pool: KeyPool, id = keyId): DayCounter {
  return pool["counterOf"](id);
}

describe("a served call's count", () => {
  it("counts at once for its key in this isolate, and a burst writes nothing to KV", async () => {
    const one = isolate();
    const pool = await one.open();
    for (let i = 0; i < 5; i++) await one.serve(pool, FLASH.id, { ledger: false });
    await one.serve(pool, PRO.id, { ledger: false });
    await one.settle();
    expect(counted(pool).models).toEqual({ [FLASH.id]: 5, [PRO.id]: 1 });
    expect(counted(pool).total).toBe(6);
    expect(one.keysKv.counts.put + one.keysKv.counts.delete + one.configKv.counts.put).toBe(0);
  });

  it("its ledger row takes over at the next sync: counted exactly once, then from D1 in every isolate", async () => {
    const one = isolate();
    const start = Date.now();
    for (let i = 1; i <= 3; i++) {
      const pool = await one.open(start);
      await one.serve(pool, FLASH.id, { ledger: true, now: start });
      expect(counted(pool).models[FLASH.id]).toBe(i);
    }
    const later = start + SYNC_MS;
    const synced = await one.open(later);
    expect(one.runtime.view.peek()?.counts.keys[keyId]).toEqual({ [FLASH.id]: 3 });
    const own: Record<string, number> = {};
    one.runtime.own.addTo(keyId, pacificDay(later), own);
    expect(own).toEqual({}); // the tickets are forgotten: D1 holds the calls now
    expect(counted(synced).models[FLASH.id]).toBe(3);
    // A fresh isolate counts them from D1.
    expect(counted(await isolate().open()).models[FLASH.id]).toBe(3);
    expect(one.keysKv.counts.put).toBe(0);
  });
});

describe("the isolate's view", () => {
  it("cold: one bulk get of keys, states and the day's counts, one of config; warm within SYNC_MS: nothing; later syncs: D1 only; after KV_MAX_AGE_MS or a config version bump: KV again", async () => {
    const one = isolate();
    const now = Date.now();
    await one.runtime.view.get(one.bindings, now);
    expect(one.keysKv.counts).toMatchObject({ get: 0, bulkGet: 1, put: 0, list: 0 });
    expect(one.configKv.counts).toMatchObject({ get: 0, bulkGet: 1, put: 0, list: 0 });
    one.keysKv.reset();
    one.configKv.reset();
    await one.runtime.view.get(one.bindings, now + SYNC_MS - 1);
    await one.runtime.view.get(one.bindings, now + SYNC_MS);
    await one.runtime.view.get(one.bindings, now + 2 * SYNC_MS);
    expect(one.keysKv.total + one.configKv.total).toBe(0);
    await one.runtime.view.get(one.bindings, now + KV_MAX_AGE_MS);
    expect(one.keysKv.counts).toMatchObject({ get: 0, bulkGet: 1 });
    expect(one.configKv.counts).toMatchObject({ get: 0, bulkGet: 1 });
    // Another isolate changed something in KV (an admin edit, a key state) and bumped the version.
    one.keysKv.reset();
    one.configKv.reset();
    await bumpConfigVersion(env.DB);
    await one.runtime.view.get(one.bindings, now + KV_MAX_AGE_MS + SYNC_MS);
    expect(one.keysKv.counts).toMatchObject({ get: 0, bulkGet: 1 });
    expect(one.configKv.counts).toMatchObject({ get: 0, bulkGet: 1 });
  });

  it("a refresh that fails serves the previous view of the day; with none, the error stands", async () => {
    const one = isolate();
    const now = Date.now();
    const before = await one.runtime.view.get(env as Env, now);
    const refusing = <T extends object>(binding: T, method: string): T =>
      new Proxy(binding, {
        get(target, property) {
          if (property === method || (method === "prepare" && property === "batch")) {
            return () => {
              throw new Error("unavailable");
            };
          }
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    const broken = { ...env, GEMINI_KEYS_KV: refusing(env.GEMINI_KEYS_KV, "get"), DB: refusing(env.DB, "prepare") } as Env;
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(await one.runtime.view.get(broken, now + KV_MAX_AGE_MS)).toBe(before);
    one.runtime.clear();
    await expect(one.runtime.view.get(broken, now + KV_MAX_AGE_MS)).rejects.toThrow("unavailable");
  });

  it("D1 refusing reads does not stop a cold isolate: it starts from the cron's counts in KV", async () => {
    const now = Date.now();
    const day = pacificDay(now);
    const known = await store.readCounts(day);
    await store.writeCounts({
      day,
      through: known?.through ?? 0,
      resetThrough: known?.resetThrough ?? null,
      keys: { ...known?.keys, [keyId]: { [FLASH.id]: 4 } },
      clients: { ...known?.clients },
    });
    const refusingD1 = new Proxy(env.DB, {
      get(target, property) {
        if (property === "prepare" || property === "batch") {
          return () => {
            throw new Error("D1_ERROR: exceeded daily rows read");
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const runtime = new IsolateRuntime();
    const view = await runtime.view.get({ ...env, DB: refusingD1 } as Env, now);
    expect(view.keys.map((k) => k.id)).toContain(keyId);
    expect(view.counts.keys[keyId]).toEqual({ [FLASH.id]: 4 });
  });

  it("a call that outlives a refresh counts into the new view, and the ledger then holds it once", async () => {
    const one = isolate();
    const now = Date.now();
    const longCall = await one.open(now);
    const later = await one.open(now + SYNC_MS); // another call came in and refreshed the view
    await one.serve(longCall, FLASH.id, { ledger: true, now });
    expect(counted(later).models[FLASH.id]).toBe(1);
    await one.serve(later, FLASH.id, { ledger: true, now });
    expect(counted(later).models[FLASH.id]).toBe(2);
    expect(counted(longCall).models[FLASH.id]).toBe(2);
    const synced = await one.open(now + 2 * SYNC_MS);
    expect(counted(synced).models[FLASH.id]).toBe(2);
  });

  it("other isolates' calls arrive at the next sync; own calls not yet in D1 keep counting meanwhile", async () => {
    const one = isolate();
    const now = Date.now();
    const pool = await one.open(now);
    await one.serve(pool, FLASH.id, { ledger: false }); // rows not written yet (or refused by D1)
    await one.serve(pool, FLASH.id, { ledger: false });
    // Meanwhile another isolate served 7 pro calls on the same key.
    for (let i = 0; i < 7; i++) await recordCall(env.DB, row(keyId, PRO.id, now));
    expect(counted(await one.open(now + SYNC_MS - 1)).models).toEqual({ [FLASH.id]: 2 });
    const synced = await one.open(now + SYNC_MS);
    expect(counted(synced).models).toEqual({ [FLASH.id]: 2, [PRO.id]: 7 });
    expect(counted(synced).total).toBe(9);
  });
});

// These two reset today's key quotas in D1: every test above counts only rows written after them.
describe("'reset quotas now'", () => {
  it("in another isolate: this isolate's next sync drops the counts from before it", async () => {
    const one = isolate();
    const now = Date.now();
    const pool = await one.open(now);
    await one.serve(pool, FLASH.id, { ledger: true, now });
    expect(counted(await one.open(now + SYNC_MS)).total).toBe(1);
    // The other isolate's reset, as the admin route does it (without touching this runtime).
    await resetQuotasNow(env.GEMINI_KEYS_KV, env.DB, now + SYNC_MS);
    const synced = await one.open(now + 2 * SYNC_MS);
    expect(counted(synced).total).toBe(0);
    expect(one.runtime.view.peek()?.counts.resetThrough).not.toBeNull();
    // Calls after the reset count again from zero.
    await one.serve(synced, FLASH.id, { ledger: true, now });
    expect(counted(await one.open(now + 3 * SYNC_MS)).models).toEqual({ [FLASH.id]: 1 });
  });

  it("key counts start from zero, blocks are lifted, counts:<day> is rewritten at once; client counts stay", async () => {
    const now = Date.now();
    const day = pacificDay(now);
    for (let i = 0; i < 3; i++) await recordCall(env.DB, row(keyId, FLASH.id, now));
    const exhausted = { state: "exhausted" as const, until: now + 3_600_000, reason: "daily quota exhausted at Google" };
    await store.updateStates((states) => {
      states.set(keyId, { status: "active", since: now, models: { [FLASH.id]: exhausted } });
      return true;
    });
    const clientsBefore = (await isolate().runtime.view.get(env as Env, now)).counts.clients["client-1"] ?? 0;
    expect(clientsBefore).toBeGreaterThanOrEqual(3);

    const kv = new CountingKv(env.GEMINI_KEYS_KV);
    expect(await resetQuotasNow(kv.binding, env.DB, now)).toBe(2);
    expect(kv.puts.sort()).toEqual([`counts:${day}`, "states"]);
    const reset = await env.DB.prepare("SELECT through FROM quota_resets WHERE day = ?").bind(day).first<{ through: number }>();
    const newest = await env.DB.prepare("SELECT max(id) AS id FROM usage_calls").first<{ id: number }>();
    expect(reset?.through).toBe(newest?.id);
    const stored = await store.readCounts(day);
    expect(stored).toMatchObject({ day, resetThrough: newest?.id, keys: {} });
    expect(stored?.clients["client-1"]).toBe(clientsBefore);
    expect((await store.readStates()).get(keyId)?.models).toEqual({});
    // A fresh isolate counts nothing for the key.
    const fresh = isolate();
    expect(counted(await fresh.open(now)).total).toBe(0);
    expect(fresh.runtime.view.peek()?.counts.clients["client-1"]).toBe(clientsBefore);
  });
});
