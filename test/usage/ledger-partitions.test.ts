// Raw retention by whole tables: rotating the folded ledger to a partition and dropping old
// partitions costs no D1 row written per call (a DELETE costs one per row), keeps ids growing,
// and loses no call from the roll-ups or the counts.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { countDay } from "../../src/pool/count-day";
import { foldLedger, foldPosition } from "../../src/usage/fold";
import { dropPartitions, rotateLedger } from "../../src/usage/ledger-partitions";
import { recordCall, type CallRecord } from "../../src/usage/record";
import { ledgerCall } from "../helpers/ledger";

const DAY_MS = 86_400_000;
const START = Date.parse("2034-02-01T18:00:00.000Z");

function call(ts: number, day: string): CallRecord {
  return ledgerCall({
    ts,
    day,
    clientKeyId: "client-p",
    geminiKeyId: "key-p",
    tokens: { promptTokens: 1, completionTokens: 1, thoughtTokens: 0, cachedTokens: 0, totalTokens: 2 },
  });
}

const count = async (table: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM \`${table}\``).first<{ n: number }>())!.n;
const requestsOn = async (day: string) =>
  (await env.DB.prepare("SELECT coalesce(sum(requests), 0) AS n FROM usage_daily WHERE day = ?").bind(day).first<{ n: number }>())!.n;

beforeEach(async () => {
  for (const { name } of (await env.DB.prepare("SELECT name FROM ledger_partitions").all<{ name: string }>()).results) {
    await env.DB.prepare(`DROP TABLE IF EXISTS \`${name}\``).run();
  }
  await env.DB.prepare("DELETE FROM ledger_partitions").run();
});

describe("ledger rotation", () => {
  it("moves the folded week to a partition, folds what was left, keeps ids growing and the counts exact", async () => {
    const day = "2034-02-01";
    for (let i = 0; i < 20; i++) await recordCall(env.DB, call(START + i * 1000, day));
    await foldLedger(env.DB, START + 60_000);
    for (let i = 0; i < 5; i++) await recordCall(env.DB, call(START + 120_000 + i, day)); // an unfolded tail
    const before = await countDay(env.DB, day);
    const newest = (await foldPosition(env.DB)).newest;

    const name = await rotateLedger(env.DB, START + 8 * DAY_MS);
    expect(name).toMatch(/^usage_calls_\d{12}$/);
    // The tail was folded in the same transaction: all 25 calls are in the roll-ups.
    expect(await requestsOn(day)).toBe(25);
    expect(await foldPosition(env.DB)).toMatchObject({ through: newest, newest });
    // The live ledger holds one marker row with the last id; the next call gets the next id.
    expect(await count("usage_calls")).toBe(1);
    const id = await recordCall(env.DB, call(START + 8 * DAY_MS, "2034-02-09"));
    expect(id).toBe(newest + 1);
    // The day's counts are the same from the roll-ups.
    expect((await countDay(env.DB, day)).keys).toEqual(before.keys);
    expect(await count(name!)).toBeGreaterThanOrEqual(25);
  });

  it("does not rotate a young ledger", async () => {
    await recordCall(env.DB, call(START + 10 * DAY_MS, "2034-02-11"));
    expect(await rotateLedger(env.DB, START + 11 * DAY_MS)).toBeNull();
  });

  it("drops partitions past the retention with no row written per call, and the oldest while over size", async () => {
    for (let week = 0; week < 3; week++) {
      const base = START + 20 * DAY_MS + week * 8 * DAY_MS;
      for (let i = 0; i < 50; i++) await recordCall(env.DB, call(base + i, "2034-02-21"));
      expect(await rotateLedger(env.DB, base + 8 * DAY_MS - 1)).not.toBeNull();
    }
    const partitions = (await env.DB.prepare("SELECT name, last_ts AS lastTs FROM ledger_partitions ORDER BY first_id").all<{ name: string; lastTs: number }>()).results;
    expect(partitions).toHaveLength(3);
    // Past the retention: the first partition only.
    const byAge = await dropPartitions(env.DB, { beforeTs: partitions[1]!.lastTs - 1, maxBytes: Number.MAX_SAFE_INTEGER });
    expect(byAge.dropped).toEqual([partitions[0]!.name]);
    const tables = (await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'usage_calls_%'").all<{ name: string }>()).results;
    expect(tables.map((t) => t.name)).not.toContain(partitions[0]!.name);
    // Over size (a limit of 1 byte): every partition goes, the live ledger stays.
    const bySize = await dropPartitions(env.DB, { beforeTs: 0, maxBytes: 1 });
    expect(bySize.dropped).toEqual([partitions[1]!.name, partitions[2]!.name]);
    expect(await count("usage_calls")).toBeGreaterThanOrEqual(1);
  });

  it("a drop writes no row per call it removes (a DELETE writes one each)", async () => {
    const base = START + 60 * DAY_MS;
    for (let i = 0; i < 200; i++) await recordCall(env.DB, call(base + i, "2034-04-02"));
    const name = await rotateLedger(env.DB, base + 8 * DAY_MS);
    const drop = await env.DB.prepare(`DROP TABLE \`${name}\``).run();
    console.log(`DROP TABLE of a 200-row partition: rows_written ${drop.meta.rows_written}`);
    expect(drop.meta.rows_written).toBeLessThan(200);
    await env.DB.prepare("DELETE FROM ledger_partitions WHERE name = ?").bind(name).run();
  });
});
