// KV operations per proxied call, counted at the bindings, through the real Worker. Prints
// the figures (see docs/kv-layout.md) and asserts the free-plan budget: a served call writes
// nothing to KV, cold or warm; a cold isolate reads the packed entries in two bulk gets (keys +
// states + the day's counts, and the config); a warm isolate reads no KV between its KV
// refreshes (D1 syncs every SYNC_MS); only a long state change (exhausted, invalid, suspended)
// writes, once.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { KV_MAX_AGE_MS, SYNC_MS } from "../../src/runtime/isolate-view";
import * as google from "../helpers/google-replies";
import { CountingKv, chatRequest, fakeGoogle, seed, type FakeGoogle, type FakeKey } from "./harness";

const geminiKv = new CountingKv(env.GEMINI_KEYS_KV);
const configKv = new CountingKv(env.WORKER_CONFIG_KV);
const wrappedEnv = { ...env, GEMINI_KEYS_KV: geminiKv.binding, WORKER_CONFIG_KV: configKv.binding };
const figures: string[] = [];
let upstream: FakeGoogle;

afterAll(() => {
  vi.restoreAllMocks();
  console.log(["KV operations per proxied call (GEMINI_KEYS_KV | WORKER_CONFIG_KV):", ...figures].join("\n"));
});

interface Measured {
  statuses: number[];
  retryAfter: string | null;
  keys: CountingKv["counts"];
  config: CountingKv["counts"];
  puts: string[];
}

/** Runs `calls` calls at once and counts the KV operations they (and their waitUntil) made. */
async function measure(label: string, calls = 1): Promise<Measured> {
  geminiKv.reset();
  configKv.reset();
  let retryAfter: string | null = null;
  const statuses = await Promise.all(
    Array.from({ length: calls }, async () => {
      const ctx = createExecutionContext();
      const response = await worker.fetch(chatRequest(), wrappedEnv, ctx);
      retryAfter = response.headers.get("retry-after");
      await response.arrayBuffer();
      await waitOnExecutionContext(ctx);
      return response.status;
    }),
  );
  const show = (c: CountingKv["counts"]) => `get ${c.get}, bulk get ${c.bulkGet}, put ${c.put}, delete ${c.delete}, list ${c.list}`;
  figures.push(`  ${label}${calls > 1 ? ` (${calls} calls)` : ""} -> ${statuses[0]}: ${show(geminiKv.counts)} | ${show(configKv.counts)}`);
  return { statuses, retryAfter, keys: { ...geminiKv.counts }, config: { ...configKv.counts }, puts: [...geminiKv.puts] };
}

/** Fresh config and keys, and this isolate's runtime cleared (seed does it): the next call is a cold one. */
async function setUp(keys: FakeKey[]): Promise<void> {
  vi.restoreAllMocks();
  await seed(keys);
  upstream = fakeGoogle(keys);
}

let clock: { mockRestore: () => void } | undefined;

/** Moves Date.now on by `ms` for this test (a warm isolate some time later). */
function later(ms: number): void {
  const real = Date.now.bind(Date);
  clock = vi.spyOn(Date, "now").mockImplementation(() => real() + ms);
}

const reads = (m: Measured) => m.keys.get + m.keys.bulkGet + m.keys.list + m.config.get + m.config.bulkGet + m.config.list;
const writes = (m: Measured) => m.keys.put + m.keys.delete + m.config.put + m.config.delete;

afterEach(() => {
  clock?.mockRestore();
  clock = undefined;
});

