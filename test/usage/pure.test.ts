import { describe, expect, it } from "vitest";
import { toCsv } from "../../src/usage/csv";
import { addDays, countDays, listDays } from "../../src/usage/days";
import { LATENCY_BOUNDS, latencyBucket } from "../../src/usage/latency-buckets";
import { histogramQuantile } from "../../src/usage/percentile";

describe("days", () => {
  it("lists every day across month, leap day and year ends", () => {
    expect(listDays("2028-02-27", "2028-03-01")).toEqual(["2028-02-27", "2028-02-28", "2028-02-29", "2028-03-01"]);
    expect(listDays("2030-12-31", "2031-01-01")).toEqual(["2030-12-31", "2031-01-01"]);
    expect(listDays("2031-01-02", "2031-01-01")).toEqual([]);
    expect(countDays("2030-01-01", "2031-02-04")).toBe(400);
    expect(addDays("2031-03-01", -1)).toBe("2031-02-28");
  });
});

describe("histogramQuantile", () => {
  it("interpolates linearly inside the bucket that holds the rank", () => {
    // Buckets 0 (0,10], 4 (34,51], 9 (256,384].
    expect([LATENCY_BOUNDS[3], LATENCY_BOUNDS[4], LATENCY_BOUNDS[8], LATENCY_BOUNDS[9]]).toEqual([34, 51, 256, 384]);
    const counts = new Map([
      [0, 20],
      [4, 60],
      [9, 20],
    ]);
    expect(histogramQuantile(counts, 0.5)).toBeCloseTo(34 + (17 * 30) / 60, 9); // 42.5
    expect(histogramQuantile(counts, 0.95)).toBeCloseTo(256 + (128 * 15) / 20, 9); // 352
    expect(histogramQuantile(counts, 0.1)).toBeCloseTo(5, 9);
  });

  it("estimates a uniform distribution closely", () => {
    // 1..865 ms, where 865 is a bucket bound, so every bucket it touches is filled evenly.
    expect(LATENCY_BOUNDS[11]).toBe(865);
    const counts = new Map<number, number>();
    for (let ms = 1; ms <= 865; ms++) {
      const bucket = latencyBucket(ms);
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
    }
    expect(Math.abs(histogramQuantile(counts, 0.5)! - 432.5)).toBeLessThan(1);
    expect(Math.abs(histogramQuantile(counts, 0.95)! - 821.75)).toBeLessThan(1);
  });

  it("uses twice the last bound as the top of the overflow bucket", () => {
    const last = LATENCY_BOUNDS[LATENCY_BOUNDS.length - 1]!;
    const counts = new Map([[LATENCY_BOUNDS.length, 4]]);
    expect(histogramQuantile(counts, 0.5)).toBeCloseTo(last * 1.5, 6);
  });

  it("is null without observations", () => {
    expect(histogramQuantile(new Map(), 0.5)).toBeNull();
    expect(histogramQuantile(new Map([[3, 0]]), 0.95)).toBeNull();
  });
});

describe("toCsv", () => {
  it("quotes separators, quotes and line breaks, and neutralises formulas", () => {
    const csv = toCsv(
      ["name", "n"],
      [
        ['a,b "c"', 1],
        ["line\nbreak", 2],
        ["=HYPERLINK(\"x\")", 3],
        ["+1", 4],
        ["-2", 5],
        ["@SUM(A1)", 6],
        ["\tTAB", 7],
        ["plain", null],
        ["", 0],
      ],
    );
    expect(csv).toBe(
      [
        "name,n",
        '"a,b ""c""",1',
        '"line\nbreak",2',
        `"'=HYPERLINK(""x"")",3`,
        "'+1,4",
        "'-2,5",
        "'@SUM(A1),6",
        "'\tTAB,7",
        "plain,",
        ",0",
        "",
      ].join("\r\n"),
    );
  });
});
