import { availableParallelism } from 'node:os';
import { RetryLaterError } from '../http/http-error';

/**
 * The default number of hashes run at once: libuv's threadpool size (4, or `UV_THREADPOOL_SIZE`),
 * where scrypt runs, but no more than the CPUs this process may use — more would not hash faster,
 * and would take threads from file I/O and CPU time from the event loop.
 */
export function defaultHashConcurrency(): number {
  const pool = Number(process.env['UV_THREADPOOL_SIZE']) || 4;
  return Math.max(1, Math.min(pool, availableParallelism()));
}

/** A place in a {@link HashQueue}, taken at once and given back when its job ends. */
export interface HashTicket {
  /** Runs `job` once a hashing slot is free (first come, first served); the place is then given back. */
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Gives the place back without running anything (nothing happens when already given back). */
  release(): void;
}

/** What a {@link HashQueue} holds right now, and how many jobs it ran. */
export interface HashQueueStats {
  /** Jobs running (hashing). */
  running: number;
  /** Places taken by jobs that wait (for a slot, or for their turn before asking for one). */
  waiting: number;
  /** Jobs that ran to the end since the queue was made. */
  completed: number;
}

/**
 * A bounded queue for password hashing: at most `maxConcurrent` jobs run at once, at most
 * `maxQueued` more wait, and a job beyond that is refused at once (the caller answers 503 with
 * {@link retryAfterSeconds}) instead of waiting behind every other one. scrypt runs in libuv's
 * threadpool; a `maxConcurrent` no larger than that pool (see {@link defaultHashConcurrency})
 * leaves the waiting to this queue, where it is bounded, instead of the pool's own unbounded one.
 *
 * @example
 * const queue = new HashQueue(4, 64);
 * const ticket = queue.admit();          // synchronous: a place, or undefined when full
 * if (!ticket) return busy(queue.retryAfterSeconds());
 * const hash = await ticket.run(() => hashPassword(password));
 */
export class HashQueue {
  private running = 0;
  private admitted = 0;
  private completed = 0;
  private readonly slots: Array<() => void> = [];
  /** How long a job takes (ms), averaged; a guess until the first job ends. */
  private averageMs = 100;

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueued: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Takes a place for one job, or returns undefined when `maxConcurrent + maxQueued` are taken. */
  admit(): HashTicket | undefined {
    if (this.admitted >= this.maxConcurrent + this.maxQueued) return undefined;
    this.admitted++;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.admitted--;
    };
    return {
      release,
      run: async <T>(job: () => Promise<T>): Promise<T> => {
        if (!held) throw new Error('This place in the hash queue was already used');
        const wait = this.slot();
        if (wait) await wait;
        const started = this.clock();
        try {
          return await job();
        } finally {
          this.averageMs += (this.clock() - started - this.averageMs) / 5;
          this.completed++;
          release();
          this.handOn();
        }
      },
    };
  }

  /**
   * Runs `job` through the queue.
   * @throws RetryLaterError 503 at once when the queue is full.
   */
  run<T>(job: () => Promise<T>): Promise<T> {
    const ticket = this.admit();
    if (!ticket) return Promise.reject(this.busyError());
    return ticket.run(job);
  }

  /** The 503 answered when the queue is full, with its Retry-After. */
  busyError(seconds = this.retryAfterSeconds()): RetryLaterError {
    return new RetryLaterError(
      503,
      `The server is busy checking passwords. Try again in ${seconds} seconds.`,
      seconds,
    );
  }

  /** Seconds until the jobs holding places now are likely done (1 to 60). */
  retryAfterSeconds(): number {
    const ms = (this.admitted * this.averageMs) / this.maxConcurrent;
    return Math.min(60, Math.max(1, Math.ceil(ms / 1000)));
  }

  /** What the queue holds and has done (for tests and diagnostics). */
  stats(): HashQueueStats {
    return {
      running: this.running,
      waiting: this.admitted - this.running,
      completed: this.completed,
    };
  }

  /** Takes a running slot now (undefined) or resolves once one is handed over. */
  private slot(): Promise<void> | undefined {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return undefined;
    }
    return new Promise((resolve) => this.slots.push(resolve));
  }

  /** A job ended: its slot goes to the longest waiting job, or is freed. */
  private handOn(): void {
    const next = this.slots.shift();
    if (next) next();
    else this.running--;
  }
}
