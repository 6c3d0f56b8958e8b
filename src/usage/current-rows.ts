// What the charts add up: the roll-up rows of the range plus the unfolded tail of the ledger,
// summed to the same columns, in ONE statement. One statement reads one snapshot, so a fold
// running at the same moment moves rows from the tail into the roll-ups without a chart ever
// counting a call twice or missing it; before and after a fold the sums are the same.
import { type SQLWrapper, and, between, eq, isNotNull, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type RollUpView, inTail, tailError } from "./roll-ups";
import { usageCalls, usageDaily, usageLatency } from "./schema";

/** Pacific days, `YYYY-MM-DD`, both ends included. */
export interface DayRange {
  from: string;
  to: string;
}

const column = <T = number>(value: SQLWrapper, alias: string) => sql<T>`${value}`.as(alias);
const summed = (value: SQLWrapper, alias: string) => sql<number>`sum(${value})`.as(alias);

/**
 * The roll-up rows of the range and the tail calls of the range, each side summed per group
 * under the same column names: the tail aggregated as the fold would add it. The caller sums
 * the two sides per group again. Pre-summing keeps what SQLite sorts small: the tail (a few
 * thousand calls) becomes a few rows per group.
 */
export function currentRows(db: D1Database, view: RollUpView, range: DayRange) {
  const orm = drizzle(db);
  const folded = orm
    .select({
      group: column<string>(view.group, "grp"),
      requests: summed(view.requests, "requests"),
      errors: summed(view.errors, "errors"),
      promptTokens: summed(view.promptTokens, "prompt_tokens"),
      completionTokens: summed(view.completionTokens, "completion_tokens"),
      thoughtTokens: summed(view.thoughtTokens, "thought_tokens"),
      cachedTokens: summed(view.cachedTokens, "cached_tokens"),
      totalTokens: summed(view.totalTokens, "total_tokens"),
      latencyMsSum: summed(view.latencyMsSum, "latency_ms_sum"),
    })
    .from(view.table)
    .where(between(view.day, range.from, range.to))
    .groupBy(view.group);
  const tailGroup = sql`${view.tailGroup}`;
  const tail = orm
    .select({
      group: column<string>(tailGroup, "grp"),
      requests: column<number>(sql`count(*)`, "requests"),
      errors: summed(tailError, "errors"),
      promptTokens: summed(usageCalls.promptTokens, "prompt_tokens"),
      completionTokens: summed(usageCalls.completionTokens, "completion_tokens"),
      thoughtTokens: summed(usageCalls.thoughtTokens, "thought_tokens"),
      cachedTokens: summed(usageCalls.cachedTokens, "cached_tokens"),
      totalTokens: summed(usageCalls.totalTokens, "total_tokens"),
      latencyMsSum: summed(usageCalls.latencyMs, "latency_ms_sum"),
    })
    .from(usageCalls)
    .where(and(inTail, between(usageCalls.day, range.from, range.to)))
    .groupBy(tailGroup);
  return folded.unionAll(tail).as("current_rows");
}

/** What a daily series counts, on a roll-up row and on a ledger row. */
export type SeriesFigure = "requests" | "tokens" | "errors";

/**
 * One figure per day and group: the roll-up side summed per day and group (in primary-key
 * order for every roll-up but the outcome one), the tail side per day and group, as in
 * `currentRows` but without the columns a series does not draw.
 */
export function currentSeriesRows(db: D1Database, view: RollUpView, range: DayRange, figure: SeriesFigure) {
  const orm = drizzle(db);
  const rolled = figure === "tokens" ? view.totalTokens : figure === "errors" ? view.errors : view.requests;
  const fromTail = figure === "tokens" ? usageCalls.totalTokens : figure === "errors" ? tailError : sql`1`;
  const tailGroup = sql`${view.tailGroup}`;
  const folded = orm
    .select({ day: column<string>(view.day, "day"), group: column<string>(view.group, "grp"), value: summed(rolled, "value") })
    .from(view.table)
    .where(between(view.day, range.from, range.to))
    .groupBy(view.day, view.group);
  const tail = orm
    .select({ day: column<string>(usageCalls.day, "day"), group: column<string>(tailGroup, "grp"), value: summed(fromTail, "value") })
    .from(usageCalls)
    .where(and(inTail, between(usageCalls.day, range.from, range.to)))
    .groupBy(usageCalls.day, tailGroup);
  return folded.unionAll(tail).as("current_series");
}

