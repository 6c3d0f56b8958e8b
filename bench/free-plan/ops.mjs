// Client of the counting Worker's /__bench API, and the billed figures of a bucket's counters.
import { dec } from "./format.mjs";

export function benchApi(base) {
  const call = async (method, route) => {
    const res = await fetch(base + route, { method, signal: AbortSignal.timeout(120_000) });
    const body = await res.json();
    if (!res.ok) throw new Error(`${method} ${route} answered ${res.status}: ${JSON.stringify(body)}`);
    return body;
  };
  return {
    ops: () => call("GET", "/__bench/ops"),
    reset: (bucket) => call("POST", `/__bench/ops/reset${bucket ? `?bucket=${bucket}` : ""}`),
    cron: (at, cron) => call("POST", `/__bench/cron?at=${at}&cron=${encodeURIComponent(cron)}`),
    db: () => call("GET", "/__bench/db"),
  };
}

/** The resources the free plan bills, in print order. */
export const RESOURCES = [
  ["workerRequests", "Worker requests"],
  ["kvReads", "KV reads (billed keys)"],
  ["kvWrites", "KV writes"],
  ["kvDeletes", "KV deletes"],
  ["kvLists", "KV lists"],
  ["d1RowsRead", "D1 rows read"],
  ["d1RowsWritten", "D1 rows written"],
];

const sum = (namespaces, pick) => Object.values(namespaces).reduce((total, ns) => total + pick(ns), 0);

/** Billed figures of one bucket (a missing bucket is all zeros). */
export function figures(bucket) {
  const kv = bucket?.kv ?? {};
  const d1 = bucket?.d1 ?? {};
  return {
    workerRequests: bucket?.requests ?? 0,
    kvReads: sum(kv, (ns) => ns.get + ns.bulkGetKeys + ns.getWithMetadata + ns.bulkGetWithMetadataKeys),
    kvReadCalls: sum(kv, (ns) => ns.get + ns.bulkGet + ns.getWithMetadata + ns.bulkGetWithMetadata),
    kvWrites: sum(kv, (ns) => ns.put),
    kvDeletes: sum(kv, (ns) => ns.delete),
    kvLists: sum(kv, (ns) => ns.list),
    d1RowsRead: d1.rowsRead ?? 0,
    d1RowsWritten: d1.rowsWritten ?? 0,
    d1Queries: d1.statements ?? 0,
    d1Batches: d1.batches ?? 0,
    d1Uncounted: (d1.execs ?? 0) + (d1.withoutMeta ?? 0) + (d1.rawUncounted ?? 0),
  };
}

/** Each figure divided by n. */
export function perCall(figs, n) {
  return Object.fromEntries(Object.entries(figs).map(([k, v]) => [k, n > 0 ? v / n : 0]));
}

/** One line per KV namespace: what the bucket did there. */
export function kvBreakdown(bucket, n = 1) {
  const f = (x) => dec(x / n);
  return Object.entries(bucket?.kv ?? {}).map(
    ([name, ns]) =>
      `${name}: get ${f(ns.get)}, bulk get ${f(ns.bulkGet)} (${f(ns.bulkGetKeys)} keys), getWithMetadata ${f(ns.getWithMetadata + ns.bulkGetWithMetadataKeys)}, ` +
      `put ${f(ns.put)}, delete ${f(ns.delete)}, list ${f(ns.list)}`,
  );
}
