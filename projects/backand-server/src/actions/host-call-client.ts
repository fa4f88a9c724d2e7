import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { CallAnswer, CallMessage, HostCallChannel } from './worker-protocol';

/** Makes one synchronous host call of a run: `kind`, the payload JSON, the run's deadline. */
export type HostCall = (runId: number, kind: string, payload: string, deadline: number) => string;

/**
 * The worker's side of host calls (`$http`, `email.send`): the action's thread blocks in
 * `Atomics.wait` while the server does the work, so action code calls them synchronously, as
 * Backand's actions did. QuickJS runs nothing meanwhile; the wait ends at the run's deadline at
 * the latest, and an answer that comes later is thrown away (its `seq` is stale).
 *
 * @example
 * const call = hostCallClient(data.hostCalls, (m) => port.postMessage(m));
 * const json = call(runId, 'http', '{"url":"…"}', Date.now() + 1000);
 */
export function hostCallClient(
  channel: HostCallChannel,
  post: (msg: CallMessage) => void,
): HostCall {
  const signal = new Int32Array(channel.signal);
  const port: MessagePort = channel.port;
  let seq = 0;
  return (runId, kind, payload, deadline) => {
    const mine = ++seq;
    let seen = Atomics.load(signal, 0);
    post({ type: 'call', id: runId, seq: mine, kind, payload, deadline });
    for (;;) {
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
        const answer = m.message as CallAnswer;
        if (answer.seq === mine) return answer.result;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        return JSON.stringify({ ok: false, message: `${kind}: the action ran out of time` });
      }
      Atomics.wait(signal, 0, seen, left);
      seen = Atomics.load(signal, 0);
    }
  };
}

/**
 * The server's side: answers a call on the worker's port and wakes the worker.
 */
export function answerHostCall(
  channel: { signal: Int32Array; port: MessagePort },
  answer: CallAnswer,
): void {
  channel.port.postMessage(answer);
  Atomics.add(channel.signal, 0, 1);
  Atomics.notify(channel.signal, 0);
}
