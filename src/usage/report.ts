import { type SQLWrapper, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { toCsv } from "./csv";
import { type DayRange, currentLatencyRows, currentRows, currentSeriesRows } from "./current-rows";
import { listDays } from "./days";
import { MEDIA_FIGURES, NO_MEDIA, isMediaGroup, mediaTotals, type MediaFigures } from "./media-report";
import { histogramQuantile } from "./percentile";
import { ROLL_UP_FOR } from "./roll-ups";

export type { DayRange } from "./current-rows";

// Every query here reads roll-up rows (the narrowest of usage_daily, usage_daily_client,
// usage_daily_outcome for the grouping, or usage_latency), searched by the `day` prefix of
// their primary key, plus the ledger's unfolded tail (read by rowid range), in one statement
// (current-rows.ts): a call shows in every chart as soon as its ledger row is written, and a
// fold changes no answer.

export const TOTALS_GROUPS = ["day", "key", "model", "client", "outcome"] as const;
export type TotalsGroup = (typeof TOTALS_GROUPS)[number];
export const SERIES_GROUPS = ["model", "key", "client", "outcome"] as const;
export type SeriesGroup = (typeof SERIES_GROUPS)[number];
export const SERIES_METRICS = ["requests", "tokens", "errors"] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];

export interface UsageTotalsRow {
  /** The day, Gemini key id ("" = no key was reached), model, client key id or outcome. */
  group: string;
  requests: number;
  /** Requests whose outcome is not `ok`. */
  errors: number;
  promptTokens: number;
  completionTokens: number;
  thoughtTokens: number;
  cachedTokens: number;
  totalTokens: number;
  avgLatencyMs: number | null;
}

/** By day, key or model a row also carries the media figures (usage_daily keeps them; the client and outcome roll-ups do not). */
export type UsageTotalsRowWithMedia = UsageTotalsRow & MediaFigures;

export interface UsageSeries {
  days: string[];
  series: { name: string; values: number[] }[];
}

export interface LatencySeries {
  days: string[];
  totalP50: (number | null)[];
  totalP95: (number | null)[];
  ttfbP50: (number | null)[];
  ttfbP95: (number | null)[];
}

const summed = (value: SQLWrapper) => sql<number>`sum(${value})`.mapWith(Number);

/** The totals query, exposed so the benchmark times and inspects the SQL the route runs. */
export function usageTotalsQuery(db: D1Database, range: DayRange, by: TotalsGroup) {
  const rows = currentRows(db, ROLL_UP_FOR[by], range);
  return drizzle(db)
    .select({
      group: rows.group,
      requests: summed(rows.requests),
      errors: summed(rows.errors),
      promptTokens: summed(rows.promptTokens),
      completionTokens: summed(rows.completionTokens),
      thoughtTokens: summed(rows.thoughtTokens),
      cachedTokens: summed(rows.cachedTokens),
      totalTokens: summed(rows.totalTokens),
      latencyMsSum: summed(rows.latencyMsSum),
    })
    .from(rows)
    .groupBy(sql`${rows.group}`);
}

function emptyTotals(group: string): UsageTotalsRow {
  return {
    group,
    requests: 0,
    errors: 0,
    promptTokens: 0,
    completionTokens: 0,
    thoughtTokens: 0,
    cachedTokens: 0,
    totalTokens: 0,
    avgLatencyMs: null,
  };
}

/**
 * Totals over the range grouped by one dimension. By day, every day of the range is listed
 * in order (zero when idle); otherwise groups with traffic, most requests first. By day, key
 * or model each row also carries its media figures (zero without media traffic).
 */
export async function usageTotals(db: D1Database, range: DayRange, by: TotalsGroup): Promise<UsageTotalsRow[] | UsageTotalsRowWithMedia[]> {
  const [totals, media] = await Promise.all([
    usageTotalsQuery(db, range, by),
    isMediaGroup(by) ? mediaTotals(db, range, by) : Promise.resolve(null),
  ]);
  const rows: UsageTotalsRow[] = totals.map(({ latencyMsSum, ...row }) => ({
    ...row,
    group: String(row.group),
    avgLatencyMs: row.requests > 0 ? Math.round(latencyMsSum / row.requests) : null,
  }));
  let listed = rows;
  if (by === "day") {
    const byDay = new Map(rows.map((row) => [row.group, row]));
    listed = listDays(range.from, range.to).map((day) => byDay.get(day) ?? emptyTotals(day));
  } else {
    listed.sort((a, b) => b.requests - a.requests || compareText(a.group, b.group));
  }
  return media ? listed.map((row) => ({ ...row, ...(media.get(row.group) ?? NO_MEDIA) })) : listed;
}

