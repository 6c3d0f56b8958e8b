import { fillPlaceholders, sql } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { latencyBucket } from "./latency-buckets";
import { usageCalls, type Outcome } from "./schema";
import type { UsageFigures } from "../openai/usage";
import { MEDIA_FIGURES, type MediaFigures, type MediaUnits } from "./media-units";

/** One proxied call as the ledger keeps it. */
export interface CallRecord {
  ts: number;
  day: string;
  clientKeyId: string;
  geminiKeyId: string | null;
  model: string;
  /** The name the client asked for when an alias resolved it to `model`; null (or absent) otherwise. */
  requestedModel?: string | null;
  category: string;
  endpoint: string;
  streamed: boolean;
  status: number;
  outcome: Outcome;
  /** Google accepted the call and counts it against the key (see usage_calls.served). */
  served: boolean;
  attempts: number;
  tokens: UsageFigures;
  /** Images, audio, speech characters and files (absent figures are 0). */
  media?: MediaUnits;
  latencyMs: number;
  ttfbMs: number | null;
  errorCode: string | null;
}

const value = (name: keyof BoundValues) => sql.placeholder(name);

/**
 * The ledger insert, built by drizzle once per isolate: its SQL never changes, only the bound
 * values do (DESIGN §8: no per-request work that does not depend on the request).
 */
function buildLedgerInsert(db: DrizzleD1Database): { sql: string; params: unknown[] } {
  return db
    .insert(usageCalls)
    .values({
      ts: value("ts"),
      day: value("day"),
      clientKeyId: value("clientKeyId"),
      geminiKeyId: value("geminiKeyId"),
      model: value("model"),
      requestedModel: value("requestedModel"),
      category: value("category"),
      endpoint: value("endpoint"),
      streamed: value("streamed"),
      status: value("status"),
      outcome: value("outcome"),
      served: value("served"),
      attempts: value("attempts"),
      promptTokens: value("promptTokens"),
      completionTokens: value("completionTokens"),
      thoughtTokens: value("thoughtTokens"),
      cachedTokens: value("cachedTokens"),
      totalTokens: value("totalTokens"),
      latencyMs: value("latencyMs"),
      ttfbMs: value("ttfbMs"),
      latencyBucket: value("latencyBucket"),
      ttfbBucket: value("ttfbBucket"),
      errorCode: value("errorCode"),
      images: value("images"),
      audioMs: value("audioMs"),
      speechCharacters: value("speechCharacters"),
      files: value("files"),
      fileBytes: value("fileBytes"),
    })
    .toSQL();
}

/** The values the insert's placeholders name (drizzle maps them to driver values). */
type BoundValues = Omit<CallRecord, "tokens" | "requestedModel" | "media"> & { requestedModel: string | null } &
  UsageFigures & MediaFigures & { latencyBucket: number; ttfbBucket: number | null };

let ledgerInsert: { sql: string; params: unknown[] } | undefined;

function bound(call: CallRecord): unknown[] {
  const values: BoundValues = {
    ...call,
    ...call.tokens,
    ...mediaFigures(call.media),
    requestedModel: call.requestedModel ?? null,
    latencyBucket: latencyBucket(call.latencyMs),
    ttfbBucket: call.ttfbMs === null ? null : latencyBucket(call.ttfbMs),
  };
  return fillPlaceholders(ledgerInsert!.params, values as unknown as Record<string, unknown>);
}

/** Every media figure as a whole non-negative number (a door's fraction or slip is not a reason to lose the row). */
function mediaFigures(media: MediaUnits = {}): MediaFigures {
  const whole = (figure: number | undefined) => (figure !== undefined && Number.isFinite(figure) && figure > 0 ? Math.round(figure) : 0);
  return Object.fromEntries(MEDIA_FIGURES.map((name) => [name, whole(media[name])])) as MediaFigures;
}

/**
 * Writes the call's ledger row: one D1 row written (the table has no secondary index; the
 * cron folds rows into the roll-ups in bulk). Answers the row's id.
 */
export async function recordCall(database: D1Database, call: CallRecord): Promise<number> {
  ledgerInsert ??= buildLedgerInsert(drizzle(database));
  const result = await database.prepare(ledgerInsert.sql).bind(...bound(call)).run();
  return result.meta.last_row_id;
}

/** Writes several rows in one transaction (rows kept after a refused write, then the new one). */
export async function recordCalls(database: D1Database, calls: CallRecord[]): Promise<number[]> {
  ledgerInsert ??= buildLedgerInsert(drizzle(database));
  const statement = database.prepare(ledgerInsert.sql);
  const results = await database.batch(calls.map((call) => statement.bind(...bound(call))));
  return results.map((result) => result.meta.last_row_id);
}
