// What the charts add up: the roll-up rows of the range plus the unfolded tail of the ledger,
// projected to the same columns, in ONE statement. One statement reads one snapshot, so a fold
// running at the same moment moves rows from the tail into the roll-ups without a chart ever
// counting a call twice or missing it; before and after a fold the sums are the same.
import { type SQLWrapper, and, between, eq, isNotNull, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type RollUpView, inTail, tailError } from "./roll-ups";
import { usageCalls, usageLatency } from "./schema";

/** Pacific days, `YYYY-MM-DD`, both ends included. */
export interface DayRange {
  from: string;
  to: string;
}

const column = <T = number>(value: SQLWrapper, alias: string) => sql<T>`${value}`.as(alias);

/**
 * Roll-up rows of the range (one per day x group x other dimensions), then one row per tail
 * call of the range carrying that call's figures, under the same column names.
 */
export function currentRows(db: D1Database, view: RollUpView, range: DayRange) {
  const orm = drizzle(db);
  const folded = orm
    .select({
      day: column<string>(view.day, "day"),
      group: column<string>(view.group, "grp"),
      requests: column(view.requests, "requests"),
      errors: column(view.errors, "errors"),
      promptTokens: column(view.promptTokens, "prompt_tokens"),
      completionTokens: column(view.completionTokens, "completion_tokens"),
      thoughtTokens: column(view.thoughtTokens, "thought_tokens"),
      cachedTokens: column(view.cachedTokens, "cached_tokens"),
      totalTokens: column(view.totalTokens, "total_tokens"),
      latencyMsSum: column(view.latencyMsSum, "latency_ms_sum"),
    })
    .from(view.table)
    .where(between(view.day, range.from, range.to));
  const tail = orm
    .select({
      day: column<string>(usageCalls.day, "day"),
      group: column<string>(view.tailGroup, "grp"),
      requests: column(sql`1`, "requests"),
      errors: column(tailError, "errors"),
      promptTokens: column(usageCalls.promptTokens, "prompt_tokens"),
      completionTokens: column(usageCalls.completionTokens, "completion_tokens"),
      thoughtTokens: column(usageCalls.thoughtTokens, "thought_tokens"),
      cachedTokens: column(usageCalls.cachedTokens, "cached_tokens"),
      totalTokens: column(usageCalls.totalTokens, "total_tokens"),
      latencyMsSum: column(usageCalls.latencyMs, "latency_ms_sum"),
    })
    .from(usageCalls)
    .where(and(inTail, between(usageCalls.day, range.from, range.to)));
  return folded.unionAll(tail).as("current_rows");
}

/**
 * Latency histogram counts of the range (optionally one model): the usage_latency rows, then
 * one `total` row per tail call and one `ttfb` row per tail call that has a first byte, each
 * counting 1 in the call's bucket (fold.ts folds latency_bucket and ttfb_bucket the same way).
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
      count: column(sql`1`, "count"),
    })
    .from(usageCalls)
    .where(inRange);
  const tailTtfb = orm
    .select({
      day: column<string>(usageCalls.day, "day"),
      metric: column<"total" | "ttfb">(sql`'ttfb'`, "metric"),
      bucket: column(usageCalls.ttfbBucket, "bucket"),
      count: column(sql`1`, "count"),
    })
    .from(usageCalls)
    .where(and(inRange, isNotNull(usageCalls.ttfbBucket)));
  return folded.unionAll(tailTotal).unionAll(tailTtfb).as("current_latency");
}