/** The daily series query, exposed so the benchmark times and inspects the route's SQL. */
export function usageSeriesQuery(db: D1Database, range: DayRange, by: SeriesGroup, metric: SeriesMetric) {
  const rows = currentSeriesRows(db, ROLL_UP_FOR[by], range, metric);
  return drizzle(db)
    .select({ day: rows.day, name: rows.group, value: summed(rows.value) })
    .from(rows)
    .groupBy(sql`${rows.day}`, sql`${rows.group}`)
    .having(metric === "errors" ? sql`sum(${rows.value}) > 0` : undefined);
}

/**
 * One series per group that has data for the metric in the range (for `errors`, groups with
 * at least one failed request), each with a value for every day of the range (zero-filled),
 * largest total first.
 */
export async function usageSeries(
  db: D1Database,
  range: DayRange,
  by: SeriesGroup,
  metric: SeriesMetric,
): Promise<UsageSeries> {
  const days = listDays(range.from, range.to);
  const dayIndex = new Map(days.map((day, i) => [day, i]));
  const valuesByName = new Map<string, number[]>();
  for (const row of await usageSeriesQuery(db, range, by, metric)) {
    const i = dayIndex.get(row.day);
    if (i === undefined) continue;
    const name = String(row.name);
    let values = valuesByName.get(name);
    if (!values) valuesByName.set(name, (values = new Array<number>(days.length).fill(0)));
    values[i] = row.value;
  }
  const series = [...valuesByName].map(([name, values]) => ({ name, values, total: sumOf(values) }));
  series.sort((a, b) => b.total - a.total || compareText(a.name, b.name));
  return { days, series: series.map(({ name, values }) => ({ name, values })) };
}

/** The latency histogram query (counts per day, metric and bucket), exposed for the benchmark. */
export function latencyHistogramQuery(db: D1Database, range: DayRange, model?: string) {
  const rows = currentLatencyRows(db, range, model);
  return drizzle(db)
    .select({ day: rows.day, metric: rows.metric, bucket: rows.bucket, count: summed(rows.count) })
    .from(rows)
    .groupBy(sql`${rows.day}`, sql`${rows.metric}`, sql`${rows.bucket}`);
}

/**
 * p50 and p95 per day of total latency and of time to first byte, estimated from the
 * histogram roll-up (all models, or one). Null on a day without data.
 */
export async function latencyPercentiles(db: D1Database, range: DayRange, model?: string): Promise<LatencySeries> {
  const days = listDays(range.from, range.to);
  const histograms = new Map<string, Map<number, number>>();
  for (const row of await latencyHistogramQuery(db, range, model)) {
    const key = `${row.day}|${row.metric}`;
    let counts = histograms.get(key);
    if (!counts) histograms.set(key, (counts = new Map()));
    counts.set(Number(row.bucket), row.count);
  }
  const percentile = (metric: "total" | "ttfb", q: number) =>
    days.map((day) => {
      const counts = histograms.get(`${day}|${metric}`);
      const value = counts ? histogramQuantile(counts, q) : null;
      return value === null ? null : Math.round(value);
    });
  return {
    days,
    totalP50: percentile("total", 0.5),
    totalP95: percentile("total", 0.95),
    ttfbP50: percentile("ttfb", 0.5),
    ttfbP95: percentile("ttfb", 0.95),
  };
}

const TOTALS_CSV_COLUMNS = [
  "requests",
  "errors",
  "promptTokens",
  "completionTokens",
  "thoughtTokens",
  "cachedTokens",
  "totalTokens",
  "avgLatencyMs",
] as const;

/** The grouped totals as CSV; the first column is named after the grouping; by day, key or model the media figures follow. */
export function usageTotalsCsv(by: TotalsGroup, rows: readonly (UsageTotalsRow | UsageTotalsRowWithMedia)[]): string {
  const media = isMediaGroup(by) ? MEDIA_FIGURES : [];
  return toCsv(
    [by, ...TOTALS_CSV_COLUMNS, ...media],
    rows.map((row) => [
      row.group,
      ...TOTALS_CSV_COLUMNS.map((column) => row[column]),
      ...media.map((figure) => (row as Partial<MediaFigures>)[figure] ?? 0),
    ]),
  );
}

function sumOf(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
