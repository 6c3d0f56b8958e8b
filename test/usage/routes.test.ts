import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import { usageRoutes } from "../../src/admin/usage-routes";
import { foldLedger } from "../../src/usage/fold";
import { insertCalls, insertDaily, insertLatency } from "./rollups";

const app = new Hono().route("/api/admin", usageRoutes);

const get = (path: string) => app.request(`http://panel.test/api/admin${path}`, {}, env);

function pacificToday(): string {
  return new Date().toLocaleDateString("en-CA", { timeZone: "America/Los_Angeles" });
}

function daysBefore(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
}

beforeAll(async () => {
  await insertDaily([
    { day: "2032-06-01", key: "k1", model: "flash", client: "c1", requests: 8, promptTokens: 80, completionTokens: 16, thoughtTokens: 4, cachedTokens: 2, totalTokens: 100, latencyMsSum: 800, media: { images: 3, audioMs: 61_000, speechCharacters: 70, files: 1, fileBytes: 512 } },
    { day: "2032-06-01", key: "k2", model: "=HYPERLINK(\"http://x\")", client: "c1", outcome: "upstream_error", requests: 2, latencyMsSum: 100 },
    { day: "2032-06-03", key: "k2", model: "flash, \"lite\"", client: "c2", requests: 5, totalTokens: 50, latencyMsSum: 250 },
  ]);
  await insertLatency("2032-06-01", "flash", "total", { 4: 10 });
  await insertLatency("2032-06-01", "flash", "ttfb", { 1: 10 });
  await insertLatency("2032-06-03", "other", "total", { 9: 1 });
});

describe("GET /usage", () => {
  it("answers the grouped totals with the resolved range", async () => {
    const res = await get("/usage?from=2032-06-01&to=2032-06-03&by=key");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      from: "2032-06-01",
      to: "2032-06-03",
      by: "key",
      rows: [
        { group: "k1", requests: 8, errors: 0, promptTokens: 80, completionTokens: 16, thoughtTokens: 4, cachedTokens: 2, totalTokens: 100, avgLatencyMs: 100, images: 3, audioMs: 61_000, speechCharacters: 70, files: 1, fileBytes: 512 },
        { group: "k2", requests: 7, errors: 2, promptTokens: 0, completionTokens: 0, thoughtTokens: 0, cachedTokens: 0, totalTokens: 50, avgLatencyMs: 50, images: 0, audioMs: 0, speechCharacters: 0, files: 0, fileBytes: 0 },
      ],
    });
  });

  it("groups by day by default, zero-filling idle days", async () => {
    const body = await (await get("/usage?from=2032-06-01&to=2032-06-03")).json<{ by: string; rows: { group: string; requests: number }[] }>();
    expect(body.by).toBe("day");
    expect(body.rows.map((row) => [row.group, row.requests])).toEqual([
      ["2032-06-01", 10],
      ["2032-06-02", 0],
      ["2032-06-03", 5],
    ]);
  });

  it("defaults to the last 7 Pacific days ending today", async () => {
    const today = pacificToday();
    const body = await (await get("/usage")).json<{ from: string; to: string; rows: unknown[] }>();
    expect(body).toMatchObject({ from: daysBefore(today, 6), to: today });
    expect(body.rows).toHaveLength(7);
  });

  it("fills a missing from with the 6 days before to", async () => {
    const body = await (await get("/usage?to=2032-06-03&by=model")).json<{ from: string; to: string }>();
    expect([body.from, body.to]).toEqual(["2032-05-28", "2032-06-03"]);
  });
});

describe("GET /usage/series", () => {
  it("answers zero-filled daily series", async () => {
    const res = await get("/usage/series?from=2032-06-01&to=2032-06-03&by=key&metric=tokens");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      days: ["2032-06-01", "2032-06-02", "2032-06-03"],
      series: [
        { name: "k1", values: [100, 0, 0] },
        { name: "k2", values: [0, 0, 50] },
      ],
    });
  });

  it("defaults to requests by model", async () => {
    const body = await (await get("/usage/series?from=2032-06-01&to=2032-06-02")).json<{ series: unknown[] }>();
    expect(body.series).toEqual([
      { name: "flash", values: [8, 0] },
      { name: '=HYPERLINK("http://x")', values: [2, 0] },
    ]);
  });

  it("counts errors by outcome", async () => {
    const body = await (await get("/usage/series?from=2032-06-01&to=2032-06-03&by=outcome&metric=errors")).json();
    expect(body).toEqual({
      days: ["2032-06-01", "2032-06-02", "2032-06-03"],
      series: [{ name: "upstream_error", values: [2, 0, 0] }],
    });
  });
});

