import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countingKv, type KvTally } from "../../src/admin/kv-counting";
import { KeyStore } from "../../src/pool/key-store";
import { rememberSignatures } from "../../src/signatures/signature-store";
import { planToday } from "../../src/usage/plan-today";
import { addPlanUsage, noteLimitHit, utcDay, utcDayStart } from "../../src/usage/plan-usage";
import { insertCalls } from "../usage/rollups";
import { admin, call, fakeGeminiKey } from "./helpers";

interface PlanAnswer {
  utcDay: string;
  database: { bytes: number; limitBytes: number; retentionMaxMb: number };
  resources: { resource: string; used: number; limit: number; counted: boolean; basis: string; how: string }[];
  limitHits: { resource: string; at: string; detail: string }[];
}

const usedOf = (plan: PlanAnswer, resource: string) => plan.resources.find((r) => r.resource === resource)?.used;

describe("GET /api/admin/plan", () => {
  it("needs a session", async () => {
    const response = await call("/api/admin/plan");
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "unauthorized" } });
  });

  it("lists every free-plan resource with its limit, and the database size", async () => {
    const session = await admin();
    const plan = await session.json<PlanAnswer>("GET", "/api/admin/plan");
    expect(plan.utcDay).toBe(utcDay(Date.now()));
    expect(plan.database).toEqual({ bytes: expect.any(Number), limitBytes: 500 * 1024 * 1024, retentionMaxMb: 400 });
    expect(plan.database.bytes).toBeGreaterThan(0);
    expect(plan.resources.map((r) => [r.resource, r.limit, r.counted, r.basis])).toEqual([
      ["worker_requests", 100_000, false, "estimate"],
      ["kv_reads", 100_000, false, "not counted"],
      ["kv_writes", 1_000, true, "counted"],
      ["kv_deletes", 1_000, true, "counted"],
      ["kv_lists", 1_000, true, "counted"],
      ["d1_rows_read", 5_000_000, false, "not counted"],
      ["d1_rows_written", 100_000, false, "estimate"],
    ]);
    for (const resource of plan.resources) expect(resource.how.length).toBeGreaterThan(20);
  });

  it("counts the KV writes the admin routes make, as they happen", async () => {
    const session = await admin();
    const before = await session.json<PlanAnswer>("GET", "/api/admin/plan");
    const settings = await session.json<Record<string, unknown>>("GET", "/api/admin/settings");
    await session.json("PUT", "/api/admin/settings", { ...settings, retentionMaxMb: 250 }); // 1 write
    await session.json("POST", "/api/admin/models", { id: "plan-test-model", category: "flash" }); // 1
    const created = await session.json<{ id: string }>("POST", "/api/admin/worker-keys", { name: "plan" }); // 1
    await session.json("DELETE", `/api/admin/worker-keys/${created.id}`); // 1
    await session.json("POST", "/api/admin/gemini-keys", { keys: fakeGeminiKey("plan") }); // 1
    // Reads and refused changes write nothing.
    await session.json("GET", "/api/admin/worker-keys");
    expect((await session.request("PUT", "/api/admin/settings", { ...settings, maxAttempts: 0 })).status).toBe(400);
    const other = await admin();
    await call("/api/auth/logout", { method: "POST", headers: { cookie: other.cookie, origin: "http://x" } }); // 1: the revocation

    const after = await session.json<PlanAnswer>("GET", "/api/admin/plan");
    expect(usedOf(after, "kv_writes")! - usedOf(before, "kv_writes")!).toBe(6);
    expect(usedOf(after, "kv_deletes")).toBe(usedOf(before, "kv_deletes"));
    expect(after.database.retentionMaxMb).toBe(250);
  });

  it("estimates today's worker requests and D1 rows written from the ledger, and adds what was counted", async () => {
    const session = await admin();
    const now = Date.now();
    const midnight = utcDayStart(utcDay(now));
    const before = await session.json<PlanAnswer>("GET", "/api/admin/plan");
    // Yesterday's rows first (ids grow with time), then today's.
    await insertCalls(Array.from({ length: 30 }, (_, i) => ({ day: "2000-01-01", ts: midnight - 3_600_000 + i })));
    await insertCalls(Array.from({ length: 12 }, (_, i) => ({ day: "2000-01-02", ts: midnight + i })));
    await rememberSignatures(env.DB, { "plan-call-1": "sig", "plan-call-2": "sig" }, now);
    await rememberSignatures(env.DB, { "plan-call-old": "sig" }, midnight - 3_600_000);
    await addPlanUsage(env.DB, now, { d1_rows_written: 7, kv_deletes: 2 });

    const after = await session.json<PlanAnswer>("GET", "/api/admin/plan");
    expect(usedOf(after, "worker_requests")! - usedOf(before, "worker_requests")!).toBe(12);
    expect(usedOf(after, "d1_rows_written")! - usedOf(before, "d1_rows_written")!).toBe(12 + 2 + 7);
    expect(usedOf(after, "kv_deletes")! - usedOf(before, "kv_deletes")!).toBe(2);
  });

  it("states the limits hit today: KV refusals (noted in D1) and D1 refusals (noted in KV), first one kept", async () => {
    const session = await admin();
    const now = Date.now();
    await noteLimitHit(env.DB, now - 5_000, "kv_writes", "KV put() limit exceeded for the day.");
    await noteLimitHit(env.DB, now - 1_000, "kv_writes", "a later refusal");
    await new KeyStore(env.GEMINI_KEYS_KV).noteLimit(utcDay(now), { resource: "d1_rows_written", at: now - 9_000, detail: "D1 limit" });
    // Yesterday's notice stays out.
    await noteLimitHit(env.DB, utcDayStart(utcDay(now)) - 60_000, "kv_deletes", "yesterday");

    const plan = await session.json<PlanAnswer>("GET", "/api/admin/plan");
    expect(plan.limitHits).toEqual([
      { resource: "d1_rows_written", at: new Date(now - 9_000).toISOString(), detail: "D1 limit" },
      { resource: "kv_writes", at: new Date(now - 5_000).toISOString(), detail: "KV put() limit exceeded for the day." },
    ]);
  });
});

