#!/usr/bin/env node
// Benchmark (prints figures, asserts nothing) of DESIGN §8 "speed against a minimal Worker":
// the product and bench/minimal-worker, each under its own local `wrangler dev`, both
// against bench/upstream.mjs (answers instantly with a recorded generateContent reply),
// driven by a closed-loop load generator at each concurrency, in interleaved rounds.
//
//   node bench/bench-proxy.mjs [--requests 2000] [--warmup 200] [--rounds 3]
//                                [--concurrency 8,32] [--stream-requests 1000] [--keep]
//                                [--profile-requests 1000] [--skip-profile] [--product-dir DIR]
//
// Everything lives under .tmp/bench-proxy/<run>/ (persist dirs, logs, results.json) and is
// removed at the end unless --keep. Every process group started here is stopped on exit.
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  REPO_ROOT,
  WRANGLER_BIN,
  adminClient,
  closedLoop,
  freePort,
  geminiKey,
  groupCpuMs,
  loadAverage,
  median,
  run,
  startGroup,
  stopAll,
  waitUntilAnswering,
} from "./lib.mjs";
import { startProfile, summarizeProfile } from "./profile.mjs";
import { tenKbRequest } from "./requests.mjs";

const { values: opts } = parseArgs({
  options: {
    requests: { type: "string", default: "2000" },
    warmup: { type: "string", default: "200" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "8,32" },
    "stream-requests": { type: "string", default: "1000" },
    keep: { type: "boolean", default: false },
    "profile-requests": { type: "string", default: "1000" },
    "skip-profile": { type: "boolean", default: false },
    // A prepared copy of the product (wrangler.toml, src/, drizzle/, …) to measure instead of a
    // snapshot of the working tree: a candidate fix or a what-if, without touching src/.
    "product-dir": { type: "string" },
  },
});
const REQUESTS = Number(opts.requests);
const WARMUP = Number(opts.warmup);
const ROUNDS = Number(opts.rounds);
const CONCURRENCY = opts.concurrency.split(",").map(Number);
const STREAM_REQUESTS = Number(opts["stream-requests"]);
const RUN_MAX_MS = 120_000; // no single load run lasts longer than this
const MODEL = "gemini-2.5-flash";
// DESIGN §8: at 8 and 32 concurrent calls, at least this share of the minimal Worker's throughput, at most this added to its p50.
const BUDGET_THROUGHPUT_PCT = 95;
const BUDGET_P50_MS = 2;
const PROFILE_REQUESTS = Number(opts["profile-requests"]);

const workDir = path.join(REPO_ROOT, ".tmp/bench-proxy", new Date().toISOString().replace(/[:.]/g, "-"));
mkdirSync(workDir, { recursive: true });
mkdirSync(path.join(REPO_ROOT, ".tmp/xdg"), { recursive: true });

let stopping = false;
async function cleanup() {
  if (stopping) return;
  stopping = true;
  await stopAll();
  if (!opts.keep) rmSync(workDir, { recursive: true, force: true });
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => cleanup().then(() => process.exit(130)));
}

const log = (...a) => console.log(...a);

/** A typical short chat turn: a system prompt, two earlier turns and a question (~0.6 KB). */
const chatBody = (stream) =>
  JSON.stringify({
    model: MODEL,
    messages: [
      { role: "system", content: "You are a concise assistant. Answer in one or two sentences." },
      { role: "user", content: "What is the capital of France?" },
      { role: "assistant", content: "The capital of France is Paris." },
      { role: "user", content: "How many r's are in the word strawberry? Explain briefly how you counted them." },
    ],
    temperature: 0.2,
    max_tokens: 256,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });

const okJson = (status, text) => status === 200 && text.includes('"chat.completion"') && text.includes("strawberry");
const okStream = (status, text) => status === 200 && text.includes("chat.completion.chunk") && text.trimEnd().endsWith("data: [DONE]");

