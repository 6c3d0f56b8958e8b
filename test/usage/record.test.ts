import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { foldLedger, foldPosition } from "../../src/usage/fold";
import { recordCall, recordCalls, type CallRecord } from "../../src/usage/record";
import type { Outcome } from "../../src/usage/schema";

// The ledger row is written per call (recordCall); the roll-ups get it when the cron folds the
// ledger (foldLedger). Each test records on its own day (storage is shared by the tests of a
// file), then folds: a fold takes every row not folded yet, whatever its day.

function call(day: string, outcome: Outcome, extra: Partial<CallRecord> = {}): CallRecord {
  return {
    ts: Date.parse(`${day}T18:00:00Z`),
    day,
    clientKeyId: "client-a",
    geminiKeyId: "key-a",
    model: "gemini-2.5-flash",
    category: "flash",
    endpoint: "chat",
    streamed: false,
    status: outcome === "ok" || outcome === "blocked" ? 200 : 502,
    outcome,
    attempts: 1,
    tokens: { promptTokens: 11, completionTokens: 7, thoughtTokens: 3, cachedTokens: 2, totalTokens: 21 },
    latencyMs: 250,
    ttfbMs: null,
    errorCode: null,
    served: outcome === "ok" || outcome === "blocked",
    ...extra,
  };
}

const rowsOf = async (table: string, day: string) =>
  (await env.DB.prepare(`SELECT * FROM ${table} WHERE day = ?`).bind(day).all()).results;

const TOKENS = { prompt_tokens: 11, completion_tokens: 7, thought_tokens: 3, cached_tokens: 2, total_tokens: 21 };
const MEDIA = { images: 2, audio_ms: 1500, speech_characters: 40, files: 1, file_bytes: 2048 };

