// Folds the ledger's tail into the daily roll-ups in bulk (the cron, about hourly). A per-row
// trigger cost about 7 D1 rows written per call; one fold writes one row per roll-up group it
// touches, however many calls the group holds. The whole fold is one D1 batch (a transaction)
// bounded by the cursor in usage_fold, so a row is folded exactly once even if two folds race.

/**
 * The fold cursor as SQL, the one place that spells out where it lives: every ledger row with
 * id <= this is in the roll-ups; the rows after it are the tail (0 when nothing was folded).
 */
export const FOLDED_THROUGH = "coalesce((SELECT `through` FROM `usage_fold` WHERE `id` = 1), 0)";

/** The tail: ledger rows not yet in the roll-ups. `?1` is the fold's upper bound (an id). */
const TAIL = `FROM \`usage_calls\` WHERE \`id\` > ${FOLDED_THROUGH} AND \`id\` <= ?1`;

const TOKEN_SUMS =
  "sum(`prompt_tokens`), sum(`completion_tokens`), sum(`thought_tokens`), sum(`cached_tokens`), sum(`total_tokens`), sum(`latency_ms`)";
const TOKEN_COLUMNS = "`prompt_tokens`, `completion_tokens`, `thought_tokens`, `cached_tokens`, `total_tokens`, `latency_ms_sum`";
const ADD_TOKENS = [
  "`prompt_tokens` = `prompt_tokens` + excluded.`prompt_tokens`",
  "`completion_tokens` = `completion_tokens` + excluded.`completion_tokens`",
  "`thought_tokens` = `thought_tokens` + excluded.`thought_tokens`",
  "`cached_tokens` = `cached_tokens` + excluded.`cached_tokens`",
  "`total_tokens` = `total_tokens` + excluded.`total_tokens`",
  "`latency_ms_sum` = `latency_ms_sum` + excluded.`latency_ms_sum`",
].join(", ");

/** Media figures (media-units.ts): only usage_daily keeps them, per day, key and model. */
const MEDIA = ["images", "audio_ms", "speech_characters", "files", "file_bytes"];
const MEDIA_COLUMNS = MEDIA.map((name) => `\`${name}\``).join(", ");
const MEDIA_SUMS = MEDIA.map((name) => `sum(\`${name}\`)`).join(", ");
const ADD_MEDIA = MEDIA.map((name) => `\`${name}\` = \`${name}\` + excluded.\`${name}\``).join(", ");

