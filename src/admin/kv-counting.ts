import { createMiddleware } from "hono/factory";
import type { AppEnv, Env } from "../env";
import { addPlanUsage, noteLimitHit, type PlanResource } from "../usage/plan-usage";

// The free plan allows 1,000 KV writes, 1,000 deletes and 1,000 lists a day. What the admin
// side spends is counted here, where it happens: for each /api/* request the two KV bindings
// are replaced by counting wrappers, and after the answer the counts go to plan_usage in one
// statement (none when nothing was written). Reads are not counted (each counted read would
// cost a D1 row written per admin page).

type Counted = Extract<PlanResource, "kv_writes" | "kv_deletes" | "kv_lists">;

const COUNTED_METHODS: Record<string, Counted> = { put: "kv_writes", delete: "kv_deletes", list: "kv_lists" };

/** Marks a namespace whose writes the admin middleware already counts (see `isCountedByAdmin`). */
const COUNTED = Symbol("counted by the admin KV middleware");

/**
 * True for a KV binding seen through the admin's counting wrapper: code that counts its own KV
 * writes (addPlanUsage) should skip them then, or the admin's writes count twice.
 */
export function isCountedByAdmin(kv: KVNamespace): boolean {
  return (kv as unknown as Record<symbol, unknown>)[COUNTED] === true;
}

export interface KvTally {
  counts: Partial<Record<Counted, number>>;
  /** The first refusal a KV limit caused, if any. */
  refused?: { resource: Counted; at: number; detail: string };
}

/**
 * Looks like the error KV throws once a daily limit of the free plan is used up ("KV put() limit
 * exceeded for the day."), not a 429 for writing one key more than once a second.
 */
export function isLimitRefusal(error: unknown): boolean {
  return /limit exceeded|exceeded .*limit/i.test(String(error));
}

/** A KV namespace that tallies the writes, deletes and lists that succeed through it. */
export function countingKv(kv: KVNamespace, tally: KvTally): KVNamespace {
  return new Proxy(kv, {
    get(target, property) {
      if (property === COUNTED) return true;
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      const resource = typeof property === "string" ? COUNTED_METHODS[property] : undefined;
      if (!resource) return value.bind(target);
      return async (...args: unknown[]) => {
        try {
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          tally.counts[resource] = (tally.counts[resource] ?? 0) + 1;
          return result;
        } catch (error) {
          if (!tally.refused && isLimitRefusal(error)) tally.refused = { resource, at: Date.now(), detail: String(error) };
          throw error;
        }
      };
    },
  });
}

/** Writes what a request tallied to plan_usage; never fails the request it follows. */
export async function flushTally(database: D1Database, tally: KvTally, now = Date.now()): Promise<void> {
  try {
    await addPlanUsage(database, now, tally.counts);
    if (tally.refused) await noteLimitHit(database, tally.refused.at, tally.refused.resource, tally.refused.detail);
  } catch (error) {
    console.warn(`counting the admin's KV operations failed: ${String(error)}`);
  }
}

/** Installs the counting wrappers for the rest of the request and records the tally after it. */
export const countAdminKv = createMiddleware<AppEnv>(async (c, next) => {
  const tally: KvTally = { counts: {} };
  const env: Env = {
    ...c.env,
    GEMINI_KEYS_KV: countingKv(c.env.GEMINI_KEYS_KV, tally),
    WORKER_CONFIG_KV: countingKv(c.env.WORKER_CONFIG_KV, tally),
  };
  c.env = env;
  try {
    await next();
  } finally {
    await flushTally(env.DB, tally);
  }
});
