// The real attempt loop (withFailover + callGemini + classification) over the real KeyPool,
// one isolate's runtime and local KV and D1, with Google faked at the fetch boundary: what
// each failure kind does to the key (a long state in KV, or a hold in this isolate's memory),
// whether another key is tried, and what the client is answered.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Settings } from "../../src/config/schemas";
import type { Env } from "../../src/env";
import { callGemini } from "../../src/gemini/client";
import type { GenerateContentResponse } from "../../src/gemini/types";
import { isEmptyReply } from "../../src/openai/response";
import { ZERO_USAGE } from "../../src/openai/usage";
import { KeyPool, SUSPENDED_RECHECK_MS } from "../../src/pool/key-pool";
import { KeyStore } from "../../src/pool/key-store";
import { SYNC_MS } from "../../src/runtime/isolate-view";
import type { CallTicket } from "../../src/runtime/own-calls";
import { IsolateRuntime } from "../../src/runtime/runtime";
import { nextPacificMidnight, pacificDay } from "../../src/util/pacific-day";
import type { KeyState } from "../../src/pool/types";
import { withFailover, type FailoverResult } from "../../src/proxy/failover";
import { openAIFailure } from "../../src/proxy/errors";
import * as google from "../helpers/google-replies";
import {
  CountingKv,
  MODELS,
  fakeGoogle,
  secretOf,
  seed,
  settingsWith,
  waitUntilCollector,
  type Behaviour,
  type FakeGoogle,
} from "../pool/harness";

const FLASH = MODELS[1]!;
const store = new KeyStore(env.GEMINI_KEYS_KV);
let run = 0;
let ids: (name: string) => string;

beforeEach(() => {
  run += 1;
  ids = (name) => `r${run}-${name}`;
});
afterEach(() => vi.restoreAllMocks());

interface Scenario {
  kv: CountingKv;
  upstream: FakeGoogle;
  /** This isolate: its view, in-memory holds, own calls and state writer. */
  runtime: IsolateRuntime;
  /** The bindings the pool runs on, GEMINI_KEYS_KV counted. */
  bindings: Env;
  call: (options?: { maxAttempts?: number; now?: number }) => Promise<FailoverResult<GenerateContentResponse>>;
  /** Opens a pool in this isolate (waitUntil work goes to `settle`). */
  open: (now?: number) => Promise<{ pool: KeyPool; settle: () => Promise<void> }>;
  stateOf: (name: string) => Promise<KeyState | undefined>;
}

/** Keys in pick order: with Math.random pinned to 0 the loop tries them first to last. */
async function scenario(keys: Array<[string, Behaviour]>, settings: Settings = settingsWith()): Promise<Scenario> {
  const fakeKeys = keys.map(([name, behaviour]) => ({ id: ids(name), behaviour }));
  await seed(fakeKeys, settings);
  vi.spyOn(Math, "random").mockReturnValue(0);
  const upstream = fakeGoogle(fakeKeys);
  const kv = new CountingKv(env.GEMINI_KEYS_KV);
  const bindings = { ...env, GEMINI_KEYS_KV: kv.binding } as Env;
  const runtime = new IsolateRuntime();
  const open = async (now?: number) => {
    const { waitUntil, settle } = waitUntilCollector();
    return { pool: await KeyPool.open(runtime, bindings, waitUntil, now), settle };
  };
  return {
    kv,
    upstream,
    runtime,
    bindings,
    open,
    stateOf: async (name) => (await store.readStates()).get(ids(name)),
    call: async ({ maxAttempts = settings.maxAttempts, now } = {}) => {
      const { pool, settle } = await open(now);
      const result = await withFailover<GenerateContentResponse>({
        pool,
        model: FLASH,
        maxAttempts,
        attempt: async (key) => {
          const attempt = await callGemini({
            base: env.GEMINI_API_BASE,
            apiKey: key.secret,
            path: `models/${FLASH.id}:generateContent`,
            body: { contents: [{ role: "user", parts: [{ text: "Hi" }] }] },
            timeoutMs: 50,
          });
          if (!attempt.ok) return attempt;
          const reply = (await attempt.response.json()) as GenerateContentResponse;
          if (isEmptyReply(reply)) return { ok: false, failure: { kind: "empty", message: "empty reply" } };
          return { ok: true, value: reply };
        },
      });
      if (result.ok) pool.recordSuccess(result.key.id, FLASH.id, ticket(runtime));
      await settle();
      return result;
    },
  };
}

