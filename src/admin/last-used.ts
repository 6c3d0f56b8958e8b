import { eq, max } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { usageCalls } from "../usage/schema";

/**
 * When each client key last made a call (epoch ms), from the ledger. One MAX(ts) per key in
 * a single D1 batch; with an index on (client_key_id, ts) each is a single index probe.
 */
export async function lastUsedByClient(database: D1Database, clientKeyIds: readonly string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const [first, ...rest] = clientKeyIds.map((id) =>
    drizzle(database).select({ last: max(usageCalls.ts) }).from(usageCalls).where(eq(usageCalls.clientKeyId, id)),
  );
  if (!first) return found;
  const results = await drizzle(database).batch([first, ...rest]);
  results.forEach((rows, i) => {
    const last = rows[0]?.last;
    const id = clientKeyIds[i];
    if (id !== undefined && last !== null && last !== undefined) found.set(id, Number(last));
  });
  return found;
}
