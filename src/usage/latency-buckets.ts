/**
 * Log-scale latency buckets (ms): bucket i holds values up to LATENCY_BOUNDS[i]; the last
 * bucket holds everything above. 1.5x steps keep percentile estimates within ~25%.
 */
export const LATENCY_BOUNDS: readonly number[] = Array.from({ length: 24 }, (_, i) =>
  Math.round(10 * 1.5 ** i),
);

export function latencyBucket(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS.length; i++) {
    if (ms <= LATENCY_BOUNDS[i]!) return i;
  }
  return LATENCY_BOUNDS.length;
}

/** Upper bound of a bucket in ms (the overflow bucket reports twice the last bound). */
export function bucketUpperBound(bucket: number): number {
  return LATENCY_BOUNDS[bucket] ?? LATENCY_BOUNDS[LATENCY_BOUNDS.length - 1]! * 2;
}
