import { FOLDED_THROUGH } from "./fold";
import type { DayRange } from "./current-rows";

/** Calls that asked for a model under another name (a model alias), per name and Gemini model. */
export interface RequestedNameRow {
  requested: string;
  model: string;
  requests: number;
  errors: number;
}

/** At most this many rows: the names clients send are few; a flood of odd names is cut. */
export const REQUESTED_NAMES_LIMIT = 200;

// The roll-up's rows of the range (searched by the `day` prefix of its primary key) plus the
// ledger's unfolded tail (a rowid range), like every chart query (report.ts), so a call shows
// as soon as its ledger row is written and a fold changes no answer.
const REQUESTED_NAMES = `SELECT requested, model, sum(requests) AS requests, sum(errors) AS errors FROM (
    SELECT \`requested_model\` AS requested, \`model\`, \`requests\`, \`errors\` FROM \`usage_daily_requested\`
      WHERE \`day\` >= ?1 AND \`day\` <= ?2
    UNION ALL
    SELECT \`requested_model\`, \`model\`, 1, \`outcome\` <> 'ok' FROM \`usage_calls\`
      WHERE \`id\` > ${FOLDED_THROUGH} AND \`day\` >= ?1 AND \`day\` <= ?2 AND \`requested_model\` IS NOT NULL
  ) GROUP BY requested, model ORDER BY requests DESC, requested, model LIMIT ${REQUESTED_NAMES_LIMIT}`;

export async function requestedNames(database: D1Database, range: DayRange): Promise<RequestedNameRow[]> {
  const { results } = await database.prepare(REQUESTED_NAMES).bind(range.from, range.to).all<RequestedNameRow>();
  return results.map((row) => ({ requested: row.requested, model: row.model, requests: Number(row.requests), errors: Number(row.errors) }));
}
