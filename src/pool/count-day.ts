import { readDayBase, readReset, readTail, TAIL_PAGE } from "../usage/ledger-reads";
import { copyCounts, countRows, type CountFrom, type DayCounts } from "./day-counts";

/**
 * A day's exact counts from D1: `known` (the cron's entry in KV, or a copy this isolate
 * holds) caught up with the ledger rows after it when it is still valid for the day's reset,
 * otherwise the roll-ups plus the tail. Used by isolates, the cron and the admin's view.
 */
export async function countDay(database: D1Database, day: string, known?: DayCounts | null): Promise<DayCounts> {
  if (known?.day === day) {
    const reset = await readReset(database, day);
    if ((reset?.through ?? null) === known.resetThrough) {
      const counts = copyCounts(known);
      await catchUp(database, counts);
      return counts;
    }
  }
  const base = await readDayBase(database, day);
  const from: CountFrom = { keys: base.reset?.through ?? base.foldThrough, clients: base.foldThrough };
  const counts: DayCounts = {
    day,
    through: Math.max(from.keys, from.clients),
    resetThrough: base.reset?.through ?? null,
    // After a reset by hand the key counts start from nothing at the reset's ledger id.
    keys: base.reset ? {} : base.keys,
    clients: base.clients,
  };
  await catchUp(database, counts, from, Math.min(from.keys, from.clients));
  return counts;
}

/** Adds the ledger rows after `after` (default: the counts' own cursor), page by page. */
export async function catchUp(database: D1Database, counts: DayCounts, from?: CountFrom, after = counts.through): Promise<void> {
  let cursor = after;
  for (;;) {
    const rows = await readTail(database, cursor);
    countRows(counts, rows, from);
    if (rows.length < TAIL_PAGE) return;
    cursor = rows[rows.length - 1]!.id;
  }
}
