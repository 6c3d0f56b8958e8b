import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { latencyBucket } from "./latency-buckets";
import { usageCalls, usageDaily, usageLatency, type Outcome } from "./schema";

export interface TokenFigures {
  promptTokens: number;
  completionTokens: number;
  thoughtTokens: number;
  cachedTokens: number;
  totalTokens: number;
}

export const NO_TOKENS: TokenFigures = Object.freeze({
  promptTokens: 0,
  completionTokens: 0,
  thoughtTokens: 0,
  cachedTokens: 0,
  totalTokens: 0,
});

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
  attempts: number;
  tokens: TokenFigures;
  latencyMs: number;
  ttfbMs: number | null;
  errorCode: string | null;
}

/** Writes the ledger row, the day's roll-up and the latency histogram in one D1 batch. */
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
    attempts: call.attempts,
    ...tokens,
    latencyMs: call.latencyMs,
    ttfbMs: call.ttfbMs,
    errorCode: call.errorCode,
  });
  const rollUp = db
    .insert(usageDaily)
    .values({
      day: call.day,
      geminiKeyId: call.geminiKeyId ?? "",
      model: call.model,
      clientKeyId: call.clientKeyId,
      outcome: call.outcome,
      requests: 1,
      ...tokens,
      latencyMsSum: call.latencyMs,
    })
    .onConflictDoUpdate({
      target: [usageDaily.day, usageDaily.geminiKeyId, usageDaily.model, usageDaily.clientKeyId, usageDaily.outcome],
      set: {
        requests: sql`${usageDaily.requests} + 1`,
        promptTokens: sql`${usageDaily.promptTokens} + ${tokens.promptTokens}`,
        completionTokens: sql`${usageDaily.completionTokens} + ${tokens.completionTokens}`,
        thoughtTokens: sql`${usageDaily.thoughtTokens} + ${tokens.thoughtTokens}`,
        cachedTokens: sql`${usageDaily.cachedTokens} + ${tokens.cachedTokens}`,
        totalTokens: sql`${usageDaily.totalTokens} + ${tokens.totalTokens}`,
        latencyMsSum: sql`${usageDaily.latencyMsSum} + ${call.latencyMs}`,
      },
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
  await db.batch([ledgerRow, rollUp, ...latencyRows]);
}
