import fc from 'fast-check';
import { HashQueue } from './hash-queue';
import { FailureLimiter } from './rate-limiter';
import { SignInGuard, type GuardedCheck } from './sign-in-guard';

const MAX = { pair: 2, address: 4, user: 3 };

interface Attempt {
  name: string;
  address: string;
  right: boolean;
}

const NAMES = ['ann', 'bob', 'Ann ', 'cy', 'dee', 'eve', 'fay', 'gus'];

/** Attempts over the first `names` names (a few make them collide more) and two addresses. */
const attempt = (right: fc.Arbitrary<boolean>, names = NAMES.length) =>
  fc.record({
    name: fc.constantFrom(...NAMES.slice(0, names)),
    address: fc.constantFrom('10.0.0.1', '10.0.0.2'),
    right,
  });

function guard(queue = new HashQueue(4, 1000)): SignInGuard {
  return new SignInGuard(
    {
      perPair: new FailureLimiter(MAX.pair, 60_000),
      perAddress: new FailureLimiter(MAX.address, 60_000),
      perUser: new FailureLimiter(MAX.user, 60_000),
    },
    queue,
  );
}

const nameOf = (a: Attempt) => a.name.trim().toLowerCase();
const pairOf = (a: Attempt) => `${nameOf(a)} ${a.address}`;

/**
 * The documented rules, one attempt after another: refused while the pair, the address or the
 * name has reached its limit of failures; a failure counts for all three; a success clears the
 * pair's failures.
 */
function sequentialModel(attempts: Attempt[]): Array<'blocked' | boolean> {
  const failures = new Map<string, number>();
  const get = (k: string) => failures.get(k) ?? 0;
  return attempts.map((a) => {
    const keys = [`p ${pairOf(a)}`, `a ${a.address}`, `u ${nameOf(a)}`];
    const limits = [MAX.pair, MAX.address, MAX.user];
    if (keys.some((k, i) => get(k) >= limits[i]!)) return 'blocked';
    if (a.right) failures.delete(keys[0]!);
    else for (const k of keys) failures.set(k, get(k) + 1);
    return a.right;
  });
}

