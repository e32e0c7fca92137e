// Latency percentiles from fixed buckets (the `latency_hist` of analytics_daily_llm, migration 0010).
// Bucket 0 holds latencies below 1 ms; bucket k ≥ 1 holds [1.05^(k-1), 1.05^k) ms; the last, 299, is
// open-ended (≥ 34 min). A day's, a step's or a range's histogram is the element-wise sum of its
// rows', so any range's percentiles come from summed counts instead of sorting its raw rows.

export const LATENCY_BUCKETS = 300;
const RATIO = 1.05;

/** The bucket of a latency — the same as SQL's `analytics_latency_bucket`. */
export function latencyBucket(ms: number): number {
  if (ms < 1) return 0;
  return Math.min(LATENCY_BUCKETS - 1, 1 + Math.floor(Math.log(ms) / Math.log(RATIO)));
}

/** The whole milliseconds a bucket can hold (latencies are integers): [low, high]. */
function bucketRange(bucket: number): [number, number] {
  if (bucket <= 0) return [0, 0];
  const low = Math.ceil(RATIO ** (bucket - 1));
  if (bucket >= LATENCY_BUCKETS - 1) return [low, low];
  return [low, Math.max(low, Math.ceil(RATIO ** bucket) - 1)];
}

/** Sparse histogram: bucket → count. */
export type Histogram = Map<number, number>;

export function addToHistogram(into: Histogram, bucket: number, count: number) {
  if (count === 0) return;
  into.set(bucket, (into.get(bucket) ?? 0) + count);
}

/**
 * The `fraction` percentile as PostgreSQL's percentile_cont computes it — linear interpolation
 * between the values at ranks floor and ceil of fraction × (n − 1) — with each rank's value read from
 * its bucket, the bucket's count spread evenly over the whole milliseconds it holds. Exact where a
 * bucket holds one whole millisecond (below 21 ms); otherwise within that bucket (±5 %). null when empty.
 */
export function percentileOf(histogram: Histogram, fraction: number): number | null {
  const buckets = [...histogram.entries()].filter(([, n]) => n > 0).sort((x, y) => x[0] - y[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const valueAt = (rank: number) => {
    let start = 0;
    for (const [bucket, n] of buckets) {
      if (rank < start + n) {
        const [low, high] = bucketRange(bucket);
        return n === 1 ? (low + high) / 2 : low + ((high - low) * (rank - start)) / (n - 1);
      }
      start += n;
    }
    const [low] = bucketRange(buckets[buckets.length - 1]?.[0] ?? 0);
    return low;
  };
  const position = fraction * (total - 1);
  const lowRank = Math.floor(position);
  const lowValue = valueAt(lowRank);
  const value = lowValue + (valueAt(Math.ceil(position)) - lowValue) * (position - lowRank);
  return Math.round(value * 1000) / 1000;
}
