import { desc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { usageCalls } from "../usage/schema";

/**
 * When each client key last made a call (epoch ms), from the ledger: its newest row, one
 * query per key in a single D1 batch, each a single probe of usage_calls_client_ts_idx.
 */
export async function lastUsedByClient(database: D1Database, clientKeyIds: readonly string[]): Promise<Map<string, number>> {
  const db = drizzle(database);
  const found = new Map<string, number>();
  const [first, ...rest] = clientKeyIds.map((id) =>
    db.select({ ts: usageCalls.ts }).from(usageCalls).where(eq(usageCalls.clientKeyId, id)).orderBy(desc(usageCalls.ts)).limit(1),
  );
  if (!first) return found;
  const results = await db.batch([first, ...rest]);
  results.forEach((rows, i) => {
    const newest = rows[0]?.ts;
    const id = clientKeyIds[i];
    if (id !== undefined && newest !== undefined) found.set(id, newest);
  });
  return found;
}
