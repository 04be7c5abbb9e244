/**
 * Counts events per key in fixed windows. The whole table is dropped when a window ends, so its size
 * is bounded by the distinct keys seen in one window, whatever keys an attacker makes up.
 */
export class FixedWindowCounter {
  private counts = new Map<string, number>();
  private windowStart: number;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.windowStart = clock();
  }

  /** Counts one event for `key`; false when the key has already used up this window. */
  take(key: string): boolean {
    this.roll();
    const used = this.counts.get(key) ?? 0;
    if (used >= this.limit) return false;
    this.counts.set(key, used + 1);
    return true;
  }

  /** True when `key` has no event left in this window (nothing is counted). */
  exhausted(key: string): boolean {
    this.roll();
    return (this.counts.get(key) ?? 0) >= this.limit;
  }

  /** Seconds until the current window ends. */
  retryAfterSeconds(): number {
    this.roll();
    return Math.max(1, Math.ceil((this.windowStart + this.windowMs - this.clock()) / 1000));
  }

  get max(): number {
    return this.limit;
  }

  private roll(): void {
    const now = this.clock();
    if (now - this.windowStart < this.windowMs) return;
    this.counts = new Map();
    this.windowStart = now - ((now - this.windowStart) % this.windowMs);
  }
}
