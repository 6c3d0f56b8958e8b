// KV operations per proxied call, counted at the bindings, through the real Worker. Prints
// the figures (see docs/kv-layout.md) and asserts the budget: at most one put per successful
// call, no put for a failure that changes no state, no get on a warm call.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import * as google from "../helpers/google-replies";
import { CountingKv, chatRequest, fakeGoogle, seed, type FakeKey } from "./harness";

const geminiKv = new CountingKv(env.GEMINI_KEYS_KV);
const configKv = new CountingKv(env.WORKER_CONFIG_KV);
const wrappedEnv = { ...env, GEMINI_KEYS_KV: geminiKv.binding, WORKER_CONFIG_KV: configKv.binding };
const figures: string[] = [];

afterAll(() => {
  vi.restoreAllMocks();
  console.log(["KV operations per proxied call (GEMINI_KEYS_KV | WORKER_CONFIG_KV):", ...figures].join("\n"));
});

interface Measured {
  statuses: number[];
  keys: CountingKv["counts"];
  config: CountingKv["counts"];
}

/** Runs `calls` calls at once and counts the KV operations they (and their waitUntil) made. */
async function measure(label: string, calls = 1): Promise<Measured> {
  geminiKv.reset();
  configKv.reset();
  const statuses = await Promise.all(
    Array.from({ length: calls }, async () => {
      const ctx = createExecutionContext();
      const response = await worker.fetch(chatRequest(), wrappedEnv, ctx);
      await response.arrayBuffer();
      await waitOnExecutionContext(ctx);
      return response.status;
    }),
  );
  const show = (c: CountingKv["counts"]) => `get ${c.get}, bulk get ${c.bulkGet}, put ${c.put}, delete ${c.delete}, list ${c.list}`;
  figures.push(`  ${label}${calls > 1 ? ` (${calls} calls)` : ""} -> ${statuses[0]}: ${show(geminiKv.counts)} | ${show(configKv.counts)}`);
  return { statuses, keys: { ...geminiKv.counts }, config: { ...configKv.counts } };
}

/** Fresh config and keys, and this isolate's caches dropped: the next call is a cold one. */
async function setUp(keys: FakeKey[]): Promise<void> {
  vi.restoreAllMocks();
  await seed(keys);
  fakeGoogle(keys);
}

describe("successful calls", () => {
  it("cold isolate: the snapshots load (1 get + 1 bulk get of keys, 3 gets of config), one counter put", async () => {
    await setUp([{ id: "one", behaviour: "ok" }]);
    const cold = await measure("cold, success");
    expect(cold.statuses).toEqual([200]);
    expect(cold.keys).toMatchObject({ get: 1, bulkGet: 1, put: 1, delete: 0, list: 0 });
    expect(cold.config).toMatchObject({ get: 3, bulkGet: 0, put: 0, delete: 0, list: 0 });
  });

  it("warm call within the cache TTL: no reads at all, one counter put", async () => {
    const warm = await measure("warm, success");
    expect(warm.statuses).toEqual([200]);
    expect(warm.keys.get + warm.keys.bulkGet + warm.config.get + warm.config.bulkGet).toBe(0);
    expect(warm.keys.put).toBe(1);
    expect(warm.config.put).toBe(0);
  });

  it("a warm burst on one key: no reads, and fewer puts than calls (one now, one a second later)", async () => {
    const burst = await measure("warm burst, success, one key", 20);
    expect(burst.statuses.every((s) => s === 200)).toBe(true);
    expect(burst.keys.get + burst.keys.bulkGet + burst.config.get).toBe(0);
    expect(burst.keys.put).toBeLessThanOrEqual(2);
  });
});

describe("failed calls", () => {
  it("a failure that changes no state (503 on every key): no put", async () => {
    await setUp([{ id: "busy-1", behaviour: google.overloaded }, { id: "busy-2", behaviour: google.overloaded }]);
    await measure("cold, 503 everywhere");
    const warm = await measure("warm, 503 everywhere");
    expect(warm.statuses).toEqual([502]);
    expect(warm.keys.put + warm.config.put).toBe(0);
    expect(warm.keys.get + warm.keys.bulkGet + warm.config.get).toBe(0);
  });

  it("a failure that changes state writes it once; calls refused from the known state write nothing", async () => {
    await setUp([{ id: "limited", behaviour: google.perMinute429 }]);
    const first = await measure("cold, 429 -> cooling");
    expect(first.statuses).toEqual([429]);
    expect(first.keys.put).toBe(1);
    const refused = await measure("warm, refused while cooling");
    expect(refused.statuses).toEqual([429]);
    expect(refused.keys.put + refused.keys.get + refused.keys.bulkGet + refused.config.get).toBe(0);
  });

  it("a success after an invalid key: one state put for the invalid key, one counter put", async () => {
    await setUp([{ id: "bad", behaviour: google.apiKeyInvalid }, { id: "good", behaviour: "ok" }]);
    vi.spyOn(Math, "random").mockReturnValue(0);
    const mixed = await measure("cold, invalid key then success");
    expect(mixed.statuses).toEqual([200]);
    expect(geminiKv.puts.map((entry) => entry.split(":")[0]).sort()).toEqual(["count", "state"]);
  });
});
