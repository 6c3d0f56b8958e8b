// The scheduled handler: which runs are the Pacific-midnight reset (decided from
// scheduledTime alone, across both 2026 DST changes), what the reset does, and the day's
// counts it publishes to KV (`counts:<day>`) from the D1 ledger.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { runScheduled } from "../src/cron";
import type { Env } from "../src/env";
import { rememberAffinity } from "../src/files/affinity-store";
import { countDay } from "../src/pool/count-day";
import { KeyStore } from "../src/pool/key-store";
import type { KeyState } from "../src/pool/types";
import worker, { isolateRuntime } from "../src/index";
import { writeQuotaReset } from "../src/usage/ledger-reads";
import { readPlanUsage } from "../src/usage/plan-usage";
import { ZERO_USAGE } from "../src/openai/usage";
import { recordCall, type CallRecord } from "../src/usage/record";
import type { Outcome } from "../src/usage/schema";
import { CountingKv, seed } from "./pool/harness";

const store = new KeyStore(env.GEMINI_KEYS_KV);

async function affinityNames(): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT name FROM key_affinity ORDER BY name").all<{ name: string }>();
  return results.map((r) => r.name);
}
const at = (iso: string) => Date.parse(iso);

function call(day: string, ts: number, geminiKeyId: string | null, model: string, outcome: Outcome = "ok"): CallRecord {
  return {
    ts,
    day,
    clientKeyId: "client-1",
    geminiKeyId,
    model,
    category: "flash",
    endpoint: "chat",
    streamed: false,
    status: outcome === "ok" || outcome === "blocked" ? 200 : 502,
    outcome,
    served: outcome === "ok" || outcome === "blocked",
    attempts: 1,
    tokens: ZERO_USAGE,
    latencyMs: 100,
    ttfbMs: 90,
    errorCode: null,
  };
}

async function ledger(rows: CallRecord[]): Promise<void> {
  for (const row of rows) await recordCall(env.DB, row);
}

/** Sets key states in the packed `states` entry, keeping the others. */
async function putStates(states: Record<string, KeyState>): Promise<void> {
  await store.updateStates((stored) => {
    for (const [id, state] of Object.entries(states)) stored.set(id, state);
    return true;
  });
}

async function stateOf(id: string): Promise<KeyState | undefined> {
  return (await store.readStates()).get(id);
}

describe("which cron run is the daily reset", () => {
  it.each([
    ["2026-07-15T07:00:00.000Z", true, "2026-07-15"], // summer (PDT): 07:00 UTC is midnight
    ["2026-07-15T08:00:00.000Z", false, "2026-07-15"], // 01:00 PDT
    ["2026-01-15T07:00:00.000Z", false, "2026-01-14"], // winter (PST): 23:00 the day before
    ["2026-01-15T08:00:00.000Z", true, "2026-01-15"], // 00:00 PST
    ["2026-03-08T07:00:00.000Z", false, "2026-03-07"], // spring-forward day: still PST at midnight
    ["2026-03-08T08:00:00.000Z", true, "2026-03-08"],
    ["2026-03-09T07:00:00.000Z", true, "2026-03-09"], // first PDT midnight
    ["2026-03-09T08:00:00.000Z", false, "2026-03-09"],
    ["2026-11-01T07:00:00.000Z", true, "2026-11-01"], // fall-back day: still PDT at midnight
    ["2026-11-01T08:00:00.000Z", false, "2026-11-01"], // 01:00 PDT
    ["2026-11-01T09:00:00.000Z", false, "2026-11-01"], // 01:00 PST, the repeated hour
    ["2026-11-02T07:00:00.000Z", false, "2026-11-01"], // 23:00 PST
    ["2026-11-02T08:00:00.000Z", true, "2026-11-02"], // first PST midnight
    ["2026-11-02T08:10:00.000Z", false, "2026-11-02"], // the */10 run after it
    ["2026-11-02T08:09:59.000Z", true, "2026-11-02"], // a late firing inside the window
  ])("%s: reset %s, day %s", async (instant, reset, day) => {
    const report = await runScheduled(at(instant), env);
    expect(report).toMatchObject({ dailyReset: reset, day });
  });

  it("the exported handler decides from controller.scheduledTime, waits for its work, and lifts the isolate's holds at the reset", async () => {
    await seed([{ id: "h1", behaviour: "ok" }]);
    const blocked: KeyState = { status: "active", since: 0, models: { m: { state: "exhausted", until: at("2026-11-02T08:00:00.000Z"), reason: "daily" } } };
    await putStates({ h1: blocked });
    const far = Date.now() + 3_600_000;
    isolateRuntime.benches.cool("h1", "m", { until: far, reason: "per-minute rate limit" });
    const notMidnight = createScheduledController({ scheduledTime: at("2026-11-02T07:00:00.000Z"), cron: "*/10 * * * *" });
    let ctx = createExecutionContext();
    await worker.scheduled(notMidnight, env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await stateOf("h1"))?.models).toEqual(blocked.models);
    expect(isolateRuntime.benches.cooling("h1", "m", Date.now())).toBeDefined();
    const midnight = createScheduledController({ scheduledTime: at("2026-11-02T08:00:00.000Z"), cron: "*/10 * * * *" });
    ctx = createExecutionContext();
    await worker.scheduled(midnight, env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await stateOf("h1"))?.models).toEqual({});
    expect(isolateRuntime.benches.cooling("h1", "m", Date.now())).toBeUndefined();
  });
});

