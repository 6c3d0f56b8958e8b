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
    id: integer("id").primaryKey({ autoIncrement: true }),
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
    attempts: integer("attempts").notNull(),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    thoughtTokens: integer("thought_tokens").notNull().default(0),
    cachedTokens: integer("cached_tokens").notNull().default(0),
    totalTokens: integer("total_tokens").notNull().default(0),
    latencyMs: integer("latency_ms").notNull(),
    ttfbMs: integer("ttfb_ms"),
    errorCode: text("error_code"),
  },
  (t) => [
    index("usage_calls_day_idx").on(t.day),
    index("usage_calls_key_day_idx").on(t.geminiKeyId, t.day),
    index("usage_calls_ts_idx").on(t.ts),
  ],
);

/**
 * Daily roll-up maintained in the same D1 batch as the ledger row, so charts read
 * O(days x keys x models x clients x outcomes) rows and never scan the ledger.
 * Empty string stands for "no Gemini key" (the call never reached one).
 */
export const usageDaily = sqliteTable(
  "usage_daily",
  {
    day: text("day").notNull(),
    geminiKeyId: text("gemini_key_id").notNull(),
    model: text("model").notNull(),
    clientKeyId: text("client_key_id").notNull(),
    outcome: text("outcome", { enum: OUTCOMES }).notNull(),
    requests: integer("requests").notNull().default(0),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    thoughtTokens: integer("thought_tokens").notNull().default(0),
    cachedTokens: integer("cached_tokens").notNull().default(0),
    totalTokens: integer("total_tokens").notNull().default(0),
    latencyMsSum: integer("latency_ms_sum").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.geminiKeyId, t.model, t.clientKeyId, t.outcome] }),
    index("usage_daily_key_idx").on(t.geminiKeyId, t.day),
    index("usage_daily_model_idx").on(t.model, t.day),
  ],
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

