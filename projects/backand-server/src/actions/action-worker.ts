import variant from '@jitl/quickjs-wasmfile-release-sync';
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';
import { GuestContext, SandboxCrash, hostErrorText } from './guest-context';
import { hostCallClient, type HostCall } from './host-call-client';
import { postSignalled, signalledEnd } from './signalled-port';
import type { DoneMessage, HostMessage, WorkerData, WorkerMessage } from './worker-protocol';

/**
 * An action worker (a `node:worker_threads` thread): runs one action at a time in QuickJS, each
 * in a fresh runtime and context ({@link GuestContext}), inside a WebAssembly memory capped a
 * little above the app's memory limit. The action sees only the QuickJS built-ins and the
 * globals of the guest prelude; this thread's Node APIs are out of its reach.
 */

// Node has WebAssembly; its type declarations (lib "dom") are not in this project's libs.
declare const WebAssembly: {
  Memory: new (size: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
};

/**
 * What the WebAssembly memory holds besides the action's heap: the C stack (5 MB), static data,
 * QuickJS' runtime. QuickJS cannot count what it allocates inside WebAssembly (its memory limit
 * sees only single large allocations), so the memory's maximum is the real limit.
 */
const WASM_BASE_BYTES = 16 * 1024 * 1024;
/** The module's own initial memory (its import asks for at least this). */
const WASM_INITIAL_BYTES = 16 * 1024 * 1024;
/** A run that leaves less room than this below the maximum counts as out of memory. */
const WASM_HEADROOM_BYTES = 2 * 1024 * 1024;
const PAGE = 64 * 1024;

async function main(port: MessagePort, data: WorkerData): Promise<void> {
  const maxBytes = Math.max(
    WASM_INITIAL_BYTES,
    Math.ceil((data.memoryLimitBytes + WASM_BASE_BYTES) / PAGE) * PAGE,
  );
  const memory = new WebAssembly.Memory({
    initial: WASM_INITIAL_BYTES / PAGE,
    maximum: maxBytes / PAGE,
  });
  const module = await newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmMemory: memory }));
  const exhausted = () => memory.buffer.byteLength > maxBytes - WASM_HEADROOM_BYTES;
  // A worker of during actions talks through its outbox: the server thread is blocked meanwhile.
  const outbox = data.outbox && signalledEnd(data.outbox);
  const send = (msg: WorkerMessage) =>
    outbox ? postSignalled(outbox, msg) : port.postMessage(msg);
  const hostCall: HostCall | undefined = data.hostCalls
    ? hostCallClient(signalledEnd(data.hostCalls), send)
    : undefined;
  let spare: GuestContext | undefined = new GuestContext(module, hostCall);

  port.on('message', (msg: HostMessage) => {
    if (msg.type === 'test') {
      if (!data.testHooks) return;
      if (msg.kind === 'crash') throw new Error('action worker crashed on purpose (test hook)');
      for (;;) {
        // hang on purpose (test hook): only terminate() ends this
      }
    }
    let done: DoneMessage;
    let reusable: boolean;
    try {
      const guest = spare ?? new GuestContext(module, hostCall);
      spare = undefined;
      done = guest.run(
        msg,
        (level, text) => send({ type: 'log', id: msg.id, level, text }),
        exhausted,
      );
      // A run that filled the memory ends the worker: a fresh one gives the memory back.
      reusable = guest.dispose() && !exhausted();
    } catch (err) {
      // The module's state is unknown after a failure below JavaScript: answer, then let the
      // pool start a fresh worker.
      const why = err instanceof SandboxCrash ? err.message : hostErrorText(err);
      send({
        type: 'done',
        id: msg.id,
        ok: false,
        message: `action "${msg.name}" crashed its sandbox (${why})`,
        last: true,
      } satisfies WorkerMessage);
      process.exit(1);
    }
    send({ ...done, last: !reusable });
    if (!reusable) process.exit(0);
    // The next run's context is made while this worker would be idle.
    setImmediate(() => {
      try {
        spare ??= new GuestContext(module, hostCall);
      } catch {
        process.exit(1);
      }
    });
  });
  send({ type: 'ready' });
}

if (!isMainThread && parentPort) void main(parentPort, workerData as WorkerData);
