import { receiveMessageOnPort, MessageChannel, type Worker } from 'node:worker_threads';
import {
  answerCall,
  newCallChannel,
  serveCallNow,
  unpackCall,
  type CallChannel,
} from './host-calls';
import type { HostCallHandler } from './host-calls';
import type { LogSink, RunSpec } from './worker-pool';
import { startWorker } from './worker-pool';
import type { DoneMessage, RunRequest, WorkerMessage } from './worker-protocol';
import type { MessagePort } from 'node:worker_threads';

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
  calls: CallChannel;
  outbox: { counter: Int32Array; port: MessagePort };
  ready: Promise<void>;
  isReady: boolean;
}

/**
 * Runs the actions that belong inside a write's transaction (Backand's "During" triggers): the
 * server thread hands the run to a worker of its own and waits for the answer
 * (`Atomics.wait`), so that the transaction stays open and nothing else uses the database
 * meanwhile. The action's `files` calls are served while it waits. A run that does not answer
 * within its limit plus `graceMs` is abandoned and its worker terminated and replaced.
 * Such a run holds up the whole server while it lasts: keep During actions short.
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
   * @returns the worker's answer (a failure for a time-out or a crash).
   */
  runNow(spec: RunSpec, onLog: LogSink, onCall?: HostCallHandler): DoneMessage {
    const w = this.current;
    const id = this.nextId++;
    const failure = (message: string): DoneMessage => ({ type: 'done', id, ok: false, message });
    if (!w || !w.isReady) return failure(`action "${spec.name}" cannot run: no worker is ready`);
    const deadline = Date.now() + spec.timeoutMs + this.graceMs;
    w.worker.postMessage({
      type: 'run',
      id,
      memoryLimitBytes: this.memoryLimitBytes,
      ...spec,
    } satisfies RunRequest);
    for (;;) {
      const seen = Atomics.load(w.outbox.counter, 0);
      let msg: WorkerMessage | undefined;
      while ((msg = receiveMessageOnPort(w.outbox.port)?.message as WorkerMessage | undefined)) {
        if (msg.type === 'ready' || msg.id !== id) continue;
        if (msg.type === 'log') onLog(msg.level, msg.text);
        else if (msg.type === 'call') {
          const { seq, kind, args } = unpackCall(msg);
          answerCall(w.calls, seq, serveCallNow(onCall, kind, args));
        } else {
          if (msg.last) this.replace(w);
          return msg;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.replace(w);
        return failure(
          `action "${spec.name}" timed out after ${spec.timeoutMs} ms and did not stop: ` +
            'its worker was terminated and replaced',
        );
      }
      Atomics.wait(w.outbox.counter, 0, seen, left);
    }
  }

  /** Ends the worker. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.current;
    this.current = undefined;
    if (w) await this.stop(w);
  }

  private start(): InlineWorker {
    const calls = newCallChannel();
    const signal = new SharedArrayBuffer(4);
    const { port1, port2 } = new MessageChannel();
    const worker = startWorker(
      {
        memoryLimitBytes: this.memoryLimitBytes,
        testHooks: false,
        calls: calls.worker,
        outbox: { signal, port: port2 },
      },
      [calls.worker.port, port2],
    );
    worker.unref();
    const w: InlineWorker = {
      worker,
      calls: calls.host,
      outbox: { counter: new Int32Array(signal), port: port1 },
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
        const seen = Atomics.load(w.outbox.counter, 0);
        let msg: WorkerMessage | undefined;
        while ((msg = receiveMessageOnPort(port1)?.message as WorkerMessage | undefined)) {
          if (msg.type === 'ready') {
            w.isReady = true;
            return;
          }
        }
        if (exited !== undefined) {
          throw new Error(`the action worker did not start (exit code ${exited})`);
        }
        const waiting = waitAsync(w.outbox.counter, 0, seen, 1000);
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
