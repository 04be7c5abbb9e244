/**
 * Ingest latencies in fixed memory, so a long run's figures cost nothing per message kept: 1 ms
 * buckets up to 2 s (where a p99 objective of 1 s lives), 100 ms buckets up to 2 minutes, and one
 * bucket beyond. A quantile is the upper edge of the bucket it falls in.
 */
const FINE_LIMIT_MS = 2_000;
const COARSE_STEP_MS = 100;
const COARSE_LIMIT_MS = 120_000;
const FINE_BUCKETS = FINE_LIMIT_MS;
const COARSE_BUCKETS = (COARSE_LIMIT_MS - FINE_LIMIT_MS) / COARSE_STEP_MS;

export class LatencyHistogram {
  private readonly buckets = new Float64Array(FINE_BUCKETS + COARSE_BUCKETS + 1);
  private total = 0;
  private max = 0;

  record(ms: number): void {
    const value = Math.max(0, ms);
    this.buckets[bucketOf(value)]!++;
    this.total++;
    if (value > this.max) this.max = value;
  }

  get count(): number {
    return this.total;
  }

  /** The q-quantile in ms (q in [0, 1]), or null without samples. */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return Math.min(upperEdgeOf(i), Math.ceil(this.max));
    }
    return Math.ceil(this.max);
  }
}

function bucketOf(ms: number): number {
  if (ms < FINE_LIMIT_MS) return Math.floor(ms);
  if (ms < COARSE_LIMIT_MS) return FINE_BUCKETS + Math.floor((ms - FINE_LIMIT_MS) / COARSE_STEP_MS);
  return FINE_BUCKETS + COARSE_BUCKETS;
}

function upperEdgeOf(bucket: number): number {
  if (bucket < FINE_BUCKETS) return bucket + 1;
  if (bucket < FINE_BUCKETS + COARSE_BUCKETS) return FINE_LIMIT_MS + (bucket - FINE_BUCKETS + 1) * COARSE_STEP_MS;
  return Number.POSITIVE_INFINITY;
}