describe('SignInGuard', () => {
  it('follows the documented rules for attempts made one after another', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(attempt(fc.boolean(), 3), { maxLength: 30 }), async (attempts) => {
        const g = guard();
        const outcomes: Array<'blocked' | 'busy' | boolean> = [];
        for (const a of attempts) {
          const r = await g.check(a.name, a.address, () => Promise.resolve(a.right));
          outcomes.push(r.outcome === 'checked' ? r.ok : r.outcome);
        }
        expect(outcomes).toEqual(sequentialModel(attempts));
      }),
      { numRuns: 200 },
    );
  }, 30_000);

  it('checks as many wrong passwords as a sequential run would, never more, however they arrive and end', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(attempt(fc.constant(false)), { minLength: 1, maxLength: 25 }),
        async (s, attempts) => {
          const g = guard();
          /** Checked attempts, in the order their checks started. */
          const checked: Attempt[] = [];
          const results = attempts.map((a, i) =>
            s.schedule(Promise.resolve(), `arrive ${i}`).then(() =>
              g.check(a.name, a.address, () => {
                checked.push(a);
                return s.schedule(Promise.resolve(false), `check ${i}`);
              }),
            ),
          );
          await s.waitIdle();
          const outcomes = await Promise.all(results);
          const keys = (a: Attempt) => [`p ${pairOf(a)}`, `a ${a.address}`, `u ${nameOf(a)}`];
          const limits = [MAX.pair, MAX.address, MAX.user];
          // One after another in the order they started, each was allowed…
          const seen = new Map<string, number>();
          for (const a of checked) {
            keys(a).forEach((k, j) => {
              expect(seen.get(k) ?? 0).toBeLessThan(limits[j]!);
              seen.set(k, (seen.get(k) ?? 0) + 1);
            });
          }
          // … and each refused attempt found one of its limits used up.
          outcomes.forEach((o, i) => {
            expect(o.outcome).not.toBe('busy');
            if (o.outcome !== 'blocked') return;
            expect(keys(attempts[i]!).some((k, j) => (seen.get(k) ?? 0) >= limits[j]!)).toBe(true);
          });
          expect(checked.length + outcomes.filter((o) => o.outcome === 'blocked').length).toBe(
            attempts.length,
          );
        },
      ),
      { numRuns: 300 },
    );
  }, 30_000);

  it('refuses no right password sent at once, however many share a pair, name or address', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(
          attempt(fc.constant(true)).map((a) => ({ ...a, address: '10.0.0.1' })),
          { minLength: 1, maxLength: 25 },
        ),
        async (s, attempts) => {
          const g = guard();
          const results = attempts.map((a, i) =>
            s
              .schedule(Promise.resolve(), `arrive ${i}`)
              .then(() =>
                g.check(a.name, a.address, () => s.schedule(Promise.resolve(true), `check ${i}`)),
              ),
          );
          await s.waitIdle();
          for (const o of await Promise.all(results)) {
            expect(o).toEqual({ outcome: 'checked', ok: true });
          }
        },
      ),
      { numRuns: 200 },
    );
  }, 30_000);

  it('never checks two passwords of one name at once, nor more failures than a limit, and answers every attempt', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(attempt(fc.boolean()), { minLength: 1, maxLength: 25 }),
        async (s, attempts) => {
          const g = guard();
          const checking = new Map<string, number>();
          let overlap = false;
          /** Checks in the order they ended, with their result. */
          const ended: Array<{ a: Attempt; ok: boolean }> = [];
          const answered: GuardedCheck[] = [];
          const results = attempts.map((a, i) =>
            s.schedule(Promise.resolve(), `arrive ${i}`).then(async () => {
              const r = await g.check(a.name, a.address, async () => {
                const now = (checking.get(nameOf(a)) ?? 0) + 1;
                checking.set(nameOf(a), now);
                if (now > 1) overlap = true;
                const ok = await s.schedule(Promise.resolve(a.right), `check ${i}`);
                checking.set(nameOf(a), now - 1);
                ended.push({ a, ok });
                return ok;
              });
              answered.push(r);
              return r;
            }),
          );
          await s.waitIdle();
          await Promise.all(results);
          expect(answered).toHaveLength(attempts.length);
          expect(overlap).toBe(false);
          const count = (key: (a: Attempt) => string) => {
            const n = new Map<string, number>();
            for (const e of ended) if (!e.ok) n.set(key(e.a), (n.get(key(e.a)) ?? 0) + 1);
            return Math.max(0, ...n.values());
          };
          expect(count((a) => a.address)).toBeLessThanOrEqual(MAX.address);
          expect(count(nameOf)).toBeLessThanOrEqual(MAX.user);
          // A pair's failures between two of its successes.
          const run = new Map<string, number>();
          for (const e of ended) {
            const n = e.ok ? 0 : (run.get(pairOf(e.a)) ?? 0) + 1;
            run.set(pairOf(e.a), n);
            expect(n).toBeLessThanOrEqual(MAX.pair);
          }
          for (const r of answered)
            if (r.outcome !== 'checked') expect(r.retryAfter).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  }, 30_000);

  it('answers busy when the hash queue is full, without counting the attempt', async () => {
    const g = guard(new HashQueue(1, 0));
    let finish: (ok: boolean) => void = () => undefined;
    const first = g.check('ann', '10.0.0.1', () => new Promise((resolve) => (finish = resolve)));
    const refused: GuardedCheck[] = [];
    for (let i = 0; i < 5; i++) {
      refused.push(await g.check('bob', '10.0.0.1', () => Promise.resolve(false)));
    }
    expect(refused.map((r) => r.outcome)).toEqual(refused.map(() => 'busy'));
    finish(true);
    expect(await first).toEqual({ outcome: 'checked', ok: true });
    // None of the five counted: bob still has his two tries from this address.
    expect(await g.check('bob', '10.0.0.1', () => Promise.resolve(false))).toEqual({
      outcome: 'checked',
      ok: false,
    });
    expect(await g.check('bob', '10.0.0.1', () => Promise.resolve(false))).toEqual({
      outcome: 'checked',
      ok: false,
    });
    expect((await g.check('bob', '10.0.0.1', () => Promise.resolve(true))).outcome).toBe('blocked');
  });

  it('takes an attempt back when its check throws', async () => {
    const g = guard();
    for (let i = 0; i < 5; i++) {
      await expect(
        g.check('ann', '10.0.0.1', () => Promise.reject(new Error('database gone'))),
      ).rejects.toThrow('database gone');
    }
    expect(await g.check('ann', '10.0.0.1', () => Promise.resolve(true))).toEqual({
      outcome: 'checked',
      ok: true,
    });
  });
});
