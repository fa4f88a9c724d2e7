/** Runs a Lua script atomically on Redis (see `cluster/redis-link.ts`). */
export type RedisEval = (script: string, keys: string[], args: string[]) => Promise<unknown>;

/** One counter of a sign-in attempt: its key (e.g. `address:10.0.0.1`) and limit. */
export interface SharedCounter {
  key: string;
  max: number;
}

/** The answer of {@link SharedFailures.reserve}. */
export type Reservation =
  | { outcome: 'ok' }
  /** A counter has reached its limit: seconds until its window ends. */
  | { outcome: 'blocked'; retryAfter: number }
  /** Attempts in flight (on any node) could still fill a counter: try again shortly. */
  | { outcome: 'wait' };

// KEYS: failure keys, then in-flight keys. ARGV: the maxes, then the in-flight keys' lifetime.
const RESERVE = `
local n = #KEYS / 2
local blocked = -1
local wait = false
for k = 1, n do
  local max = tonumber(ARGV[k])
  local f = tonumber(redis.call('GET', KEYS[k]) or '0')
  if f >= max then
    local ttl = redis.call('PTTL', KEYS[k])
    if ttl > blocked then blocked = ttl end
  elseif f + tonumber(redis.call('GET', KEYS[n + k]) or '0') >= max then
    wait = true
  end
end
if blocked >= 0 then return {'blocked', blocked} end
if wait then return {'wait', 0} end
for k = 1, n do
  redis.call('INCR', KEYS[n + k])
  redis.call('PEXPIRE', KEYS[n + k], ARGV[n + 1])
end
return {'ok', 0}`;

// KEYS: failure keys, then in-flight keys. ARGV: window ms, '1' when failed, '1' to clear KEYS[1].
const END = `
local n = #KEYS / 2
for k = 1, n do
  if tonumber(redis.call('GET', KEYS[n + k]) or '0') > 0 then redis.call('DECR', KEYS[n + k]) end
  if ARGV[2] == '1' and redis.call('INCR', KEYS[k]) == 1 then
    redis.call('PEXPIRE', KEYS[k], ARGV[1])
  end
end
if ARGV[3] == '1' then redis.call('DEL', KEYS[1]) end
return 0`;

// KEYS[1]: a failure key. ARGV: its max. Returns the ms left in its window when at the limit.
const BLOCKED = `
local f = tonumber(redis.call('GET', KEYS[1]) or '0')
if f < tonumber(ARGV[1]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 1 then return 1 end
return ttl`;

// KEYS[1]: a failure key. ARGV: window ms.
const FAIL = `
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 0`;

/** How long an attempt in flight stays counted if its node dies before ending it. */
const IN_FLIGHT_TTL_MS = 60_000;

/**
 * Sign-in failure counters shared by the nodes of a cluster (`--redis`), with the semantics of
 * the in-process `FailureLimiter`: fixed windows that start at the first failure, attempts in
 * flight counted until they end, a success taking its attempt back and clearing the pair's
 * failures. Each step is one Lua script, so attempts on different nodes at once are counted
 * exactly as attempts on one node.
 *
 * @example
 * const shared = new SharedFailures(link.eval, 'backand:demo:', 15 * 60_000);
 * const r = await shared.reserve([{ key: 'address:1.2.3.4', max: 100 }]);
 * if (r.outcome === 'ok') { const ok = await check(); await shared.end(counters, !ok, ok); }
 */
export class SharedFailures {
  constructor(
    private readonly run: RedisEval,
    private readonly prefix: string,
    private readonly windowMs: number,
  ) {}

  /** Counts an attempt in flight on every counter, unless one is at (or could reach) its limit. */
  async reserve(counters: readonly SharedCounter[]): Promise<Reservation> {
    const [outcome, ms] = (await this.run(RESERVE, this.keys(counters), [
      ...counters.map((c) => String(c.max)),
      String(IN_FLIGHT_TTL_MS),
    ])) as [string, number];
    if (outcome === 'blocked') return { outcome, retryAfter: Math.max(1, Math.ceil(ms / 1000)) };
    return outcome === 'wait' ? { outcome } : { outcome: 'ok' };
  }

  /**
   * Ends an attempt reserved with {@link reserve}: counted as a failure when `failed`; `clearFirst`
   * (a success) forgets the first counter's failures (the pair's).
   */
  async end(
    counters: readonly SharedCounter[],
    failed: boolean,
    clearFirst: boolean,
  ): Promise<void> {
    await this.run(END, this.keys(counters), [
      String(this.windowMs),
      failed ? '1' : '0',
      clearFirst ? '1' : '0',
    ]);
  }

  /** Seconds until `counter` may try again, or 0. */
  async blockedFor(counter: SharedCounter): Promise<number> {
    const ms = Number(
      await this.run(BLOCKED, [this.failureKey(counter.key)], [String(counter.max)]),
    );
    return ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : 0;
  }

  /** Records one failure of `key` (a failed refresh grant). */
  async fail(key: string): Promise<void> {
    await this.run(FAIL, [this.failureKey(key)], [String(this.windowMs)]);
  }

  private keys(counters: readonly SharedCounter[]): string[] {
    return [
      ...counters.map((c) => this.failureKey(c.key)),
      ...counters.map((c) => `${this.prefix}signin:inflight:${c.key}`),
    ];
  }

  private failureKey(key: string): string {
    return `${this.prefix}signin:failures:${key}`;
  }
}