export const FOLD_STATEMENTS = [
  `INSERT INTO \`usage_daily\` (\`day\`, \`gemini_key_id\`, \`model\`, \`requests\`, \`errors\`, \`served\`, ${TOKEN_COLUMNS}, ${MEDIA_COLUMNS})
   SELECT \`day\`, coalesce(\`gemini_key_id\`, ''), \`model\`, count(*), sum(\`outcome\` <> 'ok'), sum(\`served\`), ${TOKEN_SUMS}, ${MEDIA_SUMS}
   ${TAIL} GROUP BY 1, 2, 3
   ON CONFLICT (\`day\`, \`gemini_key_id\`, \`model\`) DO UPDATE SET \`requests\` = \`requests\` + excluded.\`requests\`,
     \`errors\` = \`errors\` + excluded.\`errors\`, \`served\` = \`served\` + excluded.\`served\`, ${ADD_TOKENS}, ${ADD_MEDIA}`,
  `INSERT INTO \`usage_daily_client\` (\`day\`, \`client_key_id\`, \`model\`, \`requests\`, \`errors\`, ${TOKEN_COLUMNS}, \`last_ts\`, \`attempted\`)
   SELECT \`day\`, \`client_key_id\`, \`model\`, count(*), sum(\`outcome\` <> 'ok'), ${TOKEN_SUMS}, max(\`ts\`), sum(\`attempts\` > 0)
   ${TAIL} GROUP BY 1, 2, 3
   ON CONFLICT (\`day\`, \`client_key_id\`, \`model\`) DO UPDATE SET \`requests\` = \`requests\` + excluded.\`requests\`,
     \`errors\` = \`errors\` + excluded.\`errors\`, ${ADD_TOKENS}, \`last_ts\` = max(\`last_ts\`, excluded.\`last_ts\`),
     \`attempted\` = \`attempted\` + excluded.\`attempted\``,
  `INSERT INTO \`usage_daily_outcome\` (\`day\`, \`model\`, \`outcome\`, \`requests\`, ${TOKEN_COLUMNS})
   SELECT \`day\`, \`model\`, \`outcome\`, count(*), ${TOKEN_SUMS}
   ${TAIL} GROUP BY 1, 2, 3
   ON CONFLICT (\`day\`, \`model\`, \`outcome\`) DO UPDATE SET \`requests\` = \`requests\` + excluded.\`requests\`, ${ADD_TOKENS}`,
  `INSERT INTO \`usage_latency\` (\`day\`, \`model\`, \`metric\`, \`bucket\`, \`count\`)
   SELECT \`day\`, \`model\`, 'total', \`latency_bucket\`, count(*)
   ${TAIL} GROUP BY 1, 2, 4
   ON CONFLICT (\`day\`, \`model\`, \`metric\`, \`bucket\`) DO UPDATE SET \`count\` = \`count\` + excluded.\`count\``,
  `INSERT INTO \`usage_latency\` (\`day\`, \`model\`, \`metric\`, \`bucket\`, \`count\`)
   SELECT \`day\`, \`model\`, 'ttfb', \`ttfb_bucket\`, count(*)
   ${TAIL} AND \`ttfb_bucket\` IS NOT NULL GROUP BY 1, 2, 4
   ON CONFLICT (\`day\`, \`model\`, \`metric\`, \`bucket\`) DO UPDATE SET \`count\` = \`count\` + excluded.\`count\``,
  `INSERT INTO \`usage_daily_requested\` (\`day\`, \`requested_model\`, \`model\`, \`requests\`, \`errors\`)
   SELECT \`day\`, \`requested_model\`, \`model\`, count(*), sum(\`outcome\` <> 'ok')
   ${TAIL} AND \`requested_model\` IS NOT NULL GROUP BY 1, 2, 3
   ON CONFLICT (\`day\`, \`requested_model\`, \`model\`) DO UPDATE SET \`requests\` = \`requests\` + excluded.\`requests\`,
     \`errors\` = \`errors\` + excluded.\`errors\``,
];

export const MOVE_CURSOR = "UPDATE `usage_fold` SET `through` = max(`through`, ?1), `folded_at` = ?2 WHERE `id` = 1";

export interface FoldReport {
  /** Ledger rows folded by this run. */
  rows: number;
  /** The cursor after the run: every row with id <= through is in the roll-ups. */
  through: number;
  /** D1 rows written and read by the fold, as D1 reports them. */
  rowsWritten: number;
  rowsRead: number;
}

/** Where the roll-ups stand and how far the ledger goes. */
export async function foldPosition(database: D1Database): Promise<{ through: number; foldedAt: number; newest: number }> {
  const row = await database
    .prepare(
      `SELECT ${FOLDED_THROUGH} AS through, (SELECT \`folded_at\` FROM \`usage_fold\` WHERE \`id\` = 1) AS foldedAt, (SELECT max(\`id\`) FROM \`usage_calls\`) AS newest`,
    )
    .first<{ through: number | null; foldedAt: number | null; newest: number | null }>();
  return { through: row?.through ?? 0, foldedAt: row?.foldedAt ?? 0, newest: row?.newest ?? 0 };
}

/** Folds every ledger row written so far into the roll-ups, in one transaction. */
export async function foldLedger(database: D1Database, now = Date.now()): Promise<FoldReport> {
  const { through, newest } = await foldPosition(database);
  if (newest <= through) return { rows: 0, through, rowsWritten: 0, rowsRead: 0 };
  const results = await database.batch([
    ...FOLD_STATEMENTS.map((statement) => database.prepare(statement).bind(newest)),
    database.prepare(MOVE_CURSOR).bind(newest, now),
  ]);
  let rowsWritten = 0;
  let rowsRead = 0;
  for (const result of results) {
    rowsWritten += result.meta.rows_written ?? 0;
    rowsRead += result.meta.rows_read ?? 0;
  }
  return { rows: newest - through, through: newest, rowsWritten, rowsRead };
}
