import { addDays } from "../usage/days";
import { pacificDay } from "../util/pacific-day";
import { FOLDED_THROUGH } from "../usage/fold";

/** How far back "last used" looks: a key unused for longer shows no last use. */
export const LAST_USED_WINDOW_DAYS = 90;

// The newest call per client key: usage_daily_client.last_ts (the newest call folded into
// each day/client/model row) over the window's days, searched by the primary key's day
// prefix, plus the unfolded tail of the ledger read by rowid range. One statement, one
// snapshot, so a fold running meanwhile neither hides nor repeats a call. No per-client
// probe: the ledger has no index on client_key_id any more, and the roll-up's key starts
// with the day. Rows read: the window's client roll-up rows plus the tail.
const LAST_USED = `SELECT \`client_key_id\` AS id, max(\`ts\`) AS ts FROM (
  SELECT \`client_key_id\`, \`last_ts\` AS \`ts\` FROM \`usage_daily_client\` WHERE \`day\` >= ?1
  UNION ALL
  SELECT \`client_key_id\`, \`ts\` FROM \`usage_calls\`
   WHERE \`id\` > ${FOLDED_THROUGH}
) GROUP BY \`client_key_id\``;

/**
 * When each client key last made a call (epoch ms), for the ids asked about that made one in
 * the last LAST_USED_WINDOW_DAYS Pacific days (or are in the unfolded tail).
 */
export async function lastUsedByClient(
  database: D1Database,
  clientKeyIds: readonly string[],
  now = Date.now(),
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (clientKeyIds.length === 0) return found;
  const since = addDays(pacificDay(now), 1 - LAST_USED_WINDOW_DAYS);
  const { results } = await database.prepare(LAST_USED).bind(since).all<{ id: string; ts: number | null }>();
  const wanted = new Set(clientKeyIds);
  for (const row of results) {
    // last_ts is 0 on rows folded before the column existed: no time known.
    if (wanted.has(row.id) && row.ts !== null && row.ts > 0) found.set(row.id, Number(row.ts));
  }
  return found;
}