/**
 * Latency histogram counts of the range (optionally one model): the usage_latency rows, then
 * the tail's calls counted per day and bucket, once for `total` and once for `ttfb` (calls
 * with a first byte), as fold.ts folds latency_bucket and ttfb_bucket.
 */
export function currentLatencyRows(db: D1Database, range: DayRange, model?: string) {
  const orm = drizzle(db);
  const oneModel = (value: SQLWrapper) => (model === undefined ? undefined : eq(sql`${value}`, model));
  const folded = orm
    .select({
      day: column<string>(usageLatency.day, "day"),
      metric: column<"total" | "ttfb">(usageLatency.metric, "metric"),
      bucket: column(usageLatency.bucket, "bucket"),
      count: column(usageLatency.count, "count"),
    })
    .from(usageLatency)
    .where(and(between(usageLatency.day, range.from, range.to), oneModel(usageLatency.model)));
  const inRange = and(inTail, between(usageCalls.day, range.from, range.to), oneModel(usageCalls.model));
  const tailTotal = orm
    .select({
      day: column<string>(usageCalls.day, "day"),
      metric: column<"total" | "ttfb">(sql`'total'`, "metric"),
      bucket: column(usageCalls.latencyBucket, "bucket"),
      count: column(sql`count(*)`, "count"),
    })
    .from(usageCalls)
    .where(inRange)
    .groupBy(usageCalls.day, usageCalls.latencyBucket);
  const tailTtfb = orm
    .select({
      day: column<string>(usageCalls.day, "day"),
      metric: column<"total" | "ttfb">(sql`'ttfb'`, "metric"),
      bucket: column(usageCalls.ttfbBucket, "bucket"),
      count: column(sql`count(*)`, "count"),
    })
    .from(usageCalls)
    .where(and(inRange, isNotNull(usageCalls.ttfbBucket)))
    .groupBy(usageCalls.day, usageCalls.ttfbBucket);
  return folded.unionAll(tailTotal).unionAll(tailTtfb).as("current_latency");
}

/** The groupings whose roll-up (usage_daily) keeps media figures. */
export type MediaGroup = "day" | "key" | "model";

const MEDIA_GROUP_COLUMNS = {
  day: { rolled: usageDaily.day, tail: usageCalls.day },
  // fold.ts: coalesce(gemini_key_id, '') — "" stands for a call that reached no key.
  key: { rolled: usageDaily.geminiKeyId, tail: sql`coalesce(${usageCalls.geminiKeyId}, '')` },
  model: { rolled: usageDaily.model, tail: usageCalls.model },
} satisfies Record<MediaGroup, { rolled: SQLWrapper; tail: SQLWrapper }>;

/**
 * Media figures of the range per group: usage_daily rows (the only roll-up with media) and the
 * tail's calls, each side summed per group, only rows with some media (most have none).
 */
export function currentMediaRows(db: D1Database, by: MediaGroup, range: DayRange) {
  const orm = drizzle(db);
  const figures = (table: typeof usageDaily | typeof usageCalls) => ({
    images: summed(table.images, "images"),
    audioMs: summed(table.audioMs, "audio_ms"),
    speechCharacters: summed(table.speechCharacters, "speech_characters"),
    files: summed(table.files, "files"),
    fileBytes: summed(table.fileBytes, "file_bytes"),
  });
  const anyMedia = (table: typeof usageDaily | typeof usageCalls) =>
    sql`(${table.images} + ${table.audioMs} + ${table.speechCharacters} + ${table.files} + ${table.fileBytes}) > 0`;
  const { rolled, tail: tailGroup } = MEDIA_GROUP_COLUMNS[by];
  const folded = orm
    .select({ group: column<string>(rolled, "grp"), ...figures(usageDaily) })
    .from(usageDaily)
    .where(and(between(usageDaily.day, range.from, range.to), anyMedia(usageDaily)))
    .groupBy(rolled);
  const tail = orm
    .select({ group: column<string>(tailGroup, "grp"), ...figures(usageCalls) })
    .from(usageCalls)
    .where(and(inTail, between(usageCalls.day, range.from, range.to), anyMedia(usageCalls)))
    .groupBy(tailGroup);
  return folded.unionAll(tail).as("current_media");
}
