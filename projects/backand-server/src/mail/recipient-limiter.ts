/**
 * Counts mails per recipient address over a sliding window. Memory stays bounded: old stamps
 * are dropped as addresses are used, and the whole map is swept once per window.
 */
export class RecipientLimiter {
  private readonly sent = new Map<string, number[]>();
  private sweptAt = Date.now();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts one mail to each address, unless one of them is at its limit.
   * @returns the first address over its limit (nothing counted then), or undefined.
   */
  take(addresses: readonly string[]): string | undefined {
    const now = this.now();
    if (now - this.sweptAt > this.windowMs) this.sweep(now);
    const unique = [...new Set(addresses)];
    for (const a of unique) {
      const recent = this.recent(a, now);
      if (recent.length >= this.max) return a;
    }
    for (const a of unique) {
      const list = this.recent(a, now);
      list.push(now);
      this.sent.set(a, list);
    }
    return undefined;
  }

  private recent(address: string, now: number): number[] {
    return (this.sent.get(address) ?? []).filter((t) => now - t < this.windowMs);
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [a, list] of this.sent) {
      const recent = list.filter((t) => now - t < this.windowMs);
      if (recent.length) this.sent.set(a, recent);
      else this.sent.delete(a);
    }
  }
}