describe("the reset run", () => {
  const midnight = at("2026-07-16T07:00:00.000Z");

  beforeEach(async () => {
    await seed([
      { id: "spent-pro", behaviour: "ok" },
      { id: "spent", behaviour: "ok" },
      { id: "bad", behaviour: "ok" },
      { id: "banned", behaviour: "ok" },
      { id: "fine", behaviour: "ok" },
    ]);
    const block = (model: string) => ({ [model]: { state: "exhausted" as const, until: midnight + 60_000, reason: "test" } });
    await store.writeStates(new Map());
    await putStates({
      "spent-pro": { status: "active", since: 0, models: block("gemini-2.5-pro") },
      spent: { status: "active", since: 0, models: block("gemini-2.5-flash") },
      bad: { status: "invalid", reason: "API key not valid", since: 0, models: block("gemini-2.5-flash") },
      banned: { status: "suspended", reason: "403", since: 0, until: midnight + 3_600_000, models: {} },
    });
  });

  it("lifts every per-model block, keeps invalid and suspended, in one write of the packed states", async () => {
    const kv = new CountingKv(env.GEMINI_KEYS_KV);
    const report = await runScheduled(midnight, { ...env, GEMINI_KEYS_KV: kv.binding });
    expect(report.dailyReset).toBe(true);
    const states = await store.readStates();
    expect(states.get("spent-pro")).toMatchObject({ status: "active", models: {} });
    expect(states.get("spent")).toMatchObject({ status: "active", models: {} });
    expect(states.get("bad")).toMatchObject({ status: "invalid", models: {} });
    expect(states.get("banned")).toMatchObject({ status: "suspended", until: midnight + 3_600_000 });
    expect(states.has("fine")).toBe(false);
    expect(kv.puts.filter((p) => p === "states")).toEqual(["states"]);
  });

  it("a reset run with no block to lift does not write the states", async () => {
    const kv = new CountingKv(env.GEMINI_KEYS_KV);
    await store.writeStates(new Map([["bad", { status: "invalid", since: 0, models: {} }]]));
    await runScheduled(midnight + 60_000, { ...env, GEMINI_KEYS_KV: kv.binding });
    expect(kv.puts).not.toContain("states");
  });

  it("a run that is not the reset lifts nothing", async () => {
    await runScheduled(midnight + 10 * 60_000, env);
    expect((await stateOf("spent"))?.models).not.toEqual({});
  });

  it("folds the ledger into the roll-ups, rotates it to a partition, and drops partitions past the retention, keeping the roll-ups", async () => {
    const old = midnight - 91 * 86_400_000;
    await ledger([call("2026-04-16", old, "fine", "gemini-2.5-flash"), call("2026-07-15", midnight - 3_600_000, "fine", "gemini-2.5-flash")]);
    const report = await runScheduled(midnight, env);
    expect(report.folded).toBeGreaterThanOrEqual(2);
    // The ledger's oldest call is older than a week: the whole (folded) ledger became a partition.
    expect(report.rotated).toMatch(/^usage_calls_\d{12}$/);
    const live = await env.DB.prepare("SELECT day FROM usage_calls WHERE day IN ('2026-04-16', '2026-07-15')").all<{ day: string }>();
    expect(live.results).toEqual([]);
    const kept = await env.DB.prepare(`SELECT day FROM \`${report.rotated}\` WHERE day IN ('2026-04-16', '2026-07-15') ORDER BY id`).all<{ day: string }>();
    expect(kept.results.map((r) => r.day)).toEqual(["2026-04-16", "2026-07-15"]); // its newest call is within the retention
    // A reset run once its newest call is past the retention (90 days) drops the partition with one DROP TABLE.
    await runScheduled(midnight + 91 * 86_400_000, env);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = ?").bind(report.rotated).first<{ n: number }>();
    expect(left?.n).toBe(0);
    for (const table of ["usage_daily", "usage_daily_client", "usage_daily_outcome"]) {
      const rollUp = await env.DB.prepare(`SELECT requests FROM ${table} WHERE day = '2026-04-16'`).first<{ requests: number }>();
      expect(rollUp?.requests, table).toBe(1);
    }
  });

  it("drops the files, cached contents and uploads past their expiry, and keeps the others", async () => {
    const row = (name: string, expiresAt: number) => ({
      name, kind: "file" as const, geminiKeyId: "fine", clientKeyId: "client-1", mimeType: "text/plain", uri: null, sizeBytes: 1, createdAt: 0, expiresAt,
    });
    await rememberAffinity(env.DB, row("files/gone", midnight - 1));
    await rememberAffinity(env.DB, row("files/kept", midnight + 86_400_000));
    await runScheduled(midnight + 10 * 60_000, env); // not the reset: nothing dropped yet
    expect(await affinityNames()).toEqual(["files/gone", "files/kept"]);
    await runScheduled(midnight, env);
    expect(await affinityNames()).toEqual(["files/kept"]);
  });
});