describe("served calls: no KV write, cold or warm", () => {
  it("cold isolate: keys + states + counts:<day> in one bulk get, the config in another; no write", async () => {
    await setUp([{ id: "one", behaviour: "ok" }]);
    const cold = await measure("cold, served");
    expect(cold.statuses).toEqual([200]);
    expect(cold.keys).toMatchObject({ get: 0, bulkGet: 1, put: 0, delete: 0, list: 0 });
    expect(cold.config).toMatchObject({ get: 0, bulkGet: 1, put: 0, delete: 0, list: 0 });
  });

  it("warm within SYNC_MS: no KV operation at all", async () => {
    const warm = await measure("warm (within 5 s), served");
    expect(warm.statuses).toEqual([200]);
    expect(reads(warm) + writes(warm)).toBe(0);
  });

  it("a warm burst of 20 concurrent calls on one key: no KV operation at all", async () => {
    const burst = await measure("warm burst, served, one key", 20);
    expect(burst.statuses.every((s) => s === 200)).toBe(true);
    expect(reads(burst) + writes(burst)).toBe(0);
  });

  it("warm, after SYNC_MS: the sync reads D1 only, no KV", async () => {
    later(SYNC_MS + 1_000);
    const synced = await measure("warm, 6 s later (D1 sync), served");
    expect(synced.statuses).toEqual([200]);
    expect(reads(synced) + writes(synced)).toBe(0);
  });

  it("warm, after KV_MAX_AGE_MS: KV is read again in the same two bulk gets, no write", async () => {
    later(KV_MAX_AGE_MS + 2 * SYNC_MS);
    const refreshed = await measure("warm, 70 s later (KV re-read), served");
    expect(refreshed.statuses).toEqual([200]);
    expect(refreshed.keys).toMatchObject({ get: 0, bulkGet: 1, put: 0, delete: 0 });
    expect(refreshed.config).toMatchObject({ get: 0, bulkGet: 1, put: 0, delete: 0 });
  });
});

describe("failed calls", () => {
  it("a failure that changes no state (503 on every key): no write, cold or warm", async () => {
    await setUp([{ id: "busy-1", behaviour: google.overloaded }, { id: "busy-2", behaviour: google.overloaded }]);
    const cold = await measure("cold, 503 everywhere");
    expect(cold.statuses).toEqual([503]); // Google overloaded on every key: 503 with Retry-After
    expect(writes(cold)).toBe(0);
    const warm = await measure("warm, 503 everywhere");
    expect(warm.statuses).toEqual([503]);
    expect(reads(warm) + writes(warm)).toBe(0);
  });

  it("a per-minute 429 cools the key in this isolate: 429 with Retry-After, nothing written; calls refused while it cools ask neither KV nor Google", async () => {
    await setUp([{ id: "limited", behaviour: google.perMinute429 }]);
    const first = await measure("cold, per-minute 429 (cooled in memory)");
    expect(first.statuses).toEqual([429]);
    expect(Number(first.retryAfter)).toBeGreaterThan(0);
    expect(Number(first.retryAfter)).toBeLessThanOrEqual(35);
    expect(writes(first)).toBe(0);
    const refused = await measure("warm, refused while cooling");
    expect(refused.statuses).toEqual([429]);
    expect(refused.retryAfter).not.toBeNull();
    expect(reads(refused) + writes(refused)).toBe(0);
    expect(upstream.total()).toBe(1);
  });

  it("a per-day 429 writes the key's exhausted state once (one put of the packed states); calls refused from it write nothing", async () => {
    await setUp([{ id: "spent", behaviour: google.perDay429() }]);
    const first = await measure("cold, per-day 429 (exhausted -> states)");
    expect(first.statuses).toEqual([429]);
    expect(first.puts).toEqual(["states"]);
    const refused = await measure("warm, refused while exhausted");
    expect(refused.statuses).toEqual([429]);
    expect(reads(refused) + writes(refused)).toBe(0);
    expect(upstream.total()).toBe(1);
  });

  it("a success after an invalid key: one put of the packed states for the invalid key, nothing for the served call", async () => {
    await setUp([{ id: "bad", behaviour: google.apiKeyInvalid }, { id: "good", behaviour: "ok" }]);
    vi.spyOn(Math, "random").mockReturnValue(0);
    const mixed = await measure("cold, invalid key then served");
    expect(mixed.statuses).toEqual([200]);
    expect(mixed.puts).toEqual(["states"]);
    expect(mixed.config.put).toBe(0);
  });
});
