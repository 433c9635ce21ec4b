/** One clock for every bucket (a bound `performance.now` per bucket would cost a function object per socket). */
const monotonicNow = (): number => performance.now();

/**
 * A token bucket: `capacity` tokens, refilled at `ratePerSecond`. One frame costs one token.
 * `strikes` counts frames refused since the bucket was last full, so a client that bursts once in
 * a while is forgiven while one that keeps pushing past its rate accumulates strikes.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  strikes = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    private readonly now: () => number = monotonicNow,
  ) {
    this.tokens = capacity;
    this.last = this.now();
  }

  /** Take one token; false when the bucket is empty (and a strike is counted). */
  take(): boolean {
    const now = this.now();
    const refill = ((now - this.last) * this.ratePerSecond) / 1000;
    this.last = now;
    this.tokens += refill;
    if (this.tokens >= this.capacity) {
      this.tokens = this.capacity;
      this.strikes = 0;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.strikes += 1;
    return false;
  }
}

/** Open connections per client IP, reserved at the upgrade and released when the TCP socket closes. */
export class ConnectionCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly maxPerIp: number) {}

  /** Reserve a slot for `ip`; false when it already has `maxPerIp` open connections. */
  tryAcquire(ip: string): boolean {
    const count = this.counts.get(ip) ?? 0;
    if (count >= this.maxPerIp) return false;
    this.counts.set(ip, count + 1);
    return true;
  }

  release(ip: string): void {
    const count = this.counts.get(ip) ?? 0;
    if (count <= 1) this.counts.delete(ip);
    else this.counts.set(ip, count - 1);
  }

  get size(): number {
    return this.counts.size;
  }
}
