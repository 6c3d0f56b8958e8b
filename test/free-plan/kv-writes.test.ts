// The free plan allows 1,000 KV writes a day per account: a served call writes none, whatever
// the traffic; only the cron (the day's counts, when they changed) and long state changes do.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runScheduled } from "../../src/cron";
import { KeyStore } from "../../src/pool/key-store";
import { pacificDay } from "../../src/util/pacific-day";
import * as google from "../helpers/google-replies";
import { CountingKv, chatRequest, fakeGoogle, seed, type FakeKey } from "../pool/harness";
import { clock, isolate, ledgerCounts } from "./harness";

const START = Date.parse("2031-03-10T18:00:00.000Z");
const keysKv = new CountingKv(env.GEMINI_KEYS_KV);
const configKv = new CountingKv(env.WORKER_CONFIG_KV);
const counted = { ...env, GEMINI_KEYS_KV: keysKv.binding, WORKER_CONFIG_KV: configKv.binding };

const KEYS: FakeKey[] = [
  { id: "ok-1", behaviour: "ok" },
  { id: "ok-2", behaviour: "ok" },
  { id: "ok-3", behaviour: "ok" },
  { id: "minute-429", behaviour: google.perMinute429 },
  { id: "overloaded", behaviour: google.overloaded },
];

afterEach(() => vi.restoreAllMocks());

function writes(): number {
  return keysKv.counts.put + keysKv.counts.delete + configKv.counts.put + configKv.counts.delete;
}

describe("no KV write on the path of a served call", () => {
  it("cold and warm, plain and streamed, with per-minute 429s and 503s failing over: 0 puts, 0 deletes", async () => {
    await seed(KEYS, undefined);
    fakeGoogle(KEYS);
    const time = clock(START);
    const worker = isolate();
    keysKv.reset();
    configKv.reset();

    const cold = await worker.call(chatRequest(), counted);
    expect(cold.status).toBe(200);
    // A cold isolate reads the packed entries: keys, states and the day's counts in one bulk get, the config in another.
    expect(keysKv.counts).toMatchObject({ get: 0, bulkGet: 1, put: 0, delete: 0 });
    expect(configKv.counts).toMatchObject({ get: 0, bulkGet: 1, put: 0, delete: 0 });

    keysKv.reset();
    configKv.reset();
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => worker.call(chatRequest("gemini-2.5-flash", { stream: i % 5 === 0 }), counted)),
    );
    expect(statuses.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(writes()).toBe(0);
    expect(keysKv.total + configKv.total).toBe(0); // warm: no KV read either

    // Later syncs read D1, not KV; KV again only after KV_MAX_AGE_MS (60 s) or an admin change.
    time.advance(6_000);
    expect((await worker.call(chatRequest(), counted)).status).toBe(200);
    expect(keysKv.total + configKv.total).toBe(0);
    time.advance(60_000);
    expect((await worker.call(chatRequest(), counted)).status).toBe(200);
    expect(keysKv.counts).toMatchObject({ get: 0, bulkGet: 1, put: 0 });
    expect(configKv.counts).toMatchObject({ get: 0, bulkGet: 1, put: 0 });
    expect(writes()).toBe(0);
  });

  it("a per-minute 429 cools the key in memory only: the next calls skip it, KV is not written", async () => {
    const keys: FakeKey[] = [{ id: "minute-429", behaviour: google.perMinute429 }];
    await seed(keys);
    const upstream = fakeGoogle(keys);
    clock(START);
    const worker = isolate();
    keysKv.reset();
    const first = await worker.call(chatRequest(), counted);
    expect(first.status).toBe(429);
    expect(Number(first.headers.get("retry-after"))).toBeGreaterThan(0);
    const second = await worker.call(chatRequest(), counted);
    expect(second.status).toBe(429);
    expect(upstream.total()).toBe(1); // the cooling key was not asked again
    expect(writes()).toBe(0);
  });
});

describe("the cron writes the day's counts to KV from the ledger, only when they changed", () => {
  it("counts:<day> equals the ledger after a run; an unchanged day costs no write", async () => {
    const keys: FakeKey[] = [
      { id: "a", behaviour: "ok" },
      { id: "b", behaviour: "ok" },
      { id: "c", behaviour: google.overloaded },
    ];
    await seed(keys);
    fakeGoogle(keys);
    const time = clock(START + 86_400_000);
    const worker = isolate();
    for (let i = 0; i < 12; i++) {
      expect((await worker.call(chatRequest(i % 2 ? "gemini-2.5-flash" : "gemini-2.5-pro"))).status).toBe(200);
    }
    const day = pacificDay(time.now());
    const ledger = await ledgerCounts(day);

    keysKv.reset();
    const first = await runScheduled(time.now(), counted);
    expect(first.countsWritten).toBe(true);
    expect(keysKv.counts.put).toBe(1);
    const stored = await new KeyStore(env.GEMINI_KEYS_KV).readCounts(day);
    expect(stored?.keys).toEqual(ledger.keys);
    expect(stored?.clients).toEqual(ledger.clients);

    keysKv.reset();
    time.advance(600_000);
    const second = await runScheduled(time.now(), counted);
    expect(second.countsWritten).toBe(false);
    expect(keysKv.counts.put).toBe(0);

    // More calls: the next run brings KV level with the ledger again, in one write.
    for (let i = 0; i < 3; i++) expect((await worker.call(chatRequest())).status).toBe(200);
    keysKv.reset();
    time.advance(600_000);
    expect((await runScheduled(time.now(), counted)).countsWritten).toBe(true);
    expect(keysKv.counts.put).toBe(1);
    expect((await new KeyStore(env.GEMINI_KEYS_KV).readCounts(day))?.keys).toEqual((await ledgerCounts(day)).keys);
  });
});