describe("the day's counts in KV := the ledger's counts", () => {
  const day = "2026-08-20";
  const noon = at("2026-08-20T19:00:00.000Z"); // 12:00 PDT, not a reset run
  const flash = "gemini-2.5-flash";
  const pro = "gemini-2.5-pro";

  it("writes counts:<day> from the ledger (served calls per key and model, every call per client), and an unchanged day writes nothing", async () => {
    await seed(["same", "lost", "missing", "idle"].map((id) => ({ id, behaviour: "ok" as const })));
    await ledger([
      ...Array.from({ length: 3 }, (_, i) => call(day, noon - 1000 * i, "same", flash)),
      ...Array.from({ length: 5 }, (_, i) => call(day, noon - 1000 * i, "lost", flash)),
      call(day, noon, "lost", pro),
      call(day, noon, "lost", pro, "blocked"),
      call(day, noon, "missing", flash),
      // Not served by Google: never counted against a key, but against the client.
      call(day, noon, "same", flash, "rate_limited"),
      call(day, noon, "same", flash, "upstream_error"),
      call(day, noon, null, flash, "no_key"),
      // Another day.
      call("2026-08-19", noon - 86_400_000, "idle", flash),
    ]);

    const kv = new CountingKv(env.GEMINI_KEYS_KV);
    const report = await runScheduled(noon, { ...env, GEMINI_KEYS_KV: kv.binding });
    expect(report).toMatchObject({ day, dailyReset: false, countsWritten: true, kvWrites: 1 });
    expect(kv.puts).toEqual([`counts:${day}`]);

    const counts = await store.readCounts(day);
    expect(counts?.keys).toEqual({
      same: { [flash]: 3 },
      lost: { [flash]: 5, [pro]: 2 },
      missing: { [flash]: 1 },
    });
    expect(counts?.clients).toEqual({ "client-1": 14 });
    expect(counts?.resetThrough).toBeNull();
    // Exactly what every isolate counts from D1.
    const exact = await countDay(env.DB, day);
    expect(counts?.keys).toEqual(exact.keys);
    expect(counts?.clients).toEqual(exact.clients);

    kv.reset();
    expect((await runScheduled(noon + 10 * 60_000, { ...env, GEMINI_KEYS_KV: kv.binding })).countsWritten).toBe(false);
    expect(kv.counts.put).toBe(0);

    // New calls: the next run brings the entry level with the ledger again, in one write.
    await ledger([call(day, noon + 11 * 60_000, "missing", flash)]);
    kv.reset();
    expect((await runScheduled(noon + 20 * 60_000, { ...env, GEMINI_KEYS_KV: kv.binding })).countsWritten).toBe(true);
    expect(kv.puts).toEqual([`counts:${day}`]);
    expect((await store.readCounts(day))?.keys.missing).toEqual({ [flash]: 2 });
  });

  it("after a reset by hand, key counts hold only the ledger rows written since it (client counts all of them)", async () => {
    const otherDay = "2026-08-21";
    const t = at("2026-08-21T19:00:00.000Z");
    await seed([{ id: "reset-key", behaviour: "ok" }]);
    await ledger([call(otherDay, t - 60_000, "reset-key", flash), call(otherDay, t - 30_000, "reset-key", flash)]);
    await writeQuotaReset(env.DB, otherDay, t);
    await ledger([call(otherDay, t + 10_000, "reset-key", flash)]);
    const exact = await countDay(env.DB, otherDay);
    expect(exact.keys).toEqual({ "reset-key": { [flash]: 1 } });
    expect(exact.clients).toEqual({ "client-1": 3 });
    await runScheduled(t + 60_000, env);
    expect(await store.readCounts(otherDay)).toMatchObject({ day: otherDay, keys: { "reset-key": { [flash]: 1 } }, clients: { "client-1": 3 } });
  });
});