async function startUpstream() {
  const port = await freePort();
  const logFile = path.join(workDir, "upstream.log");
  const child = startGroup(process.execPath, [path.join(REPO_ROOT, "bench/upstream.mjs"), String(port)], logFile);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${url}/__stats`, child, logFile, 10_000);
  return { child, url };
}

async function upstreamServed(url) {
  const r = await fetch(`${url}/__stats`);
  return (await r.json()).served;
}

async function main() {
  log(`bench-proxy: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}, load average ${loadAverage()}`);
  log(`work dir ${path.relative(REPO_ROOT, workDir)}`);
  const head = await run("git", ["rev-parse", "--short", "HEAD"]);
  const dirty = await run("git", ["status", "--porcelain", "--", "src", "wrangler.toml", "drizzle"]);
  if (!opts["product-dir"]) {
    log(`product measured from the working tree at ${head.out.trim()}${dirty.out.trim() ? " (with uncommitted changes in src/, wrangler.toml or drizzle/)" : ""}`);
  }

  const upstream = await startUpstream();
  log(`upstream ${upstream.url}`);

  // Snapshot the product (others edit the tree while this runs) and the minimal Worker.
  const app = path.join(workDir, "app");
  const productSource = opts["product-dir"] ? path.resolve(opts["product-dir"]) : REPO_ROOT;
  if (opts["product-dir"]) log(`product from ${productSource} (--product-dir), not from the working tree`);
  for (const entry of ["wrangler.toml", "tsconfig.json", "src", "drizzle", "web/dist"]) {
    const from = path.join(productSource, entry);
    if (existsSync(from)) cpSync(from, path.join(app, entry), { recursive: true });
  }
  mkdirSync(path.join(app, "web/dist"), { recursive: true });
  const minimal = path.join(workDir, "minimal");
  cpSync(path.join(REPO_ROOT, "bench/minimal-worker"), minimal, { recursive: true });

  const productState = path.join(workDir, "product-state");
  const minimalState = path.join(workDir, "minimal-state");
  const migrate = await run(WRANGLER_BIN, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", productState], { cwd: app });
  if (migrate.code !== 0) throw new Error(`migrations failed:\n${migrate.out}`);

  const adminPassword = randomBytes(24).toString("base64url");
  const sessionSecret = randomBytes(36).toString("base64url");
  const [pPort, pInspect, mPort, mInspect] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const devArgs = (port, inspect, persist) => [
    "dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspect),
    "--persist-to", persist, "--show-interactive-dev-session=false",
    "--var", `GEMINI_API_BASE:${upstream.url}`,
  ];
  const productLog = path.join(workDir, "product-dev.log");
  const minimalLog = path.join(workDir, "minimal-dev.log");
  const product = startGroup(WRANGLER_BIN, [
    ...devArgs(pPort, pInspect, productState),
    "--var", `ADMIN_PASSWORD:${adminPassword}`, "--var", `SESSION_SECRET_KEY:${sessionSecret}`,
  ], productLog, app);
  const minimalDev = startGroup(WRANGLER_BIN, devArgs(mPort, mInspect, minimalState), minimalLog, minimal);
  const productUrl = `http://127.0.0.1:${pPort}`;
  const minimalUrl = `http://127.0.0.1:${mPort}`;
  await Promise.all([
    waitUntilAnswering(`${productUrl}/v1/models`, product, productLog),
    waitUntilAnswering(`${minimalUrl}/`, minimalDev, minimalLog),
  ]);
  log(`product ${productUrl}, minimal ${minimalUrl} (both wrangler dev, local D1)`);

  const clientKey = await seed(productUrl, adminPassword);
  const productHeaders = { authorization: `Bearer ${clientKey}` };

  // One call each, checked, and the upstream calls it cost.
  for (const [name, url, headers] of [["product", productUrl, productHeaders], ["minimal", minimalUrl, {}]]) {
    const before = await upstreamServed(upstream.url);
    const r = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: chatBody(false) });
    const text = await r.text();
    if (!okJson(r.status, text)) throw new Error(`${name} answered ${r.status}: ${text.slice(0, 500)}`);
    log(`${name}: sample answer OK, upstream calls for it: ${(await upstreamServed(upstream.url)) - before}`);
  }

  const targets = {
    minimal: { url: `${minimalUrl}/v1/chat/completions`, headers: {}, group: minimalDev },
    product: { url: `${productUrl}/v1/chat/completions`, headers: productHeaders, group: product },
  };
  const results = []; // {round, worker, concurrency, ...figures, load}
  const load = async (worker, concurrency, requests, stream = false, body = chatBody(stream)) => {
    const t = targets[worker];
    const before = await upstreamServed(upstream.url);
    const loadBefore = os.loadavg()[0];
    const cpuBefore = groupCpuMs(t.group.pid);
    const r = await closedLoop({
      url: t.url, headers: t.headers, body, concurrency, requests, maxMs: RUN_MAX_MS,
      check: stream ? okStream : okJson,
    });
    r.upstreamPerCall = ((await upstreamServed(upstream.url)) - before) / r.sent;
    r.devCpuMsPerCall = (groupCpuMs(t.group.pid) - cpuBefore) / r.sent;
    r.load1 = `${loadBefore.toFixed(2)}→${os.loadavg()[0].toFixed(2)}`;
    return r;
  };
  const fmt = (r) =>
    `${r.rps.toFixed(0).padStart(5)} req/s  p50 ${r.p50.toFixed(1).padStart(6)}  p95 ${r.p95.toFixed(1).padStart(6)}  p99 ${r.p99.toFixed(1).padStart(6)} ms` +
    `  ok ${r.ok}/${r.sent}${r.bad ? ` BAD ${r.bad} (${r.firstBad})` : ""}  upstream/call ${r.upstreamPerCall.toFixed(2)}  dev CPU/call ${r.devCpuMsPerCall.toFixed(2)} ms  load1 ${r.load1}`;

  // First, while both inspectors are fresh: CPU per call inside workerd, from a V8 profile of
  // each Worker's isolate while it serves
  // PROFILE_REQUESTS calls with a 10 KB request body at concurrency 8.
  const profiles = {};
  if (!opts["skip-profile"]) {
    const big = JSON.stringify(tenKbRequest(MODEL));
    for (const [w, port] of [["minimal", mInspect], ["product", pInspect]]) {
      await load(w, 8, 100, false, big); // warm-up with the big body
      let stop;
      try {
        stop = await startProfile(port);
      } catch (error) {
        log(`profile ${w}: could not attach to the inspector on port ${port}: ${error.message}`);
        continue;
      }
      const r = await load(w, 8, PROFILE_REQUESTS, false, big);
      const summary = summarizeProfile(await stop());
      profiles[w] = { run: r, ...summary, cpuMsPerCall: summary.busyMs / r.ok };
      log(`profile ${w} (10 KB body, c=8, ${r.ok} calls, sampled ${summary.totalMs.toFixed(0)} ms): isolate busy ${summary.busyMs.toFixed(0)} ms = ${(summary.busyMs / r.ok).toFixed(2)} ms CPU per call  [${fmt(r)}]`);
    }
    const p = profiles.product;
    if (p) log(`product, top self time (ms over ${p.run.ok} calls):`);
    for (const f of p?.topSelf.slice(0, 15) ?? []) log(`  ${f.ms.toFixed(1).padStart(8)}  ${f.name}`);
    if (p) log(`product, top inclusive time (ms over ${p.run.ok} calls):`);
    for (const f of p?.topInclusive.slice(0, 30) ?? []) log(`  ${f.ms.toFixed(1).padStart(8)}  ${f.name}`);
  }

  for (const c of CONCURRENCY) {
    for (const w of ["minimal", "product"]) {
      const r = await load(w, c, WARMUP);
      log(`warm-up ${w} c=${c}: ${fmt(r)}`);
    }
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of CONCURRENCY) {
      // Alternate which Worker goes first, so drift in the machine's load hits both.
      const order = round % 2 === 1 ? ["minimal", "product"] : ["product", "minimal"];
      for (const w of order) {
        const r = await load(w, c, REQUESTS);
        results.push({ round, worker: w, concurrency: c, ...r });
        log(`round ${round} ${w.padEnd(7)} c=${String(c).padEnd(2)}: ${fmt(r)}`);
      }
    }
  }

  // Streamed variant, product only.
  await load("product", 8, Math.min(WARMUP, 100), true);
  const streamRuns = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const r = await load("product", 8, STREAM_REQUESTS, true);
    streamRuns.push(r);
    log(`stream round ${round} product c=8 : ${fmt(r)}  ttfb p50 ${r.ttfbP50.toFixed(1)} ms`);
  }

  // Summary: medians over rounds, and the product's ratio to the minimal Worker.
  log("");
  log(`Summary (median of ${ROUNDS} rounds, ${REQUESTS} requests each; load average now ${loadAverage()})`);
  log("| worker | concurrency | req/s | p50 ms | p95 ms | p99 ms | wrangler dev CPU ms/call |");
  log("|---|---|---|---|---|---|---|");
  const summary = {};
  for (const c of CONCURRENCY) {
    for (const w of ["minimal", "product"]) {
      const rs = results.filter((r) => r.worker === w && r.concurrency === c);
      const m = {
        rps: median(rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50)),
        p95: median(rs.map((r) => r.p95)),
        p99: median(rs.map((r) => r.p99)),
        cpu: median(rs.map((r) => r.devCpuMsPerCall)),
      };
      summary[`${w}@${c}`] = m;
      log(`| ${w} | ${c} | ${m.rps.toFixed(0)} | ${m.p50.toFixed(1)} | ${m.p95.toFixed(1)} | ${m.p99.toFixed(1)} | ${m.cpu.toFixed(2)} |`);
    }
  }
  const sm = {
    rps: median(streamRuns.map((r) => r.rps)),
    p50: median(streamRuns.map((r) => r.p50)),
    p95: median(streamRuns.map((r) => r.p95)),
    p99: median(streamRuns.map((r) => r.p99)),
    ttfb: median(streamRuns.map((r) => r.ttfbP50)),
    cpu: median(streamRuns.map((r) => r.devCpuMsPerCall)),
  };
  log(`| product, stream: true | 8 | ${sm.rps.toFixed(0)} | ${sm.p50.toFixed(1)} | ${sm.p95.toFixed(1)} | ${sm.p99.toFixed(1)} | ${sm.cpu.toFixed(2)} |  (TTFB p50 ${sm.ttfb.toFixed(1)} ms)`);
  log("");
  log(`Product vs minimal Worker (DESIGN §8 budget: throughput >= ${BUDGET_THROUGHPUT_PCT}%, p50 <= +${BUDGET_P50_MS} ms)`);
  for (const c of CONCURRENCY) {
    const p = summary[`product@${c}`];
    const m = summary[`minimal@${c}`];
    const perRound = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const pr = results.find((r) => r.round === round && r.worker === "product" && r.concurrency === c);
      const mr = results.find((r) => r.round === round && r.worker === "minimal" && r.concurrency === c);
      perRound.push(`${((100 * pr.rps) / mr.rps).toFixed(0)}% / ${(pr.p50 - mr.p50 >= 0 ? "+" : "")}${(pr.p50 - mr.p50).toFixed(1)} ms`);
    }
    const pct = (100 * p.rps) / m.rps;
    const delta = p.p50 - m.p50;
    log(
      `c=${c}: throughput ${pct.toFixed(0)}% (${pct >= BUDGET_THROUGHPUT_PCT ? "within" : "MISSES"} budget), p50 ${delta >= 0 ? "+" : ""}${delta.toFixed(1)} ms ` +
        `(${delta <= BUDGET_P50_MS ? "within" : "MISSES"} budget); per round: ${perRound.join(", ")}`,
    );
  }
  if (profiles.product && profiles.minimal) {
    log(`CPU per call in workerd, 10 KB request (free plan limit 10 ms): product ${profiles.product.cpuMsPerCall.toFixed(2)} ms, minimal ${profiles.minimal.cpuMsPerCall.toFixed(2)} ms`);
  }
  const resultsFile = path.join(workDir, "results.json");
  writeFileSync(resultsFile, JSON.stringify({ when: new Date().toISOString(), loadAverage: os.loadavg(), results, streamRuns, summary, profiles }, null, 2));
  if (opts.keep) log(`raw figures: ${path.relative(REPO_ROOT, resultsFile)}`);
}

/** Admin API, as scripts/seed.mjs does it: login, settings, 4 Gemini keys, a model, a client key. */
async function seed(base, password) {
  const { call } = adminClient(base);
  await call("POST", "/api/auth/login", { password });
  const settings = await call("GET", "/api/admin/settings");
  // Quotas high enough that tens of thousands of calls never hit the local per-key quota.
  await call("PUT", "/api/admin/settings", { ...settings, quotas: { pro: 10_000_000, flash: 10_000_000 } });
  const keys = Array.from({ length: 4 }, geminiKey);
  const added = await call("POST", "/api/admin/gemini-keys", { keys: keys.join("\n") });
  if (added.added.length !== keys.length) throw new Error(`gemini-keys answered ${JSON.stringify(added)}`);
  await call("POST", "/api/admin/models", { id: MODEL, category: "flash" });
  const client = await call("POST", "/api/admin/worker-keys", { name: "bench" });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const r = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${client.key}` } });
    if (r.ok && (await r.text()).includes(MODEL)) return client.key;
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error("the seeded model never appeared in /v1/models");
}

try {
  await main();
} catch (error) {
  console.error(`bench-proxy failed: ${error?.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
