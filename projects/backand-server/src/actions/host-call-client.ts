import { postSignalled, waitSignalled, type SignalledEnd } from './signalled-port';
import type { CallAnswer, CallMessage } from './worker-protocol';

/** Makes one synchronous host call of a run: `kind`, the payload JSON, the run's deadline. */
export type HostCall = (runId: number, kind: string, payload: string, deadline: number) => string;

/**
 * The worker's side of host calls (`$http`, `email.send`, `files.*`): the action's thread
 * blocks (see signalled-port.ts) while the server does the work, so action code calls them
 * synchronously, as Backand's actions did. QuickJS runs nothing meanwhile; the wait ends at the
 * run's deadline at the latest, and an answer that comes later is thrown away (its `seq` is
 * stale).
 *
 * @example
 * const call = hostCallClient(signalledEnd(data.hostCalls), (m) => port.postMessage(m));
 * const json = call(runId, 'http', '{"url":"…"}', Date.now() + 1000);
 */
export function hostCallClient(answers: SignalledEnd, post: (msg: CallMessage) => void): HostCall {
  let seq = 0;
  return (runId, kind, payload, deadline) => {
    const mine = ++seq;
    post({ type: 'call', id: runId, seq: mine, kind, payload, deadline });
    const result = waitSignalled(
      answers,
      (m) => ((m as CallAnswer).seq === mine ? (m as CallAnswer).result : undefined),
      deadline,
    );
    return result ?? JSON.stringify({ ok: false, message: `${kind}: the action ran out of time` });
  };
}

/** The server's side: answers a call on the worker's port and wakes the worker. */
export function answerHostCall(answers: SignalledEnd, answer: CallAnswer): void {
  postSignalled(answers, answer);
}
