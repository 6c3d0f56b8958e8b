import { env } from "cloudflare:workers";
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
}

/** Writes usage_daily roll-up rows directly, as record.ts would have left them. */
export async function insertDaily(rows: DailyRow[]): Promise<void> {
  const insert = env.DB.prepare(
    `INSERT INTO usage_daily (day, gemini_key_id, model, client_key_id, outcome, requests,
       prompt_tokens, completion_tokens, thought_tokens, cached_tokens, total_tokens, latency_ms_sum)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  await env.DB.batch(
    rows.map((row) =>
      insert.bind(
        row.day,
        row.key ?? "k1",
        row.model ?? "gemini-2.5-flash",
        row.client ?? "c1",
        row.outcome ?? "ok",
        row.requests,
        row.promptTokens ?? 0,
        row.completionTokens ?? 0,
        row.thoughtTokens ?? 0,
        row.cachedTokens ?? 0,
        row.totalTokens ?? 0,
        row.latencyMsSum ?? 0,
      ),
    ),
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
