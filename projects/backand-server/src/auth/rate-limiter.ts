/**
 * Counts failures per key in a fixed window (in memory, per process). Used to slow down
 * password guessing per username and per client address.
 *
 * Attempts being checked are counted too ({@link begin} … {@link end}): an attempt may start
 * only while the failures plus the attempts in flight stay under the limit ({@link hasRoom}), so
 * attempts made at once never get more checks than attempts made one after another.
 *
 * @example
 * const perAddress = new FailureLimiter(100, 15 * 60_000);
 * if (perAddress.blockedFor(key) > 0) return tooMany();
 * if (perAddress.hasRoom(key)) {
 *   perAddress.begin(key); // synchronously, right after the check
 *   const ok = await checkPassword();
 *   perAddress.end(key, !ok);
 * }
 */
export class FailureLimiter {
  private readonly entries = new Map<string, { count: number; resetAt: number }>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The number of failures in a window that blocks a key. */
  get limit(): number {
    return this.max;
  }

  /** Seconds until `key` may try again, or 0 when its failures are under the limit. */
  blockedFor(key: string): number {
    const entry = this.current(key);
    if (!entry || entry.count < this.max) return 0;
    return Math.max(1, Math.ceil((entry.resetAt - this.now()) / 1000));
  }

  /**
   * Whether another attempt of `key` may start now: even if every attempt in flight failed, the
   * failures would stay under the limit.
   */
  hasRoom(key: string): boolean {
    return (this.current(key)?.count ?? 0) + (this.inFlight.get(key) ?? 0) < this.max;
  }

  /** Counts an attempt of `key` that starts now; end it with {@link end}. */
  begin(key: string): void {
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
  }

  /** Ends an attempt begun with {@link begin}: it stays counted as a failure when `failed`. */
  end(key: string, failed: boolean): void {
    const left = (this.inFlight.get(key) ?? 0) - 1;
    if (left > 0) this.inFlight.set(key, left);
    else this.inFlight.delete(key);
    if (failed) this.fail(key);
  }

  /** Records one failure for `key`. */
  fail(key: string): void {
    const entry = this.current(key);
    if (entry) entry.count++;
    else this.entries.set(key, { count: 1, resetAt: this.now() + this.windowMs });
    if (this.entries.size > 10000) this.prune();
  }

  /** Forgets the failures of `key` (after a success); its attempts in flight stay counted. */
  reset(key: string): void {
    this.entries.delete(key);
  }

  private current(key: string): { count: number; resetAt: number } | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.resetAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.resetAt <= now) this.entries.delete(key);
  }
}
