#!/usr/bin/env node
// Benchmark (not a test) of the usage analytics queries over a local D1 holding 1,000,000
// synthetic calls over 90 days: the usage_calls ledger rows, all but the last TAIL of them folded
// into the roll-ups by the fold's own statements (src/usage/fold.ts), the last TAIL rows left as
// the unfolded tail the charts add to the roll-ups.
//
//   node bench/bench-usage.mjs            build the database once (kept under .tmp/), then time
//   node bench/bench-usage.mjs --rebuild  throw the stored database away first
//   node bench/bench-usage.mjs --plans    also print SQLite's EXPLAIN QUERY PLAN per query
//
// The timed code is src/usage/report.ts itself, bundled by esbuild: each query is run through
// the same exported function the admin routes call (wall time in Node, including the hop to
// workerd), and the SQL that function's drizzle query produces is run once more as a prepared
// statement to read D1's meta (rows_read, and duration = time spent inside SQLite).

import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
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
// The unfolded tail: about two hours of calls at 50,000 a day (the cron folds about hourly).
const TAIL = 4_000;
// The last fold before the tail, timed at build: what an hourly fold of this many rows costs.
const LAST_FOLD = 4_000;
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
        'export { FOLD_STATEMENTS } from "./src/usage/fold.ts";',
        'export { lastUsedByClient } from "./src/admin/last-used.ts";',
        'export { planToday } from "./src/usage/plan-today.ts";',
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

