import { LATENCY_BOUNDS, bucketUpperBound } from "./latency-buckets";

function bucketLowerBound(bucket: number): number {
  return bucket === 0 ? 0 : bucketUpperBound(bucket - 1);
}

/**
 * Estimates the `q` quantile (0 < q <= 1) from a latency histogram given as counts per
 * bucket index, interpolating linearly inside the bucket that holds the target rank (the
 * observations are assumed spread evenly between the bucket's bounds). Null when empty.
 */
export function histogramQuantile(counts: ReadonlyMap<number, number>, q: number): number | null {
  let total = 0;
  for (const count of counts.values()) total += count;
  if (total <= 0) return null;

  const rank = q * total;
  let below = 0;
  for (let bucket = 0; bucket <= LATENCY_BOUNDS.length; bucket++) {
    const count = counts.get(bucket) ?? 0;
    if (count > 0 && below + count >= rank) {
      const lower = bucketLowerBound(bucket);
      const upper = bucketUpperBound(bucket);
      return lower + ((upper - lower) * (rank - below)) / count;
    }
    below += count;
  }
  // Only reachable with bucket indexes outside the known range; report the top bound.
  return bucketUpperBound(LATENCY_BOUNDS.length);
}
