import { type SQL, type SQLWrapper, gt, ne, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { usageDaily, usageDailyClient, usageDailyOutcome } from "./schema";

/** A daily roll-up table seen through one of its dimensions, as the report queries read it. */
export interface RollUpView {
  table: SQLiteTable;
  day: SQLiteColumn;
  /** The dimension the rows are grouped by. */
  group: SQLiteColumn;
  requests: SQLiteColumn;
  /** Failed requests (outcome not ok) held by one row. */
  errors: SQLWrapper;
  /** Holds only for rows with failed requests. */
  hasErrors: SQL;
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

const byKeyTable = {
  ...counters(usageDaily),
  errors: usageDaily.errors,
  hasErrors: gt(usageDaily.errors, 0),
};

const byClientTable = {
  ...counters(usageDailyClient),
  errors: usageDailyClient.errors,
  hasErrors: gt(usageDailyClient.errors, 0),
};

const byOutcomeTable = {
  ...counters(usageDailyOutcome),
  errors: sql`case when ${usageDailyOutcome.outcome} <> 'ok' then ${usageDailyOutcome.requests} else 0 end`,
  hasErrors: ne(usageDailyOutcome.outcome, "ok"),
};

/**
 * The narrowest roll-up that answers each grouping. Day and model read the outcome roll-up:
 * it holds at most 8 outcomes per model and day, however many keys and clients there are.
 */
export const ROLL_UP_FOR = {
  day: { ...byOutcomeTable, group: usageDailyOutcome.day },
  key: { ...byKeyTable, group: usageDaily.geminiKeyId },
  model: { ...byOutcomeTable, group: usageDailyOutcome.model },
  client: { ...byClientTable, group: usageDailyClient.clientKeyId },
  outcome: { ...byOutcomeTable, group: usageDailyOutcome.outcome },
} satisfies Record<string, RollUpView>;
