import { Hono } from "hono";
import { validator } from "hono/validator";
import { z } from "zod";
import type { AppEnv } from "../env";
import { addDays, countDays } from "../usage/days";
import { pacificDay } from "../util/pacific-day";
import {
  SERIES_GROUPS,
  SERIES_METRICS,
  TOTALS_GROUPS,
  latencyPercentiles,
  usageSeries,
  usageTotals,
  usageTotalsCsv,
} from "../usage/report";
import { requestedNames } from "../usage/requested-names";
import { describeIssues, fieldIssues } from "../util/zod-issues";

const MAX_RANGE_DAYS = 400;
const DEFAULT_RANGE_DAYS = 7;

const isoDay = z.iso.date({ error: "must be a real date written YYYY-MM-DD" });

const dayRange = { from: isoDay.optional(), to: isoDay.optional() };

type OptionalRange = { from?: string | undefined; to?: string | undefined };

/** A missing `to` is today in America/Los_Angeles; a missing `from` is 6 days before `to`. */
function resolveRange<Query extends OptionalRange>({ from, to, ...rest }: Query) {
  const end = to ?? pacificDay(Date.now());
  return { ...rest, from: from ?? addDays(end, 1 - DEFAULT_RANGE_DAYS), to: end };
}

function withDayRange<Query extends OptionalRange>(schema: z.ZodType<Query>) {
  return schema
    .transform(resolveRange)
    .refine((query) => query.from <= query.to, { message: "must not be after to", path: ["from"] })
    .refine((query) => countDays(query.from, query.to) <= MAX_RANGE_DAYS, {
      message: `the range may span at most ${MAX_RANGE_DAYS} days`,
      path: ["to"],
    });
}

const totalsQuery = withDayRange(z.object({ ...dayRange, by: z.enum(TOTALS_GROUPS).default("day") }));
const seriesQuery = withDayRange(
  z.object({
    ...dayRange,
    by: z.enum(SERIES_GROUPS).default("model"),
    metric: z.enum(SERIES_METRICS).default("requests"),
  }),
);
const latencyQuery = withDayRange(z.object({ ...dayRange, model: z.string().min(1).max(200).optional() }));

/** Validates the query string with `schema`; a bad query gets 400 `invalid_request`. */
function validQuery<Schema extends z.ZodType>(schema: Schema) {
  return validator("query", (value, c) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      return c.json({ error: { message: describeIssues(fieldIssues(parsed.error)), code: "invalid_request" } }, 400);
    }
    return parsed.data as z.output<Schema>;
  });
}

/** Usage analytics for the admin panel; mounted under `/api/admin` behind the session check. */
export const usageRoutes = new Hono<AppEnv>()
  .get("/usage", validQuery(totalsQuery), async (c) => {
    const { from, to, by } = c.req.valid("query");
    const rows = await usageTotals(c.env.DB, { from, to }, by);
    return c.json({ from, to, by, rows });
  })
  .get("/usage/series", validQuery(seriesQuery), async (c) => {
    const { from, to, by, metric } = c.req.valid("query");
    return c.json(await usageSeries(c.env.DB, { from, to }, by, metric));
  })
  .get("/usage/requested", validQuery(withDayRange(z.object(dayRange))), async (c) => {
    const { from, to } = c.req.valid("query");
    return c.json({ from, to, rows: await requestedNames(c.env.DB, { from, to }) });
  })
  .get("/usage/latency", validQuery(latencyQuery), async (c) => {
    const { from, to, model } = c.req.valid("query");
    return c.json(await latencyPercentiles(c.env.DB, { from, to }, model));
  })
  .get("/usage/export.csv", validQuery(totalsQuery), async (c) => {
    const { from, to, by } = c.req.valid("query");
    const csv = usageTotalsCsv(by, await usageTotals(c.env.DB, { from, to }, by));
    return c.body(csv, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="usage-${from}-${to}-${by}.csv"`,
    });
  });
