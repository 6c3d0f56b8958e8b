// Every key state transition and its recovery rule, through nextState (what a failure does
// to a key's long state in KV), unavailability (whether the key serves a model at a given
// moment) and, for the per-minute 429 that is no state any more, the pool's in-memory cooling.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { configSnapshot } from "../../src/config/config-snapshot";
import { DEFAULT_SETTINGS, type ModelConfig } from "../../src/config/schemas";
import type { UpstreamFailure } from "../../src/gemini/failure";
import { unavailability } from "../../src/pool/availability";
import { emptyCounts } from "../../src/pool/day-counts";
import { KeyPool, SUSPENDED_RECHECK_MS, nextState } from "../../src/pool/key-pool";
import { KeyStore } from "../../src/pool/key-store";
import type { SharedView } from "../../src/runtime/isolate-view";
import { IsolateRuntime } from "../../src/runtime/runtime";
import { nextPacificMidnight, pacificDay } from "../../src/util/pacific-day";
import type { KeyState } from "../../src/pool/types";
import { MODELS, keyRecord, waitUntilCollector } from "./harness";

const NOW = Date.parse("2026-07-15T18:00:00.000Z");
const FLASH = MODELS[1]!;
const PRO = MODELS[0]!;
const modelsById = new Map(MODELS.map((m) => [m.id, m]));
const key = keyRecord({ id: "k1", behaviour: "ok" });

/**
 * A pool over a view made by hand (one key, no calls today, read at NOW), so pick and
 * recordFailure run at any instant without a refresh. A long state it records goes to the
 * view at once and to KV through `settle`.
 */
function poolOver(state?: KeyState): { pool: KeyPool; runtime: IsolateRuntime; view: SharedView; settle: () => Promise<void> } {
  const runtime = new IsolateRuntime();
  const day = pacificDay(NOW);
  const { waitUntil, settle } = waitUntilCollector();
  const view: SharedView = {
    day,
    config: configSnapshot(MODELS, DEFAULT_SETTINGS, []),
    keys: [key],
    states: new Map(state ? [[key.id, state]] : []),
    counts: emptyCounts(day, 0, null),
    version: 0,
    syncedAt: NOW,
    kvReadAt: NOW,
  };
  return { pool: new KeyPool(runtime, env, waitUntil, view), runtime, view, settle };
}

function blockedAt(state: KeyState | undefined, now: number, model: ModelConfig = FLASH) {
  return unavailability({ key, state, counter: undefined, model, modelsById, settings: DEFAULT_SETTINGS, now });
}

