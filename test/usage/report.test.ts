import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { foldLedger } from "../../src/usage/fold";
import {
  SERIES_GROUPS,
  SERIES_METRICS,
  TOTALS_GROUPS,
  latencyPercentiles,
  usageSeries,
  usageTotals,
  usageTotalsCsv,
} from "../../src/usage/report";
import { foldedThrough, insertCalls, insertDaily, insertLatency } from "./rollups";

// Each test writes its own days (storage is shared by the tests of a file). Roll-up rows are
// written directly (insertDaily: calls already folded); ledger rows with insertCalls are the
// unfolded tail until a test folds them.

/** By day, key and model the rows carry media figures: none in these tests' calls. */
const NO_MEDIA = { images: 0, audioMs: 0, speechCharacters: 0, files: 0, fileBytes: 0 };

describe("usageTotals", () => {
  const range = { from: "2031-01-01", to: "2031-01-03" };
  beforeAll(() =>
    insertDaily([
      { day: "2031-01-01", key: "k1", model: "flash", client: "c1", requests: 10, promptTokens: 100, completionTokens: 50, thoughtTokens: 5, cachedTokens: 20, totalTokens: 155, latencyMsSum: 1000 },
      { day: "2031-01-01", key: "k2", model: "pro", client: "c1", requests: 4, promptTokens: 40, completionTokens: 8, totalTokens: 48, latencyMsSum: 2002 },
      { day: "2031-01-01", key: "k2", model: "pro", client: "c2", outcome: "upstream_error", requests: 3, latencyMsSum: 300 },
      { day: "2031-01-03", key: "", model: "flash", client: "c2", outcome: "no_key", requests: 2, latencyMsSum: 10 },
      { day: "2031-01-03", key: "k1", model: "flash", client: "c2", outcome: "rate_limited", requests: 1, latencyMsSum: 5 },
      { day: "2031-01-03", key: "k1", model: "flash", client: "c2", requests: 6, promptTokens: 60, completionTokens: 6, totalTokens: 66, latencyMsSum: 600 },
      // Outside the range on both sides: must not be counted.
      { day: "2030-12-31", key: "k1", model: "flash", client: "c1", requests: 1000 },
      { day: "2031-01-04", key: "k1", model: "flash", client: "c1", requests: 1000 },
    ]),
  );

  it("groups by day, listing idle days as zero", async () => {
    expect(await usageTotals(env.DB, range, "day")).toEqual([
      { group: "2031-01-01", requests: 17, errors: 3, promptTokens: 140, completionTokens: 58, thoughtTokens: 5, cachedTokens: 20, totalTokens: 203, avgLatencyMs: 194, ...NO_MEDIA },
      { group: "2031-01-02", requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, thoughtTokens: 0, cachedTokens: 0, totalTokens: 0, avgLatencyMs: null, ...NO_MEDIA },
      { group: "2031-01-03", requests: 9, errors: 3, promptTokens: 60, completionTokens: 6, thoughtTokens: 0, cachedTokens: 0, totalTokens: 66, avgLatencyMs: 68, ...NO_MEDIA },
    ]);
  });

  it("groups by key, with '' for calls that reached no key, most requests first", async () => {
    const rows = await usageTotals(env.DB, range, "key");
    expect(rows.map((row) => [row.group, row.requests, row.errors, row.totalTokens, row.avgLatencyMs])).toEqual([
      ["k1", 17, 1, 221, 94], // (1000 + 5 + 600) / 17 = 94.4
      ["k2", 7, 3, 48, 329], // (2002 + 300) / 7 = 328.9
      ["", 2, 2, 0, 5],
    ]);
  });

  it("groups by model, client and outcome", async () => {
    const pairs = async (by: "model" | "client" | "outcome") =>
      (await usageTotals(env.DB, range, by)).map((row) => [row.group, row.requests, row.errors]);
    expect(await pairs("model")).toEqual([
      ["flash", 19, 3],
      ["pro", 7, 3],
    ]);
    expect(await pairs("client")).toEqual([
      ["c1", 14, 0],
      ["c2", 12, 6],
    ]);
    expect(await pairs("outcome")).toEqual([
      ["ok", 20, 0],
      ["upstream_error", 3, 3],
      ["no_key", 2, 2],
      ["rate_limited", 1, 1],
    ]);
  });

  it("returns nothing for a range without data (by day: zeros)", async () => {
    expect(await usageTotals(env.DB, { from: "2031-02-01", to: "2031-02-02" }, "model")).toEqual([]);
    const days = await usageTotals(env.DB, { from: "2031-02-01", to: "2031-02-02" }, "day");
    expect(days.map((row) => [row.group, row.requests, row.avgLatencyMs])).toEqual([
      ["2031-02-01", 0, null],
      ["2031-02-02", 0, null],
    ]);
  });
});

