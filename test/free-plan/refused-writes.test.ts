// Limits hit anyway: a refused KV or D1 write costs no served call, no ledger row and no key
// state for longer than the stated healing time (KV: the next call after 60 s; D1: the next
// row this isolate writes).
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { KeyStore } from "../../src/pool/key-store";
import { RETRY_AFTER_REFUSAL_MS } from "../../src/runtime/state-writer";
import * as google from "../helpers/google-replies";
import { chatRequest, fakeGoogle, seed, type FakeKey } from "../pool/harness";
import { clock, isolate, ledgerRows } from "./harness";

afterEach(() => vi.restoreAllMocks());

/** A KV binding whose writes fail the way KV answers over the free plan's daily limit. */
function refusingWrites(kv: KVNamespace, refusing: { on: boolean }): KVNamespace {
  return new Proxy(kv, {
    get(target, property) {
      const real = Reflect.get(target, property, target) as unknown;
      if (typeof real !== "function") return real;
      if ((property === "put" || property === "delete") && refusing.on) {
        return async () => {
          throw new Error("KV PUT failed: 429 Too Many Requests (daily write limit exceeded)");
        };
      }
      return (real as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** A D1 binding whose ledger inserts fail the way D1 answers over the daily rows-written limit. */
function refusingLedger(database: D1Database, refusing: { on: boolean }): D1Database {
  const refuses = (sql: string) => refusing.on && /insert into "usage_calls"/i.test(sql);
  return new Proxy(database, {
    get(target, property) {
      const real = Reflect.get(target, property, target) as unknown;
      if (property === "prepare") {
        return (sql: string) => {
          const statement = target.prepare(sql);
          if (!refuses(sql)) return statement;
          return new Proxy(statement, {
            get(s, p) {
              if (p === "bind") return (...values: unknown[]) => refusingLedgerStatement(s.bind(...values));
              return refusingLedgerStatement(s)[p as keyof D1PreparedStatement];
            },
          });
        };
      }
      if (property === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          if (statements.some((s) => (s as { refused?: boolean }).refused)) throw new Error("D1_ERROR: daily rows written limit exceeded");
          return target.batch(statements);
        };
      }
      return typeof real === "function" ? (real as (...a: unknown[]) => unknown).bind(target) : real;
    },
  });
}

function refusingLedgerStatement(statement: D1PreparedStatement): D1PreparedStatement {
  return new Proxy(statement, {
    get(s, p) {
      if (p === "refused") return true;
      if (p === "run" || p === "all" || p === "first" || p === "raw") {
        return async () => {
          throw new Error("D1_ERROR: daily rows written limit exceeded");
        };
      }
      const real = Reflect.get(s, p, s) as unknown;
      return typeof real === "function" ? (real as (...a: unknown[]) => unknown).bind(s) : real;
    },
  });
}

describe("KV refuses writes", () => {
  it("calls are served, the long state lives in the isolate and reaches KV once writes are accepted again", async () => {
    const keys: FakeKey[] = [
      { id: "day-limit", behaviour: google.perDay429() },
      { id: "good", behaviour: "ok" },
    ];
    await seed(keys);
    const upstream = fakeGoogle(keys);
    const time = clock(Date.parse("2031-05-01T17:00:00.000Z"));
    const refusing = { on: true };
    const bindings = { ...env, GEMINI_KEYS_KV: refusingWrites(env.GEMINI_KEYS_KV, refusing) } as unknown as Env;
    const worker = isolate();

    for (let i = 0; i < 6; i++) expect((await worker.call(chatRequest(), bindings)).status).toBe(200);
    // The exhausted key was asked once: its state holds in this isolate though KV refused it.
    expect(upstream.callsByKey.get("day-limit")).toBe(1);
    expect((await new KeyStore(env.GEMINI_KEYS_KV).readStates()).get("day-limit")).toBeUndefined();
    expect(worker.runtime.states.pending).toBe(1);

    // KV accepts writes again; the next call after the retry time writes the state.
    refusing.on = false;
    time.advance(RETRY_AFTER_REFUSAL_MS);
    expect((await worker.call(chatRequest(), bindings)).status).toBe(200);
    expect(worker.runtime.states.pending).toBe(0);
    const stored = (await new KeyStore(env.GEMINI_KEYS_KV).readStates()).get("day-limit");
    expect(stored?.models["gemini-2.5-flash"]?.state).toBe("exhausted");
    // The refusal was noted for the panel.
    const noted = await env.DB.prepare("SELECT limit_hit_at FROM plan_usage WHERE resource = 'kv_writes' AND limit_hit_at IS NOT NULL").all();
    expect(noted.results.length).toBeGreaterThan(0);
  });
});

describe("D1 refuses ledger rows", () => {
  it("calls are served, the rows wait in the isolate, still count for quotas, and are written with the next row", async () => {
    const keys: FakeKey[] = [{ id: "good", behaviour: "ok" }];
    await seed(keys);
    fakeGoogle(keys);
    clock(Date.parse("2031-05-02T17:00:00.000Z"));
    const refusing = { on: true };
    const bindings = { ...env, DB: refusingLedger(env.DB, refusing) } as unknown as Env;
    const worker = isolate();
    const before = await ledgerRows();

    for (let i = 0; i < 3; i++) expect((await worker.call(chatRequest(), bindings)).status).toBe(200);
    expect(await ledgerRows()).toBe(before);
    expect(worker.runtime.ledger.pending).toBe(3);
    // Still counted for the key in this isolate (its tickets have no row yet).
    const counted: Record<string, number> = {};
    worker.runtime.own.addTo("good", "2031-05-02", counted);
    expect(counted["gemini-2.5-flash"]).toBe(3);
    // The refusal is noted where D1 cannot hold it: KV.
    const notices = await new KeyStore(env.GEMINI_KEYS_KV).readLimitNotices("2031-05-02");
    expect(notices.map((n) => n.resource)).toEqual(["d1_rows_written"]);

    refusing.on = false;
    expect((await worker.call(chatRequest(), bindings)).status).toBe(200);
    expect(worker.runtime.ledger.pending).toBe(0);
    expect(await ledgerRows()).toBe(before + 4);
  });
});