/** A call's ticket in this isolate, as CallLog opens it. */
function ticket(runtime: IsolateRuntime, now = Date.now()): CallTicket {
  return runtime.own.open(pacificDay(now), "client-1");
}

function servedBy(result: FailoverResult<unknown>): string | undefined {
  return result.ok ? result.key.id : undefined;
}

describe("a failure another key can fix: the next key serves the call", () => {
  it("per-minute 429 -> cooled in this isolate until retryDelay (34.4 s), nothing written to KV", async () => {
    const s = await scenario([["limited", google.perMinute429], ["good", "ok"]]);
    const before = Date.now();
    const result = await s.call();
    expect(servedBy(result)).toBe(ids("good"));
    expect(result.attempts).toBe(2);
    const cooling = s.runtime.benches.cooling(ids("limited"), FLASH.id, Date.now());
    expect(cooling?.until).toBeGreaterThanOrEqual(before + 34_400);
    expect(cooling?.until).toBeLessThanOrEqual(Date.now() + 34_400);
    expect(cooling?.reason).toContain("per-minute");
    expect(await s.stateOf("limited")).toBeUndefined();
    expect(s.kv.counts.put).toBe(0);
  });

  it("per-day 429 -> exhausted until the next Pacific midnight, one write of the packed states", async () => {
    const s = await scenario([["spent", google.perDay429()], ["good", "ok"]]);
    const result = await s.call();
    expect(servedBy(result)).toBe(ids("good"));
    const state = await s.stateOf("spent");
    expect(state?.models[FLASH.id]).toMatchObject({ state: "exhausted", until: nextPacificMidnight(Date.now()) });
    expect(state?.models[FLASH.id]?.reason).toContain("PerDay");
    expect(s.kv.puts).toEqual(["states"]);
  });

  it("400 API_KEY_INVALID -> invalid", async () => {
    const s = await scenario([["bad", google.apiKeyInvalid], ["good", "ok"]]);
    expect(servedBy(await s.call())).toBe(ids("good"));
    expect(await s.stateOf("bad")).toMatchObject({ status: "invalid", reason: "API key not valid. Please pass a valid API key." });
  });

  it("403 -> suspended, re-checked an hour later", async () => {
    const s = await scenario([["banned", google.consumerSuspended], ["good", "ok"]]);
    const before = Date.now();
    expect(servedBy(await s.call())).toBe(ids("good"));
    const state = await s.stateOf("banned");
    expect(state?.status).toBe("suspended");
    expect(state?.until).toBeGreaterThanOrEqual(before + SUSPENDED_RECHECK_MS);
  });

  it("a 403 quoting the key: the key appears neither in its state nor in the client's answer", async () => {
    const name = "quoted";
    const secret = secretOf(ids(name));
    const quoting: google.GoogleReply = {
      status: 403,
      body: { error: { code: 403, message: `Permission denied: Consumer 'api_key:${secret}' has been suspended.`, status: "PERMISSION_DENIED" } },
    };
    const s = await scenario([[name, quoting]]);
    const result = await s.call();
    const state = await s.stateOf(name);
    expect(state?.status).toBe("suspended");
    expect(state?.reason).toContain("has been suspended");
    expect(JSON.stringify(state)).not.toContain(secret);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const answer = openAIFailure(result.answer);
    expect(answer.status).toBe(503);
    expect(await answer.text()).not.toContain(secret);
  });

  it.each<[string, Behaviour]>([
    ["503 overloaded", google.overloaded],
    ["500 internal", google.internalError],
    ["network error", "network"],
    ["timeout", "hang"],
    ["empty reply", "empty"],
  ])("%s -> another key, nothing written about the failing one", async (_name, behaviour) => {
    const s = await scenario([["flaky", behaviour], ["good", "ok"]]);
    const result = await s.call();
    expect(servedBy(result)).toBe(ids("good"));
    expect(result.attempts).toBe(2);
    expect(await s.stateOf("flaky")).toBeUndefined();
    expect(s.kv.counts.put).toBe(0);
  });

  it("a 5xx benches the key in this isolate only briefly: the next call skips it", async () => {
    const s = await scenario([["flaky", google.overloaded], ["good", "ok"]]);
    await s.call();
    const second = await s.call();
    expect(servedBy(second)).toBe(ids("good"));
    expect(second.attempts).toBe(1);
    expect(s.upstream.callsByKey.get(ids("flaky"))).toBe(1);
    // 10 s later the bench is over and the key is first in line again.
    const { pool } = await s.open();
    expect(pool.pick(FLASH, new Set(), Date.now() + 5_000)).toMatchObject({ ok: true, key: { id: ids("good") } });
    expect(pool.pick(FLASH, new Set(), Date.now() + 10_001)).toMatchObject({ ok: true, key: { id: ids("flaky") } });
  });

  it("an attempt that throws while reading the reply is a network failure of that key", async () => {
    const s = await scenario([["broken", "ok"], ["good", "ok"]]);
    vi.mocked(fetch).mockImplementationOnce(async () => new Response("{not json", { status: 200 }));
    const result = await s.call();
    expect(servedBy(result)).toBe(ids("good"));
    expect(result.attempts).toBe(2);
  });
});

