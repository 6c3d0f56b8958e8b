#!/usr/bin/env node
// Benchmark (not a test) of the usage analytics queries over a local D1 holding 1,000,000
// synthetic calls over 90 days: the usage_calls ledger rows and the roll-ups they imply.
//
//   node scripts/bench-usage.mjs            build the database once (kept under .tmp/), then time
//   node scripts/bench-usage.mjs --rebuild  throw the stored database away first
//   node scripts/bench-usage.mjs --plans    also print SQLite's EXPLAIN QUERY PLAN per query
//
// The timed code is src/usage/report.ts itself, bundled by esbuild: each query is run through
// the same exported function the admin routes call (wall time in Node, including the hop to
// workerd), and the SQL that function's drizzle query produces is run once more as a prepared
// statement to read D1's meta (rows_read, and duration = time spent inside SQLite).

import { readFile, readdir, rm, mkdir } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";

const root = path.join(import.meta.dirname, "..");
const workDir = path.join(root, ".tmp/bench-usage");
const args = new Set(process.argv.slice(2));

// Keep wrangler's logs and metrics inside the work tree, and stay offline.
process.env.XDG_CONFIG_HOME ??= path.join(workDir, "xdg");
process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";

const CALLS = 1_000_000;
const DAYS = 90;
const FIRST_DAY = "2026-08-01"; // 90 days: 2026-08-01 .. 2026-10-29
const CHUNK = 100_000; // ledger rows per INSERT … SELECT statement
const RUNS = 9;
const BUDGET_MS = 50; // DESIGN §8: every analytics query, 90 days over 1,000,000 calls

const KEYS = 40;
// Weighted like a real panel: most traffic on the cheap flash models.
const MODELS = [
  ["gemini-2.5-flash", 45],
  ["gemini-2.5-flash-lite", 25],
  ["gemini-2.5-pro", 12],
  ["gemini-2.0-flash", 8],
  ["gemini-embedding-001", 6],
  ["gemini-3-pro-preview", 4],
];
const CLIENTS = [
  ["client-web", 40],
  ["client-ide", 25],
  ["client-bot", 15],
  ["client-batch", 12],
  ["client-test", 8],
];
// Per mille.
const OUTCOMES = [
  ["ok", 920],
  ["rate_limited", 40],
  ["upstream_error", 15],
  ["client_error", 10],
  ["timeout", 6],
  ["blocked", 4],
  ["no_key", 3],
  ["aborted", 2],
];

/** SQL CASE picking a label by cumulative weight from a uniform draw in [0, total). */
function weightedCase(draw, table) {
  let cumulative = 0;
  const arms = table.map(([label, weight]) => {
    cumulative += weight;
    return `WHEN ${draw} < ${cumulative} THEN '${label}'`;
  });
  return `CASE ${arms.join(" ")} END`;
}

/** SQL CASE mirroring latencyBucket() from src/usage/latency-buckets.ts. */
function bucketCase(column, bounds) {
  const arms = bounds.map((bound, i) => `WHEN ${column} <= ${bound} THEN ${i}`);
  return `CASE ${arms.join(" ")} ELSE ${bounds.length} END`;
}

