import { env } from "cloudflare:workers";
import { latencyBucket } from "../../src/usage/latency-buckets";
import type { MediaUnits } from "../../src/usage/media-units";
import type { Outcome } from "../../src/usage/schema";

export interface DailyRow {
  day: string;
  key?: string;
  model?: string;
  client?: string;
  outcome?: Outcome;
  requests: number;
  promptTokens?: number;
  completionTokens?: number;
  thoughtTokens?: number;
  cachedTokens?: number;
  totalTokens?: number;
  latencyMsSum?: number;
  /** Media figures: usage_daily only (the other roll-ups keep none). */
  media?: MediaUnits;
}

const COUNTERS = "prompt_tokens, completion_tokens, thought_tokens, cached_tokens, total_tokens, latency_ms_sum";
const MEDIA = "images, audio_ms, speech_characters, files, file_bytes";
const mediaValues = (media: MediaUnits = {}) => [media.images ?? 0, media.audioMs ?? 0, media.speechCharacters ?? 0, media.files ?? 0, media.fileBytes ?? 0];
const adding = (names: string) =>
  names
    .split(", ")
    .map((name) => `${name} = ${name} + excluded.${name}`)
    .join(", ");

/**
 * Adds calls to the three daily roll-ups directly, as a fold (src/usage/fold.ts) would have left
 * them: each row stands for `requests` calls of one day, key, model, client and outcome.
 */
export async function insertDaily(rows: DailyRow[]): Promise<void> {
  const byKey = env.DB.prepare(
    `INSERT INTO usage_daily (day, gemini_key_id, model, requests, errors, served, ${COUNTERS}, ${MEDIA})
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET ${adding(`requests, errors, served, ${COUNTERS}, ${MEDIA}`)}`,
  );
  const byClient = env.DB.prepare(
    `INSERT INTO usage_daily_client (day, client_key_id, model, requests, errors, ${COUNTERS})
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET ${adding(`requests, errors, ${COUNTERS}`)}`,
  );
  const byOutcome = env.DB.prepare(
    `INSERT INTO usage_daily_outcome (day, model, outcome, requests, ${COUNTERS})
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET ${adding(`requests, ${COUNTERS}`)}`,
  );
  await env.DB.batch(
    rows.flatMap((row) => {
      const model = row.model ?? "gemini-2.5-flash";
      const outcome = row.outcome ?? "ok";
      const errors = outcome === "ok" ? 0 : row.requests;
      const served = outcome === "ok" || outcome === "blocked" ? row.requests : 0;
      const counters = [
        row.promptTokens ?? 0,
        row.completionTokens ?? 0,
        row.thoughtTokens ?? 0,
        row.cachedTokens ?? 0,
        row.totalTokens ?? 0,
        row.latencyMsSum ?? 0,
      ];
      return [
        byKey.bind(row.day, row.key ?? "k1", model, row.requests, errors, served, ...counters, ...mediaValues(row.media)),
        byClient.bind(row.day, row.client ?? "c1", model, row.requests, errors, ...counters),
        byOutcome.bind(row.day, model, outcome, row.requests, ...counters),
      ];
    }),
  );
}

/** Writes one day's latency histogram (bucket index -> count) for a model and metric. */
export async function insertLatency(
  day: string,
  model: string,
  metric: "total" | "ttfb",
  counts: Record<number, number>,
): Promise<void> {
  const insert = env.DB.prepare("INSERT INTO usage_latency (day, model, metric, bucket, count) VALUES (?, ?, ?, ?, ?)");
  await env.DB.batch(
    Object.entries(counts).map(([bucket, count]) => insert.bind(day, model, metric, Number(bucket), count)),
  );
}

export interface LedgerRow {
  day: string;
  /** Epoch ms; defaults to noon UTC of the day plus the row's index. */
  ts?: number;
  /** null: the call never reached a key. */
  key?: string | null;
  model?: string;
  client?: string;
  outcome?: Outcome;
  promptTokens?: number;
  completionTokens?: number;
  thoughtTokens?: number;
  cachedTokens?: number;
  totalTokens?: number;
  latencyMs?: number;
  ttfbMs?: number | null;
  media?: MediaUnits;
}

/**
 * Writes ledger rows (usage_calls) as the proxy records calls, without folding them: they are
 * the tail until `foldLedger` runs. Answers the ids written.
 */
export async function insertCalls(rows: LedgerRow[]): Promise<number[]> {
  const insert = env.DB.prepare(
    `INSERT INTO usage_calls (ts, day, client_key_id, gemini_key_id, model, category, endpoint, streamed, status,
       outcome, served, attempts, prompt_tokens, completion_tokens, thought_tokens, cached_tokens, total_tokens,
       latency_ms, ttfb_ms, latency_bucket, ttfb_bucket, error_code, ${MEDIA})
     VALUES (?, ?, ?, ?, ?, 'flash', 'chat', ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const results = await env.DB.batch<{ id: number }>(
    rows.map((row, i) => {
      const outcome = row.outcome ?? "ok";
      const latencyMs = row.latencyMs ?? 100;
      const ttfbMs = row.ttfbMs ?? null;
      return insert.bind(
        row.ts ?? Date.parse(`${row.day}T12:00:00Z`) + i,
        row.day,
        row.client ?? "c1",
        row.key === undefined ? "k1" : row.key,
        row.model ?? "gemini-2.5-flash",
        ttfbMs === null ? 0 : 1,
        outcome === "ok" || outcome === "blocked" ? 200 : 502,
        outcome,
        outcome === "ok" || outcome === "blocked" ? 1 : 0,
        row.promptTokens ?? 0,
        row.completionTokens ?? 0,
        row.thoughtTokens ?? 0,
        row.cachedTokens ?? 0,
        row.totalTokens ?? 0,
        latencyMs,
        ttfbMs,
        latencyBucket(latencyMs),
        ttfbMs === null ? null : latencyBucket(ttfbMs),
        outcome === "ok" ? null : outcome,
        ...mediaValues(row.media),
      );
    }),
  );
  return results.map((result) => Number(result.results[0]?.id));
}

/** Where the fold cursor stands (every ledger row with id <= it is in the roll-ups). */
export async function foldedThrough(): Promise<number> {
  return Number((await env.DB.prepare("SELECT through FROM usage_fold WHERE id = 1").first<{ through: number }>())?.through ?? 0);
}
