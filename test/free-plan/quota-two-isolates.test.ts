// Quotas stay exact across isolates within a stated bound. Two runtimes over the same KV and
// D1 stand for two isolates: each counts its own calls at once and the other's after its next
// sync (SYNC_MS), so the worst case overshoot is what the other isolates serve between two of
// this isolate's syncs (docs/kv-layout.md, "Quotas across isolates").
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ModelConfig } from "../../src/config/schemas";
import { SYNC_MS } from "../../src/runtime/isolate-view";
import { chatRequest, fakeGoogle, seed, settingsWith, type FakeKey } from "../pool/harness";
import { clock, isolate, ledgerRows } from "./harness";

const QUOTA = 10;
const MODELS: ModelConfig[] = [{ id: "my-tuned", category: "custom", dailyQuota: QUOTA, individualQuota: null }];
const KEYS: FakeKey[] = [{ id: "only", behaviour: "ok" }];

afterEach(() => vi.restoreAllMocks());

async function serve(worker: ReturnType<typeof isolate>, n: number): Promise<number> {
  let served = 0;
  for (let i = 0; i < n; i++) if ((await worker.call(chatRequest("my-tuned"))).status === 200) served += 1;
  return served;
}

describe("a daily quota shared by two isolates", () => {
  it("each isolate alone stops exactly at the quota; together they overshoot at most by what the other served since the last sync", async () => {
    await seed(KEYS, settingsWith(), MODELS);
    fakeGoogle(KEYS);
    const time = clock(Date.parse("2031-04-01T17:00:00.000Z"));
    const a = isolate();
    const b = isolate();
    const before = await ledgerRows();

    // Both isolates sync (cold start) before any call.
    expect(await serve(a, 1)).toBe(1);
    expect(await serve(b, 1)).toBe(1);
    // Within one sync window: A serves 4, B does not see them yet.
    const servedByA = await serve(a, 4);
    expect(servedByA).toBe(4);
    // B's view: 1 (its own) + 1 (A's first call, read at B's cold start); A's 4 are unseen.
    const servedByB = await serve(b, QUOTA);
    const total = 1 + 1 + servedByA + servedByB;
    // Overshoot bound: the calls A served since B last synced.
    expect(total).toBeGreaterThan(QUOTA); // the bound is real, not zero
    expect(total - QUOTA).toBeLessThanOrEqual(servedByA);

    // After one sync interval both isolates see the ledger: no further call is served by either.
    time.advance(SYNC_MS);
    expect(await serve(a, 3)).toBe(0);
    expect(await serve(b, 3)).toBe(0);
    // Every call, served or refused, left exactly one ledger row.
    expect((await ledgerRows()) - before).toBe(2 + servedByA + QUOTA + 6);
  });

  it("isolates that sync between calls never overshoot", async () => {
    await seed(KEYS, settingsWith(), MODELS);
    fakeGoogle(KEYS);
    const time = clock(Date.parse("2031-04-02T17:00:00.000Z"));
    const a = isolate();
    const b = isolate();
    let served = 0;
    for (let i = 0; i < 2 * QUOTA; i++) {
      served += await serve(i % 2 === 0 ? a : b, 1);
      time.advance(SYNC_MS);
    }
    expect(served).toBe(QUOTA);
  });
});
