import type { HashQueue } from './hash-queue';
import type { FailureLimiter } from './rate-limiter';
import type { SharedCounter, SharedFailures } from './shared-failures';
import { canonicalUsername } from './username';

/**
 * Failed password checks, counted per (username, address) pair, per address, and per username
 * from all addresses together (a higher limit, so one address cannot lock an account out).
 */
export interface FailureLimits {
  perPair: FailureLimiter;
  perAddress: FailureLimiter;
  perUser: FailureLimiter;
}

/** What became of a guarded password check. */
export type GuardedCheck =
  /** The password was checked: `ok` tells whether it matched. */
  | { outcome: 'checked'; ok: boolean }
  /** Too many failures for the name, the address or the pair: 429. */
  | { outcome: 'blocked'; retryAfter: number }
  /** The hash queue is full: 503. */
  | { outcome: 'busy'; retryAfter: number };

/** How soon an attempt that waits for attempts in flight on other nodes looks again. */
const SHARED_RETRY_MS = 20;

/** The shared form of the counters (the pair's first, as {@link SharedFailures.end} expects). */
function sharedCounters(counters: Array<[FailureLimiter, string]>): SharedCounter[] {
  return counters.map(([limiter, key]) => ({ key, max: limiter.limit }));
}

/**
 * Guards every check of a user's password (`/token`, `changePassword`): the failure limits, one
 * check at a time per user name, and the bounded hash queue. Attempts sent at once are held
 * exactly like attempts sent one after another:
 *
 * - **One check per name at a time.** Later attempts for a name wait their turn, in arrival
 *   order, rather than being refused: a second tab or a retry is not an error, and the pair and
 *   name counts then change one attempt at a time, as in a sequential run.
 * - **Counted before the hash.** At its turn an attempt is refused if its pair, address or name
 *   has reached its limit; otherwise it is counted as in flight — in the same synchronous step,
 *   before its hash runs — and stays counted until its check ends: a failure stays counted, a
 *   success is taken back (and clears the pair's failures, as before).
 * - **No more checks than the limit allows.** An attempt starts only while the failures plus
 *   the attempts in flight stay under every limit; when the address's attempts in flight could
 *   still fill it, the attempt waits for one of them to end rather than guess its outcome. Of 60
 *   wrong passwords at once with a limit of 10, 10 are checked and 50 answered 429; of 60 right
 *   ones, all sign in.
 *
 * Every waiting attempt holds a place in the hash queue, whose bound answers the rest with 503.
 *
 * With `shared` counters (a cluster, `--redis`), every attempt is also counted in Redis, so the
 * limits hold for all nodes together; an attempt whose counters attempts in flight on other
 * nodes could fill looks again shortly. If Redis does not answer, this node's own limits still
 * hold.
 *
 * @example
 * const result = await guard.check(username, request.ip, () => users.checkPassword(id, password));
 * if (result.outcome === 'blocked') return tooMany(result.retryAfter);   // 429
 * if (result.outcome === 'busy') return busy(result.retryAfter);         // 503
 * if (!result.ok) return wrongPassword();
 */
export class SignInGuard {
  /** Names being checked → the attempts waiting for their turn, in arrival order. */
  private readonly turns = new Map<string, Array<() => void>>();
  /** Address keys → attempts waiting for one of the address's attempts in flight to end. */
  private readonly rooms = new Map<string, Array<() => void>>();

  constructor(
    readonly limits: FailureLimits,
    readonly queue: HashQueue,
    private readonly shared?: SharedFailures,
  ) {}

  /** Checks a password of `username` from `address` with `verify`, within the limits. */
  check(username: string, address: string, verify: () => Promise<boolean>): Promise<GuardedCheck> {
    return this.attempt(username, address, (inSlot) => inSlot(verify));
  }

