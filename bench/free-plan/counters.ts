// The operation counters of the counting Worker, kept per bucket: which kind of request (or
// the cron) the operation was made for. The bucket follows the request through its promises,
// waitUntil work and timers (AsyncLocalStorage), so a KV write that a proxied call leaves
// behind in a timer still counts as the proxy's.
import { AsyncLocalStorage } from "node:async_hooks";

export type Bucket = "proxy" | "admin" | "cron" | "other" | "unattributed";

/** One KV namespace's calls. Bulk gets are billed per key: `bulkGetKeys` is what counts. */
export interface KvOps {
  get: number;
  bulkGet: number;
  bulkGetKeys: number;
  getWithMetadata: number;
  bulkGetWithMetadata: number;
  bulkGetWithMetadataKeys: number;
  put: number;
  delete: number;
  list: number;
}

/** D1 figures summed from every result's `meta`. */
export interface D1Ops {
  /** Statements run, alone or inside a batch. */
  statements: number;
  batches: number;
  rowsRead: number;
  rowsWritten: number;
  /** db.exec calls: D1 reports no rows for them (none expected from the product). */
  execs: number;
  /** Results that came back without meta (their rows are not in the sums). */
  withoutMeta: number;
  /** raw() calls passed to the real raw() (column names asked, or a join): rows not counted. */
  rawUncounted: number;
}

export interface BucketOps {
  requests: number;
  kv: Record<string, KvOps>;
  d1: D1Ops;
}

export const scope = new AsyncLocalStorage<Bucket>();

let buckets: Partial<Record<Bucket, BucketOps>> = {};
/** Database size in bytes (meta.size_after): the largest and the latest seen. Not reset. */
export const d1Size = { max: 0, last: 0 };

function emptyBucket(): BucketOps {
  return {
    requests: 0,
    kv: {},
    d1: { statements: 0, batches: 0, rowsRead: 0, rowsWritten: 0, execs: 0, withoutMeta: 0, rawUncounted: 0 },
  };
}

function emptyKv(): KvOps {
  return {
    get: 0, bulkGet: 0, bulkGetKeys: 0, getWithMetadata: 0, bulkGetWithMetadata: 0,
    bulkGetWithMetadataKeys: 0, put: 0, delete: 0, list: 0,
  };
}

/** The counters of the bucket the current operation belongs to. */
export function current(): BucketOps {
  const name = scope.getStore() ?? "unattributed";
  return (buckets[name] ??= emptyBucket());
}

export function kvOps(namespace: string): KvOps {
  return (current().kv[namespace] ??= emptyKv());
}

/** Adds one D1 result's meta to the current bucket. */
export function noteD1Result(result: { meta?: Record<string, unknown> } | undefined): void {
  const d1 = current().d1;
  d1.statements++;
  const meta = result?.meta;
  if (!meta || typeof meta.rows_read !== "number") {
    d1.withoutMeta++;
    return;
  }
  d1.rowsRead += meta.rows_read;
  d1.rowsWritten += Number(meta.rows_written ?? 0);
  const size = Number(meta.size_after ?? 0);
  if (size > 0) {
    d1Size.last = size;
    d1Size.max = Math.max(d1Size.max, size);
  }
}

export function snapshot(): { buckets: Partial<Record<Bucket, BucketOps>>; d1Size: typeof d1Size } {
  return structuredClone({ buckets, d1Size });
}

/** Zeroes one bucket, or all of them. */
export function reset(bucket?: Bucket): void {
  if (bucket) delete buckets[bucket];
  else buckets = {};
}