describe("usageSeries", () => {
  const range = { from: "2031-03-01", to: "2031-03-04" };
  beforeAll(() =>
    insertDaily([
      { day: "2031-03-01", key: "k1", model: "flash", requests: 5, totalTokens: 500 },
      { day: "2031-03-01", key: "k2", model: "flash", outcome: "timeout", requests: 2, totalTokens: 0 },
      { day: "2031-03-03", key: "k1", model: "pro", requests: 1, totalTokens: 1000 },
      { day: "2031-03-04", key: "k2", model: "pro", client: "c2", requests: 7, totalTokens: 70 },
      { day: "2031-03-04", key: "k2", model: "pro", client: "c2", outcome: "blocked", requests: 1, totalTokens: 9 },
      { day: "2031-03-05", key: "k1", model: "flash", requests: 99, totalTokens: 99 },
    ]),
  );

  it("zero-fills every day of the range for each model", async () => {
    expect(await usageSeries(env.DB, range, "model", "requests")).toEqual({
      days: ["2031-03-01", "2031-03-02", "2031-03-03", "2031-03-04"],
      series: [
        { name: "pro", values: [0, 0, 1, 8] },
        { name: "flash", values: [7, 0, 0, 0] },
      ],
    });
  });

  it("sums total tokens per key", async () => {
    expect((await usageSeries(env.DB, range, "key", "tokens")).series).toEqual([
      { name: "k1", values: [500, 0, 1000, 0] },
      { name: "k2", values: [0, 0, 0, 79] },
    ]);
  });

  it("counts errors only, and lists only groups that had one", async () => {
    expect((await usageSeries(env.DB, range, "outcome", "errors")).series).toEqual([
      { name: "timeout", values: [2, 0, 0, 0] },
      { name: "blocked", values: [0, 0, 0, 1] },
    ]);
    expect((await usageSeries(env.DB, range, "client", "errors")).series).toEqual([
      { name: "c1", values: [2, 0, 0, 0] },
      { name: "c2", values: [0, 0, 0, 1] },
    ]);
  });

  it("has days but no series where there is no data", async () => {
    expect(await usageSeries(env.DB, { from: "2031-04-01", to: "2031-04-02" }, "model", "requests")).toEqual({
      days: ["2031-04-01", "2031-04-02"],
      series: [],
    });
  });
});

describe("latencyPercentiles", () => {
  const range = { from: "2031-05-01", to: "2031-05-03" };
  beforeAll(async () => {
    // flash, 05-01: 20 in (0,10], 60 in (34,51], 20 in (256,384].
    await insertLatency("2031-05-01", "flash", "total", { 0: 20, 4: 60, 9: 20 });
    // pro, 05-01: 100 in (51,76]; merged with flash: 200 calls.
    await insertLatency("2031-05-01", "pro", "total", { 5: 100 });
    await insertLatency("2031-05-01", "flash", "ttfb", { 2: 10, 3: 10 });
    // 05-02: no data. 05-03: total only.
    await insertLatency("2031-05-03", "flash", "total", { 6: 1 });
  });

  it("estimates p50 and p95 per day over all models, null where empty", async () => {
    expect(await latencyPercentiles(env.DB, range)).toEqual({
      days: ["2031-05-01", "2031-05-02", "2031-05-03"],
      // All models on 05-01: b0 20, b4 60, b5 100, b9 20 (200). p50 rank 100: b5 holds 81..180,
      // 51 + 25 * 20/100 = 56. p95 rank 190: b9 holds 181..200, 256 + 128 * 10/20 = 320.
      totalP50: [56, null, 95], // 05-03: one call in (76,114], 76 + 38 * 0.5 = 95
      totalP95: [320, null, 112], // 76 + 38 * 0.95 = 112.1
      // ttfb: b2 (15,23] 10, b3 (23,34] 10. p50 rank 10: 15 + 8 = 23. p95 rank 19: 23 + 11 * 9/10 = 32.9.
      ttfbP50: [23, null, null],
      ttfbP95: [33, null, null],
    });
  });

  it("filters one model", async () => {
    const flash = await latencyPercentiles(env.DB, range, "flash");
    expect(flash.totalP50).toEqual([43, null, 95]); // 34 + 17 * 30/60 = 42.5
    expect(flash.totalP95).toEqual([352, null, 112]); // 256 + 128 * 15/20
    const pro = await latencyPercentiles(env.DB, range, "pro");
    expect(pro.totalP50).toEqual([64, null, null]); // 51 + 25 * 0.5 = 63.5
    expect(pro.ttfbP50).toEqual([null, null, null]);
    const unknown = await latencyPercentiles(env.DB, range, "nope");
    expect(unknown.totalP95).toEqual([null, null, null]);
  });
});

