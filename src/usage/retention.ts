import { FOLDED_THROUGH } from "./fold";

// Retention of the raw ledger (usage_calls), by age and by the database's size. Only folded rows
// go (id <= usage_fold.through): the tail is not in any roll-up yet, so deleting it would lose
// calls from the charts. The roll-ups are kept forever.
//
// The ledger has no index on ts: rows are found by id, which grows with time. Each DELETE
// takes a window of at most `chunkRows` rows from the oldest end, so one statement reads and
// writes a bounded number of rows (D1 counts every deleted row as a row written) and a run
// sends a bounded number of statements (a cron invocation may send 50 D1 queries in all).
//
// Size: D1 answers every query with `meta.size_after`, the database's size in bytes after it.
// D1 runs SQLite with auto-vacuum, so pages freed by a DELETE are given back and size_after
// shrinks at once (measured on local D1: 20,000 rows of 100 bytes, then deleting 15,000 took
// size_after from 4,423,680 to 1,179,648). `PRAGMA page_count` / `freelist_count` are refused
// by local D1 (`not authorized: SQLITE_AUTH`), so nothing built on them could be tested. So
// size_after is the measure, and it is the figure the 500 MB limit is about.

const OLDEST = "(SELECT min(`id`) FROM `usage_calls`)";
/**
 * The first row that must stay: the unfolded tail, and always the newest row — an emptied
 * table would hand out ids from 1 again, below every cursor that walks the ledger by id.
 */
const TAIL_START = `min(${FOLDED_THROUGH} + 1, (SELECT max(\`id\`) FROM \`usage_calls\`))`;

// Each DELETE has ONE upper bound on the rowid (min(...) of the candidates): SQLite searches
// the rowid range below it. Two separate bounds (`id <= a AND id < b`) make it search by one and
// test the other on every row, reading the whole folded ledger.

/**
 * Age: in the window of the `?2` oldest rows, every row before the first one whose ts is at
 * least `?1` (all of the window when none is), never the tail. Rows read: the window (the
 * search for a young row stops at the first) and the rows deleted.
 */
const DELETE_OLD = `DELETE FROM \`usage_calls\` WHERE \`id\` < min(${TAIL_START}, coalesce(
  (SELECT \`id\` FROM \`usage_calls\` WHERE \`id\` >= ${OLDEST} AND \`id\` < ${OLDEST} + ?2 AND \`ts\` >= ?1 ORDER BY \`id\` LIMIT 1),
  ${OLDEST} + ?2))`;

/** Size: the `?1` oldest rows, never the tail. */
const DELETE_OLDEST = `DELETE FROM \`usage_calls\` WHERE \`id\` < min(${TAIL_START}, ${OLDEST} + ?1)`;

export const PRUNE_CHUNK_ROWS = 5_000;
export const PRUNE_MAX_STATEMENTS = 10;

export interface PruneOptions {
  /** Rows whose call arrived before this (epoch ms) go. */
  beforeTs: number;
  /** While the database is larger than this (bytes), the oldest rows go too, whatever their age. */
  maxBytes: number;
  /** Rows per DELETE (default 5,000). */
  chunkRows?: number;
  /** D1 statements this run may send (default 10, at least 1). */
  maxStatements?: number;
}

export interface PruneReport {
  /** Ledger rows deleted by this run. */
  deleted: number;
  /** The database's size after the run (D1 meta.size_after), bytes. */
  bytes: number;
  /** D1 rows read and written by the run, as D1 reports them (for plan_usage). */
  rowsRead: number;
  rowsWritten: number;
  statements: number;
  /** Still larger than maxBytes: the statement budget ran out, or only unfolded rows are left. */
  overSize: boolean;
}

/**
 * Deletes ledger rows older than `beforeTs` (by id: everything before the first row at least
 * that young), then, while the database is over `maxBytes`, the oldest rows in chunks. Never
 * a row of the unfolded tail. What one run leaves (statement budget) the next run continues.
 */
export async function pruneLedger(database: D1Database, options: PruneOptions): Promise<PruneReport> {
  const chunk = Math.max(1, Math.floor(options.chunkRows ?? PRUNE_CHUNK_ROWS));
  const budget = Math.max(1, Math.floor(options.maxStatements ?? PRUNE_MAX_STATEMENTS));
  const report: PruneReport = { deleted: 0, bytes: 0, rowsRead: 0, rowsWritten: 0, statements: 0, overSize: false };
  const run = async (statement: D1PreparedStatement): Promise<number> => {
    const { meta } = await statement.run();
    report.statements += 1;
    report.deleted += meta.changes ?? 0;
    report.rowsRead += meta.rows_read ?? 0;
    report.rowsWritten += meta.rows_written ?? 0;
    report.bytes = meta.size_after ?? report.bytes;
    return meta.changes ?? 0;
  };

  // By age: a full window deleted means the next window may hold old rows too.
  const old = database.prepare(DELETE_OLD).bind(options.beforeTs, chunk);
  let full = true;
  while (full && report.statements < budget) full = (await run(old)) === chunk;

  // By size, until under the limit or only unfolded rows are left.
  const oldest = database.prepare(DELETE_OLDEST).bind(chunk);
  let left = true;
  while (left && report.bytes > options.maxBytes && report.statements < budget) left = (await run(oldest)) > 0;
  report.overSize = report.bytes > options.maxBytes;
  return report;
}