describe("planToday", () => {
  it("finds the day's first ledger row by binary search: few rows read over a long ledger", async () => {
    const now = Date.parse("2037-08-09T15:00:00Z");
    const midnight = Date.parse("2037-08-09T00:00:00Z");
    await insertCalls(Array.from({ length: 3_000 }, (_, i) => ({ day: "2037-08-08", ts: midnight - 1_000_000 + i * 1_000 })));
    const metas: D1Meta[] = [];
    const watched = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") {
          return async (statements: D1PreparedStatement[]) => {
            const results = await target.batch(statements);
            metas.push(...results.map((result) => result.meta));
            return results;
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const plan = await planToday(watched, { now, notices: [], retentionMaxMb: 400 });
    expect(plan.resources.find((r) => r.resource === "worker_requests")?.used).toBe(2_000); // the last 2,000 of 3,000
    expect(metas[0]!.rows_read).toBeLessThan(100);
  });
});

describe("the admin's KV counting wrapper", () => {
  it("counts writes, deletes and lists that succeed, not reads, and notes a limit refusal", async () => {
    const tally: KvTally = { counts: {} };
    const kv = countingKv(env.WORKER_CONFIG_KV, tally);
    await kv.put("plan-test", "1");
    await kv.get("plan-test");
    await kv.get(["plan-test", "other"]);
    await kv.list({ prefix: "plan-" });
    await kv.delete("plan-test");
    expect(tally.counts).toEqual({ kv_writes: 1, kv_lists: 1, kv_deletes: 1 });

    const refusing = countingKv(
      { put: async () => Promise.reject(new Error("KV put() limit exceeded for the day.")) } as unknown as KVNamespace,
      tally,
    );
    await expect(refusing.put("x", "y")).rejects.toThrow("limit exceeded");
    expect(tally.counts.kv_writes).toBe(1);
    expect(tally.refused).toMatchObject({ resource: "kv_writes", detail: "Error: KV put() limit exceeded for the day." });
  });
});
