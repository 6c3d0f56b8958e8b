import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { latencyBucket } from "./latency-buckets";
import { usageCalls, usageDaily, usageDailyClient, usageDailyOutcome, usageLatency, type Outcome } from "./schema";
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

const COUNTERS = ["requests", "promptTokens", "completionTokens", "thoughtTokens", "cachedTokens", "totalTokens", "latencyMsSum"] as const;

/** ON CONFLICT DO UPDATE that adds the incoming row's value (SQLite's `excluded`) to each counter. */
function adding<Name extends string>(table: Record<Name, AnyColumn>, names: readonly Name[]) {
  return Object.fromEntries(
    names.map((name) => [name, sql`${table[name]} + excluded.${sql.identifier(table[name].name)}`]),
  ) as Record<Name, SQL>;
}

/**
 * Writes the ledger row, the three daily roll-ups and the latency histogram in one D1 batch,
 * so a roll-up never disagrees with the ledger.
 */
export async function recordCall(database: D1Database, call: CallRecord): Promise<void> {
  const db = drizzle(database);
  const { tokens } = call;
  const ledgerRow = db.insert(usageCalls).values({
    ts: call.ts,
    day: call.day,
    clientKeyId: call.clientKeyId,
    geminiKeyId: call.geminiKeyId,
    model: call.model,
    category: call.category,
    endpoint: call.endpoint,
    streamed: call.streamed,
    status: call.status,
    outcome: call.outcome,
    served: call.served,
    attempts: call.attempts,
    ...tokens,
    latencyMs: call.latencyMs,
    ttfbMs: call.ttfbMs,
    errorCode: call.errorCode,
  });
  const counted = { requests: 1, ...tokens, latencyMsSum: call.latencyMs };
  const errors = call.outcome === "ok" ? 0 : 1;
  const served = call.served ? 1 : 0;
  const keyRollUp = db
    .insert(usageDaily)
    .values({ day: call.day, geminiKeyId: call.geminiKeyId ?? "", model: call.model, ...counted, errors, served })
    .onConflictDoUpdate({
      target: [usageDaily.day, usageDaily.geminiKeyId, usageDaily.model],
      set: adding(usageDaily, [...COUNTERS, "errors", "served"]),
    });
  const clientRollUp = db
    .insert(usageDailyClient)
    .values({ day: call.day, clientKeyId: call.clientKeyId, model: call.model, ...counted, errors })
    .onConflictDoUpdate({
      target: [usageDailyClient.day, usageDailyClient.clientKeyId, usageDailyClient.model],
      set: adding(usageDailyClient, [...COUNTERS, "errors"]),
    });
  const outcomeRollUp = db
    .insert(usageDailyOutcome)
    .values({ day: call.day, model: call.model, outcome: call.outcome, ...counted })
    .onConflictDoUpdate({
      target: [usageDailyOutcome.day, usageDailyOutcome.model, usageDailyOutcome.outcome],
      set: adding(usageDailyOutcome, COUNTERS),
    });

  const histogram: Array<{ metric: "total" | "ttfb"; ms: number }> = [{ metric: "total", ms: call.latencyMs }];
  if (call.ttfbMs !== null) histogram.push({ metric: "ttfb", ms: call.ttfbMs });
  const latencyRows = histogram.map(({ metric, ms }) =>
    db
      .insert(usageLatency)
      .values({ day: call.day, model: call.model, metric, bucket: latencyBucket(ms), count: 1 })
      .onConflictDoUpdate({
        target: [usageLatency.day, usageLatency.model, usageLatency.metric, usageLatency.bucket],
        set: { count: sql`${usageLatency.count} + 1` },
      }),
  );
  await db.batch([ledgerRow, keyRollUp, clientRollUp, outcomeRollUp, ...latencyRows]);
}
