// The scheduled handler: which runs are the Pacific-midnight reset (decided from
// scheduledTime alone, across both 2026 DST changes), what the reset does, and the
// reconciliation of KV day counters with the D1 ledger.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { runScheduled } from "../../src/cron";
import { KeyStore } from "../../src/pool/key-store";
import type { KeyState } from "../../src/pool/types";
import worker from "../../src/index";
import { ledgerCountsForDay } from "../../src/usage/ledger-counts";
import { ZERO_USAGE } from "../../src/openai/usage";
import { recordCall, type CallRecord } from "../../src/usage/record";
import type { Outcome } from "../../src/usage/schema";
import { CountingKv, seed } from "./harness";

const store = new KeyStore(env.GEMINI_KEYS_KV);
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
    ["2026-11-02T08:05:00.000Z", false, "2026-11-02"], // the */5 run after it
    ["2026-11-02T08:04:59.000Z", true, "2026-11-02"], // a late firing inside the window
  ])("%s: reset %s, day %s", async (instant, reset, day) => {
    const report = await runScheduled(at(instant), env);
    expect(report).toMatchObject({ dailyReset: reset, day });
  });

  it("the exported handler decides from controller.scheduledTime and waits for its work", async () => {
    await seed([{ id: "h1", behaviour: "ok" }]);
    const blocked: KeyState = { status: "active", since: 0, models: { m: { state: "exhausted", until: at("2026-11-02T08:00:00.000Z"), reason: "daily" } } };
    await store.writeState("h1", blocked);
    const notMidnight = createScheduledController({ scheduledTime: at("2026-11-02T07:00:00.000Z"), cron: "0 7 * * *" });
    let ctx = createExecutionContext();
    await worker.scheduled(notMidnight, env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await store.readStates(["h1"])).get("h1")?.models).toEqual(blocked.models);
    const midnight = createScheduledController({ scheduledTime: at("2026-11-02T08:00:00.000Z"), cron: "0 8 * * *" });
    ctx = createExecutionContext();
    await worker.scheduled(midnight, env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await store.readStates(["h1"])).get("h1")?.models).toEqual({});
  });
});

describe("the reset run", () => {
  const midnight = at("2026-07-16T07:00:00.000Z");

  beforeEach(async () => {
    await seed([
      { id: "cool", behaviour: "ok" },
      { id: "spent", behaviour: "ok" },
      { id: "bad", behaviour: "ok" },
      { id: "banned", behaviour: "ok" },
      { id: "fine", behaviour: "ok" },
    ]);
    const block = (state: "cooling" | "exhausted") => ({ "gemini-2.5-flash": { state, until: midnight + 60_000, reason: "test" } });
    await store.writeState("cool", { status: "active", since: 0, models: block("cooling") });
    await store.writeState("spent", { status: "active", since: 0, models: block("exhausted") });
    await store.writeState("bad", { status: "invalid", reason: "API key not valid", since: 0, models: block("exhausted") });
    await store.writeState("banned", { status: "suspended", reason: "403", since: 0, until: midnight + 3_600_000, models: {} });
  });

  it("lifts every per-model block, keeps invalid and suspended, rewrites only states that had blocks", async () => {
    const kv = new CountingKv(env.GEMINI_KEYS_KV);
    await runScheduled(midnight, { ...env, GEMINI_KEYS_KV: kv.binding });
    const states = await store.readStates(["cool", "spent", "bad", "banned", "fine"]);
    expect(states.get("cool")).toMatchObject({ status: "active", models: {} });
    expect(states.get("spent")).toMatchObject({ status: "active", models: {} });
    expect(states.get("bad")).toMatchObject({ status: "invalid", models: {} });
    expect(states.get("banned")).toMatchObject({ status: "suspended", until: midnight + 3_600_000 });
    expect(states.has("fine")).toBe(false);
    expect(kv.puts.filter((p) => p.startsWith("state:")).sort()).toEqual(["state:bad", "state:cool", "state:spent"]);
  });

  it("a run that is not the reset lifts nothing", async () => {
    await runScheduled(midnight + 5 * 60_000, env);
    expect((await store.readStates(["spent"])).get("spent")?.models).not.toEqual({});
  });

  it("prunes ledger rows past the retention, keeping the roll-ups", async () => {
    const old = midnight - 91 * 86_400_000;
    await ledger([call("2026-04-16", old, "fine", "gemini-2.5-flash"), call("2026-07-15", midnight - 3_600_000, "fine", "gemini-2.5-flash")]);
    await runScheduled(midnight, env);
    const rows = await env.DB.prepare("SELECT day FROM usage_calls WHERE day IN ('2026-04-16', '2026-07-15')").all<{ day: string }>();
    expect(rows.results.map((r) => r.day)).toEqual(["2026-07-15"]);
    for (const table of ["usage_daily", "usage_daily_client", "usage_daily_outcome"]) {
      const rollUp = await env.DB.prepare(`SELECT requests FROM ${table} WHERE day = '2026-04-16'`).first<{ requests: number }>();
      expect(rollUp?.requests, table).toBe(1);
    }
  });
});