const failures = {
  minute: { kind: "rate_minute", retryAfterMs: 34_400, quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", message: "quota" },
  day: { kind: "rate_day", quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier", message: "quota" },
  invalid: { kind: "invalid_key", message: "API key not valid. Please pass a valid API key." },
  suspended: { kind: "suspended", message: "Permission denied: Consumer has been suspended." },
} satisfies Record<string, UpstreamFailure>;

describe("per-minute 429: cooled in this isolate's memory until RetryInfo.retryDelay, never a key state", () => {
  it("is not a long state: nextState leaves the key's state alone (nothing to write to KV)", () => {
    expect(nextState(undefined, FLASH.id, failures.minute, NOW)).toBeUndefined();
    const exhausted = nextState(undefined, PRO.id, failures.day, NOW)!;
    expect(nextState(exhausted, FLASH.id, failures.minute, NOW)).toBeUndefined();
  });

  it("cools this model only, for the delay Google gave, and is answered as rate limited meanwhile", () => {
    const { pool, runtime } = poolOver();
    pool.recordFailure(key.id, FLASH.id, failures.minute, NOW);
    const cooling = runtime.benches.cooling(key.id, FLASH.id, NOW)!;
    expect(cooling.until).toBe(NOW + 34_400);
    expect(cooling.reason).toContain("GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
    expect(pool.pick(FLASH, new Set(), NOW)).toEqual({ ok: false, reason: "rate_limited", retryAt: NOW + 34_400, detail: cooling.reason });
    expect(pool.pick(PRO, new Set(), NOW)).toMatchObject({ ok: true, key: { id: key.id } });
    // Nothing for KV: no key state, no pending state write.
    expect(runtime.states.pending).toBe(0);
  });

  it("recovers by itself when the delay has passed", () => {
    const { pool } = poolOver();
    pool.recordFailure(key.id, FLASH.id, failures.minute, NOW);
    expect(pool.pick(FLASH, new Set(), NOW + 34_399)).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(pool.pick(FLASH, new Set(), NOW + 34_400)).toMatchObject({ ok: true, key: { id: key.id } });
  });

  it("a second 429 that ends earlier does not shorten the cooling", () => {
    const { pool, runtime } = poolOver();
    pool.recordFailure(key.id, FLASH.id, failures.minute, NOW);
    pool.recordFailure(key.id, FLASH.id, { ...failures.minute, retryAfterMs: 1_000 }, NOW + 1_000);
    expect(runtime.benches.cooling(key.id, FLASH.id, NOW + 1_000)?.until).toBe(NOW + 34_400);
  });

  it("a later 429 that ends well after the cooling extends it", () => {
    const { pool, runtime } = poolOver();
    pool.recordFailure(key.id, FLASH.id, failures.minute, NOW);
    pool.recordFailure(key.id, FLASH.id, failures.minute, NOW + 30_000);
    expect(runtime.benches.cooling(key.id, FLASH.id, NOW + 30_000)?.until).toBe(NOW + 30_000 + 34_400);
  });

  it("is forgotten by a fresh isolate (it lives in memory only)", () => {
    const { pool, runtime } = poolOver();
    pool.recordFailure(key.id, FLASH.id, failures.minute, NOW);
    runtime.clear();
    expect(runtime.benches.cooling(key.id, FLASH.id, NOW)).toBeUndefined();
  });
});

describe("per-day 429 (QuotaFailure quotaId ...PerDay...): exhausted until the next Pacific midnight", () => {
  const after = nextState(undefined, FLASH.id, failures.day, NOW)!;
  const midnight = nextPacificMidnight(NOW);

  it("blocks the model until midnight Pacific", () => {
    expect(new Date(midnight).toISOString()).toBe("2026-07-16T07:00:00.000Z");
    expect(after.models[FLASH.id]).toMatchObject({ state: "exhausted", until: midnight });
    expect(blockedAt(after, midnight - 1)).toMatchObject({ kind: "limited", until: midnight });
  });

  it("expires at midnight even if no cron run lifts it", () => {
    expect(blockedAt(after, midnight)).toBeNull();
  });

  it("a per-day 429 during the block is no change (no KV write for the same news twice)", () => {
    expect(nextState(after, FLASH.id, failures.day, NOW + 5_000)).toBe(after);
  });

  it("a per-minute 429 never shortens it: the key stays limited until midnight", () => {
    const { pool } = poolOver(after);
    pool.recordFailure(key.id, FLASH.id, failures.minute, NOW + 5_000);
    expect(pool.pick(FLASH, new Set(), NOW + 5_000 + 34_400)).toMatchObject({ ok: false, reason: "rate_limited", retryAt: midnight });
  });

  it("a cooling key that then hits its daily quota becomes exhausted", async () => {
    const { pool, view, settle } = poolOver();
    pool.recordFailure(key.id, FLASH.id, failures.minute, NOW);
    pool.recordFailure(key.id, FLASH.id, failures.day, NOW + 1_000);
    expect(view.states.get(key.id)?.models[FLASH.id]).toMatchObject({ state: "exhausted", until: midnight });
    expect(pool.pick(FLASH, new Set(), NOW + 40_000)).toMatchObject({ ok: false, reason: "rate_limited", retryAt: midnight });
    await settle(); // the long state goes to the packed states entry in KV
    expect((await new KeyStore(env.GEMINI_KEYS_KV).readStates()).get(key.id)?.models[FLASH.id]?.state).toBe("exhausted");
  });
});

describe("400 API_KEY_INVALID: invalid until the admin acts", () => {
  const after = nextState(undefined, FLASH.id, failures.invalid, NOW)!;

  it("makes the key unusable for every model, with Google's reason", () => {
    expect(after.status).toBe("invalid");
    expect(blockedAt(after, NOW)).toEqual({ kind: "unusable", reason: failures.invalid.message });
    expect(blockedAt(after, NOW, PRO)).toMatchObject({ kind: "unusable" });
  });

  it("stays invalid however much time passes", () => {
    expect(blockedAt(after, NOW + 365 * 86_400_000)).toMatchObject({ kind: "unusable" });
  });

  it("a second API_KEY_INVALID is no change", () => {
    expect(nextState(after, FLASH.id, failures.invalid, NOW + 60_000)).toBe(after);
  });

  it("keeps the per-model blocks it had", () => {
    const exhausted = nextState(undefined, PRO.id, failures.day, NOW)!;
    expect(nextState(exhausted, FLASH.id, failures.invalid, NOW)!.models).toEqual(exhausted.models);
  });
});

describe("403: suspended, re-checked after its until", () => {
  const after = nextState(undefined, FLASH.id, failures.suspended, NOW)!;

  it("makes the key unusable until the re-check time", () => {
    expect(after).toMatchObject({ status: "suspended", since: NOW, until: NOW + SUSPENDED_RECHECK_MS });
    expect(blockedAt(after, NOW + SUSPENDED_RECHECK_MS - 1)).toMatchObject({ kind: "unusable" });
  });

  it("is tried again once until has passed", () => {
    expect(blockedAt(after, NOW + SUSPENDED_RECHECK_MS)).toBeNull();
  });

  it("a 403 during the suspension is no change; a 403 on the re-check extends it, keeping since", () => {
    expect(nextState(after, FLASH.id, failures.suspended, NOW + 60_000)).toBe(after);
    const recheck = NOW + SUSPENDED_RECHECK_MS + 1;
    expect(nextState(after, FLASH.id, failures.suspended, recheck)).toMatchObject({
      status: "suspended",
      since: NOW,
      until: recheck + SUSPENDED_RECHECK_MS,
    });
  });
});

describe("failures that are not the key's doing leave its state alone", () => {
  it.each<UpstreamFailure>([
    { kind: "overloaded", status: 503, message: "The model is overloaded." },
    { kind: "server", status: 500, message: "An internal error has occurred." },
    { kind: "network", message: "Network connection lost." },
    { kind: "timeout", message: "no answer within 60000 ms" },
    { kind: "empty", message: "empty reply" },
    { kind: "client", status: 400, googleStatus: "INVALID_ARGUMENT", message: "bad request" },
    { kind: "region", message: "User location is not supported for the API use." },
    { kind: "not_found", message: "models/x is not found" },
  ])("$kind", (failure) => {
    const exhausted = nextState(undefined, PRO.id, failures.day, NOW)!;
    expect(nextState(undefined, FLASH.id, failure, NOW)).toBeUndefined();
    expect(nextState(exhausted, FLASH.id, failure, NOW)).toBeUndefined();
  });
});

describe("disabled by the admin", () => {
  it("is unusable whatever its state", () => {
    const disabled = keyRecord({ id: "k2", behaviour: "ok", enabled: false });
    const result = unavailability({ key: disabled, state: undefined, counter: undefined, model: FLASH, modelsById, settings: DEFAULT_SETTINGS, now: NOW });
    expect(result).toEqual({ kind: "unusable", reason: "disabled by the admin" });
  });
});
