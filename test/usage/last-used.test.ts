import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LAST_USED_WINDOW_DAYS, lastUsedByClient } from "../../src/admin/last-used";
import { addDays } from "../../src/usage/days";
import { foldLedger } from "../../src/usage/fold";
import { pacificDay } from "../../src/util/pacific-day";
import { insertCalls, insertDaily } from "./rollups";

const NOW = Date.parse("2036-05-20T18:00:00Z");
const TODAY = pacificDay(NOW);

describe("lastUsedByClient", () => {
  it("takes the newest call from the tail and from the folded roll-ups alike, before and after a fold", async () => {
    await insertCalls([
      { day: addDays(TODAY, -3), ts: NOW - 3 * 86_400_000, client: "a" },
      { day: addDays(TODAY, -1), ts: NOW - 86_400_000, client: "a" },
      { day: TODAY, ts: NOW - 60_000, client: "b" },
    ]);
    const before = await lastUsedByClient(env.DB, ["a", "b", "never"], NOW);
    expect(Object.fromEntries(before)).toEqual({ a: NOW - 86_400_000, b: NOW - 60_000 });
    await foldLedger(env.DB, NOW);
    expect(await lastUsedByClient(env.DB, ["a", "b", "never"], NOW)).toEqual(before);
    // A newer call in the tail beats the folded last_ts.
    await insertCalls([{ day: TODAY, ts: NOW - 1_000, client: "a" }]);
    expect((await lastUsedByClient(env.DB, ["a"], NOW)).get("a")).toBe(NOW - 1_000);
  });

  it("looks back LAST_USED_WINDOW_DAYS Pacific days in the roll-ups, and ignores rows without a time", async () => {
    const old = addDays(TODAY, -LAST_USED_WINDOW_DAYS);
    const edge = addDays(TODAY, 1 - LAST_USED_WINDOW_DAYS);
    await insertDaily([
      { day: old, client: "too-old", requests: 1 },
      { day: edge, client: "edge", requests: 1 },
      { day: TODAY, client: "before-last-ts", requests: 1 }, // folded by the trigger era: last_ts 0
    ]);
    await env.DB.prepare("UPDATE usage_daily_client SET last_ts = ? WHERE client_key_id IN ('too-old', 'edge')").bind(12345).run();
    const found = await lastUsedByClient(env.DB, ["too-old", "edge", "before-last-ts"], NOW);
    expect(Object.fromEntries(found)).toEqual({ edge: 12345 });
    expect(await lastUsedByClient(env.DB, [], NOW)).toEqual(new Map());
  });
});
