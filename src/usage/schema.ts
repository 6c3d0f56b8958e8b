import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** What became of one proxied call, as the charts group it. */
export const OUTCOMES = [
  "ok",
  "blocked",
  "client_error",
  "rate_limited",
  "no_key",
  "upstream_error",
  "timeout",
  "aborted",
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The ledger: one row per authenticated proxied call, success or failure. */
export const usageCalls = sqliteTable(
  "usage_calls",
  {
    id: integer("id").primaryKey(), // rowid alias; AUTOINCREMENT would cost a sqlite_sequence write per call
    ts: integer("ts").notNull(), // epoch ms when the call arrived
    day: text("day").notNull(), // Pacific day, YYYY-MM-DD
    clientKeyId: text("client_key_id").notNull(),
    geminiKeyId: text("gemini_key_id"), // the key that answered last; null if none was tried
    model: text("model").notNull(),
    category: text("category").notNull(), // pro | flash | custom | embedding | unknown
    endpoint: text("endpoint").notNull(), // chat | embeddings | models | native:<method>
    streamed: integer("streamed", { mode: "boolean" }).notNull(),
    status: integer("status").notNull(),
    outcome: text("outcome", { enum: OUTCOMES }).notNull(),
    // Google accepted the call (HTTP 200) and counts it against the key's quota, even if a
    // stream broke later; reconciliation counts these.
    served: integer("served", { mode: "boolean" }).notNull(),
    attempts: integer("attempts").notNull(),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    thoughtTokens: integer("thought_tokens").notNull().default(0),
    cachedTokens: integer("cached_tokens").notNull().default(0),
    totalTokens: integer("total_tokens").notNull().default(0),
    latencyMs: integer("latency_ms").notNull(),
    ttfbMs: integer("ttfb_ms"),
    // Histogram buckets (latency-buckets.ts) of latency_ms and ttfb_ms, for the roll-up trigger.
    latencyBucket: integer("latency_bucket").notNull(),
    ttfbBucket: integer("ttfb_bucket"),
    errorCode: text("error_code"),
  },
  (t) => [
    index("usage_calls_ts_idx").on(t.ts),
    index("usage_calls_client_ts_idx").on(t.clientKeyId, t.ts),
  ],
);

// The daily roll-ups, upserted by the trigger on usage_calls (drizzle/0001_roll-up-trigger.sql)
// in the same statement as the ledger row, so they never disagree with it. Three narrow
// tables instead of one keyed by every dimension: a chart grouping by one dimension then
// aggregates days x keys x models rows at most, not days x keys x models x clients x outcomes.

const tokenColumns = () => ({
  promptTokens: integer("prompt_tokens").notNull().default(0),
  completionTokens: integer("completion_tokens").notNull().default(0),
  thoughtTokens: integer("thought_tokens").notNull().default(0),
  cachedTokens: integer("cached_tokens").notNull().default(0),
  totalTokens: integer("total_tokens").notNull().default(0),
});

/**
 * Per day, Gemini key and model. Empty string stands for "no Gemini key" (the call never
 * reached one). `served` counts the calls Google accepted (usage_calls.served), which count
 * against the key's daily quota; counter reconciliation reads it.
 */
export const usageDaily = sqliteTable(
  "usage_daily",
  {
    day: text("day").notNull(),
    geminiKeyId: text("gemini_key_id").notNull(),
    model: text("model").notNull(),
    requests: integer("requests").notNull().default(0),
    errors: integer("errors").notNull().default(0), // outcome is not ok
    served: integer("served").notNull().default(0),
    ...tokenColumns(),
    latencyMsSum: integer("latency_ms_sum").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.geminiKeyId, t.model] })],
);

/** Per day, client key and model: the client charts and a client key's daily limit. */
export const usageDailyClient = sqliteTable(
  "usage_daily_client",
  {
    day: text("day").notNull(),
    clientKeyId: text("client_key_id").notNull(),
    model: text("model").notNull(),
    requests: integer("requests").notNull().default(0),
    errors: integer("errors").notNull().default(0), // outcome is not ok
    ...tokenColumns(),
    latencyMsSum: integer("latency_ms_sum").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.clientKeyId, t.model] })],
);

/**
 * Per day, model and outcome: the outcome charts, and (at most 8 outcomes per model) the
 * smallest table that answers per-day and per-model totals. Tokens too, because the totals
 * by outcome answer them.
 */
export const usageDailyOutcome = sqliteTable(
  "usage_daily_outcome",
  {
    day: text("day").notNull(),
    model: text("model").notNull(),
    outcome: text("outcome", { enum: OUTCOMES }).notNull(),
    requests: integer("requests").notNull().default(0),
    ...tokenColumns(),
    latencyMsSum: integer("latency_ms_sum").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.model, t.outcome] })],
);

/**
 * Latency histogram per day and model (bucket index from latency-buckets.ts), so p50/p95
 * of total latency and of time to first byte come from roll-ups too.
 */
export const usageLatency = sqliteTable(
  "usage_latency",
  {
    day: text("day").notNull(),
    model: text("model").notNull(),
    metric: text("metric", { enum: ["total", "ttfb"] }).notNull(),
    bucket: integer("bucket").notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.model, t.metric, t.bucket] })],
);

/**
 * Gemini 3 thought signatures by the tool-call id we emitted. D1, not KV: the client's
 * next turn may arrive within a second and must see the row (KV is eventually consistent).
 */
export const thoughtSignatures = sqliteTable(
  "thought_signatures",
  {
    toolCallId: text("tool_call_id").primaryKey(),
    signature: text("signature").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("thought_signatures_expires_idx").on(t.expiresAt)],
);