/** The migration files, so a database built before a new migration is rebuilt. */
async function migrationNames() {
  return (await readdir(path.join(root, "drizzle"))).filter((name) => name.endsWith(".sql")).sort();
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
const BUILD_FACTS = path.join(workDir, "build.json");

/** Folds the ledger rows up to id `through` with the fold's own statements, then moves the cursor. */
async function foldThrough(db, report, through) {
  const results = await db.batch([
    ...report.FOLD_STATEMENTS.map((statement) => db.prepare(statement).bind(through)),
    db.prepare("UPDATE usage_fold SET through = ?1, folded_at = ?2 WHERE id = 1").bind(through, Date.now()),
  ]);
  return {
    rowsWritten: results.reduce((sum, result) => sum + (result.meta.rows_written ?? 0), 0),
    rowsRead: results.reduce((sum, result) => sum + (result.meta.rows_read ?? 0), 0),
    sqlMs: results.reduce((sum, result) => sum + (result.meta.duration ?? 0), 0),
  };
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
  for (let first = 0; first < CALLS; first += CHUNK) {
    await db.prepare(ledgerInsert(first, Math.min(first + CHUNK, CALLS) - 1, report.LATENCY_BOUNDS)).run();
    process.stdout.write(`\r  ledger: ${Math.min(first + CHUNK, CALLS).toLocaleString("en-US")} calls`);
  }
  process.stdout.write("\n");
  // Everything but the last fold and the tail in one pass, then the last fold timed on its own.
  const folded = CALLS - TAIL;
  await foldThrough(db, report, folded - LAST_FOLD);
  const started2 = performance.now();
  const lastFold = await foldThrough(db, report, folded);
  lastFold.wallMs = performance.now() - started2;
  await writeFile(BUILD_FACTS, JSON.stringify({ lastFold, migrations: await migrationNames() }));
  console.log(`  built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const SCRATCH_DAY = "2099-12-31"; // outside the benchmark's range; its rows are deleted after

/** D1 rows_written by recordCall (one INSERT, no index, no trigger), for a call on a fresh day and an identical second one. */
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
    // The two rows are the newest (the tail); deleting them by id leaves the tail as built.
    await db.prepare("DELETE FROM usage_calls WHERE id > ?1").bind(CALLS).run();
  }
  console.log("\nD1 rows_written by recordCall (a streamed call: the ledger row only; the cron folds it later):");
  console.log(`  first call of its day/key/client/model: ${written[0]}`);
  console.log(`  the same again: ${written[1]}`);
}

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** The database seen through a proxy that keeps the meta of every statement run or batched. */
function metered(db, metas) {
  return new Proxy(db, {
    get(target, property) {
      if (property === "batch") {
        return async (statements) => {
          const results = await target.batch(statements);
          metas.push(...results.map((result) => ({ meta: result.meta, rows: result.results?.length ?? 0 })));
          return results;
        };
      }
      if (property === "prepare") {
        return (query) => {
          const statement = target.prepare(query);
          const wrap = (bound) =>
            new Proxy(bound, {
              get(inner, name) {
                if (name === "bind") return (...params) => wrap(inner.bind(...params));
                if (name === "all" || name === "run") {
                  return async () => {
                    const result = await inner[name]();
                    metas.push({ meta: result.meta, rows: result.results?.length ?? 0 });
                    return result;
                  };
                }
                const value = inner[name];
                return typeof value === "function" ? value.bind(inner) : value;
              },
            });
          return wrap(statement);
        };
      }
      const value = target[property];
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
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
  let sql = "";
  let plan;
  let sqlMs = 0;
  let rowsRead = 0;
  let rowsOut = 0;
  if (query.sql) {
    ({ sql } = query.sql().toSQL());
    const { params } = query.sql().toSQL();
    const { meta, results } = await db.prepare(sql).bind(...params).all();
    sqlMs = meta.duration;
    rowsRead = meta.rows_read;
    rowsOut = results.length;
    if (args.has("--plans")) {
      const explained = await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all();
      plan = explained.results.map((step) => step.detail);
    }
  } else {
    // No single drizzle query: run the function once through a proxy that collects D1's meta.
    const metas = [];
    await query.runWith(metered(db, metas));
    for (const { meta, rows } of metas) {
      sqlMs += meta.duration ?? 0;
      rowsRead += meta.rows_read ?? 0;
      rowsOut += rows;
    }
  }
  return { name: query.name, median: percentile(times, 0.5), p95: percentile(times, 0.95), sqlMs, rowsRead, rowsOut, sql, plan };
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
    const tablesExist = (await Promise.all(["usage_calls", "usage_fold", ...ROLL_UPS].map((table) => tableExists(db, table)))).every(Boolean);
    const built = JSON.parse(await readFile(BUILD_FACTS, "utf8").catch(() => "{}"));
    const ready =
      tablesExist &&
      JSON.stringify(built.migrations) === JSON.stringify(await migrationNames()) &&
      (await count(db, "usage_calls")) === CALLS &&
      (await db.prepare("SELECT through FROM usage_fold WHERE id = 1").first("through")) === CALLS - TAIL;
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
           (SELECT through FROM usage_fold WHERE id = 1) AS through,
           (SELECT count(*) FROM usage_latency) AS latency_rows,
           (SELECT min(day) FROM usage_calls) AS first_day, (SELECT max(day) FROM usage_calls) AS last_day`,
      )
      .first();
    const tail = facts.calls - facts.through;
    console.log(
      `ledger ${facts.calls} calls (${facts.failed} failed, ${facts.served} served by Google), ` +
        `folded through id ${facts.through}, tail ${tail} rows; usage_latency ${facts.latency_rows} rows; ` +
        `days ${facts.first_day} .. ${facts.last_day}`,
    );
    const tailFacts = await db
      .prepare(
        `SELECT count(*) AS calls, sum(outcome <> 'ok') AS failed, sum(served) AS served, min(day) AS first_day, max(day) AS last_day
         FROM usage_calls WHERE id > ?1`,
      )
      .bind(facts.through)
      .first();
    console.log(`  tail: ${tailFacts.calls} calls on ${tailFacts.first_day} .. ${tailFacts.last_day}`);
    for (const table of ROLL_UPS) {
      const rolled = await db
        .prepare(`SELECT count(*) AS n, sum(requests) AS requests${table === "usage_daily_outcome" ? "" : ", sum(errors) AS errors"}${
          table === "usage_daily" ? ", sum(served) AS served" : ""
        } FROM ${table}`)
        .first();
      console.log(`  ${table}: ${rolled.n} rows holding ${rolled.requests} requests`);
      // Roll-ups + tail = the ledger.
      const adds =
        rolled.requests + tailFacts.calls === facts.calls &&
        (rolled.errors ?? facts.failed - tailFacts.failed) + tailFacts.failed === facts.failed &&
        (rolled.served ?? facts.served - tailFacts.served) + tailFacts.served === facts.served;
      if (!adds) throw new Error(`${table} plus the tail does not add up to the ledger`);
    }
    const range = { from: facts.first_day, to: facts.last_day };
    // What the charts answer (roll-ups + tail) is the whole ledger.
    const charted = (await report.usageTotals(db, range, "outcome")).reduce((sum, row) => sum + row.requests, 0);
    if (charted !== facts.calls) throw new Error(`the charts count ${charted} calls, the ledger holds ${facts.calls}`);
    console.log(`  charts (roll-ups + tail) count ${charted} calls = the ledger`);
    const lastFold = JSON.parse(await readFile(BUILD_FACTS, "utf8").catch(() => "{}")).lastFold;
    if (lastFold) {
      console.log(
        `\nThe last fold at build (${LAST_FOLD} ledger rows into the roll-ups, one D1 batch): ` +
          `rows_written ${lastFold.rowsWritten}, rows_read ${lastFold.rowsRead}, sql ${lastFold.sqlMs.toFixed(1)} ms, wall ${lastFold.wallMs.toFixed(1)} ms`,
      );
    }

    await printRowsWritten(db, report);

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

    const clients = CLIENTS.map(([name]) => name);
    const now = Date.parse(`${facts.last_day}T23:00:00Z`);
    const lastUsed = (d) => report.lastUsedByClient(d, clients, now);
    queries.push({ name: "lastUsedByClient (5 clients)", run: () => lastUsed(db), runWith: lastUsed });
    const plan = (d) => report.planToday(d, { now, notices: [], retentionMaxMb: 400 });
    queries.push({ name: "planToday (GET /plan, 3 statements)", run: () => plan(db), runWith: plan });

    // Baselines under the same conditions: the Node <-> workerd round trip alone, and the
    // heaviest chart (series by key) read from the roll-up alone, as before the tail existed.
    const raw = (name, sql, params) => ({
      name,
      run: () => db.prepare(sql).bind(...params).all(),
      sql: () => ({ toSQL: () => ({ sql, params }) }),
    });
    queries.push(raw("baseline: D1 round trip (SELECT 1)", "SELECT 1", []));
    queries.push(
      raw(
        "baseline: series by=key, roll-up only",
        "SELECT day, gemini_key_id, sum(requests) FROM usage_daily WHERE day BETWEEN ?1 AND ?2 GROUP BY day, gemini_key_id",
        [range.from, range.to],
      ),
    );

    const results = [];
    for (const query of queries) results.push(await measure(db, query));
    console.log(
      `\n${RUNS} timed runs per query after one warm-up. median/p95: wall time of the report.ts function ` +
        `from Node (includes the Node <-> workerd hop); sql ms: D1 meta.duration; rows_read: D1 meta.rows_read.\n`,
    );
    printTable(results);
    const timed = results.filter((r) => !r.name.startsWith("baseline:"));
    const over = timed.filter((r) => r.median > BUDGET_MS).length;
    console.log(`\n${timed.length - over} of ${timed.length} queries within ${BUDGET_MS} ms (median wall time).`);
    if (args.has("--plans")) {
      for (const r of results.filter((result) => result.plan)) console.log(`\n${r.name}\n  sql: ${r.sql}\n  plan: ${r.plan.join(" | ")}`);
    }
  } finally {
    await proxy.dispose();
  }
}

await main();
