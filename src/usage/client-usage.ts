import { and, eq, sum } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { usageDailyClient } from "./schema";

/** Calls a client key made on a Pacific day, from the roll-up (for its daily request limit). */
export async function clientRequestsOnDay(database: D1Database, clientKeyId: string, day: string): Promise<number> {
  const [row] = await drizzle(database)
    .select({ requests: sum(usageDailyClient.requests) })
    .from(usageDailyClient)
    .where(and(eq(usageDailyClient.day, day), eq(usageDailyClient.clientKeyId, clientKeyId)));
  return Number(row?.requests ?? 0);
}
