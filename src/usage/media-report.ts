import { type SQLWrapper, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type DayRange, type MediaGroup, currentMediaRows } from "./current-rows";
import type { MediaFigures } from "./media-units";

export type { MediaGroup } from "./current-rows";
export { MEDIA_FIGURES, NO_MEDIA, type MediaFigures } from "./media-units";

/** The totals groupings that carry media figures (usage_daily keeps them per day, key and model). */
export const MEDIA_GROUPS = ["day", "key", "model"] as const satisfies readonly MediaGroup[];

export function isMediaGroup(by: string): by is MediaGroup {
  return (MEDIA_GROUPS as readonly string[]).includes(by);
}

const summed = (value: SQLWrapper) => sql<number>`sum(${value})`.mapWith(Number);

/** The media totals query (roll-ups plus the unfolded tail, one statement), exposed for the benchmark. */
export function mediaTotalsQuery(db: D1Database, range: DayRange, by: MediaGroup) {
  const rows = currentMediaRows(db, by, range);
  return drizzle(db)
    .select({
      group: rows.group,
      images: summed(rows.images),
      audioMs: summed(rows.audioMs),
      speechCharacters: summed(rows.speechCharacters),
      files: summed(rows.files),
      fileBytes: summed(rows.fileBytes),
    })
    .from(rows)
    .groupBy(sql`${rows.group}`);
}

/** Media figures per group over the range; groups without media are absent (read them as NO_MEDIA). */
export async function mediaTotals(db: D1Database, range: DayRange, by: MediaGroup): Promise<Map<string, MediaFigures>> {
  const rows = await mediaTotalsQuery(db, range, by);
  return new Map(rows.map(({ group, ...figures }) => [String(group), figures]));
}