describe("reconciliation: KV counters := the ledger's counts", () => {
  const day = "2026-08-20";
  const noon = at("2026-08-20T19:00:00.000Z"); // 12:00 PDT, not a reset run
  const flash = "gemini-2.5-flash";
  const pro = "gemini-2.5-pro";

  it("writes exactly the counters that differ, and a second run writes nothing", async () => {
    await seed(["same", "lost", "missing", "stale", "idle"].map((id) => ({ id, behaviour: "ok" as const })));
    await ledger([
      ...Array.from({ length: 3 }, (_, i) => call(day, noon - 1000 * i, "same", flash)),
      ...Array.from({ length: 5 }, (_, i) => call(day, noon - 1000 * i, "lost", flash)),
      call(day, noon, "lost", pro),
      call(day, noon, "lost", pro, "blocked"),
      call(day, noon, "missing", flash),
      // Not served by Google: never counted.
      call(day, noon, "same", flash, "rate_limited"),
      call(day, noon, "same", flash, "upstream_error"),
      call(day, noon, null, flash, "no_key"),
      // Another day.
      call("2026-08-19", noon - 86_400_000, "idle", flash),
    ]);
    await store.writeCounter("same", { day, total: 3, models: { [flash]: 3 } });
    await store.writeCounter("lost", { day, total: 4, models: { [flash]: 3, [pro]: 1 } }); // lost updates
    await store.writeCounter("stale", { day, total: 2, models: { [flash]: 2 } }); // no ledger rows

    const kv = new CountingKv(env.GEMINI_KEYS_KV);
    const report = await runScheduled(noon, { ...env, GEMINI_KEYS_KV: kv.binding });
    expect(report).toEqual({ day, dailyReset: false, countersWritten: 3 });
    expect(kv.puts.sort()).toEqual([`count:${day}:lost`, `count:${day}:missing`, `count:${day}:stale`]);

    const counters = await store.readCounters(day, ["same", "lost", "missing", "stale", "idle"]);
    expect(counters.get("same")).toEqual({ day, total: 3, models: { [flash]: 3 } });
    expect(counters.get("lost")).toEqual({ day, total: 7, models: { [flash]: 5, [pro]: 2 } });
    expect(counters.get("missing")).toEqual({ day, total: 1, models: { [flash]: 1 } });
    expect(counters.get("stale")).toEqual({ day, total: 0, models: {} });
    expect(counters.has("idle")).toBe(false);

    kv.reset();
    expect((await runScheduled(noon + 5 * 60_000, { ...env, GEMINI_KEYS_KV: kv.binding })).countersWritten).toBe(0);
    expect(kv.counts.put).toBe(0);
  });

  it("after a reset by hand, counts only the ledger rows since the marker", async () => {
    const otherDay = "2026-08-21";
    const t = at("2026-08-21T19:00:00.000Z");
    await seed([{ id: "reset-key", behaviour: "ok" }]);
    await ledger([
      call(otherDay, t - 60_000, "reset-key", flash),
      call(otherDay, t - 30_000, "reset-key", flash),
      call(otherDay, t + 10_000, "reset-key", flash),
    ]);
    await store.writeResetMarker(otherDay, t);
    expect(await ledgerCountsForDay(env.DB, otherDay, t)).toEqual(new Map([["reset-key", { [flash]: 1 }]]));
    expect(await ledgerCountsForDay(env.DB, otherDay, null)).toEqual(new Map([["reset-key", { [flash]: 3 }]]));
    await runScheduled(t + 60_000, env);
    expect((await store.readCounters(otherDay, ["reset-key"])).get("reset-key")).toEqual({ day: otherDay, total: 1, models: { [flash]: 1 } });
  });
});

describe("KV refusing writes during a cron run", () => {
  it("one refused counter write does not stop the others; the next run writes it", async () => {
    const day = "2026-08-22";
    const noon = at("2026-08-22T19:00:00.000Z");
    await seed([{ id: "refused", behaviour: "ok" }, { id: "accepted", behaviour: "ok" }]);
    await ledger([call(day, noon, "refused", "gemini-2.5-flash"), call(day, noon, "accepted", "gemini-2.5-flash")]);
    const refusing = new Proxy(env.GEMINI_KEYS_KV, {
      get(target, property) {
        if (property !== "put") {
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        }
        return (entry: string, ...rest: unknown[]) =>
          entry.endsWith(":refused") ? Promise.reject(new Error("KV write limit")) : target.put(entry, ...(rest as [string]));
      },
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect((await runScheduled(noon, { ...env, GEMINI_KEYS_KV: refusing })).countersWritten).toBe(1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`count:${day}:refused`));
    warn.mockRestore();
    expect((await runScheduled(noon + 300_000, env)).countersWritten).toBe(1);
    const counters = await store.readCounters(day, ["refused", "accepted"]);
    expect(counters.get("refused")?.total).toBe(1);
    expect(counters.get("accepted")?.total).toBe(1);
  });
});
