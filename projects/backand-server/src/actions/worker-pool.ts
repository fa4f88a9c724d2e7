import type { MessagePort, Worker } from 'node:worker_threads';
import { startWorkerThread } from '../worker-thread';
import { answerHostCall } from './host-call-client';
import type { CallHandler } from './host-services';
import { newSignalledPort, type SignalledEnd } from './signalled-port';
import type {
  CallMessage,
  DoneMessage,
  LogMessage,
  RunRequest,
  WorkerData,
  WorkerMessage,
} from './worker-protocol';

/** Options of a {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** The most workers (runs at once); more runs wait in turn. */
  size: number;
  /** How long past a run's own deadline the pool waits before it terminates the worker. */
  graceMs: number;
  /** The memory limit of a run (the same for all runs of the pool: it caps each worker). */
  memoryLimitBytes: number;
  /** Where worker failures are reported (pino's shape). */
  logger?: { error(obj: object, msg?: string): void };
  /** Lets pool tests make a worker hang or crash (never set by the server). */
  testHooks?: boolean;
}

/** A run as the pool takes it: the request without its routing fields and pool settings. */
export type RunSpec = Omit<RunRequest, 'type' | 'id' | 'memoryLimitBytes'>;
/** Receives a run's console lines. */
export type LogSink = (level: LogMessage['level'], text: string) => void;

type Failure = Extract<DoneMessage, { ok: false }>;

interface Job {
  id: number;
  spec: RunSpec | { test: 'hang' | 'crash'; timeoutMs: number; name: string };
  onLog: LogSink;
  onCall?: CallHandler;
  resolve(done: DoneMessage): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
  error?: Error;
  /** Where the answers to the worker's host calls go. */
  calls: SignalledEnd;
}

/** A worker thread's stack: QuickJS' own limit (256 KiB) trips long before this one. */
const WORKER_STACK_MB = 8;
/** Workers that die before they are ready, in a row, before queued runs are failed. */
const MAX_START_FAILURES = 3;

/**
 * A small pool of action workers (see action-worker.ts), started on the first run. Each worker
 * runs one action at a time; a worker that does not answer within the run's limit plus the
 * grace period is terminated and replaced, and its run fails. Messages carry strings and plain
 * data only.
 */
