// Benchmark-only Worker entry: the product (src/index) with its KV and D1 bindings wrapped by
// counting proxies, plus a small /__bench API that run.mjs reads. Everything else is the
// product. Counts live in this one isolate (wrangler dev runs one).
//   GET  /__bench/ops                    all counters, per bucket (proxy, admin, cron, other)
//   POST /__bench/ops/reset[?bucket=b]   zero one bucket, or all
//   POST /__bench/cron?at=<ms>[&cron=…]  runs the product's scheduled handler, waitUntil awaited
//   GET  /__bench/db                     row count per table and database size (not counted)
import product from "../../src/index";
import type { Env } from "../../src/env";
import { reset, scope, snapshot, current, type Bucket } from "./counters";
import { countingD1 } from "./counting-d1";
import { countingKv } from "./counting-kv";

const wrapped = new WeakMap<object, Env>();

/** The env the product sees: the same, with KV and D1 counted. One per real env. */
function countingEnv(env: Env): Env {
  let counted = wrapped.get(env);
  if (!counted) {
    counted = {
      ...env,
      GEMINI_KEYS_KV: countingKv(env.GEMINI_KEYS_KV, "GEMINI_KEYS_KV"),
      WORKER_CONFIG_KV: countingKv(env.WORKER_CONFIG_KV, "WORKER_CONFIG_KV"),
      DB: countingD1(env.DB),
    };
    wrapped.set(env, counted);
  }
  return counted;
}

function bucketOf(pathname: string): Bucket {
  if (pathname.startsWith("/v1/") || pathname.startsWith("/v1beta/")) return "proxy";
  if (pathname.startsWith("/api/")) return "admin";
  return "other";
}

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

/** Runs the product's cron like the runtime would, and waits for all its waitUntil work. */
async function runCron(url: URL, env: Env): Promise<Response> {
  const scheduledTime = Number(url.searchParams.get("at") ?? Date.now());
  const cron = url.searchParams.get("cron") ?? "*/10 * * * *";
  const pending: Promise<unknown>[] = [];
  const ctx = {
    waitUntil: (promise: Promise<unknown>) => void pending.push(promise),
    passThroughOnException() {},
    props: {},
  } as unknown as ExecutionContext;
  const controller = { scheduledTime, cron, noRetry() {} } as ScheduledController;
  const started = Date.now();
  try {
    await scope.run("cron", async () => {
      current().requests++;
      await product.scheduled(controller, countingEnv(env), ctx);
    });
    const settled = await Promise.allSettled(pending);
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return json({ ok: true, scheduledTime, ms: Date.now() - started });
  } catch (error) {
    return json({ ok: false, scheduledTime, error: String((error as Error)?.stack ?? error) }, 500);
  }
}

/** Rows per table and the database size, read through the real binding (not counted). */
async function dbStats(env: Env): Promise<Response> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'",
  ).all<{ name: string }>();
  const names = tables.results.map((t) => t.name);
  const counts = names.length
    ? await env.DB.batch(names.map((name) => env.DB.prepare(`SELECT count(*) AS n FROM "${name}"`)))
    : [];
  const rows = Object.fromEntries(names.map((name, i) => [name, Number((counts[i]?.results[0] as { n: number }).n)]));
  const sizes = [tables, ...counts].map((r) => Number(r.meta.size_after ?? 0));
  return json({ sizeAfter: Math.max(...sizes), rows });
}

async function benchRoute(request: Request, url: URL, env: Env): Promise<Response> {
  const route = `${request.method} ${url.pathname}`;
  if (route === "GET /__bench/ops") return json(snapshot());
  if (route === "POST /__bench/ops/reset") {
    reset((url.searchParams.get("bucket") as Bucket | null) ?? undefined);
    return json({ ok: true });
  }
  if (route === "POST /__bench/cron") return runCron(url, env);
  if (route === "GET /__bench/db") return dbStats(env);
  return json({ error: `no bench route ${route}` }, 404);
}

export default {
  fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/__bench/")) return benchRoute(request, url, env);
    return scope.run(bucketOf(url.pathname), () => {
      current().requests++;
      return product.fetch(request, countingEnv(env), ctx);
    });
  },
  scheduled(controller, env, ctx) {
    return scope.run("cron", () => {
      current().requests++;
      return product.scheduled(controller, countingEnv(env), ctx);
    });
  },
} satisfies ExportedHandler<Env>;
