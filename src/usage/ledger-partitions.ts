// Raw ledger retention without a row written per call. D1 counts each deleted row as a row
// written: deleting old calls one by one would cost as much as recording them did, and at
// 50,000 calls a day the two together pass the free plan's 100,000. So, about weekly, the cron
// renames the (folded) ledger to a partition and starts a new one; a partition past the
// retention, or the oldest while the database is over its size, goes with one DROP TABLE.
// Nothing reads partitions: the charts read the roll-ups (forever) and the live tail.

import { FOLD_STATEMENTS, FOLDED_THROUGH, MOVE_CURSOR } from "./fold";

/** The ledger is rotated when its oldest call is this old (or older than the retention). */
export const ROTATE_AFTER_MS = 7 * 86_400_000;

const LIVE = "`usage_calls`";

interface LiveEnds {
  oldestId: number | null;
  oldestTs: number | null;
  newestId: number | null;
  newestTs: number | null;
  through: number;
  ddl: string | null;
}

async function liveEnds(database: D1Database): Promise<LiveEnds> {
  const row = await database
    .prepare(
      `SELECT (SELECT min(id) FROM ${LIVE}) AS oldestId, (SELECT ts FROM ${LIVE} ORDER BY id LIMIT 1) AS oldestTs,
              (SELECT max(id) FROM ${LIVE}) AS newestId, (SELECT ts FROM ${LIVE} ORDER BY id DESC LIMIT 1) AS newestTs,
              ${FOLDED_THROUGH} AS through,
              (SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'usage_calls') AS ddl`,
    )
    .first<LiveEnds>();
  return row ?? { oldestId: null, oldestTs: null, newestId: null, newestTs: null, through: 0, ddl: null };
}

/**
 * Rotates the ledger when its oldest call is older than `rotateAfterMs`. One transaction folds
 * the tail, renames the ledger and starts a new one — and is refused (rolled back) if a call
 * was recorded after the ledger's end was read, so no row leaves unfolded. The new ledger
 * starts with one marker row holding the last id, so ids keep growing (SQLite gives max(id) + 1)
 * and every cursor stays valid; the marker is folded already and counts for no day.
 */
export async function rotateLedger(database: D1Database, now: number, rotateAfterMs = ROTATE_AFTER_MS): Promise<string | null> {
  const ends = await liveEnds(database);
  if (ends.oldestId === null || ends.newestId === null || ends.ddl === null) return null;
  if (ends.oldestTs === null || now - ends.oldestTs < rotateAfterMs) return null;
  if (ends.oldestId === ends.newestId) return null; // only the marker of the last rotation
  const name = `usage_calls_${String(ends.oldestId).padStart(12, "0")}`;
  const newest = ends.newestId;
  try {
    await database.batch([
      // json('…') fails on purpose when a row came in meanwhile: the whole batch rolls back.
      database.prepare(`SELECT CASE WHEN (SELECT max(id) FROM ${LIVE}) = ?1 THEN 1 ELSE json('ledger moved on') END`).bind(newest),
      ...FOLD_STATEMENTS.map((statement) => database.prepare(statement).bind(newest)),
      database.prepare(MOVE_CURSOR).bind(newest, now),
      database
        .prepare("INSERT INTO `ledger_partitions` (`name`, `first_id`, `last_id`, `first_ts`, `last_ts`, `created_at`) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(name, ends.oldestId, newest, ends.oldestTs, ends.newestTs ?? now, now),
      database.prepare(`ALTER TABLE ${LIVE} RENAME TO \`${name}\``),
      database.prepare(ends.ddl),
      database
        .prepare(
          `INSERT INTO ${LIVE} (id, ts, day, client_key_id, model, category, endpoint, streamed, status, outcome, served, attempts, latency_ms, latency_bucket)
           VALUES (?1, ?2, '', '', '', 'marker', 'ledger_rotated', 0, 0, 'ok', 0, 0, 0, 0)`,
        )
        .bind(newest, now),
    ]);
  } catch (error) {
    console.warn(`rotating the ledger was refused, the next run tries again: ${String(error)}`);
    return null;
  }
  return name;
}

/**
 * Drops partitions whose newest call is older than `beforeTs`, then the oldest ones while the
 * database is larger than `maxBytes`. Answers what went and the size after.
 */
export async function dropPartitions(database: D1Database, options: { beforeTs: number; maxBytes: number }): Promise<{ dropped: string[]; bytes: number }> {
  const { results } = await database
    .prepare("SELECT `name`, `last_ts` AS lastTs FROM `ledger_partitions` ORDER BY `first_id`")
    .all<{ name: string; lastTs: number }>();
  const dropped: string[] = [];
  let bytes = await databaseBytes(database);
  for (const partition of results) {
    if (partition.lastTs >= options.beforeTs && bytes <= options.maxBytes) break;
    if (!/^usage_calls_\d{12}$/.test(partition.name)) continue;
    const [, forget] = await database.batch([
      database.prepare(`DROP TABLE IF EXISTS \`${partition.name}\``),
      database.prepare("DELETE FROM `ledger_partitions` WHERE `name` = ?1").bind(partition.name),
    ]);
    bytes = forget?.meta.size_after ?? bytes;
    dropped.push(partition.name);
  }
  return { dropped, bytes };
}

async function databaseBytes(database: D1Database): Promise<number> {
  const result = await database.prepare("SELECT 1").run();
  return result.meta.size_after ?? 0;
}
