// The free plan's daily budget as the product can count it (table plan_usage): per UTC day
// (Cloudflare's daily limits reset at 00:00 UTC) and resource, the operations counted where
// they happen, and the first moment a limit refused one.

export const PLAN_RESOURCES = [
  "worker_requests",
  "kv_reads",
  "kv_writes",
  "kv_deletes",
  "kv_lists",
  "d1_rows_read",
  "d1_rows_written",
] as const;
export type PlanResource = (typeof PLAN_RESOURCES)[number];

/** Workers Free plan, per account and UTC day (D1: per account too, all databases together). */
export const FREE_PLAN_LIMITS: Record<PlanResource, number> = {
  worker_requests: 100_000,
  kv_reads: 100_000,
  kv_writes: 1_000,
  kv_deletes: 1_000,
  kv_lists: 1_000,
  d1_rows_read: 5_000_000,
  d1_rows_written: 100_000,
};

/** One D1 database on the free plan holds at most 500 MB. */
export const FREE_PLAN_DATABASE_BYTES = 500 * 1024 * 1024;

/** The UTC calendar day (YYYY-MM-DD) of an instant. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The first instant (epoch ms) of a UTC day. */
export function utcDayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export interface PlanUsageRow {
  resource: PlanResource;
  count: number;
  /** When a limit first refused an operation on this resource that day (epoch ms). */
  limitHitAt: number | null;
  limitDetail: string | null;
}

const ADD =
  "INSERT INTO `plan_usage` (`utc_day`, `resource`, `count`) VALUES %VALUES% " +
  "ON CONFLICT (`utc_day`, `resource`) DO UPDATE SET `count` = `count` + excluded.`count`";

/**
 * Adds counted operations to the UTC day of `at`: one statement for all resources given
 * (zero and negative counts are left out; nothing is sent when none remains).
 */
export async function addPlanUsage(
  database: D1Database,
  at: number,
  counts: Partial<Record<PlanResource, number>>,
): Promise<void> {
  const entries = PLAN_RESOURCES.flatMap((resource) => {
    const count = counts[resource];
    return count !== undefined && Number.isFinite(count) && count > 0 ? [[resource, Math.round(count)] as const] : [];
  });
  if (entries.length === 0) return;
  const day = utcDay(at);
  const sql = ADD.replace("%VALUES%", entries.map(() => "(?, ?, ?)").join(", "));
  await database
    .prepare(sql)
    .bind(...entries.flatMap(([resource, count]) => [day, resource, count]))
    .run();
}

const NOTE_LIMIT =
  "INSERT INTO `plan_usage` (`utc_day`, `resource`, `count`, `limit_hit_at`, `limit_detail`) VALUES (?1, ?2, 0, ?3, ?4) " +
  "ON CONFLICT (`utc_day`, `resource`) DO UPDATE SET `limit_hit_at` = excluded.`limit_hit_at`, `limit_detail` = excluded.`limit_detail` " +
  "WHERE `limit_hit_at` IS NULL";

/** Notes that a limit refused an operation on `resource`; the first note of the UTC day stays. */
export async function noteLimitHit(database: D1Database, at: number, resource: PlanResource, detail: string): Promise<void> {
  await database.prepare(NOTE_LIMIT).bind(utcDay(at), resource, at, detail.slice(0, 500)).run();
}

const READ = "SELECT `resource`, `count`, `limit_hit_at` AS limitHitAt, `limit_detail` AS limitDetail FROM `plan_usage` WHERE `utc_day` = ?1";

/** What was counted on a UTC day, by resource (resources never counted that day are absent). */
export async function readPlanUsage(database: D1Database, day: string): Promise<Map<PlanResource, PlanUsageRow>> {
  return planUsageFrom((await database.prepare(READ).bind(day).all<Record<string, unknown>>()).results);
}

/** The statement readPlanUsage runs, for callers that batch it with others. */
export function planUsageStatement(database: D1Database, day: string): D1PreparedStatement {
  return database.prepare(READ).bind(day);
}

export function planUsageFrom(rows: readonly Record<string, unknown>[]): Map<PlanResource, PlanUsageRow> {
  const found = new Map<PlanResource, PlanUsageRow>();
  for (const row of rows) {
    const resource = row.resource as PlanResource;
    if (!PLAN_RESOURCES.includes(resource)) continue;
    found.set(resource, {
      resource,
      count: Number(row.count ?? 0),
      limitHitAt: row.limitHitAt === null || row.limitHitAt === undefined ? null : Number(row.limitHitAt),
      limitDetail: row.limitDetail === null || row.limitDetail === undefined ? null : String(row.limitDetail),
    });
  }
  return found;
}
