import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/**
 * A message port that a thread can read while it is blocked: the sender posts on `port` and
 * then adds one to `signal[0]` (an Int32Array over a SharedArrayBuffer) and notifies it; the
 * reader drains the port with `receiveMessageOnPort` and sleeps in `Atomics.wait` between
 * messages. Its event loop never runs meanwhile. It carries the answers to an action's host
 * calls (server → blocked worker) and, for during actions, every message of the worker
 * (worker → blocked server thread).
 */
export interface SignalledPort {
  signal: SharedArrayBuffer;
  port: MessagePort;
}

/** One end of a {@link SignalledPort}, its signal already viewed as an Int32Array. */
export interface SignalledEnd {
  signal: Int32Array;
  port: MessagePort;
}

/** Views a {@link SignalledPort}'s signal. */
export function signalledEnd(channel: SignalledPort): SignalledEnd {
  return { signal: new Int32Array(channel.signal), port: channel.port };
}

/**
 * A new signalled port: `local` stays on this thread (unref'd: it never keeps the process
 * alive), `remote` is for the worker (put its `port` in the worker's transfer list).
 */
export function newSignalledPort(): { local: SignalledEnd; remote: SignalledPort } {
  const signal = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  port1.unref();
  return { local: signalledEnd({ signal, port: port1 }), remote: { signal, port: port2 } };
}

/** Posts a message and wakes the thread waiting on the other end. */
export function postSignalled(end: SignalledEnd, msg: unknown): void {
  end.port.postMessage(msg);
  Atomics.add(end.signal, 0, 1);
  Atomics.notify(end.signal, 0);
}

/**
 * Blocks this thread, handing each message that arrives to `take`, until `take` returns
 * something other than undefined (returned) or `deadline` (epoch ms) passes (undefined).
 * A message posted between a drain and the wait is never missed: the wait returns at once
 * when the signal moved since it was read.
 */
export function waitSignalled<T>(
  end: SignalledEnd,
  take: (msg: unknown) => T | undefined,
  deadline: number,
): T | undefined {
  for (;;) {
    const seen = Atomics.load(end.signal, 0);
    for (let m = receiveMessageOnPort(end.port); m; m = receiveMessageOnPort(end.port)) {
      const got = take(m.message);
      if (got !== undefined) return got;
    }
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    Atomics.wait(end.signal, 0, seen, left);
  }
}