describe("usageTotalsCsv", () => {
  it("writes a header named after the grouping and one line per group", () => {
    const csv = usageTotalsCsv("model", [
      { group: "=cmd|' /C calc'!A0", requests: 3, errors: 1, promptTokens: 4, completionTokens: 5, thoughtTokens: 6, cachedTokens: 7, totalTokens: 22, avgLatencyMs: null },
      { group: 'gemini "x", 2', requests: 1, errors: 0, promptTokens: 0, completionTokens: 0, thoughtTokens: 0, cachedTokens: 0, totalTokens: 0, avgLatencyMs: 12 },
    ]);
    expect(csv).toBe(
      "model,requests,errors,promptTokens,completionTokens,thoughtTokens,cachedTokens,totalTokens,avgLatencyMs,images,audioMs,speechCharacters,files,fileBytes\r\n" +
        "'=cmd|' /C calc'!A0,3,1,4,5,6,7,22,,0,0,0,0,0\r\n" +
        '"gemini ""x"", 2",1,0,0,0,0,0,0,12,0,0,0,0,0\r\n',
    );
  });
});

/** Every answer the usage routes can give over a range: each grouping, series, latency, CSV. */
async function everyAnswer(range: { from: string; to: string }) {
  const answers: Record<string, unknown> = {};
  for (const by of TOTALS_GROUPS) {
    const rows = await usageTotals(env.DB, range, by);
    answers[`totals ${by}`] = rows;
    answers[`csv ${by}`] = usageTotalsCsv(by, rows);
  }
  for (const by of SERIES_GROUPS) {
    for (const metric of SERIES_METRICS) answers[`series ${by} ${metric}`] = await usageSeries(env.DB, range, by, metric);
  }
  answers["latency"] = await latencyPercentiles(env.DB, range);
  answers["latency pro"] = await latencyPercentiles(env.DB, range, "pro");
  return answers;
}

