#!/usr/bin/env node
// Benchmark (prints figures, asserts nothing): how many proxied calls a day the product
// carries on Cloudflare's FREE plan with every resource under its limit at once.
//
// The product runs under `wrangler dev` behind bench/free-plan/counting-worker.ts, which
// counts every KV and D1 operation from what the bindings report (KV calls, bulk-get keys,
// D1 meta.rows_read / rows_written / size_after), per bucket: proxied calls, admin, cron.
// Against the fake Gemini server it drives a realistic mix (plain, streamed, Gemini 3 tool
// round trips, failover on 429/503/invalid keys, 5 clients of which one has a daily limit,
// bursts like agent sessions), runs the cron on its cadence, probes the time-driven KV reads,
// then prints per-call and per-cron-run figures and a per-day model. The last line is
// `free plan: N calls a day (limited by RESOURCE)`.
//
//   npm run bench:free-plan -- [--calls 3000] [--burst 30] [--concurrency 6] [--pause 1000-3000]
//       [--fail-rate 0.05] [--daily-limit N] [--cron-runs N] [--isolates 3] [--trickle-seconds 60]
//       [--admin-per-day 20] [--seed 1] [--product-dir DIR] [--keep]
//
// Work dir: .tmp/bench-free-plan/<run>/ (results.json, logs; the D1/KV state and the product
// copy are removed at the end unless --keep). Every process group started here is stopped,
// also on failure. Takes about 6 minutes with the defaults.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { geminiKey, loadAverage, REPO_ROOT, run, stopAll } from "../lib.mjs";
import { ceilings, dayModel, printCeilings, printDayModel, storageModel } from "./day-model.mjs";
import { failureInjector } from "./failures.mjs";
import { int } from "./format.mjs";
import { cronsOf, runsPerDay } from "./limits.mjs";
import { cronSchedule, drive } from "./load.mjs";
import { afterNextPacificMidnight, cronRun, settle, trickle } from "./measure.mjs";
import { benchApi, figures, perCall } from "./ops.mjs";
import { options } from "./options.mjs";
import { printCronRuns, printPerCall, printTimeDriven, printTraffic, printTrickle } from "./report.mjs";
import { seed } from "./seed.mjs";
import { startStack } from "./stack.mjs";
import { planJobs, prng } from "./traffic.mjs";

const log = (...a) => console.log(...a);
const workDir = path.join(REPO_ROOT, ".tmp/bench-free-plan", new Date().toISOString().replace(/[:.]/g, "-"));
mkdirSync(workDir, { recursive: true });
mkdirSync(path.join(REPO_ROOT, ".tmp/xdg"), { recursive: true });

let stopping = false;
async function cleanup() {
  if (stopping) return;
  stopping = true;
  await stopAll();
  if (!options.keep) {
    rmSync(path.join(workDir, "state"), { recursive: true, force: true });
    rmSync(path.join(workDir, "app"), { recursive: true, force: true });
  }
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => cleanup().then(() => process.exit(130)));