export class WorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private startFailures = 0;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  /** Workers started and not yet ended. */
  get workers(): number {
    return this.slots.size;
  }

  /**
   * Runs an action in the next free worker. Resolves with the worker's answer, or a failure
   * when the worker had to be stopped or crashed; rejects only when the pool is closed.
   */
  run(spec: RunSpec, onLog: LogSink, onCall?: CallHandler): Promise<DoneMessage> {
    return this.enqueue(spec, onLog, onCall);
  }

  /** Test hook: makes the next free worker hang or crash (needs `testHooks`). */
  test(kind: 'hang' | 'crash', timeoutMs: number): Promise<DoneMessage> {
    return this.enqueue({ test: kind, timeoutMs, name: `test-${kind}` }, () => undefined);
  }

  /** Ends every worker; runs in flight or waiting fail. Never hangs. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closing = new Error('the server is closing');
    for (const job of this.queue.splice(0)) job.reject(closing);
    const ending: Array<Promise<unknown>> = [];
    for (const slot of [...this.slots]) {
      if (slot.job) slot.job.reject(closing);
      ending.push(this.stop(slot));
    }
    await Promise.all(ending);
  }

  private enqueue(spec: Job['spec'], onLog: LogSink, onCall?: CallHandler): Promise<DoneMessage> {
    if (this.closed) return Promise.reject(new Error('the server is closing'));
    return new Promise<DoneMessage>((resolve, reject) => {
      const job: Job = { id: this.nextId++, spec, onLog, resolve, reject };
      if (onCall) job.onCall = onCall;
      this.queue.push(job);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length) {
      const slot = [...this.slots].find((s) => s.ready && !s.job);
      if (!slot) break;
      this.assign(slot, this.queue.shift()!);
    }
    const starting = [...this.slots].filter((s) => !s.ready).length;
    if (this.queue.length > starting && this.slots.size < this.options.size) {
      try {
        this.spawn();
      } catch (err) {
        for (const job of this.queue.splice(0)) job.reject(err as Error);
      }
    }
  }

  private assign(slot: Slot, job: Job): void {
    slot.job = job;
    const { spec } = job;
    slot.timer = setTimeout(
      () =>
        this.fail(
          slot,
          `action "${spec.name}" timed out after ${spec.timeoutMs} ms and did not stop: ` +
            'its worker was terminated and replaced',
        ),
      spec.timeoutMs + this.options.graceMs,
    );
    // A run in flight keeps the process alive; an idle worker does not.
    slot.worker.ref();
    if ('test' in spec) slot.worker.postMessage({ type: 'test', id: job.id, kind: spec.test });
    else {
      const { memoryLimitBytes } = this.options;
      slot.worker.postMessage({
        type: 'run',
        id: job.id,
        memoryLimitBytes,
        ...spec,
      } satisfies RunRequest);
    }
  }

  private spawn(): void {
    const calls = newSignalledPort();
    const worker = startWorker(
      {
        memoryLimitBytes: this.options.memoryLimitBytes,
        testHooks: !!this.options.testHooks,
        hostCalls: calls.remote,
      },
      [calls.remote.port],
    );
    const slot: Slot = { worker, ready: false, calls: calls.local };
    this.slots.add(slot);
    worker.unref();
    worker.on('message', (msg: WorkerMessage) => this.onMessage(slot, msg));
    worker.on('error', (err) => {
      slot.error = err;
      this.options.logger?.error({ err }, 'action worker failed');
    });
    worker.on('exit', (code) => {
      if (!this.slots.has(slot)) return;
      if (!slot.ready && ++this.startFailures >= MAX_START_FAILURES) {
        const why = slot.error?.message ?? `exit code ${code}`;
        const err = new Error(`action workers do not start (${why})`);
        for (const job of this.queue.splice(0)) job.reject(err);
      }
      const why = slot.error ? slot.error.message : `exit code ${code}`;
      this.fail(slot, `action "${slot.job?.spec.name}" crashed its worker (${why})`);
    });
  }

  private onMessage(slot: Slot, msg: WorkerMessage): void {
    if (msg.type === 'ready') {
      slot.ready = true;
      this.startFailures = 0;
      this.dispatch();
      return;
    }
    const job = slot.job;
    if (!job || msg.id !== job.id) return;
    if (msg.type === 'log') {
      job.onLog(msg.level, msg.text);
      return;
    }
    if (msg.type === 'call') {
      this.serveCall(slot, job, msg);
      return;
    }
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.worker.unref();
    job.resolve(msg);
    // A worker whose sandbox cannot be trusted any more ends: a fresh one takes its place.
    if (msg.last) this.replace(slot);
    else this.dispatch();
  }

  /** Serves a host call of a run; an answer for a run that has ended is dropped. */
  private serveCall(slot: Slot, job: Job, { seq, kind, payload, deadline }: CallMessage): void {
    const handler = job.onCall;
    const answering = handler
      ? Promise.resolve()
          .then(() => handler(kind, payload, deadline))
          .catch((err: unknown) =>
            JSON.stringify({ ok: false, message: `${kind} failed: ${(err as Error).message}` }),
          )
      : Promise.resolve(JSON.stringify({ ok: false, message: `${kind} is not available here` }));
    void answering.then((result) => {
      if (slot.job === job && this.slots.has(slot)) answerHostCall(slot.calls, { seq, result });
    });
  }

  /** Fails the slot's run (if any) and replaces its worker. */
  private fail(slot: Slot, message: string): void {
    if (!this.slots.has(slot)) return;
    const job = slot.job;
    slot.job = undefined;
    if (job) job.resolve({ type: 'done', id: job.id, ok: false, message } satisfies Failure);
    this.replace(slot);
  }

  /** Ends a worker and starts another in its place. */
  private replace(slot: Slot): void {
    if (!this.slots.has(slot)) return;
    void this.stop(slot);
    if (this.closed) return;
    if (this.startFailures < MAX_START_FAILURES && this.slots.size < this.options.size) {
      try {
        this.spawn();
      } catch (err) {
        this.options.logger?.error({ err }, 'action worker failed to start');
      }
    }
    this.dispatch();
  }

  private stop(slot: Slot): Promise<unknown> {
    this.slots.delete(slot);
    clearTimeout(slot.timer);
    slot.calls.port.close();
    return slot.worker.terminate().catch(() => undefined);
  }
}

/** Starts an action worker (see {@link startWorkerThread}). */
export function startWorker(workerData: WorkerData, transferList: MessagePort[]): Worker {
  return startWorkerThread(__dirname, 'action-worker', {
    workerData,
    transferList,
    resourceLimits: { stackSizeMb: WORKER_STACK_MB },
  });
}
