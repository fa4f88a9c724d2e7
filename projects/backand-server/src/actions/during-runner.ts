import { receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { answerHostCall } from './host-call-client';
import type { CallHandler } from './host-services';
import { newSignalledPort, waitSignalled, type SignalledEnd } from './signalled-port';
import { startWorker, type LogSink, type RunSpec } from './worker-pool';
import type { DoneMessage, RunRequest, WorkerMessage } from './worker-protocol';

/** `Atomics.waitAsync` (Node 16+; not in the ES2022 type library). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeoutMs: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

interface InlineWorker {
  worker: Worker;
  /** Where this thread answers the worker's host calls. */
  calls: SignalledEnd;
  /** Where the worker's messages come: this thread reads them while it is blocked. */
  outbox: SignalledEnd;
  ready: Promise<void>;
  isReady: boolean;
}

/**
 * Runs the actions that belong inside a write's transaction (Backand's "During" triggers): the
 * server thread hands the run to a worker of its own and waits for the answer, blocked (see
 * signalled-port.ts), so that the transaction stays open and nothing else uses the database
 * meanwhile. The action's host calls are served while it waits, synchronously: `files.*` work,
 * `$http` and `email.send` fail at once (they need the event loop, which is not running). A
 * run that does not answer within its limit plus `graceMs` is abandoned and its worker
 * terminated and replaced. Such a run holds up the whole server while it lasts: keep During
 * actions short.
 */
export class DuringRunner {
  private current?: InlineWorker;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly memoryLimitBytes: number,
    private readonly graceMs: number,
  ) {}

  /** Starts the worker (once) and resolves when it takes runs. Call before the transaction. */
  ready(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the server is closing'));
    this.current ??= this.start();
    return this.current.ready;
  }

  /**
   * Runs an action and waits for it, blocking this thread. Needs {@link ready} first.
   * @param onCall must answer synchronously (see `RunCalls.during` in host-services.ts); a
   *   promise is refused, never awaited.
   * @returns the worker's answer (a failure for a time-out or a crash).
   */
  runNow(spec: RunSpec, onLog: LogSink, onCall?: CallHandler): DoneMessage {
    const w = this.current;
    const id = this.nextId++;
    const failure = (message: string): DoneMessage => ({ type: 'done', id, ok: false, message });
    if (!w || !w.isReady) return failure(`action "${spec.name}" cannot run: no worker is ready`);
    w.worker.postMessage({
      type: 'run',
      id,
      memoryLimitBytes: this.memoryLimitBytes,
      ...spec,
    } satisfies RunRequest);
    const done = waitSignalled(
      w.outbox,
      (raw): DoneMessage | undefined => {
        const msg = raw as WorkerMessage;
        if (msg.type === 'ready' || msg.id !== id) return undefined;
        if (msg.type === 'log') onLog(msg.level, msg.text);
        else if (msg.type === 'call') {
          answerHostCall(w.calls, { seq: msg.seq, result: answerNow(onCall, msg.kind, msg) });
        } else return msg;
        return undefined;
      },
      Date.now() + spec.timeoutMs + this.graceMs,
    );
    if (!done || done.last) this.replace(w);
    return (
      done ??
      failure(
        `action "${spec.name}" timed out after ${spec.timeoutMs} ms and did not stop: ` +
          'its worker was terminated and replaced',
      )
    );
  }

  /** Ends the worker. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.current;
    this.current = undefined;
    if (w) await this.stop(w);
  }

  private start(): InlineWorker {
    const calls = newSignalledPort();
    const outbox = newSignalledPort();
    const worker = startWorker(
      {
        memoryLimitBytes: this.memoryLimitBytes,
        testHooks: false,
        hostCalls: calls.remote,
        outbox: outbox.remote,
      },
      [calls.remote.port, outbox.remote.port],
    );
    worker.unref();
    const w: InlineWorker = {
      worker,
      calls: calls.local,
      outbox: outbox.local,
      isReady: false,
      ready: Promise.resolve(),
    };
    let exited: number | undefined;
    worker.once('exit', (code) => {
      exited = code;
      if (this.current === w) this.current = undefined;
    });
    w.ready = (async () => {
      // The worker says `ready` through its outbox; waited for without blocking this thread.
      for (;;) {
        const seen = Atomics.load(w.outbox.signal, 0);
        for (
          let m = receiveMessageOnPort(w.outbox.port);
          m;
          m = receiveMessageOnPort(w.outbox.port)
        ) {
          if ((m.message as WorkerMessage).type === 'ready') {
            w.isReady = true;
            return;
          }
        }
        if (exited !== undefined) {
          throw new Error(`the action worker did not start (exit code ${exited})`);
        }
        const waiting = waitAsync(w.outbox.signal, 0, seen, 1000);
        if (waiting.async) await waiting.value;
      }
    })();
    w.ready.catch(() => undefined);
    return w;
  }

  private replace(w: InlineWorker): void {
    if (this.current === w) this.current = undefined;
    void this.stop(w);
  }

  private async stop(w: InlineWorker): Promise<void> {
    w.outbox.port.close();
    w.calls.port.close();
    await w.worker.terminate().catch(() => undefined);
  }
}

/** A host call's answer, now: this thread cannot wait for a promise while it is blocked. */
function answerNow(
  handler: CallHandler | undefined,
  kind: string,
  call: { payload: string; deadline: number },
): string {
  const refuse = (message: string) => JSON.stringify({ ok: false, message });
  if (!handler) return refuse(`${kind} is not available here`);
  try {
    const answer = handler(kind, call.payload, call.deadline);
    if (typeof answer === 'string') return answer;
    answer.catch(() => undefined);
    return refuse(`${kind} is not available in a "during" action`);
  } catch (err) {
    return refuse(`${kind} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