const average = (list) => {
  const out = {};
  for (const f of list) for (const [k, v] of Object.entries(f)) out[k] = (out[k] ?? 0) + v / list.length;
  return out;
};
const maximum = (list) => {
  const out = {};
  for (const f of list) for (const [k, v] of Object.entries(f)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
};

async function describeProduct() {
  if (options.productDir) return `product from ${path.resolve(options.productDir)} (--product-dir)`;
  const head = (await run("git", ["rev-parse", "--short", "HEAD"])).out.trim();
  const dirty = (await run("git", ["status", "--porcelain", "--", "src", "drizzle", "wrangler.toml"])).out.trim();
  return `product: working tree at ${head}${dirty ? " with uncommitted changes in src/, drizzle/ or wrangler.toml" : ""}`;
}

/** The processes, the bench API, and the cron cadence of the measured product's wrangler.toml. */
async function setUp() {
  const stack = await startStack({ workDir, productDir: options.productDir ? path.resolve(options.productDir) : REPO_ROOT });
  const expressions = cronsOf(path.join(stack.app, "wrangler.toml"));
  const perDay = expressions.length ? expressions.reduce((n, c) => n + runsPerDay(c), 0) : 144;
  const cron = { expressions, expression: expressions[0] ?? "*/10 * * * *", perDay, cadenceMs: 86_400_000 / perDay };
  log(`worker ${stack.url} (wrangler dev, local KV/D1), fake Gemini ${stack.fakeUrl}; ` +
    `cron ${expressions.length ? expressions.join(", ") : "none in wrangler.toml, assumed */10"} = ${perDay} runs a day`);
  return { stack, bench: benchApi(stack.url), cron };
}

/** Seeds through the admin API; its requests give the cost of one admin request. */
async function seedProduct({ stack, bench }, rng) {
  const keys = Array.from({ length: options.geminiKeys }, geminiKey);
  const injector = await failureInjector({ fakeUrl: stack.fakeUrl, keys, rate: options.failRate, rng });
  await bench.reset();
  const seeded = await seed(stack.url, stack.adminPassword, { geminiKeys: keys, clientCount: options.clients, dailyLimit: options.dailyLimit });
  const bucket = await settle(bench, "admin");
  const admin = figures(bucket);
  log(`seeded: ${keys.length} Gemini keys (1 answers API_KEY_INVALID), 3 models, ${seeded.clients.length} client keys, in ${admin.workerRequests} admin requests`);
  return { ...seeded, injector, admin: { bucket, figures: admin, perRequest: perCall(admin, admin.workerRequests) } };
}

/** The load with the cron runs in it; ops counted from a reset to the end of the load. */
async function measureLoad({ stack, bench, cron }, seeded, rng) {
  await seeded.injector.collect();
  const dbBefore = await bench.db();
  await bench.reset();
  const jobs = planJobs({ calls: options.calls, toolShare: options.toolShare, streamShare: options.streamShare, clients: seeded.clients, rng });
  const cronTimes = cronSchedule(options.cronRuns ?? Math.ceil((2 * 3_600_000) / cron.cadenceMs), cron.cadenceMs);
  log(`load: ${options.calls} calls in bursts of ~${options.burst} at concurrency ${options.concurrency}, pauses ${options.pauseMin}-${options.pauseMax} ms; ` +
    `${cronTimes.length} cron runs between bursts, scheduled ${(cron.cadenceMs / 60_000).toFixed(0)} minutes apart from ${new Date(cronTimes[0] ?? 0).toISOString()}`);
  const load = await drive({ base: stack.url, bench, jobs, injector: seeded.injector, rng, options, cron: cron.expression, cronTimes, log });
  const bucket = await settle(bench, "proxy");
  const { unattributed } = (await bench.ops()).buckets;
  if (unattributed) log(`WARNING: operations outside any request's context (not in the figures): ${JSON.stringify(figures(unattributed))}`);
  const calls = load.outcomes.length;
  const proxy = figures(bucket);
  return { ...load, cronTimes, calls, bucket, figures: proxy, perCall: perCall(proxy, calls), dbBefore, dbAfter: await bench.db() };
}

/** After the load: the trickle probe, then the daily-reset cron run of the next Pacific midnight. */
async function measureAfterLoad({ stack, bench, cron }, seeded, load) {
  const probe = options.trickleSeconds > 0 ? await trickle(bench, stack.url, seeded.clients[1], options.trickleSeconds) : null;
  const resetAt = afterNextPacificMidnight(load.cronTimes.at(-1) ?? Date.now());
  const resetRun = await cronRun(bench, resetAt, cron.expression, "daily-reset run (00:01 Pacific)");
  return { probe, resetRun };
}

function model({ cron }, seeded, load, { resetRun }) {
  const runs = [...load.cronRuns, resetRun];
  const ordinary = load.cronRuns.length ? load.cronRuns : [resetRun];
  const sampleHours = (load.cronTimes.length * cron.cadenceMs) / 3_600_000;
  const rows = dayModel({
    perCall: load.perCall,
    cronNormal: average(ordinary.map((r) => r.figures)),
    cronReset: resetRun.ok ? resetRun.figures : null,
    runsPerDay: cron.perDay,
    adminPerRequest: seeded.admin.perRequest,
    adminPerDay: options.adminPerDay,
  });
  const storage = storageModel({
    sizeBefore: load.dbBefore.sizeAfter,
    sizeAfter: load.dbAfter.sizeAfter,
    rowsBefore: load.dbBefore.rows.usage_calls ?? 0,
    rowsAfter: load.dbAfter.rows.usage_calls ?? 0,
    callsPerDay: options.storageCallsPerDay,
    retentionDays: seeded.settings.retentionDays,
    retentionMaxMb: seeded.settings.retentionMaxMb ?? null,
  });
  return {
    runs,
    average: average(runs.map((r) => r.figures)),
    max: maximum(runs.map((r) => r.figures)),
    sampleHours,
    sampleCallsPerDay: sampleHours > 0 ? (load.calls / sampleHours) * 24 : null,
    rows,
    storage,
    ceilings: ceilings(rows, storage),
  };
}

function printAll({ cron }, seeded, load, after, m) {
  log("");
  log(`load done in ${load.seconds.toFixed(0)} s (load average ${loadAverage()})`);
  printTraffic(log, load.outcomes, seeded.injector.tally, seeded.clients[0]);
  log("");
  printPerCall(log, `per proxied call (${load.calls} calls; ops counted by the bindings for proxy requests only, cron and admin excluded):`, load.perCall, load.bucket, load.calls);
  log("");
  printCronRuns(log, m.runs, m.average, m.max);
  log("");
  printPerCall(log, `per admin request (average over the ${seeded.admin.figures.workerRequests} seeding requests):`, seeded.admin.perRequest, seeded.admin.bucket, seeded.admin.figures.workerRequests);
  log("");
  log(`per-day model, free plan. Assumptions: the cron runs ${cron.perDay} times a day (${cron.expressions.join(", ") || "*/10"}): ` +
    `${cron.perDay - 1} ordinary runs at the measured average of the runs during the load, 1 daily-reset run as measured; ` +
    `${options.adminPerDay} admin requests a day at the measured average per admin request; everything else scales with calls ` +
    `at the measured per-call figures (the mix above).` +
    (m.sampleCallsPerDay === null ? "" : ` The cron sample covered ${m.sampleHours.toFixed(1)} h of cron while the load sent ${load.calls} calls, ` +
      `so cron work that grows with the calls (e.g. folding the ledger) is measured at ${int(m.sampleCallsPerDay)} calls/day.`));
  const kv = m.rows.find((r) => r.key === "kvReads");
  log(`KV reads at N calls/day = measured per-call reads × N + cron reads × runs/day = ${load.perCall.kvReads.toFixed(3)} × N + ${kv.fixedCron.toFixed(0)}` +
    ` (+ admin ${kv.fixedAdmin.toFixed(0)})`);
  printTimeDriven(log, { reads: load.figures.kvReads, seconds: load.seconds, isolates: options.isolates, cronReadsPerDay: kv.fixedCron });
  printTrickle(log, after.probe, options.isolates, kv.fixedCron);
  printDayModel(log, m.rows, m.storage);
  printCeilings(log, m.ceilings);
}

/** Outcome counts by kind, status and code, for results.json. */
function summarize(outcomes) {
  const out = {};
  for (const o of outcomes) {
    const k = `${o.kind} ${o.status}${o.ok ? "" : ` ${o.code ?? "error"}`}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

async function main() {
  const product = await describeProduct();
  log(`bench:free-plan: ${os.cpus().length} CPUs, Node ${process.version}, load average ${loadAverage()}`);
  log(product);
  log(`work dir ${path.relative(REPO_ROOT, workDir)}`);
  const rng = prng(options.seed);
  const env = await setUp();
  const seeded = await seedProduct(env, rng);
  const load = await measureLoad(env, seeded, rng);
  const after = await measureAfterLoad(env, seeded, load);
  const m = model(env, seeded, load, after);
  printAll(env, seeded, load, after, m);
  const [lowest] = m.ceilings;
  const n = Number.isFinite(lowest.allowed) ? lowest.allowed : 0;

  const resultsFile = path.join(workDir, "results.json");
  writeFileSync(resultsFile, JSON.stringify({
    when: new Date().toISOString(), options, product, loadAverage: os.loadavg(),
    cron: { ...env.cron, sampleHours: m.sampleHours, sampleCallsPerDay: m.sampleCallsPerDay, runs: m.runs, average: m.average, max: m.max },
    traffic: { seconds: load.seconds, calls: load.calls, outcomes: summarize(load.outcomes), upstream: seeded.injector.tally },
    proxy: { figures: load.figures, perCall: load.perCall, bucket: load.bucket },
    admin: seeded.admin,
    trickle: after.probe, db: { before: load.dbBefore, after: load.dbAfter }, storage: m.storage, dayModel: m.rows,
    ceilings: m.ceilings, verdict: { calls: n, limitedBy: lowest.label },
  }, null, 2));
  log(`figures: ${path.relative(REPO_ROOT, resultsFile)}`);
  log(`free plan: ${n} calls a day (limited by ${lowest.label})`);
}

try {
  await main();
} catch (error) {
  console.error(`bench:free-plan failed: ${error?.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
