// Measurements around the load: one cron run, waiting for a bucket to settle, and the
// trickle probe that shows how much of the proxy's KV reading is driven by time.
import { figures } from "./ops.mjs";
import { runJob } from "./traffic.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reset the cron bucket, run the product's cron at `at`, read the bucket. */
export async function cronRun(bench, at, cron, label) {
  await bench.reset("cron");
  let result;
  try {
    result = await bench.cron(at, cron);
  } catch (error) {
    result = { ok: false, error: String(error.message ?? error) };
  }
  const bucket = (await bench.ops()).buckets.cron;
  return { label, at: new Date(at).toISOString(), ok: result.ok, ms: result.ms, error: result.error, figures: figures(bucket), bucket };
}

/** Waits until a bucket's counters stop changing (spaced KV writes, waitUntil work). */
export async function settle(bench, bucket, { quietMs = 2_000, maxMs = 30_000 } = {}) {
  const deadline = Date.now() + maxMs;
  let last = JSON.stringify((await bench.ops()).buckets[bucket] ?? null);
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(500);
    const now = JSON.stringify((await bench.ops()).buckets[bucket] ?? null);
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) break;
  }
  return (await bench.ops()).buckets[bucket];
}

/** Billed KV reads per namespace in a bucket. */
function kvReadsByNamespace(bucket) {
  return Object.fromEntries(
    Object.entries(bucket?.kv ?? {}).map(([name, ns]) => [name, ns.get + ns.bulkGetKeys + ns.getWithMetadata + ns.bulkGetWithMetadataKeys]),
  );
}

/**
 * One plain call a second for `seconds`, one client, after the load. In each namespace, a
 * call that reads it met a refresh of an isolate cache; their spacing is the refresh cadence
 * (at one call a second, a cache that lives t seconds shows as a refresh every ceil(t) s or so).
 */
export async function trickle(bench, base, client, seconds) {
  await bench.reset("proxy");
  const perCall = []; // per call: {namespace: KV reads}
  let before = {};
  let failed = 0;
  const started = Date.now();
  for (let i = 0; i < seconds; i++) {
    const due = started + i * 1_000;
    if (Date.now() < due) await sleep(due - Date.now());
    const [outcome] = await runJob(base, { kind: "plain", model: "gemini-2.5-flash", client });
    if (!outcome.ok) failed++;
    const now = kvReadsByNamespace((await bench.ops()).buckets.proxy);
    perCall.push(Object.fromEntries(Object.entries(now).map(([name, n]) => [name, n - (before[name] ?? 0)])));
    before = now;
  }
  const elapsedS = (Date.now() - started) / 1_000;
  const bucket = await settle(bench, "proxy");
  const namespaces = {};
  for (const name of Object.keys(before)) {
    const reads = perCall.map((c) => c[name] ?? 0);
    const refreshes = reads.filter((r) => r > 0).length;
    const total = reads.reduce((a, b) => a + b, 0);
    namespaces[name] = {
      reads: total,
      refreshes,
      readsPerRefresh: refreshes ? total / refreshes : 0,
      cadenceS: refreshes ? elapsedS / refreshes : Infinity,
      readsPerCall: reads,
    };
  }
  const figs = figures(bucket);
  return { calls: seconds, failed, elapsedS, figures: figs, namespaces, readsPerSecond: figs.kvReads / elapsedS };
}

/** Milliseconds since the Pacific wall clock last read 00:00:00.000, by the wall clock. */
function pacificWallSinceMidnight(t) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone: "America/Los_Angeles", hourCycle: "h23", hour: "numeric", minute: "numeric", second: "numeric" })
      .formatToParts(new Date(t))
      .map((p) => [p.type, Number(p.value)]),
  );
  return ((parts.hour % 24) * 3600 + parts.minute * 60 + parts.second) * 1_000 + (t % 1_000);
}

/** The last Pacific midnight at or before `t` (epoch ms), DST days included. */
function pacificMidnightBefore(t) {
  const guess = t - pacificWallSinceMidnight(t);
  // On a DST day the wall clock gained or lost an hour since midnight: correct by the offset.
  const off = pacificWallSinceMidnight(guess);
  if (off === 0) return guess;
  return off > 12 * 3_600_000 ? guess + (86_400_000 - off) : guess - off;
}

/** One minute after the first Pacific midnight after `t`: when the daily-reset run fires. */
export function afterNextPacificMidnight(t) {
  // 30 h after the last midnight is inside the next Pacific day, whether it has 23, 24 or 25 hours.
  return pacificMidnightBefore(pacificMidnightBefore(t) + 30 * 3_600_000) + 60_000;
}