describe("GET /usage/latency", () => {
  it("answers p50/p95 per day for total and ttfb", async () => {
    const res = await get("/usage/latency?from=2032-06-01&to=2032-06-03");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      days: ["2032-06-01", "2032-06-02", "2032-06-03"],
      totalP50: [43, null, 320], // (34,51]: 34 + 17 * 0.5 = 42.5; (256,384]: 256 + 128 * 0.5
      totalP95: [50, null, 378], // 34 + 17 * 0.95 = 50.15; 256 + 128 * 0.95 = 377.6
      ttfbP50: [13, null, null], // (10,15]: 10 + 5 * 0.5 = 12.5
      ttfbP95: [15, null, null], // 10 + 5 * 0.95 = 14.75
    });
  });

  it("filters by model", async () => {
    const body = await (await get("/usage/latency?from=2032-06-01&to=2032-06-03&model=other")).json<{ totalP50: unknown[]; ttfbP50: unknown[] }>();
    expect(body.totalP50).toEqual([null, null, 320]);
    expect(body.ttfbP50).toEqual([null, null, null]);
  });
});

describe("GET /usage/export.csv", () => {
  it("downloads the grouped totals as escaped, formula-safe CSV", async () => {
    const res = await get("/usage/export.csv?from=2032-06-01&to=2032-06-03&by=model");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="usage-2032-06-01-2032-06-03-model.csv"');
    expect(await res.text()).toBe(
      [
        "model,requests,errors,promptTokens,completionTokens,thoughtTokens,cachedTokens,totalTokens,avgLatencyMs,images,audioMs,speechCharacters,files,fileBytes",
        "flash,8,0,80,16,4,2,100,100,3,61000,70,1,512",
        '"flash, ""lite""",5,0,0,0,0,0,50,50,0,0,0,0,0',
        `"'=HYPERLINK(""http://x"")",2,2,0,0,0,0,0,50,0,0,0,0,0`,
        "",
      ].join("\r\n"),
    );
  });
});

describe("the unfolded tail", () => {
  const paths = [
    "/usage?from=2032-07-01&to=2032-07-02&by=day",
    "/usage?from=2032-07-01&to=2032-07-02&by=key",
    "/usage?from=2032-07-01&to=2032-07-02&by=client",
    "/usage/series?from=2032-07-01&to=2032-07-02&by=outcome&metric=requests",
    "/usage/latency?from=2032-07-01&to=2032-07-02",
    "/usage/export.csv?from=2032-07-01&to=2032-07-02&by=model",
  ];
  const answers = async () => Promise.all(paths.map(async (path) => (await get(path)).text()));

  it("shows a call as soon as its ledger row is written, and the same after the fold", async () => {
    await insertDaily([{ day: "2032-07-01", key: "k1", model: "flash", client: "c1", requests: 3, totalTokens: 30, latencyMsSum: 300 }]);
    await insertCalls([{ day: "2032-07-02", key: "k9", model: "flash", client: "c9", outcome: "timeout", totalTokens: 0, latencyMs: 60_000, media: { audioMs: 4_000 } }]);
    const body = await (await get(paths[0]!)).json<{ rows: { group: string; requests: number; errors: number }[] }>();
    expect(body.rows.map((row) => [row.group, row.requests, row.errors])).toEqual([
      ["2032-07-01", 3, 0],
      ["2032-07-02", 1, 1],
    ]);
    expect(await (await get(paths[1]!)).json()).toMatchObject({ rows: [{ group: "k1", requests: 3, audioMs: 0 }, { group: "k9", requests: 1, errors: 1, audioMs: 4_000 }] });
    expect(await (await get(paths[3]!)).json()).toEqual({
      days: ["2032-07-01", "2032-07-02"],
      series: [
        { name: "ok", values: [3, 0] },
        { name: "timeout", values: [0, 1] },
      ],
    });
    expect((await (await get(paths[4]!)).json<{ totalP50: unknown[] }>()).totalP50[1]).not.toBeNull();
    const before = await answers();
    await foldLedger(env.DB);
    expect(await answers()).toEqual(before);
  });
});

describe("validation", () => {
  const cases: [string, string][] = [
    ["/usage?from=2031-02-29&to=2031-03-01", "from"], // 2031 is not a leap year
    ["/usage?from=2032-6-01&to=2032-06-03", "from"],
    ["/usage?from=2032-06-01&to=2032-06-31", "to"],
    ["/usage?from=yesterday", "from"],
    ["/usage?from=2032-06-03&to=2032-06-01", "from: must not be after to"],
    ["/usage?from=2031-04-30&to=2032-06-03", "at most 400 days"], // 401 days
    ["/usage?from=2032-06-01&to=2032-06-03&by=week", "by"],
    ["/usage?from=2032-06-01&from=2032-06-02", "from"],
    ["/usage/series?from=2032-06-01&to=2032-06-03&by=day", "by"],
    ["/usage/series?from=2032-06-01&to=2032-06-03&metric=cost", "metric"],
    ["/usage/latency?from=2032-06-01&to=2032-06-03&model=", "model"],
    ["/usage/export.csv?from=2032-06-01&to=2032-06-03&by=%3DSUM(A1)", "by"],
  ];

  for (const [path, mentions] of cases) {
    it(`rejects ${path} with 400 invalid_request`, async () => {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const body = await res.json<{ error: { message: string; code: string } }>();
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.message).toContain(mentions);
    });
  }

  it("accepts a range of exactly 400 days", async () => {
    const res = await get("/usage?from=2031-05-01&to=2032-06-03&by=model"); // 2032 is a leap year
    expect(res.status).toBe(200);
  });
});
