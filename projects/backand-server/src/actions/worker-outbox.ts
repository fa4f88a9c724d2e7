import type { MessagePort } from 'node:worker_threads';
import type { WorkerMessage } from './worker-protocol';

/**
 * A worker's messages for a server thread that waits for them instead of running its event loop
 * (runs inside a write's transaction, see during-runner.ts): each message goes to `port`, and
 * the counter in `signal` is raised and notified, so that `Atomics.wait` returns.
 */
export interface Outbox {
  signal: SharedArrayBuffer;
  port: MessagePort;
}

/** How a worker sends its messages: to the outbox when it has one, else to its parent. */
export function workerSender(
  parent: MessagePort,
  outbox: Outbox | undefined,
): (msg: WorkerMessage) => void {
  if (!outbox) return (msg) => parent.postMessage(msg);
  const counter = new Int32Array(outbox.signal);
  return (msg) => {
    outbox.port.postMessage(msg);
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  };
}