describe("failures only the client or the region can fix go straight back", () => {
  it("client 400: one upstream call, answered 400, the key costs nothing", async () => {
    const s = await scenario([["first", google.clientMistake], ["second", "ok"]]);
    const result = await s.call();
    expect(result.ok).toBe(false);
    expect(s.upstream.total()).toBe(1);
    expect(s.kv.counts.put).toBe(0);
    expect(await s.stateOf("first")).toBeUndefined();
    if (result.ok) return;
    const answer = openAIFailure(result.answer);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "invalid_argument", message: "You can only set only one of thinking budget and thinking level." },
    });
    // Not benched either: the next call may use the same key at once.
    await s.call();
    expect(s.upstream.callsByKey.get(ids("first"))).toBe(2);
  });

  it("region FAILED_PRECONDITION: 'region', not a bad key, no retry", async () => {
    const s = await scenario([["abroad", google.regionRefused], ["second", "ok"]]);
    const result = await s.call();
    expect(s.upstream.total()).toBe(1);
    expect(await s.stateOf("abroad")).toBeUndefined();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failures.map((f) => f.kind)).toEqual(["region"]);
    expect(result.answer).toMatchObject({ status: 502, code: "region_not_supported" });
  });
});

describe("what the client hears when the pool cannot serve", () => {
  it("every key rate limited: 429 rate_limit_exceeded with Retry-After; the next call makes no upstream call", async () => {
    const s = await scenario([["a", google.perMinute429], ["b", google.perMinute429]]);
    const result = await s.call();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const answer = openAIFailure(result.answer);
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("35");
    expect(await answer.json()).toMatchObject({ error: { type: "rate_limit_error", code: "rate_limit_exceeded" } });
    const again = await s.call();
    expect(again.ok).toBe(false);
    expect(again.attempts).toBe(0);
    expect(s.upstream.total()).toBe(2);
    if (!again.ok) expect(again.answer).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
  });

  it("every key over its local quota: 429 until midnight, no upstream call at all", async () => {
    const settings = settingsWith({ quotas: { pro: 10, flash: 0 } });
    const s = await scenario([["a", "ok"]], settings);
    const result = await s.call();
    expect(s.upstream.total()).toBe(0);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const untilMidnight = Math.ceil((nextPacificMidnight(Date.now()) - Date.now()) / 1000);
    expect(result.answer).toMatchObject({ status: 429, code: "rate_limit_exceeded", outcome: "rate_limited" });
    expect(result.answer.retryAfterSeconds).toBeGreaterThanOrEqual(untilMidnight - 1);
    expect(result.answer.retryAfterSeconds).toBeLessThanOrEqual(untilMidnight);
  });

  it("every key invalid or disabled: 503, and the next call makes no upstream call", async () => {
    const s = await scenario([["a", google.apiKeyInvalid], ["b", google.apiKeyInvalid]]);
    const first = await s.call();
    expect(first.ok).toBe(false);
    if (!first.ok) expect(first.answer.status).toBe(503);
    const second = await s.call();
    expect(s.upstream.total()).toBe(2);
    if (!second.ok) expect(second.answer).toMatchObject({ status: 503, code: "no_key_available" });
  });

  it("no key configured: 503", async () => {
    const s = await scenario([]);
    const result = await s.call();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.answer.status).toBe(503);
  });

  it("upstream failures on every attempt: 502 after maxAttempts (3) keys, even with more keys left", async () => {
    const s = await scenario([["a", google.overloaded], ["b", google.internalError], ["c", "network"], ["d", google.overloaded]]);
    const result = await s.call();
    expect(result.attempts).toBe(3);
    expect(s.upstream.total()).toBe(3);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.answer.status).toBe(502);
  });

  it("when every key is only sidelined, the next call still tries one of them (a last resort once per call) instead of refusing; Google overloaded everywhere: 503 with Retry-After", async () => {
    const s = await scenario([["a", google.overloaded], ["b", google.overloaded]]);
    await s.call();
    const again = await s.call();
    expect(again.attempts).toBe(1);
    expect(s.upstream.total()).toBe(3);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.answer).toMatchObject({ status: 503, code: "overloaded", retryAfterSeconds: 10 });
  });
});