describe("KV refusing writes during a cron run", () => {
  it("a refused counts write is logged and noted in plan_usage; the next run writes it", async () => {
    const day = "2026-08-22";
    const noon = at("2026-08-22T19:00:00.000Z");
    await seed([{ id: "refused", behaviour: "ok" }, { id: "accepted", behaviour: "ok" }]);
    await ledger([call(day, noon, "refused", "gemini-2.5-flash"), call(day, noon, "accepted", "gemini-2.5-flash")]);
    const refusing = new Proxy(env.GEMINI_KEYS_KV, {
      get(target, property) {
        if (property === "put") return () => Promise.reject(new Error("KV put() limit exceeded for the day."));
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const refused = await runScheduled(noon, { ...env, GEMINI_KEYS_KV: refusing } as Env);
    expect(refused).toMatchObject({ countsWritten: false, kvWrites: 0 });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("limit exceeded"));
    warn.mockRestore();
    const noted = (await readPlanUsage(env.DB, new Date(noon).toISOString().slice(0, 10))).get("kv_writes");
    expect(noted?.limitHitAt).toBe(noon);
    expect(await store.readCounts(day)).toBeNull();

    expect((await runScheduled(noon + 600_000, env)).countsWritten).toBe(true);
    expect((await store.readCounts(day))?.keys).toEqual({ refused: { "gemini-2.5-flash": 1 }, accepted: { "gemini-2.5-flash": 1 } });
  });
});
