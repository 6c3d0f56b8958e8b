import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { usageCalls, usageDaily, usageDailyClient, usageDailyOutcome } from "./schema";
import { FOLDED_THROUGH } from "./fold";

/**
 * A daily roll-up table seen through one of its dimensions, as the report queries read it,
 * with the same figures computed from one unfolded ledger row (the tail), so roll-up rows and
 * tail rows can be added up together. The tail expressions are those of FOLD_STATEMENTS in
 * fold.ts: a call folded later adds exactly what its tail row adds now.
 */
export interface RollUpView {
  table: SQLiteTable;
  day: SQLiteColumn;
  /** The dimension the rows are grouped by. */
  group: SQLiteColumn;
  /** The same dimension from a ledger row. */
  tailGroup: SQLWrapper;
  requests: SQLiteColumn;
  /** Failed requests (outcome not ok) held by one row. */
  errors: SQLWrapper;
  promptTokens: SQLiteColumn;
  completionTokens: SQLiteColumn;
  thoughtTokens: SQLiteColumn;
  cachedTokens: SQLiteColumn;
  totalTokens: SQLiteColumn;
  latencyMsSum: SQLiteColumn;
}

/** The columns every roll-up has under the same names. */
function counters(table: typeof usageDaily | typeof usageDailyClient | typeof usageDailyOutcome) {
  return {
    table,
    day: table.day,
    requests: table.requests,
    promptTokens: table.promptTokens,
    completionTokens: table.completionTokens,
    thoughtTokens: table.thoughtTokens,
    cachedTokens: table.cachedTokens,
    totalTokens: table.totalTokens,
    latencyMsSum: table.latencyMsSum,
  };
}

const byKeyTable = { ...counters(usageDaily), errors: usageDaily.errors };
const byClientTable = { ...counters(usageDailyClient), errors: usageDailyClient.errors };
const byOutcomeTable = {
  ...counters(usageDailyOutcome),
  errors: sql`case when ${usageDailyOutcome.outcome} <> 'ok' then ${usageDailyOutcome.requests} else 0 end`,
};

/**
 * The narrowest roll-up that answers each grouping. Day and model read the outcome roll-up:
 * it holds at most 8 outcomes per model and day, however many keys and clients there are.
 */
export const ROLL_UP_FOR = {
  day: { ...byOutcomeTable, group: usageDailyOutcome.day, tailGroup: usageCalls.day },
  // fold.ts: coalesce(gemini_key_id, '') — "" stands for a call that reached no key.
  key: { ...byKeyTable, group: usageDaily.geminiKeyId, tailGroup: sql`coalesce(${usageCalls.geminiKeyId}, '')` },
  model: { ...byOutcomeTable, group: usageDailyOutcome.model, tailGroup: usageCalls.model },
  client: { ...byClientTable, group: usageDailyClient.clientKeyId, tailGroup: usageCalls.clientKeyId },
  outcome: { ...byOutcomeTable, group: usageDailyOutcome.outcome, tailGroup: usageCalls.outcome },
} satisfies Record<string, RollUpView>;

/**
 * The ledger rows no roll-up holds yet: every row after the fold cursor (fold.ts). SQLite
 * reads them by rowid range, so the tail costs the rows it holds, never a walk of old rows.
 * A missing cursor row means nothing was folded: the whole ledger is the tail.
 */
export const inTail: SQL = sql`${usageCalls.id} > ${sql.raw(FOLDED_THROUGH)}`;

/** A call failed (fold.ts counts `outcome <> 'ok'` as an error). */
export const tailError: SQL = sql`(${usageCalls.outcome} <> 'ok')`;
