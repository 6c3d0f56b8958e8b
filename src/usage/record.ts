import { fillPlaceholders, sql } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { latencyBucket } from "./latency-buckets";
import { usageCalls, type Outcome } from "./schema";
import type { UsageFigures } from "../openai/usage";

/** One proxied call as the ledger keeps it. */
export interface CallRecord {
  ts: number;
  day: string;
  clientKeyId: string;
  geminiKeyId: string | null;
  model: string;
  category: string;
  endpoint: string;
  streamed: boolean;
  status: number;
  outcome: Outcome;
  /** Google accepted the call and counts it against the key (see usage_calls.served). */
  served: boolean;
  attempts: number;
  tokens: UsageFigures;
  latencyMs: number;
  ttfbMs: number | null;
  errorCode: string | null;
}

const value = (name: keyof BoundValues) => sql.placeholder(name);

/**
 * The ledger insert, built by drizzle once per isolate: its SQL never changes, only the bound
 * values do (DESIGN §8: no per-request work that does not depend on the request).
 */
function buildLedgerInsert(db: DrizzleD1Database): { sql: string; params: unknown[] } {
  return db
    .insert(usageCalls)
    .values({
      ts: value("ts"),
      day: value("day"),
      clientKeyId: value("clientKeyId"),
      geminiKeyId: value("geminiKeyId"),
      model: value("model"),
      category: value("category"),
      endpoint: value("endpoint"),
      streamed: value("streamed"),
      status: value("status"),
      outcome: value("outcome"),
      served: value("served"),
      attempts: value("attempts"),
      promptTokens: value("promptTokens"),
      completionTokens: value("completionTokens"),
      thoughtTokens: value("thoughtTokens"),
      cachedTokens: value("cachedTokens"),
      totalTokens: value("totalTokens"),
      latencyMs: value("latencyMs"),
      ttfbMs: value("ttfbMs"),
      latencyBucket: value("latencyBucket"),
      ttfbBucket: value("ttfbBucket"),
      errorCode: value("errorCode"),
    })
    .toSQL();
}

/** The values the insert's placeholders name (drizzle maps them to driver values). */
type BoundValues = Omit<CallRecord, "tokens"> &
  UsageFigures & { latencyBucket: number; ttfbBucket: number | null };

let ledgerInsert: { sql: string; params: unknown[] } | undefined;

/**
 * Writes the call's ledger row. The trigger `usage_calls_roll_up` (drizzle/0001) adds it to
 * the three daily roll-ups and the latency histogram in the same statement, so a call costs
 * the Worker one statement and a roll-up can never disagree with the ledger.
 */
export async function recordCall(database: D1Database, call: CallRecord): Promise<void> {
  ledgerInsert ??= buildLedgerInsert(drizzle(database));
  const values: BoundValues = {
    ...call,
    ...call.tokens,
    latencyBucket: latencyBucket(call.latencyMs),
    ttfbBucket: call.ttfbMs === null ? null : latencyBucket(call.ttfbMs),
  };
  await database
    .prepare(ledgerInsert.sql)
    .bind(...fillPlaceholders(ledgerInsert.params, values as unknown as Record<string, unknown>))
    .run();
}