describe("recordCall, then the fold", () => {
  it("writes one ledger row and nothing else; the fold adds it to each of the three roll-ups exactly once, with its tokens, latency, time and media", async () => {
    const day = "2033-01-01";
    const ts = Date.parse(`${day}T18:00:00Z`);
    const id = await recordCall(env.DB, call(day, "ok", { media: { images: 2, audioMs: 1500, speechCharacters: 40, files: 1, fileBytes: 2048 } }));
    expect(await rowsOf("usage_calls", day)).toMatchObject([{ id, images: 2, audio_ms: 1500, speech_characters: 40, files: 1, file_bytes: 2048 }]);
    for (const table of ["usage_daily", "usage_daily_client", "usage_daily_outcome", "usage_latency"]) {
      expect(await rowsOf(table, day), table).toEqual([]);
    }
    const fold = await foldLedger(env.DB);
    expect(fold).toMatchObject({ rows: 1, through: id });
    expect(await rowsOf("usage_daily", day)).toEqual([
      { day, gemini_key_id: "key-a", model: "gemini-2.5-flash", requests: 1, errors: 0, served: 1, ...TOKENS, latency_ms_sum: 250, ...MEDIA },
    ]);
    expect(await rowsOf("usage_daily_client", day)).toEqual([
      { day, client_key_id: "client-a", model: "gemini-2.5-flash", requests: 1, errors: 0, ...TOKENS, latency_ms_sum: 250, last_ts: ts, attempted: 1 },
    ]);
    expect(await rowsOf("usage_daily_outcome", day)).toEqual([
      { day, model: "gemini-2.5-flash", outcome: "ok", requests: 1, ...TOKENS, latency_ms_sum: 250 },
    ]);
    // Exactly once: a second fold finds nothing new and changes nothing.
    expect(await foldLedger(env.DB)).toMatchObject({ rows: 0, through: id });
    expect(await rowsOf("usage_daily", day)).toMatchObject([{ requests: 1 }]);
    expect((await foldPosition(env.DB)).through).toBe(id);
  });

  it("adds a second call of the same day, key, client and model to the same rows, in the same fold or a later one; last_ts is the newest call", async () => {
    const day = "2033-01-02";
    const ts = Date.parse(`${day}T18:00:00Z`);
    await recordCall(env.DB, call(day, "ok", { media: { images: 1 } }));
    await recordCall(env.DB, call(day, "ok", { ts: ts + 60_000, latencyMs: 100, tokens: { promptTokens: 1, completionTokens: 1, thoughtTokens: 0, cachedTokens: 0, totalTokens: 2 }, media: { images: 3, audioMs: 2400.4, speechCharacters: 12 } }));
    await foldLedger(env.DB);
    const doubled = { requests: 2, prompt_tokens: 12, completion_tokens: 8, thought_tokens: 3, cached_tokens: 2, total_tokens: 23, latency_ms_sum: 350 };
    const media = { images: 4, audio_ms: 2400, speech_characters: 12, files: 0, file_bytes: 0 };
    expect(await rowsOf("usage_daily", day)).toEqual([{ day, gemini_key_id: "key-a", model: "gemini-2.5-flash", errors: 0, served: 2, ...doubled, ...media }]);
    expect(await rowsOf("usage_daily_client", day)).toEqual([{ day, client_key_id: "client-a", model: "gemini-2.5-flash", errors: 0, ...doubled, last_ts: ts + 60_000, attempted: 2 }]);
    expect(await rowsOf("usage_daily_outcome", day)).toEqual([{ day, model: "gemini-2.5-flash", outcome: "ok", ...doubled }]);

    // A third call, folded later but older than the newest: added to the same rows, last_ts kept.
    await recordCall(env.DB, call(day, "ok", { ts: ts - 60_000, tokens: { promptTokens: 0, completionTokens: 0, thoughtTokens: 0, cachedTokens: 0, totalTokens: 0 }, latencyMs: 0, media: { files: 2, fileBytes: 5000 } }));
    await foldLedger(env.DB);
    expect(await rowsOf("usage_daily", day)).toMatchObject([{ requests: 3, served: 3, latency_ms_sum: 350, images: 4, audio_ms: 2400, files: 2, file_bytes: 5000 }]);
    expect(await rowsOf("usage_daily_client", day)).toMatchObject([{ requests: 3, attempted: 3, last_ts: ts + 60_000 }]);
    expect(await rowsOf("usage_daily_outcome", day)).toMatchObject([{ requests: 3 }]);
  });

  it("counts ok as served, blocked as served and an error, other outcomes as errors only", async () => {
    const day = "2033-01-03";
    const outcomes: Outcome[] = ["ok", "blocked", "upstream_error", "rate_limited"];
    for (const outcome of outcomes) await recordCall(env.DB, call(day, outcome, { geminiKeyId: `key-${outcome}` }));
    await foldLedger(env.DB);
    const byKey = await env.DB.prepare("SELECT gemini_key_id, requests, errors, served FROM usage_daily WHERE day = ? ORDER BY gemini_key_id")
      .bind(day)
      .all();
    expect(byKey.results).toEqual([
      { gemini_key_id: "key-blocked", requests: 1, errors: 1, served: 1 },
      { gemini_key_id: "key-ok", requests: 1, errors: 0, served: 1 },
      { gemini_key_id: "key-rate_limited", requests: 1, errors: 1, served: 0 },
      { gemini_key_id: "key-upstream_error", requests: 1, errors: 1, served: 0 },
    ]);
    expect(await rowsOf("usage_daily_client", day)).toMatchObject([{ client_key_id: "client-a", requests: 4, errors: 3 }]);
    const byOutcome = await env.DB.prepare("SELECT outcome, requests FROM usage_daily_outcome WHERE day = ? ORDER BY outcome").bind(day).all();
    expect(byOutcome.results).toEqual(outcomes.toSorted().map((outcome) => ({ outcome, requests: 1 })));
  });

  it("files a call that reached no key under the empty key id, neither served nor free of error", async () => {
    const day = "2033-01-04";
    await recordCall(env.DB, call(day, "no_key", { geminiKeyId: null, tokens: { promptTokens: 0, completionTokens: 0, thoughtTokens: 0, cachedTokens: 0, totalTokens: 0 } }));
    await foldLedger(env.DB);
    expect(await rowsOf("usage_daily", day)).toMatchObject([{ gemini_key_id: "", requests: 1, errors: 1, served: 0 }]);
    expect((await rowsOf("usage_calls", day))[0]).toMatchObject({ gemini_key_id: null, outcome: "no_key" });
  });

  it("folds the latency histogram next to the roll-ups: total always, time to first byte when known", async () => {
    const day = "2033-01-05";
    await recordCall(env.DB, call(day, "ok", { streamed: true, latencyMs: 40, ttfbMs: 12 }));
    await recordCall(env.DB, call(day, "ok", { latencyMs: 40, ttfbMs: null }));
    await foldLedger(env.DB);
    const { results } = await env.DB.prepare("SELECT metric, count FROM usage_latency WHERE day = ? ORDER BY metric").bind(day).all();
    expect(results).toEqual([
      { metric: "total", count: 2 },
      { metric: "ttfb", count: 1 },
    ]);
  });

  it("a call without media writes zeros; a figure a door got wrong (negative, not a number, a fraction) is stored whole and never below 0", async () => {
    const day = "2033-01-07";
    await recordCall(env.DB, call(day, "ok"));
    await recordCall(env.DB, call(day, "ok", { media: { images: -1, audioMs: Number.NaN, speechCharacters: 2.6, files: Infinity } }));
    const { results } = await env.DB.prepare("SELECT images, audio_ms, speech_characters, files, file_bytes FROM usage_calls WHERE day = ? ORDER BY id").bind(day).all();
    expect(results).toEqual([
      { images: 0, audio_ms: 0, speech_characters: 0, files: 0, file_bytes: 0 },
      { images: 0, audio_ms: 0, speech_characters: 3, files: 0, file_bytes: 0 },
    ]);
  });

  it("a call with every media figure still writes exactly one D1 row (columns, not rows)", async () => {
    let written: number | undefined;
    const counting = new Proxy(env.DB, {
      get(target, property) {
        if (property !== "prepare") return Reflect.get(target, property).bind?.(target) ?? Reflect.get(target, property);
        return (sql: string) => {
          const statement = target.prepare(sql);
          return {
            bind: (...values: unknown[]) => {
              const bound = statement.bind(...values);
              return { run: async () => { const result = await bound.run(); written = result.meta.rows_written; return result; } };
            },
          };
        };
      },
    }) as D1Database;
    await recordCall(counting, call("2033-01-08", "ok", { media: { images: 4, audioMs: 9_000, speechCharacters: 300, files: 2, fileBytes: 1_000_000 } }));
    expect(written).toBe(1);
  });

  it("recordCalls writes several rows in one batch, in order, answering their ids", async () => {
    const day = "2033-01-06";
    const ids = await recordCalls(env.DB, [call(day, "ok"), call(day, "rate_limited"), call(day, "ok")]);
    expect(ids).toHaveLength(3);
    expect(ids[1]).toBe(ids[0]! + 1);
    expect(ids[2]).toBe(ids[0]! + 2);
    await foldLedger(env.DB);
    expect(await rowsOf("usage_daily", day)).toMatchObject([{ requests: 3, served: 2, errors: 1 }]);
  });
});
