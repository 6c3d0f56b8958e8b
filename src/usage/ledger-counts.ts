import { and, eq, gte, isNotNull, ne, sql, sum } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { LedgerCounts } from "../pool/reconcile";
import { usageCalls, usageDaily } from "./schema";

/**
 * Served calls per Gemini key and model on a day. From the roll-up (cheap) unless the
 * quotas were reset by hand during the day, then from the day's ledger rows since then.
 */
export async function ledgerCountsForDay(database: D1Database, day: string, since: number | null): Promise<LedgerCounts> {
  const db = drizzle(database);
  const rows =
    since === null
      ? await db
          .select({ keyId: usageDaily.geminiKeyId, model: usageDaily.model, n: sum(usageDaily.served) })
          .from(usageDaily)
          .where(and(eq(usageDaily.day, day), ne(usageDaily.geminiKeyId, "")))
          .groupBy(usageDaily.geminiKeyId, usageDaily.model)
      : await db
          .select({ keyId: usageCalls.geminiKeyId, model: usageCalls.model, n: sql<number>`count(*)` })
          .from(usageCalls)
          .where(
            and(
              eq(usageCalls.day, day),
              gte(usageCalls.ts, since),
              isNotNull(usageCalls.geminiKeyId),
              eq(usageCalls.served, true),
            ),
          )
          .groupBy(usageCalls.geminiKeyId, usageCalls.model);
  const counts: LedgerCounts = new Map();
  for (const row of rows) {
    if (!row.keyId) continue;
    const models = counts.get(row.keyId) ?? {};
    models[row.model] = Number(row.n ?? 0);
    counts.set(row.keyId, models);
  }
  return counts;
}

/** Deletes ledger rows older than the retention; the roll-ups stay. */
export async function pruneLedger(database: D1Database, beforeTs: number): Promise<void> {
  await drizzle(database).delete(usageCalls).where(sql`${usageCalls.ts} < ${beforeTs}`);
}
