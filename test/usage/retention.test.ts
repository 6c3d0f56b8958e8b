import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { foldLedger } from "../../src/usage/fold";
import { pruneLedger } from "../../src/usage/retention";

// Real local D1. Each test starts from an empty ledger with the fold cursor at 0.

const DAY_MS = 86_400_000;
const START = Date.parse("2035-03-01T00:00:00Z");

/** Writes `count` ledger rows, one every `spacingMs` from `firstTs`, each about 400 bytes. */
async function fill(count: number, firstTs: number, spacingMs: number): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO usage_calls (ts, day, client_key_id, gemini_key_id, model, category, endpoint, streamed, status,
       outcome, served, attempts, latency_ms, latency_bucket, error_code)
     WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
     SELECT ?2 + i * ?3, date((?2 + i * ?3) / 1000, 'unixepoch'), 'client-a', 'key-a', 'gemini-2.5-flash', 'flash',
       'chat', 0, 200, 'ok', 1, 1, 100, 6, hex(randomblob(190)) FROM n`,
  )
    .bind(count, firstTs, spacingMs)
    .run();
}

async function ledger(): Promise<{ rows: number; first: number | null; last: number | null; oldestTs: number | null }> {
  const row = await env.DB.prepare(
    "SELECT count(*) AS rows, min(id) AS first, max(id) AS last, (SELECT ts FROM usage_calls ORDER BY id LIMIT 1) AS oldestTs FROM usage_calls",
  ).first<{ rows: number; first: number | null; last: number | null; oldestTs: number | null }>();
  return row!;
}

async function setCursor(through: number): Promise<void> {
  await env.DB.prepare("UPDATE usage_fold SET through = ? WHERE id = 1").bind(through).run();
}

async function databaseBytes(): Promise<number> {
  return (await env.DB.prepare("SELECT 1").run()).meta.size_after ?? 0;
}

beforeEach(async () => {
  await env.DB.batch([
    env.DB.prepare("DELETE FROM usage_calls"),
    env.DB.prepare("DELETE FROM usage_daily"),
    env.DB.prepare("DELETE FROM usage_daily_client"),
    env.DB.prepare("DELETE FROM usage_daily_outcome"),
    env.DB.prepare("DELETE FROM usage_latency"),
    env.DB.prepare("UPDATE usage_fold SET through = 0 WHERE id = 1"),
  ]);
});

describe("pruneLedger by age", () => {
  it("deletes the folded rows older than the retention, keeps the younger and the roll-ups", async () => {
    await fill(100, START, DAY_MS / 10); // 10 days, 10 rows a day
    await foldLedger(env.DB, START + 11 * DAY_MS);
    const rollUpsBefore = await env.DB.prepare("SELECT sum(requests) AS n FROM usage_daily").first<{ n: number }>();

    const report = await pruneLedger(env.DB, { beforeTs: START + 4 * DAY_MS, maxBytes: 1e12 });
    expect(report).toMatchObject({ deleted: 40, overSize: false });
    expect(report.rowsWritten).toBe(40); // D1 counts a deleted row as a row written
    expect(report.bytes).toBeGreaterThan(0);
    const left = await ledger();
    expect(left.rows).toBe(60);
    expect(left.oldestTs).toBe(START + 4 * DAY_MS);
    expect(await env.DB.prepare("SELECT sum(requests) AS n FROM usage_daily").first<{ n: number }>()).toEqual(rollUpsBefore);
    // Nothing more to do: one statement, nothing deleted.
    expect(await pruneLedger(env.DB, { beforeTs: START + 4 * DAY_MS, maxBytes: 1e12 })).toMatchObject({ deleted: 0, statements: 1 });
  });

  it("cuts by id: a late row among old ones keeps everything after it", async () => {
    await fill(10, START, 1000);
    // Row 6 arrived late in ts order (a long call that started after the cut).
    await env.DB.prepare("UPDATE usage_calls SET ts = ? WHERE id = 6").bind(START + DAY_MS).run();
    await setCursor(10);
    expect((await pruneLedger(env.DB, { beforeTs: START + 3600_000, maxBytes: 1e12 })).deleted).toBe(5);
    expect((await ledger()).first).toBe(6);
  });

  it("walks a long backlog in chunks, within the statement budget, and the next run goes on", async () => {
    await fill(1_000, START, 1000);
    await setCursor(1_000);
    const first = await pruneLedger(env.DB, { beforeTs: START + 2 * DAY_MS, maxBytes: 1e12, chunkRows: 100, maxStatements: 4 });
    expect(first).toMatchObject({ deleted: 400, statements: 4 });
    const second = await pruneLedger(env.DB, { beforeTs: START + 2 * DAY_MS, maxBytes: 1e12, chunkRows: 100, maxStatements: 10 });
    // 5 full windows, then one of 99: the newest row always stays (an empty table would restart ids at 1).
    expect(second).toMatchObject({ deleted: 599, statements: 6 });
    expect((await ledger()).rows).toBe(1);
  });

  it("never deletes the unfolded tail, however old", async () => {
    await fill(50, START, 1000);
    await setCursor(20);
    const report = await pruneLedger(env.DB, { beforeTs: START + 100 * DAY_MS, maxBytes: 1e12 });
    expect(report.deleted).toBe(20);
    expect(await ledger()).toMatchObject({ rows: 30, first: 21, last: 50 });
  });
});

describe("pruneLedger by size", () => {
  it("deletes the oldest folded rows until the database is under maxBytes", async () => {
    await fill(12_000, START, 60_000); // about 8 days of young rows, about 5 MB
    await setCursor(12_000);
    const full = await databaseBytes();
    expect(full).toBeGreaterThan(4_000_000);
    const maxBytes = full - 2_000_000;

    const report = await pruneLedger(env.DB, { beforeTs: START, maxBytes, chunkRows: 1_000, maxStatements: 20 });
    expect(report.overSize).toBe(false);
    expect(report.bytes).toBeLessThanOrEqual(maxBytes);
    expect(report.bytes).toBe(await databaseBytes());
    // Each DELETE searches the rowid range it deletes (about 2 rows read per row deleted, D1's
    // count), never the rest of the folded ledger.
    expect(report.rowsRead).toBeLessThan(2 * report.deleted + 1_000);
    // Whole chunks of the oldest rows went, and no more than needed: one chunk fewer would not do.
    expect(report.deleted % 1_000).toBe(0);
    expect(report.deleted).toBeGreaterThanOrEqual(4_000);
    const left = await ledger();
    expect(left).toMatchObject({ rows: 12_000 - report.deleted, first: report.deleted + 1, last: 12_000 });
    const bytesPerRow = (full - report.bytes) / report.deleted;
    expect(full - (report.deleted - 1_000) * bytesPerRow).toBeGreaterThan(maxBytes);
  });

  it("keeps the tail even when the database stays over maxBytes, and says so", async () => {
    await fill(6_000, START, 60_000);
    await setCursor(2_000);
    const report = await pruneLedger(env.DB, { beforeTs: START, maxBytes: 10_000, chunkRows: 1_000, maxStatements: 20 });
    expect(report.deleted).toBe(2_000);
    expect(report.overSize).toBe(true);
    expect(report.bytes).toBeGreaterThan(10_000);
    expect(await ledger()).toMatchObject({ rows: 4_000, first: 2_001, last: 6_000 });
    expect(report.statements).toBeLessThan(20); // stopped when only the tail was left
  });

  it("stops at the statement budget and reports the size it reached", async () => {
    await fill(6_000, START, 60_000);
    await setCursor(6_000);
    const report = await pruneLedger(env.DB, { beforeTs: START, maxBytes: 10_000, chunkRows: 500, maxStatements: 3 });
    expect(report).toMatchObject({ deleted: 1_000, statements: 3, overSize: true });
    expect(report.bytes).toBe(await databaseBytes());
  });
});