describe("quotas under concurrency", () => {
  it("calls under way count: 5 concurrent calls on a custom model with a daily quota of 2 -> 2 served, 3 refused", async () => {
    const tuned = MODELS.find((m) => m.id === "my-tuned")!;
    expect(tuned.dailyQuota).toBe(2);
    const s = await scenario([["only", "ok"]]);
    const results = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const { pool, settle } = await s.open();
        const callTicket = ticket(s.runtime);
        const result = await withFailover<string>({
          pool,
          model: tuned,
          maxAttempts: 3,
          attempt: async (key) => {
            const attempt = await callGemini({ base: env.GEMINI_API_BASE, apiKey: key.secret, path: `models/${tuned.id}:generateContent`, body: { contents: [{ role: "user", parts: [{ text: "Hi" }] }] }, timeoutMs: 1_000 });
            return attempt.ok ? { ok: true, value: await attempt.response.text() } : attempt;
          },
        });
        if (result.ok) pool.recordSuccess(result.key.id, tuned.id, callTicket);
        // The call's ledger row, as CallLog.finish writes it.
        await s.runtime.ledger.record(s.bindings, ledgerRow(result.ok ? result.key.id : null, tuned.id, result.ok), callTicket);
        await settle();
        return result;
      }),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    expect(results.filter((r) => !r.ok && r.answer.outcome === "rate_limited")).toHaveLength(3);
    expect(s.upstream.total()).toBe(2);
    // Counted, not double-counted: the key's count says 2 while the calls are this isolate's
    // own tickets, and still 2 once its next sync reads their ledger rows from D1.
    const keyId = ids("only");
    const { pool } = await s.open();
    expect(pool["counterOf"](keyId).models).toEqual({ [tuned.id]: 2 });
    expect(pool.pick(tuned, new Set())).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(pool.pick(MODELS.find((m) => m.id === "my-open")!, new Set())).toMatchObject({ ok: true });
    const later = Date.now() + SYNC_MS;
    const { pool: synced } = await s.open(later);
    expect(s.runtime.view.peek()?.counts.keys[keyId]).toEqual({ [tuned.id]: 2 });
    const own: Record<string, number> = {};
    s.runtime.own.addTo(keyId, pacificDay(later), own);
    expect(own).toEqual({});
    expect(synced["counterOf"](keyId).models).toEqual({ [tuned.id]: 2 });
    expect(synced.pick(tuned, new Set(), later)).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(s.kv.counts.put).toBe(0);
  });

  it("a released reservation stops counting (the loop releases after a failed attempt)", async () => {
    const s = await scenario([["flaky", google.overloaded], ["good", "ok"]]);
    const tuned = MODELS.find((m) => m.id === "my-tuned")!;
    const { pool, settle } = await s.open();
    const release = pool.reserve(ids("flaky"), tuned.id);
    pool.reserve(ids("flaky"), tuned.id);
    expect(pool.pick(tuned, new Set([ids("good")]))).toMatchObject({ ok: false, reason: "rate_limited" });
    release();
    expect(pool.pick(tuned, new Set([ids("good")]))).toMatchObject({ ok: true, key: { id: ids("flaky") } });
    await settle();
  });
});

