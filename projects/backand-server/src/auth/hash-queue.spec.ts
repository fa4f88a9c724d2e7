import fc from 'fast-check';
import { RetryLaterError } from '../http/http-error';
import { availableParallelism } from 'node:os';
import { defaultHashConcurrency, HashQueue } from './hash-queue';

/** Lets every pending promise job run (the queue hands slots on in promise jobs). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('HashQueue', () => {
  it('runs at most maxConcurrent jobs, lets at most maxQueued wait, in arrival order, and refuses the rest at once', async () => {
    const step = fc.oneof(
      { arbitrary: fc.constant<'arrive'>('arrive'), weight: 3 },
      { arbitrary: fc.constant<'leave'>('leave'), weight: 1 },
      { arbitrary: fc.nat({ max: 7 }).map((n) => ({ finish: n })), weight: 2 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(step, { minLength: 5, maxLength: 40, size: 'medium' }),
        async (maxConcurrent, maxQueued, steps) => {
          const queue = new HashQueue(maxConcurrent, maxQueued);
          /** Jobs holding a place, in arrival order (the model). */
          const alive: number[] = [];
          /** Places taken and not yet used (a caller may still give them back). */
          const unused: Array<{ id: number; release: () => void }> = [];
          const finishers = new Map<number, () => void>();
          const started: number[] = [];
          let next = 0;
          let ran = 0;
          for (const s of steps) {
            if (s === 'arrive') {
              const id = next++;
              const ticket = queue.admit();
              expect(ticket !== undefined).toBe(alive.length < maxConcurrent + maxQueued);
              if (!ticket) continue;
              alive.push(id);
              if (id % 3 === 2) {
                unused.push({ id, release: ticket.release });
                continue;
              }
              void ticket.run(
                () =>
                  new Promise<void>((resolve) => {
                    started.push(id);
                    finishers.set(id, resolve);
                  }),
              );
            } else if (s === 'leave') {
              const left = unused.shift();
              if (!left) continue;
              left.release();
              alive.splice(alive.indexOf(left.id), 1);
            } else {
              const running = [...finishers.keys()];
              const id = running[s.finish % Math.max(1, running.length)];
              if (id === undefined) continue;
              finishers.get(id)!();
              finishers.delete(id);
              alive.splice(alive.indexOf(id), 1);
              ran++;
            }
            await settle();
            const waitingToRun = alive.filter((id) => !unused.some((u) => u.id === id));
            const runningIds = waitingToRun.filter((id) => started.includes(id));
            // Work-conserving and first come, first served: the oldest jobs run.
            expect(runningIds).toEqual(waitingToRun.slice(0, maxConcurrent));
            expect(queue.stats().running).toBe(runningIds.length);
            expect(queue.stats().running + queue.stats().waiting).toBe(alive.length);
            expect(queue.stats().completed).toBe(ran);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 30_000);

  it('rejects a job at once with 503 and a Retry-After when full', async () => {
    const queue = new HashQueue(1, 1);
    let finish: () => void = () => undefined;
    const first = queue.run(() => new Promise<void>((resolve) => (finish = resolve)));
    const second = queue.run(() => Promise.resolve('second'));
    const third = queue.run(() => Promise.resolve('third'));
    await expect(third).rejects.toBeInstanceOf(RetryLaterError);
    await expect(third).rejects.toMatchObject({
      status: 503,
      message: expect.stringMatching(/busy/),
    });
    const error = (await third.catch((e: unknown) => e)) as RetryLaterError;
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    finish();
    await first;
    expect(await second).toBe('second');
    // Room again.
    expect(await queue.run(() => Promise.resolve('fourth'))).toBe('fourth');
  });

  it('gives the place back when a job fails', async () => {
    const queue = new HashQueue(1, 0);
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(queue.stats()).toEqual({ running: 0, waiting: 0, completed: 1 });
    expect(await queue.run(() => Promise.resolve(1))).toBe(1);
  });
});

describe('defaultHashConcurrency', () => {
  const saved = process.env['UV_THREADPOOL_SIZE'];
  afterEach(() => {
    if (saved === undefined) delete process.env['UV_THREADPOOL_SIZE'];
    else process.env['UV_THREADPOOL_SIZE'] = saved;
  });

  it("is libuv's threadpool size, at most the CPUs the process may use", () => {
    delete process.env['UV_THREADPOOL_SIZE'];
    expect(defaultHashConcurrency()).toBe(Math.min(4, availableParallelism()));
    process.env['UV_THREADPOOL_SIZE'] = '1';
    expect(defaultHashConcurrency()).toBe(1);
    process.env['UV_THREADPOOL_SIZE'] = '64';
    expect(defaultHashConcurrency()).toBe(availableParallelism());
  });
});
