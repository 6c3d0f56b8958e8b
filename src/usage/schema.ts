import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
  "internal_error", // the proxy itself failed (a bug): still one ledger row, answered 500
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The ledger: one row per authenticated proxied call, success or failure. No secondary index:
 * each index entry is one more D1 row written per call (free plan: 100,000 a day). Readers
 * walk it by `id`, which grows with time: the unfolded tail is `id > usage_fold.through`.
 */
/**
 * Media counts, in the ledger and in usage_daily: images made or edited, audio in or out in
 * milliseconds, characters read aloud, and files uploaded with their bytes. Columns, not
 * rows: they cost no extra D1 row written per call.
 */
const mediaColumns = () => ({
  images: integer("images").notNull().default(0),
  audioMs: integer("audio_ms").notNull().default(0),
  speechCharacters: integer("speech_characters").notNull().default(0),
  files: integer("files").notNull().default(0),
  fileBytes: integer("file_bytes").notNull().default(0),
});

export const usageCalls = sqliteTable("usage_calls", {
    id: integer("id").primaryKey(), // rowid alias; AUTOINCREMENT would cost a sqlite_sequence write per call
    ts: integer("ts").notNull(), // epoch ms when the call arrived
    day: text("day").notNull(), // Pacific day, YYYY-MM-DD
    clientKeyId: text("client_key_id").notNull(),
    geminiKeyId: text("gemini_key_id"), // the key that answered last; null if none was tried
    model: text("model").notNull(), // the Gemini model used (what quotas and charts key on)
    requestedModel: text("requested_model"), // the name the client sent when a model alias mapped it to `model`
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
    // Histogram buckets (latency-buckets.ts) of latency_ms and ttfb_ms, for the latency roll-up.
    latencyBucket: integer("latency_bucket").notNull(),
    ttfbBucket: integer("ttfb_bucket"),
    errorCode: text("error_code"),
    // Media a call produced or consumed (src/usage/media-units.ts says what each door counts).
    ...mediaColumns(),
});

// The daily roll-ups, folded from the ledger in bulk by the cron (src/usage/fold.ts): every
// ledger row with id <= usage_fold.through is in them exactly once, the rows after it (the
// tail) are not yet. Readers that must be current add the tail. Three narrow tables instead
// of one keyed by every dimension: a chart grouping by one dimension then aggregates
// days x keys x models rows at most, not days x keys x models x clients x outcomes.

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
    ...mediaColumns(),
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
    lastTs: integer("last_ts").notNull().default(0), // newest call's ts: "last used" of a client key
    // Calls that reached Google (attempts > 0): what a client key's daily limit counts. A call
    // refused before (bad request, unknown model, the limit itself) leaves a row but uses none.
    attempted: integer("attempted").notNull().default(0),
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
 * Per day, the name a client sent and the Gemini model a model alias mapped it to: only calls
 * whose ledger row has a requested_model (the others are their model's own figures).
 */
export const usageDailyRequested = sqliteTable(
  "usage_daily_requested",
  {
    day: text("day").notNull(),
    requestedModel: text("requested_model").notNull(),
    model: text("model").notNull(),
    requests: integer("requests").notNull().default(0),
    errors: integer("errors").notNull().default(0), // outcome is not ok
  },
  (t) => [primaryKey({ columns: [t.day, t.requestedModel, t.model] })],
);

/**
 * Gemini 3 thought signatures by the tool-call id we emitted. D1, not KV: the client's
 * next turn may arrive within a second and must see the row (KV is eventually consistent).
 * No index on expires_at: the daily prune scans the table once rather than every insert
 * writing one more index row.
 */
export const thoughtSignatures = sqliteTable("thought_signatures", {
  toolCallId: text("tool_call_id").primaryKey(),
  signature: text("signature").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

/** Where the roll-ups stand: every ledger row with id <= through is folded into them. One row (id 1). */
export const usageFold = sqliteTable("usage_fold", {
  id: integer("id").primaryKey(),
  through: integer("through").notNull(),
  foldedAt: integer("folded_at").notNull(),
});

/**
 * "Reset quotas now" by the admin: on this Pacific day, key quotas count only the ledger
 * rows after `through`. In D1 (strongly consistent) so every isolate and the cron agree.
 */
export const quotaResets = sqliteTable("quota_resets", {
  day: text("day").primaryKey(),
  through: integer("through").notNull(),
  at: integer("at").notNull(),
});

/**
 * Bumped by every admin change and every key-state write (one row, id 1). Each isolate reads
 * it with its ledger sync every few seconds and re-reads KV only when it moved (or its copy
 * is old), so KV reads do not grow with traffic and changes still arrive within seconds.
 */
export const configVersion = sqliteTable("config_version", {
  id: integer("id").primaryKey(),
  version: integer("version").notNull(),
  changedAt: integer("changed_at").notNull(),
});

/**
 * The free plan's daily budget as the product can count it: per UTC day (Cloudflare's limits
 * reset at 00:00 UTC) and resource, the operations counted where they happen (KV writes by
 * the admin, the cron and key-state changes; cron D1 rows), and the first time a limit was hit.
 */
export const planUsage = sqliteTable(
  "plan_usage",
  {
    utcDay: text("utc_day").notNull(),
    resource: text("resource").notNull(),
    count: integer("count").notNull().default(0),
    limitHitAt: integer("limit_hit_at"),
    limitDetail: text("limit_detail"),
  },
  (t) => [primaryKey({ columns: [t.utcDay, t.resource] })],
);


/**
 * Raw ledger rows of the past, by period. D1 counts every deleted row as a row written, so
 * deleting a day of calls would cost as many rows written as recording them did; instead the
 * cron renames the ledger to `name` about weekly (after folding it) and later drops the whole
 * table, which costs no row written per call (src/usage/ledger-partitions.ts).
 */
export const ledgerPartitions = sqliteTable("ledger_partitions", {
  name: text("name").primaryKey(),
  firstId: integer("first_id").notNull(),
  lastId: integer("last_id").notNull(),
  firstTs: integer("first_ts").notNull(),
  lastTs: integer("last_ts").notNull(),
  createdAt: integer("created_at").notNull(),
});

/**
 * Files and cached contents exist only under the Gemini key that created them: which key
 * holds each one, and which client created it (no other client may name it). `name` is
 * Google's resource name (`files/abc`, `cachedContents/xyz`), or `uploads/<id>` for a
 * resumable upload under way. One row written per upload or cache, none per call.
 */
export const keyAffinity = sqliteTable("key_affinity", {
  name: text("name").primaryKey(),
  kind: text("kind", { enum: ["file", "cache", "upload"] }).notNull(),
  geminiKeyId: text("gemini_key_id").notNull(),
  clientKeyId: text("client_key_id").notNull(),
  mimeType: text("mime_type"),
  uri: text("uri"),
  sizeBytes: integer("size_bytes"),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
});
