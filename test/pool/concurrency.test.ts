// 200 calls, 50 at a time, through the real Worker on /v1/chat/completions, against a pool
// of healthy, per-minute-rate-limited, invalid and overloaded keys.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { KeyStore } from "../../src/pool/key-store";
import { pacificDay } from "../../src/pool/pacific-day";
import * as google from "../helpers/google-replies";
import { CountingKv, chatRequest, fakeGoogle, seed, type FakeGoogle, type FakeKey } from "./harness";

const CALLS = 200;
const CONCURRENCY = 50;
const MODEL = "gemini-2.5-flash";

const keys: FakeKey[] = [
  { id: "healthy-1", behaviour: "ok" },
  { id: "healthy-2", behaviour: "ok" },
  { id: "healthy-3", behaviour: "ok" },
  { id: "healthy-4", behaviour: "ok" },
  { id: "minute-limited-1", behaviour: google.perMinute429 },
  { id: "minute-limited-2", behaviour: google.perMinute429 },
  { id: "invalid-1", behaviour: google.apiKeyInvalid },
  { id: "invalid-2", behaviour: google.apiKeyInvalid },
  { id: "overloaded-1", behaviour: google.overloaded },
  { id: "overloaded-2", behaviour: google.overloaded },
];
const healthy = keys.filter((k) => k.behaviour === "ok").map((k) => k.id);

let upstream: FakeGoogle;
const statuses: number[] = [];
const geminiKv = new CountingKv(env.GEMINI_KEYS_KV);
const configKv = new CountingKv(env.WORKER_CONFIG_KV);
const wrappedEnv = { ...env, GEMINI_KEYS_KV: geminiKv.binding, WORKER_CONFIG_KV: configKv.binding };

beforeAll(async () => {
  await seed(keys);
  upstream = fakeGoogle(keys);
  const day = pacificDay(Date.now());
  for (let start = 0; start < CALLS; start += CONCURRENCY) {
    const batch = Array.from({ length: Math.min(CONCURRENCY, CALLS - start) }, async () => {
      const ctx = createExecutionContext();
      const response = await worker.fetch(chatRequest(MODEL), wrappedEnv, ctx);
      statuses.push(response.status);
      if (response.status !== 200) console.log(`call failed: ${response.status} ${await response.text()}`);
      else await response.json();
      await waitOnExecutionContext(ctx);
    });
    await Promise.all(batch);
  }
  console.log(
    `${CALLS} calls (${CONCURRENCY} at a time) on ${pacificDay(Date.now()) === day ? day : "two days"}: ` +
      `upstream calls ${upstream.total()} ${JSON.stringify(Object.fromEntries(upstream.callsByKey))}; ` +
      `GEMINI_KEYS_KV ${JSON.stringify(geminiKv.counts)}; WORKER_CONFIG_KV ${JSON.stringify(configKv.counts)}`,
  );
});

afterAll(() => vi.restoreAllMocks());

async function ledgerByKey(): Promise<Map<string, number>> {
  const { results } = await env.DB.prepare(
    "SELECT gemini_key_id AS keyId, count(*) AS n FROM usage_calls WHERE model = ? GROUP BY gemini_key_id",
  )
    .bind(MODEL)
    .all<{ keyId: string | null; n: number }>();
  return new Map(results.map((r) => [String(r.keyId), r.n]));
}

async function kvByKey(): Promise<Map<string, number>> {
  const counters = await new KeyStore(env.GEMINI_KEYS_KV).readCounters(pacificDay(Date.now()), keys.map((k) => k.id));
  return new Map([...counters].map(([id, counter]) => [id, counter.models[MODEL] ?? 0]));
}

describe(`${CALLS} concurrent calls over a mixed pool`, () => {
  it("every call is served (a healthy key could serve each)", () => {
    expect(statuses).toHaveLength(CALLS);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it("only healthy keys served; each bad key was asked about once, then avoided", () => {
    for (const key of keys) {
      const calls = upstream.callsByKey.get(key.id) ?? 0;
      if (healthy.includes(key.id)) expect(calls).toBeGreaterThan(0);
      else expect(calls, key.id).toBeLessThanOrEqual(CONCURRENCY);
    }
  });

  it("the healthy keys shared the calls evenly (power of two choices on the day's counts)", async () => {
    const fairShare = CALLS / healthy.length;
    for (const [keyId, served] of await ledgerByKey()) {
      expect(served, keyId).toBeGreaterThanOrEqual(fairShare / 2);
      expect(served, keyId).toBeLessThanOrEqual(fairShare * 1.5);
    }
  });

  it("the ledger has exactly one row per call, all ok, all on healthy keys", async () => {
    const row = await env.DB.prepare(
      "SELECT count(*) AS n, sum(outcome = 'ok') AS ok, sum(status = 200) AS s200 FROM usage_calls WHERE model = ?",
    )
      .bind(MODEL)
      .first<{ n: number; ok: number; s200: number }>();
    expect(row).toEqual({ n: CALLS, ok: CALLS, s200: CALLS });
    const byKey = await ledgerByKey();
    expect([...byKey.keys()].every((id) => healthy.includes(id))).toBe(true);
    expect([...byKey.values()].reduce((a, b) => a + b, 0)).toBe(CALLS);
  });

  it("the keys' states in KV say what Google said", async () => {
    const states = await new KeyStore(env.GEMINI_KEYS_KV).readStates(keys.map((k) => k.id));
    expect(states.get("invalid-1")?.status).toBe("invalid");
    expect(states.get("invalid-2")?.status).toBe("invalid");
    expect(states.get("minute-limited-1")?.models[MODEL]?.state).toBe("cooling");
    expect(states.get("minute-limited-2")?.models[MODEL]?.state).toBe("cooling");
    for (const id of [...healthy, "overloaded-1", "overloaded-2"]) expect(states.has(id), id).toBe(false);
  });

  it("after the cron's reconciliation the KV counters equal the ledger's counts", async () => {
    const before = await kvByKey();
    // One isolate loses no updates: the spaced writes had already put the exact counts.
    expect(before).toEqual(await ledgerByKey());
    // Another isolate's write would overwrite with a lower count: that is what reconciliation heals.
    const store = new KeyStore(env.GEMINI_KEYS_KV);
    await store.writeCounter("healthy-1", { day: pacificDay(Date.now()), total: 1, models: { [MODEL]: 1 } });
    const ctx = createExecutionContext();
    const logs = vi.spyOn(console, "log");
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const report = logs.mock.calls.map((args) => String(args[0])).find((line) => line.startsWith("cron "));
    console.log(`KV counters before reconciliation ${JSON.stringify(Object.fromEntries(before))}; ${report}`);
    expect(report).toMatch(/counters written 1$/);
    expect(await kvByKey()).toEqual(await ledgerByKey());
  });
});
