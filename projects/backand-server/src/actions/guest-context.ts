import type {
  QuickJSContext,
  QuickJSHandle,
  QuickJSRuntime,
  QuickJSWASMModule,
  VmCallResult,
} from 'quickjs-emscripten-core';
import { installGuestGlobals } from './guest-globals';
import { GUEST_HOST_CALLS } from './guest-host-calls';
import { GUEST_PRELUDE } from './guest-prelude';
import type { HostCall } from './host-call-client';
import type { DoneMessage, LogMessage, RunRequest } from './worker-protocol';

/** QuickJS' own stack limit; well inside the thread's stack, so deep recursion is a JS error. */
const GUEST_STACK_BYTES = 256 * 1024;
/** The most `console` lines one run sends to the log, and the longest line. */
export const MAX_LOG_LINES = 1000;
export const MAX_LOG_LINE = 10_000;

/** The sandbox broke below JavaScript (e.g. the thread's stack): its worker must be replaced. */
export class SandboxCrash extends Error {}

/** A JavaScript exception in the guest, its handle still to be described. */
class GuestError extends Error {
  constructor(readonly handle: QuickJSHandle) {
    super('guest exception');
  }
}

const HOOKS = ['start', 'finish', 'input', 'emits', 'describe'] as const;

/**
 * A fresh QuickJS runtime and context with the action globals set up ({@link GUEST_PRELUDE},
 * {@link GUEST_HOST_CALLS}, guest-globals.ts), for exactly one run. Workers prepare the next one while they are idle.
 */
export class GuestContext {
  private readonly runtime: QuickJSRuntime;
  private readonly ctx: QuickJSContext;
  private readonly handles: QuickJSHandle[] = [];
  private readonly hooks = {} as Record<(typeof HOOKS)[number], QuickJSHandle>;
  private deadline = Infinity;
  private interrupted = false;
  private lines = 0;
  private runId = 0;
  /** The `setup(envJson, argsJson, where)` of guest-globals.ts. */
  private readonly setup: QuickJSHandle;
  private onLog: (level: LogMessage['level'], text: string) => void = () => undefined;

  /** @param hostCall where `$http`, `email.send` and `files.*` go; without it they throw. */
  constructor(
    module: QuickJSWASMModule,
    private readonly hostCall?: HostCall,
  ) {
    this.runtime = module.newRuntime();
    this.runtime.setMaxStackSize(GUEST_STACK_BYTES);
    this.runtime.setInterruptHandler(() => (this.interrupted ||= Date.now() > this.deadline));
    this.ctx = this.runtime.newContext();
    const ctx = this.ctx;
    const log = this.keep(ctx.newFunction('log', (level, text) => this.log(level, text)));
    const factory = this.unwrap(ctx.evalCode(GUEST_PRELUDE, 'backand:prelude'));
    const api = this.unwrap(ctx.callFunction(factory, ctx.undefined, log));
    for (const hook of HOOKS) this.hooks[hook] = this.keep(ctx.getProp(api, hook));
    const call = this.keep(ctx.newFunction('hostCall', (k, p) => this.callHost(k, p)));
    const hostCalls = this.unwrap(ctx.evalCode(GUEST_HOST_CALLS, 'backand:host-calls'));
    this.unwrap(ctx.callFunction(hostCalls, ctx.undefined, call));
    this.setup = installGuestGlobals(ctx, (h) => this.keep(h));
  }