describe("the unfolded tail of the ledger", () => {
  const range = { from: "2031-07-01", to: "2031-07-03" };
  beforeAll(async () => {
    // Folded before: 4 ok calls of 100 ms.
    await insertDaily([{ day: "2031-07-01", key: "k1", model: "flash", client: "c1", requests: 4, promptTokens: 40, totalTokens: 60, latencyMsSum: 400 }]);
    await insertLatency("2031-07-01", "flash", "total", { 6: 4 }); // (76,114]
    // Not folded yet.
    await insertCalls([
      { day: "2031-07-01", key: "k1", model: "flash", client: "c1", promptTokens: 10, totalTokens: 15, latencyMs: 100, ttfbMs: 20 },
      { day: "2031-07-01", key: null, model: "flash", client: "c2", outcome: "no_key", latencyMs: 5 },
      { day: "2031-07-03", key: "k2", model: "pro", client: "c2", outcome: "rate_limited", latencyMs: 300 },
      { day: "2031-07-03", key: "k2", model: "pro", client: "c1", promptTokens: 7, completionTokens: 3, thoughtTokens: 1, cachedTokens: 2, totalTokens: 11, latencyMs: 200, ttfbMs: 50 },
      // Outside the range on both sides.
      { day: "2031-06-30", key: "k1", model: "flash", client: "c1", totalTokens: 1000 },
      { day: "2031-07-04", key: "k1", model: "flash", client: "c1", totalTokens: 1000 },
    ]);
  });

  it("adds the tail's calls to every grouping of the totals", async () => {
    expect(await usageTotals(env.DB, range, "day")).toEqual([
      { group: "2031-07-01", requests: 6, errors: 1, promptTokens: 50, completionTokens: 0, thoughtTokens: 0, cachedTokens: 0, totalTokens: 75, avgLatencyMs: 84, ...NO_MEDIA }, // 505 / 6
      { group: "2031-07-02", requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, thoughtTokens: 0, cachedTokens: 0, totalTokens: 0, avgLatencyMs: null, ...NO_MEDIA },
      { group: "2031-07-03", requests: 2, errors: 1, promptTokens: 7, completionTokens: 3, thoughtTokens: 1, cachedTokens: 2, totalTokens: 11, avgLatencyMs: 250, ...NO_MEDIA },
    ]);
    const pairs = async (by: "key" | "model" | "client" | "outcome") =>
      (await usageTotals(env.DB, range, by)).map((row) => [row.group, row.requests, row.errors, row.totalTokens, row.avgLatencyMs]);
    // A tail call without a key groups under "", as the fold's coalesce(gemini_key_id, '').
    expect(await pairs("key")).toEqual([
      ["k1", 5, 0, 75, 100],
      ["k2", 2, 1, 11, 250],
      ["", 1, 1, 0, 5],
    ]);
    expect(await pairs("model")).toEqual([
      ["flash", 6, 1, 75, 84],
      ["pro", 2, 1, 11, 250],
    ]);
    expect(await pairs("client")).toEqual([
      ["c1", 6, 0, 86, 117], // (400 + 100 + 200) / 6 = 116.7
      ["c2", 2, 2, 0, 153], // (5 + 300) / 2 = 152.5
    ]);
    expect(await pairs("outcome")).toEqual([
      ["ok", 6, 0, 86, 117],
      ["no_key", 1, 1, 0, 5],
      ["rate_limited", 1, 1, 0, 300],
    ]);
  });

  it("adds the tail's calls to the daily series", async () => {
    expect(await usageSeries(env.DB, range, "model", "requests")).toEqual({
      days: ["2031-07-01", "2031-07-02", "2031-07-03"],
      series: [
        { name: "flash", values: [6, 0, 0] },
        { name: "pro", values: [0, 0, 2] },
      ],
    });
    expect((await usageSeries(env.DB, range, "key", "errors")).series).toEqual([
      { name: "", values: [1, 0, 0] },
      { name: "k2", values: [0, 0, 1] },
    ]);
    expect((await usageSeries(env.DB, range, "client", "tokens")).series).toEqual([
      { name: "c1", values: [75, 0, 11] },
      { name: "c2", values: [0, 0, 0] },
    ]);
    expect((await usageSeries(env.DB, range, "outcome", "errors")).series).toEqual([
      { name: "no_key", values: [1, 0, 0] },
      { name: "rate_limited", values: [0, 0, 1] },
    ]);
  });

  it("adds the tail's calls to the latency histogram (total, and ttfb where streamed)", async () => {
    expect(await latencyPercentiles(env.DB, range)).toEqual({
      days: ["2031-07-01", "2031-07-02", "2031-07-03"],
      // 07-01: b0 1 (the 5 ms no_key), b6 4 + 1. p50 rank 3: 76 + 38 * 2/5 = 91.2; p95 rank 5.7: 76 + 38 * 4.7/5.
      // 07-03: b8 (171,256] 1, b9 (256,384] 1. p50 rank 1: 256; p95 rank 1.9: 256 + 128 * 0.9.
      totalP50: [91, null, 256],
      totalP95: [112, null, 371],
      // 20 ms in (15,23]: 19 and 22.6; 50 ms in (34,51]: 42.5 and 50.15.
      ttfbP50: [19, null, 43],
      ttfbP95: [23, null, 50],
    });
    expect((await latencyPercentiles(env.DB, range, "pro")).totalP50).toEqual([null, null, 256]);
  });

  it("answers exactly the same after the tail is folded, and shows new calls at once", async () => {
    const before = await everyAnswer(range);
    const report = await foldLedger(env.DB, Date.parse("2031-07-04T00:00:00Z"));
    expect(report.rows).toBeGreaterThanOrEqual(6);
    const after = await everyAnswer(range);
    expect(after).toEqual(before);
    // Nothing left in the tail; a second fold finds nothing and changes nothing.
    expect((await foldLedger(env.DB)).rows).toBe(0);
    expect(await everyAnswer(range)).toEqual(before);

    // A call recorded after the fold is in the charts before the next one.
    const [id] = await insertCalls([{ day: "2031-07-02", key: "k3", model: "flash", client: "c3", totalTokens: 9, latencyMs: 40 }]);
    expect(id).toBeGreaterThan(await foldedThrough());
    const days = await usageTotals(env.DB, range, "day");
    expect(days.map((row) => row.requests)).toEqual([6, 1, 2]);
    expect((await usageTotals(env.DB, range, "client")).find((row) => row.group === "c3")).toMatchObject({ requests: 1, totalTokens: 9 });
    expect((await latencyPercentiles(env.DB, range)).totalP50[1]).toBe(43); // 40 ms in (34,51]: 42.5
    const withNewCall = await everyAnswer(range);
    await foldLedger(env.DB);
    expect(await everyAnswer(range)).toEqual(withNewCall);
  });
});
