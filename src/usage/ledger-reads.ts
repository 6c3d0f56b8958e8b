// What the pool and the cron read from the D1 ledger to count a day: the roll-ups (folded
// rows) plus the tail after a ledger id, walked by rowid so a read costs the rows it returns.
import type { TailRow } from "../pool/day-counts";
import { FOLDED_THROUGH } from "./fold";

/** Tail rows read per query; a sync that finds a full page reads the next. */
export const TAIL_PAGE = 1_000;

const TAIL_ROWS =
  "SELECT `id`, `day`, `gemini_key_id` AS geminiKeyId, `model`, `client_key_id` AS clientKeyId, `served`, `attempts` FROM `usage_calls` WHERE `id` > ?1 ORDER BY `id` LIMIT ?2";
const RESET = "SELECT `through` FROM `quota_resets` WHERE `day` = ?1";
const VERSION = "SELECT `version` FROM `config_version` WHERE `id` = 1";

export interface QuotaReset {
  through: number;
}

/** The roll-ups of a day as the counts need them, with where the fold and a reset stand. */
export interface DayBase {
  foldThrough: number;
  reset: QuotaReset | null;
  keys: Record<string, Record<string, number>>;
  clients: Record<string, number>;
}

export async function readDayBase(database: D1Database, day: string): Promise<DayBase> {
  const [fold, reset, keys, clients] = await database.batch<Record<string, unknown>>([
    database.prepare(`SELECT ${FOLDED_THROUGH} AS through`),
    database.prepare(RESET).bind(day),
    database
      .prepare("SELECT `gemini_key_id` AS keyId, `model`, `served` FROM `usage_daily` WHERE `day` = ?1 AND `served` > 0 AND `gemini_key_id` <> ''")
      .bind(day),
    database.prepare("SELECT `client_key_id` AS clientId, sum(`attempted`) AS n FROM `usage_daily_client` WHERE `day` = ?1 GROUP BY 1").bind(day),
  ]);
  const base: DayBase = {
    foldThrough: Number(fold?.results[0]?.through ?? 0),
    reset: resetFrom(reset?.results[0]),
    keys: {},
    clients: {},
  };
  for (const row of keys?.results ?? []) {
    const models = (base.keys[String(row.keyId)] ??= {});
    models[String(row.model)] = Number(row.served);
  }
  for (const row of clients?.results ?? []) base.clients[String(row.clientId)] = Number(row.n);
  return base;
}

export async function readReset(database: D1Database, day: string): Promise<QuotaReset | null> {
  return resetFrom(await database.prepare(RESET).bind(day).first());
}

export async function readTail(database: D1Database, after: number, limit = TAIL_PAGE): Promise<TailRow[]> {
  return (await database.prepare(TAIL_ROWS).bind(after, limit).all<TailRow>()).results;
}

/** One round trip every few seconds per isolate: the config version, today's reset, new ledger rows. */
export interface SyncRead {
  version: number;
  reset: QuotaReset | null;
  rows: TailRow[];
}

export async function readSync(database: D1Database, day: string, after: number): Promise<SyncRead> {
  const [version, reset, rows] = await database.batch<Record<string, unknown>>([
    database.prepare(VERSION),
    database.prepare(RESET).bind(day),
    database.prepare(TAIL_ROWS).bind(after, TAIL_PAGE),
  ]);
  return {
    version: Number(version?.results[0]?.version ?? 0),
    reset: resetFrom(reset?.results[0]),
    rows: (rows?.results ?? []) as unknown as TailRow[],
  };
}

export async function readConfigVersion(database: D1Database): Promise<number> {
  return Number((await database.prepare(VERSION).first<{ version: number }>())?.version ?? 0);
}

/** Tells every isolate (at its next sync) to re-read KV: an admin change or a key-state write. */
export async function bumpConfigVersion(database: D1Database, now = Date.now()): Promise<void> {
  await database
    .prepare("UPDATE `config_version` SET `version` = `version` + 1, `changed_at` = ?1 WHERE `id` = 1")
    .bind(now)
    .run();
}

/** "Reset quotas now": key quotas of `day` count only the ledger rows written after this. */
export async function writeQuotaReset(database: D1Database, day: string, now = Date.now()): Promise<QuotaReset> {
  const row = await database
    .prepare(
      // "WHERE true": without it SQLite reads ON CONFLICT as a join constraint of the SELECT.
      "INSERT INTO `quota_resets` (`day`, `through`, `at`) SELECT ?1, coalesce(max(`id`), 0), ?2 FROM `usage_calls` WHERE true " +
        "ON CONFLICT (`day`) DO UPDATE SET `through` = excluded.`through`, `at` = excluded.`at` RETURNING `through`",
    )
    .bind(day, now)
    .first<{ through: number }>();
  return { through: Number(row?.through ?? 0) };
}

function resetFrom(row: Record<string, unknown> | null | undefined): QuotaReset | null {
  return row ? { through: Number(row.through) } : null;
}