  /**
   * As {@link check}, for an attempt that may decide without hashing (a security action that
   * allows or denies a sign-in): `decide` runs at the attempt's turn, counted like a password
   * check, holding a place in the hash queue but no hashing slot; it runs a hash through
   * `inSlot` (at most once). A `false` answer is a failure, a `true` one a success.
   */
  async attempt(
    username: string,
    address: string,
    decide: (inSlot: <T>(job: () => Promise<T>) => Promise<T>) => Promise<boolean>,
  ): Promise<GuardedCheck> {
    // Every spelling of a name is one user: its failures are counted, and its checks take turns, together.
    const name = canonicalUsername(username);
    const keys = this.keysOf(name, address);
    const counters: Array<[FailureLimiter, string]> = [
      [this.limits.perPair, keys.pair],
      [this.limits.perAddress, keys.address],
      [this.limits.perUser, keys.user],
    ];
    const blockedFor = () => Math.max(...counters.map(([limiter, key]) => limiter.blockedFor(key)));
    // Failures already at a limit refuse it at once: no order of the attempts in flight helps.
    const refused = blockedFor();
    if (refused > 0) return { outcome: 'blocked', retryAfter: refused };
    const ticket = this.queue.admit();
    if (!ticket) return { outcome: 'busy', retryAfter: this.queue.retryAfterSeconds() };
    const turn = this.turnOf(name);
    let shared = false;
    try {
      if (turn) await turn;
      // The name's turn: none of its pair's or name's attempts is in flight, only the address's.
      for (;;) {
        const retryAfter = blockedFor();
        if (retryAfter > 0) return { outcome: 'blocked', retryAfter };
        if (!counters.every(([limiter, key]) => limiter.hasRoom(key))) {
          await this.roomAt(keys.address);
          continue;
        }
        // One node: no await between the check above and the count below.
        if (!this.shared) break;
        const elsewhere = await this.reserveShared(counters);
        if (elsewhere === 'unavailable') break;
        if (elsewhere !== 'ok') {
          if (elsewhere.outcome === 'blocked') return elsewhere;
          await new Promise((resolve) => setTimeout(resolve, SHARED_RETRY_MS));
          continue;
        }
        // Reserved everywhere; this node's own attempts may have moved meanwhile.
        if (counters.every(([limiter, key]) => limiter.hasRoom(key))) {
          shared = true;
          break;
        }
        await this.endShared(counters, false, false);
      }
      // Counted in the same synchronous step as the check above (on one node), before the hash runs.
      for (const [limiter, key] of counters) limiter.begin(key);
      try {
        const ok = await decide((job) => ticket.run(job));
        for (const [limiter, key] of counters) limiter.end(key, !ok);
        if (ok) this.limits.perPair.reset(keys.pair);
        if (shared) await this.endShared(counters, !ok, ok);
        return { outcome: 'checked', ok };
      } catch (err) {
        // No answer about the password: the attempt is taken back, neither failure nor success.
        for (const [limiter, key] of counters) limiter.end(key, false);
        if (shared) await this.endShared(counters, false, false);
        throw err;
      } finally {
        this.wakeRoom(keys.address);
      }
    } finally {
      ticket.release();
      this.endTurn(name);
    }
  }

  /**
   * Seconds until a refresh grant from `address` may be tried, or 0. A refresh token cannot be
   * guessed, so refreshes are held by the address limit only: a username blocked by failed
   * passwords keeps its live sessions.
   */
  async refreshBlockedFor(address: string): Promise<number> {
    const key = this.keysOf('', address).address;
    const here = this.limits.perAddress.blockedFor(key);
    if (here > 0 || !this.shared) return here;
    return this.shared.blockedFor({ key, max: this.limits.perAddress.limit }).catch(() => 0);
  }

  /** Counts a failed refresh grant against its address. */
  async refreshFailed(address: string): Promise<void> {
    const key = this.keysOf('', address).address;
    this.limits.perAddress.fail(key);
    await this.shared?.fail(key).catch(() => undefined);
  }

  /** Reserves the attempt in the shared counters; 'unavailable' without them or Redis. */
  private async reserveShared(
    counters: Array<[FailureLimiter, string]>,
  ): Promise<
    'ok' | 'unavailable' | { outcome: 'blocked'; retryAfter: number } | { outcome: 'wait' }
  > {
    if (!this.shared) return 'unavailable';
    try {
      const r = await this.shared.reserve(sharedCounters(counters));
      return r.outcome === 'ok' ? 'ok' : r;
    } catch {
      return 'unavailable';
    }
  }

  private async endShared(
    counters: Array<[FailureLimiter, string]>,
    failed: boolean,
    success: boolean,
  ): Promise<void> {
    await this.shared?.end(sharedCounters(counters), failed, success).catch(() => undefined);
  }

  private keysOf(name: string, address: string) {
    const user = `user:${name}`;
    const addressKey = `address:${address}`;
    return { user, address: addressKey, pair: `${user} ${addressKey}` };
  }

  /** Resolves when one of the address's attempts in flight ends. */
  private roomAt(addressKey: string): Promise<void> {
    return new Promise((resolve) => {
      const waiting = this.rooms.get(addressKey);
      if (waiting) waiting.push(resolve);
      else this.rooms.set(addressKey, [resolve]);
    });
  }

  /** An attempt of the address ended: the attempts waiting look again, in arrival order. */
  private wakeRoom(addressKey: string): void {
    const waiting = this.rooms.get(addressKey);
    if (!waiting) return;
    this.rooms.delete(addressKey);
    for (const resolve of waiting) resolve();
  }

  /** Takes the name's turn now (undefined) or resolves when the attempt before it is done. */
  private turnOf(name: string): Promise<void> | undefined {
    const line = this.turns.get(name);
    if (!line) {
      this.turns.set(name, []);
      return undefined;
    }
    return new Promise((resolve) => line.push(resolve));
  }

  /** Hands the name's turn to the next attempt waiting, or frees it. */
  private endTurn(name: string): void {
    const next = this.turns.get(name)?.shift();
    if (next) next();
    else this.turns.delete(name);
  }
}