async function bundleReport() {
  const { build } = await import("esbuild");
  const outfile = path.join(workDir, "report.mjs");
  await build({
    stdin: {
      contents: [
        'export * from "./src/usage/report.ts";',
        'export { LATENCY_BOUNDS, latencyBucket } from "./src/usage/latency-buckets.ts";',
        'export { recordCall } from "./src/usage/record.ts";',
      ].join("\n"),
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile,
    logLevel: "warning",
  });
  return import(outfile);
}

async function applyMigrations(db) {
  const dir = path.join(root, "drizzle");
  for (const file of (await readdir(dir)).filter((name) => name.endsWith(".sql")).sort()) {
    const statements = (await readFile(path.join(dir, file), "utf8"))
      .split("--> statement-breakpoint")
      .map((statement) => statement.trim())
      .filter(Boolean);
    await db.batch(statements.map((statement) => db.prepare(statement)));
  }
}

async function count(db, table) {
  return (await db.prepare(`SELECT count(*) AS n FROM ${table}`).first("n")) ?? 0;
}

async function tableExists(db, table) {
  const row = await db.prepare("SELECT 1 AS yes FROM sqlite_master WHERE type = 'table' AND name = ?").bind(table).first();
  return row !== null;
}

/** The ledger rows for calls [first, last], drawn inside SQLite so no row crosses the IPC. */
function ledgerInsert(first, last, bounds) {
  const perDay = Math.ceil(CALLS / DAYS);
  return `
INSERT INTO usage_calls (ts, day, client_key_id, gemini_key_id, model, category, endpoint, streamed,
  status, outcome, served, attempts, prompt_tokens, completion_tokens, thought_tokens, cached_tokens,
  total_tokens, latency_ms, ttfb_ms, latency_bucket, ttfb_bucket, error_code)
WITH RECURSIVE seq(n) AS (SELECT ${first} UNION ALL SELECT n + 1 FROM seq WHERE n < ${last}),
draws AS MATERIALIZED (
  SELECT n, n / ${perDay} AS day_index,
    abs(random()) % ${KEYS} AS key_draw, abs(random()) % 100 AS model_draw,
    abs(random()) % 100 AS client_draw, abs(random()) % 1000 AS outcome_draw,
    abs(random()) % 1000000 AS r1, abs(random()) % 1000000 AS r2, abs(random()) % 1000 AS tail,
    abs(random()) % 2 AS streamed
  FROM seq),
shaped AS MATERIALIZED (
  SELECT n, day_index, date('${FIRST_DAY}', '+' || day_index || ' days') AS day, key_draw, r1, r2, tail,
    ${weightedCase("model_draw", MODELS)} AS model,
    ${weightedCase("client_draw", CLIENTS)} AS client,
    ${weightedCase("outcome_draw", OUTCOMES)} AS outcome,
    streamed
  FROM draws),
priced AS MATERIALIZED (
  SELECT *,
    CASE WHEN outcome IN ('ok', 'blocked') THEN 200 + r1 % 3000 ELSE 0 END AS prompt,
    CASE WHEN outcome = 'ok' AND model NOT LIKE '%embedding%' THEN 20 + r2 % 900 ELSE 0 END AS completion,
    CASE WHEN outcome = 'ok' AND model LIKE '%pro%' THEN r2 % 1200 ELSE 0 END AS thought,
    CASE WHEN outcome = 'ok' AND r1 % 5 = 0 THEN r1 % 1500 ELSE 0 END AS cached,
    CASE outcome
      WHEN 'ok' THEN 250 + r1 % 2500 + CASE WHEN tail < 30 THEN r2 % 30000 ELSE 0 END
      WHEN 'rate_limited' THEN 20 + r1 % 300
      WHEN 'no_key' THEN 2 + r1 % 10
      WHEN 'timeout' THEN 60000 + r1 % 5000
      ELSE 80 + r1 % 1500
    END AS latency
  FROM shaped)
SELECT
  (unixepoch(day) + 7 * 3600) * 1000 + (n - day_index * ${perDay}) * 7776,
  day, client, CASE WHEN outcome = 'no_key' THEN NULL ELSE 'key-' || key_draw END, model,
  CASE WHEN model LIKE '%embedding%' THEN 'embedding' WHEN model LIKE '%pro%' THEN 'pro' ELSE 'flash' END,
  CASE WHEN model LIKE '%embedding%' THEN 'embeddings' ELSE 'chat' END,
  streamed,
  CASE outcome WHEN 'ok' THEN 200 WHEN 'blocked' THEN 200 WHEN 'rate_limited' THEN 429
    WHEN 'no_key' THEN 503 WHEN 'client_error' THEN 400 WHEN 'timeout' THEN 504
    WHEN 'aborted' THEN 499 ELSE 502 END,
  outcome, CASE WHEN outcome IN ('ok', 'blocked') THEN 1 ELSE 0 END,
  CASE WHEN outcome IN ('rate_limited', 'upstream_error') THEN 3 ELSE 1 END,
  prompt, completion, thought, cached, prompt + completion + thought,
  latency,
  CASE WHEN streamed = 1 AND outcome = 'ok' THEN min(latency, 120 + r2 % 1200) END,
  ${bucketCase("latency", bounds)},
  CASE WHEN streamed = 1 AND outcome = 'ok' THEN ${bucketCase("min(latency, 120 + r2 % 1200)", bounds)} END,
  CASE WHEN outcome = 'ok' THEN NULL ELSE outcome END
FROM priced`;
}

const ROLL_UPS = ["usage_daily", "usage_daily_client", "usage_daily_outcome"];
const TOKEN_SUMS = `sum(prompt_tokens), sum(completion_tokens), sum(thought_tokens), sum(cached_tokens),
  sum(total_tokens), sum(latency_ms)`;
const TOKEN_COLUMNS = "prompt_tokens, completion_tokens, thought_tokens, cached_tokens, total_tokens, latency_ms_sum";

/** The roll-ups the trigger (drizzle/0001) would have maintained for exactly these ledger rows. */
function rollupInserts(bounds) {
  return [
    `INSERT INTO usage_daily (day, gemini_key_id, model, requests, errors, served, ${TOKEN_COLUMNS})
     SELECT day, coalesce(gemini_key_id, ''), model, count(*), sum(outcome <> 'ok'), sum(outcome IN ('ok', 'blocked')),
       ${TOKEN_SUMS}
     FROM usage_calls GROUP BY 1, 2, 3`,
    `INSERT INTO usage_daily_client (day, client_key_id, model, requests, errors, ${TOKEN_COLUMNS})
     SELECT day, client_key_id, model, count(*), sum(outcome <> 'ok'), ${TOKEN_SUMS}
     FROM usage_calls GROUP BY 1, 2, 3`,
    `INSERT INTO usage_daily_outcome (day, model, outcome, requests, ${TOKEN_COLUMNS})
     SELECT day, model, outcome, count(*), ${TOKEN_SUMS}
     FROM usage_calls GROUP BY 1, 2, 3`,
    `INSERT INTO usage_latency (day, model, metric, bucket, count)
     SELECT day, model, 'total', ${bucketCase("latency_ms", bounds)}, count(*) FROM usage_calls GROUP BY 1, 2, 3, 4`,
    `INSERT INTO usage_latency (day, model, metric, bucket, count)
     SELECT day, model, 'ttfb', ${bucketCase("ttfb_ms", bounds)}, count(*) FROM usage_calls
     WHERE ttfb_ms IS NOT NULL GROUP BY 1, 2, 3, 4`,
  ];
}

/** Drops every table of ours, so a database left by an earlier schema is migrated from scratch. */
async function dropTables(db) {
  const { results } = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
    .all();
  for (const { name } of results) await db.exec(`DROP TABLE "${name}"`);
}

async function buildDatabase(db, report) {
  const started = performance.now();
  await dropTables(db);
  await applyMigrations(db);
  // The roll-up trigger would upsert 5 rows per ledger row; for the bulk load the roll-ups are
  // built from the ledger in one pass instead (the same sums), then the trigger is put back.
  const trigger = await db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'usage_calls_roll_up'").first("sql");
  await db.exec("DROP TRIGGER usage_calls_roll_up");
  for (let first = 0; first < CALLS; first += CHUNK) {
    await db.prepare(ledgerInsert(first, Math.min(first + CHUNK, CALLS) - 1, report.LATENCY_BOUNDS)).run();
    process.stdout.write(`\r  ledger: ${Math.min(first + CHUNK, CALLS).toLocaleString("en-US")} calls`);
  }
  process.stdout.write("\n");
  for (const statement of rollupInserts(report.LATENCY_BOUNDS)) await db.prepare(statement).run();
  await db.prepare(trigger).run();
  console.log(`  built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const SCRATCH_DAY = "2099-12-31"; // outside the benchmark's range; its rows are deleted after

/** D1 rows_written by recordCall (one INSERT; the trigger's roll-up rows count in it), for a call on a fresh day and an identical second one. */
async function printRowsWritten(db, report) {
  const written = [];
  const counting = new Proxy(db, {
    get(target, property) {
      if (property === "prepare") {
        return (query) => {
          const statement = target.prepare(query);
          return {
            bind: (...params) => {
              const bound = statement.bind(...params);
              return {
                run: async () => {
                  const result = await bound.run();
                  written.push(result.meta.rows_written);
                  return result;
                },
              };
            },
          };
        };
      }
      const value = target[property];
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const call = {
    ts: Date.parse(`${SCRATCH_DAY}T12:00:00Z`),
    day: SCRATCH_DAY,
    clientKeyId: "client-web",
    geminiKeyId: "key-0",
    model: "gemini-2.5-flash",
    category: "flash",
    endpoint: "chat",
    streamed: true,
    status: 200,
    outcome: "ok",
    served: true,
    attempts: 1,
    tokens: { promptTokens: 10, completionTokens: 5, thoughtTokens: 0, cachedTokens: 0, totalTokens: 15 },
    latencyMs: 400,
    ttfbMs: 120,
    errorCode: null,
  };
  try {
    await report.recordCall(counting, call);
    await report.recordCall(counting, call);
  } finally {
    for (const table of ["usage_calls", ...ROLL_UPS, "usage_latency"]) {
      await db.prepare(`DELETE FROM ${table} WHERE day = ?`).bind(SCRATCH_DAY).run();
    }
  }
  console.log("\nD1 rows_written by recordCall (a streamed call: ledger row + trigger's 3 roll-ups + 2 latency buckets):");
  console.log(`  first call of its day/key/client/model: ${written[0]}`);
  console.log(`  the same again (every upsert updates): ${written[1]}`);
}

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function measure(db, query) {
  await query.run(); // warm-up: page cache and statement compilation
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await query.run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const { sql, params } = query.sql().toSQL();
  const { meta, results } = await db.prepare(sql).bind(...params).all();
  let plan;
  if (args.has("--plans")) {
    const explained = await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all();
    plan = explained.results.map((step) => step.detail);
  }
  return {
    name: query.name,
    median: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    sqlMs: meta.duration,
    rowsRead: meta.rows_read,
    rowsOut: results.length,
    sql,
    plan,
  };
}

function printTable(results) {
  const header = ["query (90 days)", "median ms", "p95 ms", "sql ms", "rows_read", "rows out", `<= ${BUDGET_MS} ms`];
  const lines = results.map((r) => [
    r.name,
    r.median.toFixed(1),
    r.p95.toFixed(1),
    typeof r.sqlMs === "number" ? r.sqlMs.toFixed(1) : "-",
    String(r.rowsRead),
    String(r.rowsOut),
    r.median <= BUDGET_MS ? "yes" : "NO",
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  const format = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  console.log(format(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const line of lines) console.log(format(line));
}

async function main() {
  if (args.has("--rebuild")) await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const report = await bundleReport();

  const { getPlatformProxy } = await import("wrangler");
  const proxy = await getPlatformProxy({
    configPath: path.join(root, "wrangler.toml"),
    persist: { path: path.join(workDir, "state") },
    envFiles: [],
    remoteBindings: false,
  });
  try {
    const db = proxy.env.DB;
    const tablesExist = (await Promise.all(["usage_calls", ...ROLL_UPS].map((table) => tableExists(db, table)))).every(Boolean);
    const ready = tablesExist && (await count(db, "usage_calls")) === CALLS;
    if (ready) console.log(`Reusing the stored database in ${path.relative(root, workDir)} (--rebuild to start over)`);
    else {
      console.log(`Building ${CALLS.toLocaleString("en-US")} calls over ${DAYS} days in ${path.relative(root, workDir)}`);
      await buildDatabase(db, report);
    }

    const facts = await db
      .prepare(
        `SELECT (SELECT count(*) FROM usage_calls) AS calls,
           (SELECT count(*) FROM usage_calls WHERE outcome <> 'ok') AS failed,
           (SELECT count(*) FROM usage_calls WHERE outcome IN ('ok', 'blocked')) AS served,
           (SELECT count(*) FROM usage_latency) AS latency_rows,
           (SELECT min(day) FROM usage_daily) AS first_day, (SELECT max(day) FROM usage_daily) AS last_day`,
      )
      .first();
    console.log(
      `ledger ${facts.calls} calls (${facts.failed} failed, ${facts.served} served by Google); ` +
        `usage_latency ${facts.latency_rows} rows; days ${facts.first_day} .. ${facts.last_day}`,
    );
    for (const table of ROLL_UPS) {
      const rolled = await db
        .prepare(`SELECT count(*) AS n, sum(requests) AS requests${table === "usage_daily_outcome" ? "" : ", sum(errors) AS errors"}${
          table === "usage_daily" ? ", sum(served) AS served" : ""
        } FROM ${table}`)
        .first();
      console.log(`  ${table}: ${rolled.n} rows holding ${rolled.requests} requests`);
      const adds = rolled.requests === facts.calls && (rolled.errors ?? facts.failed) === facts.failed && (rolled.served ?? facts.served) === facts.served;
      if (!adds) throw new Error(`${table} does not add up to the ledger`);
    }

    await printRowsWritten(db, report);

    const range = { from: facts.first_day, to: facts.last_day };
    const queries = [];
    for (const by of report.TOTALS_GROUPS) {
      queries.push({
        name: `usageTotals by=${by}`,
        run: () => report.usageTotals(db, range, by),
        sql: () => report.usageTotalsQuery(db, range, by),
      });
    }
    queries.push({
      name: "export.csv by=key",
      run: async () => report.usageTotalsCsv("key", await report.usageTotals(db, range, "key")),
      sql: () => report.usageTotalsQuery(db, range, "key"),
    });
    for (const by of report.SERIES_GROUPS) {
      for (const metric of report.SERIES_METRICS) {
        queries.push({
          name: `usageSeries by=${by} metric=${metric}`,
          run: () => report.usageSeries(db, range, by, metric),
          sql: () => report.usageSeriesQuery(db, range, by, metric),
        });
      }
    }
    queries.push({
      name: "latencyPercentiles (all models)",
      run: () => report.latencyPercentiles(db, range),
      sql: () => report.latencyHistogramQuery(db, range),
    });
    queries.push({
      name: "latencyPercentiles model=gemini-2.5-pro",
      run: () => report.latencyPercentiles(db, range, "gemini-2.5-pro"),
      sql: () => report.latencyHistogramQuery(db, range, "gemini-2.5-pro"),
    });

    const results = [];
    for (const query of queries) results.push(await measure(db, query));
    console.log(
      `\n${RUNS} timed runs per query after one warm-up. median/p95: wall time of the report.ts function ` +
        `from Node (includes the Node <-> workerd hop); sql ms: D1 meta.duration; rows_read: D1 meta.rows_read.\n`,
    );
    printTable(results);
    const over = results.filter((r) => r.median > BUDGET_MS).length;
    console.log(`\n${results.length - over} of ${results.length} queries within ${BUDGET_MS} ms (median wall time).`);
    if (args.has("--plans")) {
      for (const r of results) console.log(`\n${r.name}\n  sql: ${r.sql}\n  plan: ${r.plan.join(" | ")}`);
    }
  } finally {
    await proxy.dispose();
  }
}

await main();