describe("KV writes on the failure path", () => {
  it("neither a failure that changes no state nor the success after it writes KV", async () => {
    const s = await scenario([["flaky", google.overloaded], ["good", "ok"]]);
    const result = await s.call();
    expect(servedBy(result)).toBe(ids("good"));
    expect(s.kv.counts.put).toBe(0);
    expect(s.kv.counts.delete).toBe(0);
  });

  it("a per-day 429 from a key this isolate already knows is exhausted writes nothing more", async () => {
    const s = await scenario([["spent", google.perDay429()], ["good", "ok"]]);
    await s.call();
    expect(s.kv.counts.put).toBe(1);
    // A call that picked the key from a stale view elsewhere: the same news again.
    const { pool, settle } = await s.open();
    pool.recordFailure(ids("spent"), FLASH.id, { kind: "rate_day", quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier", message: "again" });
    pool.recordFailure(ids("spent"), FLASH.id, { kind: "rate_minute", retryAfterMs: 34_400, message: "and a minute one" });
    await settle();
    expect(s.kv.counts.put).toBe(1);
  });
});

describe("recovery", () => {
  it("cooling expires by itself: the key is picked again once retryDelay has passed", async () => {
    const s = await scenario([["limited", google.perMinute429], ["good", "ok"]]);
    await s.call();
    const until = s.runtime.benches.cooling(ids("limited"), FLASH.id, Date.now())!.until;
    const { pool } = await s.open();
    expect(pool.pick(FLASH, new Set([ids("good")]), until - 1)).toMatchObject({ ok: false, reason: "rate_limited", retryAt: until });
    expect(pool.pick(FLASH, new Set([ids("good")]), until)).toMatchObject({ ok: true, key: { id: ids("limited") } });
  });

  it("a suspended key is re-tried after its until, and a success there makes it active again", async () => {
    const s = await scenario([["banned", google.consumerSuspended]]);
    await s.call();
    expect((await s.stateOf("banned"))?.status).toBe("suspended");
    const later = Date.now() + SUSPENDED_RECHECK_MS + 1;
    const refused = await s.call({ now: Date.now() + 1 });
    expect(refused.ok).toBe(false);
    // An hour on, Google has lifted the suspension.
    vi.restoreAllMocks();
    vi.spyOn(Math, "random").mockReturnValue(0);
    fakeGoogle([{ id: ids("banned"), behaviour: "ok" }]);
    const { pool, settle } = await s.open(later);
    expect(pool.pick(FLASH, new Set(), later)).toMatchObject({ ok: true, key: { id: ids("banned") } });
    pool.recordRecovery(ids("banned"), later);
    await settle();
    expect(await s.stateOf("banned")).toMatchObject({ status: "active", since: later });
  });

  it("an invalid key stays out until the admin acts, however late it is", async () => {
    const s = await scenario([["bad", google.apiKeyInvalid]]);
    await s.call();
    const yearLater = Date.now() + 365 * 86_400_000;
    const { pool } = await s.open(yearLater);
    expect(pool.pick(FLASH, new Set(), yearLater)).toMatchObject({ ok: false, reason: "no_key" });
  });
});

/** A ledger row for one call of the concurrency test. */
function ledgerRow(geminiKeyId: string | null, model: string, served: boolean) {
  const now = Date.now();
  return {
    ts: now,
    day: pacificDay(now),
    clientKeyId: "client-1",
    geminiKeyId,
    model,
    category: "custom",
    endpoint: "chat",
    streamed: false,
    status: served ? 200 : 429,
    outcome: served ? ("ok" as const) : ("rate_limited" as const),
    served,
    attempts: served ? 1 : 0,
    tokens: ZERO_USAGE,
    latencyMs: 10,
    ttfbMs: null,
    errorCode: null,
  };
}
