import * as vm from 'node:vm';
import { HttpError } from '../http/http-error';
import type { PendingEmits } from './pending-emits';

/** The four arguments of `backandCallback`. */
export interface ActionArgs {
  userInput: unknown;
  dbRow: unknown;
  parameters: Record<string, unknown>;
  userProfile: UserProfile;
}

/** The `userProfile` argument of an action. */
export interface UserProfile {
  username: string | null;
  role: string;
  app: string;
  userId: string | null;
  token: string | null;
  request: { method: string; headers: Record<string, unknown> };
}

/** A minimal logger (pino's shape). */
export interface ActionLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

// Settlement of a returned promise is observed from inside the context: its microtasks run
// only while the context evaluates (microtaskMode 'afterEvaluate'), so a host-side `then` on it
// would never be called.
const CALL = new vm.Script(
  `(function (r) {
    if (r && (typeof r === 'object' || typeof r === 'function') && typeof r.then === 'function') {
      r.then(function (v) { __settle(true, v); }, function (e) { __settle(false, e); });
    }
    return r;
  })(backandCallback(__args.userInput, __args.dbRow, __args.parameters, __args.userProfile))`,
  { filename: 'backand-action-call' },
);

/**
 * Runs action code (`function backandCallback(userInput, dbRow, parameters, userProfile)`) in a
 * fresh `node:vm` context with a time limit. The limit covers the context's microtasks too, so an
 * `async` action that loops forever is stopped like a synchronous one. The vm isolates faults of
 * the app owner's code; it is not a security boundary.
 */
export class ActionRunner {
  private readonly scripts = new Map<string, vm.Script>();

  constructor(
    private readonly logger: ActionLogger,
    /** The most a run (its promise jobs included) may take before it is stopped. */
    private readonly timeoutMs = 5000,
  ) {}

  /**
   * Runs an action synchronously and returns what `backandCallback` returned; a returned promise
   * becomes a host promise of its outcome (rejected with a 417 when it fails or cannot settle).
   * `args.userInput` may be changed by the action (before* actions use that).
   * @throws HttpError 417 with the action's message when it throws or times out.
   */
  run(name: string, code: string, args: ActionArgs, emits: PendingEmits): unknown {
    const log =
      (level: 'info' | 'warn' | 'error') =>
      (...parts: unknown[]) =>
        this.logger[level]({ action: name }, parts.map(format).join(' '));
    let outcome: { ok: boolean; value: unknown } | undefined;
    const context = vm.createContext(
      {
        socket: emits.socketApi,
        console: { log: log('info'), info: log('info'), warn: log('warn'), error: log('error') },
        __args: args,
        __settle: (ok: boolean, value: unknown) => {
          outcome ??= { ok, value };
        },
      },
      { microtaskMode: 'afterEvaluate' },
    );
    let result: unknown;
    try {
      this.script(name, code).runInContext(context, { timeout: this.timeoutMs });
      if (typeof (context as { backandCallback?: unknown }).backandCallback !== 'function') {
        throw new Error(`action "${name}" does not define function backandCallback`);
      }
      result = CALL.runInContext(context, { timeout: this.timeoutMs });
    } catch (err) {
      throw actionError(name, err);
    }
    if (!isThenable(result)) return result;
    // The context has nothing that could settle a promise later (no timers, no I/O): what has
    // not settled by now never will.
    if (!outcome) {
      return Promise.reject(
        actionError(name, new Error(`action "${name}" returned a promise that never settles`)),
      );
    }
    return outcome.ok
      ? Promise.resolve(outcome.value)
      : Promise.reject(actionError(name, outcome.value));
  }

  /** Like {@link run}, but awaits a returned promise (for on-demand actions and functions). */
  async runAsync(
    name: string,
    code: string,
    args: ActionArgs,
    emits: PendingEmits,
  ): Promise<unknown> {
    let result = this.run(name, code, args, emits);
    if (isThenable(result)) result = await result;
    return jsonSnapshot(name, result);
  }

  private script(name: string, code: string): vm.Script {
    let script = this.scripts.get(code);
    if (!script) {
      script = new vm.Script(code, { filename: `action:${name}` });
      this.scripts.set(code, script);
    }
    return script;
  }
}

/**
 * The result as the client will receive it, checked now so that a result that cannot be sent
 * (a BigInt, a cycle) fails the action (417) before its emits go out.
 */
function jsonSnapshot(name: string, result: unknown): unknown {
  if (result === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(result);
  } catch (err) {
    throw new HttpError(417, `action "${name}" returned a value that cannot be sent as JSON`, {
      action: name,
      reason: err instanceof Error ? err.message : String(err),
    });
  }
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

/** Whether a value is a promise-like (also across vm contexts, where instanceof fails). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    !!value &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function actionError(name: string, err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  // Errors thrown inside the vm come from another realm: read their message by shape.
  const message =
    err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string'
      ? (err as { message: string }).message
      : typeof err === 'string'
        ? err
        : `action "${name}" failed`;
  return new HttpError(417, message, { action: name });
}

function format(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
