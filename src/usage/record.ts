import { type AnyColumn, fillPlaceholders, type SQL, sql } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
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

const value = (name: keyof BoundValues) => sql.placeholder(name);
const counted = {
  requests: 1,
  promptTokens: value("promptTokens"),
  completionTokens: value("completionTokens"),
  thoughtTokens: value("thoughtTokens"),
  cachedTokens: value("cachedTokens"),
  totalTokens: value("totalTokens"),
  latencyMsSum: value("latencyMs"),
};

/**
 * The batch's statements, built by drizzle once per isolate: their SQL never changes, only the
 * bound values do (DESIGN §8: no per-request work that does not depend on the request).
 */
function buildStatements(db: DrizzleD1Database) {
  return {
    ledger: db
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
        errorCode: value("errorCode"),
      })
      .toSQL(),
    keyRollUp: db
      .insert(usageDaily)
      .values({ day: value("day"), geminiKeyId: value("rollUpKeyId"), model: value("model"), ...counted, errors: value("errors"), served: value("servedCount") })
      .onConflictDoUpdate({
        target: [usageDaily.day, usageDaily.geminiKeyId, usageDaily.model],
        set: adding(usageDaily, [...COUNTERS, "errors", "served"]),
      })
      .toSQL(),
    clientRollUp: db
      .insert(usageDailyClient)
      .values({ day: value("day"), clientKeyId: value("clientKeyId"), model: value("model"), ...counted, errors: value("errors") })
      .onConflictDoUpdate({
        target: [usageDailyClient.day, usageDailyClient.clientKeyId, usageDailyClient.model],
        set: adding(usageDailyClient, [...COUNTERS, "errors"]),
      })
      .toSQL(),
    outcomeRollUp: db
      .insert(usageDailyOutcome)
      .values({ day: value("day"), model: value("model"), outcome: value("outcome"), ...counted })
      .onConflictDoUpdate({
        target: [usageDailyOutcome.day, usageDailyOutcome.model, usageDailyOutcome.outcome],
        set: adding(usageDailyOutcome, COUNTERS),
      })
      .toSQL(),
    latency: db
      .insert(usageLatency)
      .values({ day: value("day"), model: value("model"), metric: value("metric"), bucket: value("bucket"), count: 1 })
      .onConflictDoUpdate({
        target: [usageLatency.day, usageLatency.model, usageLatency.metric, usageLatency.bucket],
        set: { count: sql`${usageLatency.count} + 1` },
      })
      .toSQL(),
  };
}

type Statement = { sql: string; params: unknown[] };

/** The values the statements' placeholders name (drizzle maps them to driver values). */
interface BoundValues {
  ts: number;
  day: string;
  clientKeyId: string;
  geminiKeyId: string | null;
  rollUpKeyId: string;
  model: string;
  category: string;
  endpoint: string;
  streamed: boolean;
  status: number;
  outcome: string;
  served: boolean;
  servedCount: number;
  errors: number;
  attempts: number;
  promptTokens: number;
  completionTokens: number;
  thoughtTokens: number;
  cachedTokens: number;
  totalTokens: number;
  latencyMs: number;
  ttfbMs: number | null;
  errorCode: string | null;
  metric: "total" | "ttfb";
  bucket: number;
}

let statements: ReturnType<typeof buildStatements> | undefined;

function bind(database: D1Database, statement: Statement, values: BoundValues): D1PreparedStatement {
  return database.prepare(statement.sql).bind(...fillPlaceholders(statement.params, { ...values }));
}

/**
 * Writes the ledger row, the three daily roll-ups and the latency histogram in one D1 batch,
 * so a roll-up never disagrees with the ledger.
 */
export async function recordCall(database: D1Database, call: CallRecord): Promise<void> {
  statements ??= buildStatements(drizzle(database));
  const values: BoundValues = {
    ts: call.ts,
    day: call.day,
    clientKeyId: call.clientKeyId,
    geminiKeyId: call.geminiKeyId,
    rollUpKeyId: call.geminiKeyId ?? "",
    model: call.model,
    category: call.category,
    endpoint: call.endpoint,
    streamed: call.streamed,
    status: call.status,
    outcome: call.outcome,
    served: call.served,
    servedCount: call.served ? 1 : 0,
    errors: call.outcome === "ok" ? 0 : 1,
    attempts: call.attempts,
    ...call.tokens,
    latencyMs: call.latencyMs,
    ttfbMs: call.ttfbMs,
    errorCode: call.errorCode,
    metric: "total",
    bucket: latencyBucket(call.latencyMs),
  };
  const batch = [
    bind(database, statements.ledger, values),
    bind(database, statements.keyRollUp, values),
    bind(database, statements.clientRollUp, values),
    bind(database, statements.outcomeRollUp, values),
    bind(database, statements.latency, values),
  ];
  if (call.ttfbMs !== null) {
    batch.push(bind(database, statements.latency, { ...values, metric: "ttfb", bucket: latencyBucket(call.ttfbMs) }));
  }
  await database.batch(batch);
}
