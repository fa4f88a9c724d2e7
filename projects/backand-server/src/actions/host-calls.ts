import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { CallAnswer, CallMessage } from './worker-protocol';

/**
 * Calls from a running action to the server, in the synchronous style of Backand's globals
 * (`var url = files.upload(…)`). The worker posts a {@link CallMessage} and blocks
 * (`Atomics.wait`) until the server has put the answer on the call channel's port and raised
 * its signal, or the run's deadline has passed. Answers carry the call's sequence number, so
 * that a late answer to an earlier call is never taken for the current one.
 */

/** Serves one kind of call for a run: resolves to the value (JSON data) or rejects. */
export type HostCallHandler = (kind: string, args: unknown) => unknown;

/** The two ends of a worker's call channel: the server keeps one, the worker gets the other. */
export interface CallChannel {
  /** Raised (set to 1 and notified) when an answer is on the port. */
  signal: SharedArrayBuffer;
  /** Where the server posts answers (the worker reads them with `receiveMessageOnPort`). */
  port: MessagePort;
}

/** A new call channel: `host` for the server, `worker` to transfer to the worker. */
export function newCallChannel(): { host: CallChannel; worker: CallChannel } {
  const signal = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  return { host: { signal, port: port1 }, worker: { signal, port: port2 } };
}

type Sequenced = CallAnswer & { seq: number };

/** The worker's end: makes calls and waits for their answers. */
export class HostCallClient {
  private seq = 0;
  private readonly flag: Int32Array;

  constructor(
    private readonly channel: CallChannel,
    private readonly send: (msg: CallMessage) => void,
  ) {
    this.flag = new Int32Array(channel.signal);
  }

  /** Calls the server for run `id`; answers JSON `{ok, value|message}` for the guest. */
  call(id: number, kind: string, payload: string, deadline: number): string {
    const seq = ++this.seq;
    Atomics.store(this.flag, 0, 0);
    this.send({ type: 'call', id, kind, payload: JSON.stringify({ seq, payload }) });
    for (;;) {
      const got = receiveMessageOnPort(this.channel.port)?.message as Sequenced | undefined;
      if (got && got.seq === seq) {
        const { seq: _seq, ...answer } = got;
        return JSON.stringify(answer);
      }
      if (got) continue; // a late answer to an earlier call
      const left = deadline - Date.now();
      if (left <= 0) {
        return JSON.stringify({ ok: false, message: `${kind}: no answer before the time limit` });
      }
      Atomics.wait(this.flag, 0, 0, left);
      Atomics.store(this.flag, 0, 0);
    }
  }
}

/** What a {@link CallMessage} asks, once unpacked. */
export function unpackCall(msg: CallMessage): { seq: number; kind: string; args: unknown } {
  const { seq, payload } = JSON.parse(msg.payload) as { seq: number; payload: string };
  return { seq, kind: msg.kind, args: JSON.parse(payload) as unknown };
}

/** The server's end: posts an answer and wakes the worker. */
export function answerCall(channel: CallChannel, seq: number, answer: CallAnswer): void {
  channel.port.postMessage({ seq, ...answer } satisfies Sequenced);
  const flag = new Int32Array(channel.signal);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

/** Runs a handler and turns its value or error into an answer. */
export async function serveCall(
  handler: HostCallHandler | undefined,
  kind: string,
  args: unknown,
): Promise<CallAnswer> {
  if (!handler) return { ok: false, message: `${kind} is not available in this action` };
  try {
    return { ok: true, value: JSON.stringify((await handler(kind, args)) ?? null) };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/** {@link serveCall} for a handler that answers at once (runs the server waits for). */
export function serveCallNow(
  handler: HostCallHandler | undefined,
  kind: string,
  args: unknown,
): CallAnswer {
  if (!handler) return { ok: false, message: `${kind} is not available in this action` };
  try {
    const value = handler(kind, args);
    if (value instanceof Promise) {
      value.catch(() => undefined);
      return { ok: false, message: `${kind} is not available in a "during" action` };
    }
    return { ok: true, value: JSON.stringify(value ?? null) };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}