  /**
   * Runs an action: its code, `backandCallback`, the promise jobs, and the serialisation of what
   * leaves the sandbox, all before `req.timeoutMs` is up.
   * @throws SandboxCrash when QuickJS fails below JavaScript.
   */
  run(
    req: RunRequest,
    onLog: (level: LogMessage['level'], text: string) => void,
    exhausted: () => boolean,
  ): DoneMessage {
    const { ctx, runtime } = this;
    this.onLog = onLog;
    this.runId = req.id;
    runtime.setMemoryLimit(req.memoryLimitBytes);
    this.deadline = Date.now() + req.timeoutMs;
    try {
      const go = this.unwrap(
        ctx.callFunction(
          this.setup,
          ctx.undefined,
          this.keep(ctx.newString(req.env ?? '{}')),
          this.keep(ctx.newString(req.args)),
          req.where === undefined ? ctx.undefined : this.keep(ctx.newString(req.where)),
        ),
      );
      if (ctx.dump(go) !== true) {
        return { type: 'done', id: req.id, ok: true, emits: '[]', skipped: true };
      }
      this.unwrap(ctx.evalCode(req.code, `action:${req.name}`));
      this.call('start', this.keep(ctx.newString(req.args)), this.keep(ctx.newString(req.name)));
      const jobs = runtime.executePendingJobs();
      if (jobs.error) throw new GuestError(this.keep(jobs.error));
      const result = this.call('finish', req.wantResult ? ctx.true : ctx.false);
      const input = req.wantInput ? this.call('input') : undefined;
      const emits = this.call('emits');
      return {
        type: 'done',
        id: req.id,
        ok: true,
        ...(ctx.typeof(result) === 'string' ? { result: ctx.getString(result) } : {}),
        ...(input && ctx.typeof(input) === 'string' ? { input: ctx.getString(input) } : {}),
        emits: ctx.getString(emits),
      };
    } catch (err) {
      if (!(err instanceof GuestError)) throw new SandboxCrash(hostErrorText(err));
      // Past the deadline every guest call is interrupted; with the memory full, even the
      // host's calls into the module may find no room: don't ask the guest then.
      const full = exhausted();
      const [message, reason] = this.interrupted || full ? [null, null] : this.describe(err);
      return failure(req, this.interrupted, full || message === 'out of memory', message, reason);
    }
  }

  /** Frees the runtime. @returns false when that failed: the module must not be used again. */
  dispose(): boolean {
    try {
      for (const h of this.handles.reverse()) if (h.alive) h.dispose();
      this.ctx.dispose();
      this.runtime.dispose();
      return true;
    } catch {
      return false;
    }
  }

  private call(hook: (typeof HOOKS)[number], ...args: QuickJSHandle[]): QuickJSHandle {
    return this.unwrap(this.ctx.callFunction(this.hooks[hook], this.ctx.undefined, ...args));
  }

  /** [message, reason] of a thrown value, as the guest reads them. */
  private describe(err: GuestError): [string | null, string | null] {
    const text = this.ctx.callFunction(this.hooks.describe, this.ctx.undefined, err.handle);
    if (text.error) {
      this.keep(text.error);
      return [null, null];
    }
    try {
      return JSON.parse(this.stringOf(this.keep(text.value)) ?? '') as [
        string | null,
        string | null,
      ];
    } catch {
      return [null, null];
    }
  }

  private log(level: QuickJSHandle, text: QuickJSHandle): void {
    if (++this.lines > MAX_LOG_LINES + 1) return;
    const kind = this.stringOf(level);
    this.onLog(
      kind === 'warn' || kind === 'error' ? kind : 'info',
      this.lines > MAX_LOG_LINES
        ? `more than ${MAX_LOG_LINES} console lines: the rest of this run is not logged`
        : (this.stringOf(text) ?? '').slice(0, MAX_LOG_LINE),
    );
  }

  /** A synchronous host call: its answer, as JSON text, becomes a guest string. */
  private callHost(kind: QuickJSHandle, payload: QuickJSHandle): QuickJSHandle {
    const name = this.stringOf(kind) ?? '';
    const answer = this.hostCall
      ? this.hostCall(this.runId, name, this.stringOf(payload) ?? 'null', this.deadline)
      : JSON.stringify({ ok: false, message: `${name} is not available here` });
    return this.ctx.newString(answer);
  }

  private stringOf(handle: QuickJSHandle): string | undefined {
    return this.ctx.typeof(handle) === 'string' ? this.ctx.getString(handle) : undefined;
  }

  private keep(handle: QuickJSHandle): QuickJSHandle {
    this.handles.push(handle);
    return handle;
  }

  private unwrap(result: VmCallResult<QuickJSHandle>): QuickJSHandle {
    if (result.error) throw new GuestError(this.keep(result.error));
    return this.keep(result.value);
  }
}

/** The failure answer: time-outs and memory by what happened, else the thrown value's message. */
function failure(
  req: RunRequest,
  interrupted: boolean,
  outOfMemory: boolean,
  message: string | null,
  reason: string | null,
): DoneMessage {
  const base = { type: 'done', id: req.id, ok: false } as const;
  if (interrupted) {
    return { ...base, message: `action "${req.name}" timed out after ${req.timeoutMs} ms` };
  }
  if (outOfMemory) {
    const mb = Math.round(req.memoryLimitBytes / (1024 * 1024));
    return { ...base, message: `action "${req.name}" ran out of memory (limit ${mb} MB)` };
  }
  return {
    ...base,
    message: typeof message === 'string' ? message : `action "${req.name}" failed`,
    ...(typeof reason === 'string' ? { reason } : {}),
  };
}

/** How a host-side error reads in a message. */
export function hostErrorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
