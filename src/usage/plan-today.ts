// The current UTC day's use of each free-plan resource, as far as the product can know it:
// counted where the operations happen (plan_usage), or estimated from the ledger. Read in one
// D1 batch; every statement reads few rows (see each).
import type { LimitNotice } from "../pool/types";
import { SIGNATURE_TTL_MS } from "../signatures/signature-store";
import {
  FREE_PLAN_DATABASE_BYTES,
  FREE_PLAN_LIMITS,
  PLAN_RESOURCES,
  type PlanResource,
  type PlanUsageRow,
  planUsageFrom,
  planUsageStatement,
  utcDay,
  utcDayStart,
} from "./plan-usage";

export interface PlanResourceUse {
  resource: PlanResource;
  used: number;
  limit: number;
  /** True when every operation is counted where it happens; false otherwise (see `basis`). */
  counted: boolean;
  /** counted: every operation counted; estimate: derived from the ledger; not counted: only the part counted where made, a lower bound. */
  basis: "counted" | "estimate" | "not counted";
  /** How `used` is obtained (and what it leaves out). */
  how: string;
}

export interface PlanToday {
  utcDay: string;
  database: { bytes: number; limitBytes: number; retentionMaxMb: number };
  resources: PlanResourceUse[];
  limitHits: { resource: string; at: string; detail: string }[];
}

/**
 * The first ledger id of the UTC day, by binary search over id (ts grows with id): about
 * 2 x log2(rows) single-row rowid probes inside one statement, never a walk of the day's rows.
 * `first` > `newest` (or no rows) means no call today. The ledger's ids are contiguous (rows
 * are only ever deleted from the oldest end), so the day holds newest - first + 1 rows.
 */
const FIRST_ID_SINCE = `WITH RECURSIVE search(lo, hi) AS (
  SELECT coalesce((SELECT min(\`id\`) FROM \`usage_calls\`), 1), coalesce((SELECT max(\`id\`) FROM \`usage_calls\`), 0) + 1
  UNION ALL
  SELECT
    CASE WHEN (SELECT \`ts\` FROM \`usage_calls\` WHERE \`id\` >= (lo + hi) / 2 ORDER BY \`id\` LIMIT 1) >= ?1 THEN lo ELSE (lo + hi) / 2 + 1 END,
    CASE WHEN (SELECT \`ts\` FROM \`usage_calls\` WHERE \`id\` >= (lo + hi) / 2 ORDER BY \`id\` LIMIT 1) >= ?1 THEN (lo + hi) / 2 ELSE hi END
  FROM search WHERE lo < hi
)
SELECT (SELECT max(lo) FROM search) AS first, (SELECT max(\`id\`) FROM \`usage_calls\`) AS newest`;

/**
 * Thought signatures stored since midnight UTC: each expires SIGNATURE_TTL_MS after it was
 * stored. thought_signatures has no index on expires_at, so this reads the table, which the
 * cron prunes of expired rows (at most about two days of signatures).
 */
const SIGNATURES_SINCE = "SELECT count(*) AS n FROM `thought_signatures` WHERE `expires_at` >= ?1";

const HOW: Record<PlanResource, Pick<PlanResourceUse, "counted" | "basis" | "how">> = {
  worker_requests: {
    counted: false,
    basis: "estimate",
    how: "Estimate: proxied calls in the usage ledger since 00:00 UTC. Admin panel and API requests, static files and calls refused before they reach the ledger (for example a bad client key) are not included.",
  },
  kv_reads: {
    counted: false,
    basis: "not counted",
    how: "Not counted per operation: only the KV reads counted where they are made, if any. The proxy re-reads its config from KV only when the config version moves (about 3 to 6 reads per isolate each time) and the admin panel reads a few entries per page.",
  },
  kv_writes: { counted: true, basis: "counted", how: "Counted where made: admin changes, the cron and key-state changes." },
  kv_deletes: { counted: true, basis: "counted", how: "Counted where made: admin changes and the cron." },
  kv_lists: { counted: true, basis: "counted", how: "Counted where made (the product lists no keys in normal operation)." },
  d1_rows_read: {
    counted: false,
    basis: "not counted",
    how: "Not counted per query: only the D1 rows read that the cron counted, if any. The proxy's reads (config version and ledger-tail syncs, client limits) and the admin panel's charts are not included.",
  },
  d1_rows_written: {
    counted: false,
    basis: "estimate",
    how: "Estimate: ledger rows since 00:00 UTC (one row written per call) + thought signatures stored today (one row each) + rows written that the cron counted (folds, retention). Admin writes and this bookkeeping are not included.",
  },
};

export interface PlanTodayInput {
  now: number;
  /** D1 writes a limit refused, which the proxy notes in KV (D1 cannot take them). */
  notices: readonly LimitNotice[];
  retentionMaxMb: number;
}

export async function planToday(database: D1Database, input: PlanTodayInput): Promise<PlanToday> {
  const day = utcDay(input.now);
  const midnight = utcDayStart(day);
  const [ledger, signatures, counted] = await database.batch<Record<string, unknown>>([
    database.prepare(FIRST_ID_SINCE).bind(midnight),
    database.prepare(SIGNATURES_SINCE).bind(midnight + SIGNATURE_TTL_MS),
    planUsageStatement(database, day),
  ]);
  const first = Number(ledger?.results[0]?.first ?? 0);
  const newest = Number(ledger?.results[0]?.newest ?? 0);
  const ledgerRows = newest >= first && first > 0 ? newest - first + 1 : 0;
  const signaturesToday = Number(signatures?.results[0]?.n ?? 0);
  const usage = planUsageFrom(counted?.results ?? []);
  const countOf = (resource: PlanResource) => usage.get(resource)?.count ?? 0;

  const used: Record<PlanResource, number> = {
    worker_requests: ledgerRows,
    kv_reads: countOf("kv_reads"),
    kv_writes: countOf("kv_writes"),
    kv_deletes: countOf("kv_deletes"),
    kv_lists: countOf("kv_lists"),
    d1_rows_read: countOf("d1_rows_read"),
    d1_rows_written: ledgerRows + signaturesToday + countOf("d1_rows_written"),
  };
  const bytes = Math.max(...[ledger, signatures, counted].map((result) => result?.meta.size_after ?? 0));
  return {
    utcDay: day,
    database: { bytes, limitBytes: FREE_PLAN_DATABASE_BYTES, retentionMaxMb: input.retentionMaxMb },
    resources: PLAN_RESOURCES.map((resource) => ({ resource, used: used[resource], limit: FREE_PLAN_LIMITS[resource], ...HOW[resource] })),
    limitHits: limitHits(usage, input.notices, day),
  };
}

/** Limits hit today: noted in plan_usage (KV refusals) and in KV (D1 refusals), oldest first. */
function limitHits(usage: Map<PlanResource, PlanUsageRow>, notices: readonly LimitNotice[], day: string) {
  const hits = [
    ...[...usage.values()].flatMap((row) =>
      row.limitHitAt === null ? [] : [{ resource: row.resource as string, at: row.limitHitAt, detail: row.limitDetail ?? "" }],
    ),
    ...notices.filter((notice) => utcDay(notice.at) === day),
  ];
  hits.sort((a, b) => a.at - b.at);
  return hits.map((hit) => ({ resource: hit.resource, at: new Date(hit.at).toISOString(), detail: hit.detail }));
}
