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

const CALL = new vm.Script(
  'backandCallback(__args.userInput, __args.dbRow, __args.parameters, __args.userProfile)',
  { filename: 'backand-action-call' },
);

/**
 * Runs action code (`function backandCallback(userInput, dbRow, parameters, userProfile)`) in a
 * fresh `node:vm` context with a time limit. The vm isolates faults of the app owner's code; it is
 * not a security boundary.
 */
export class ActionRunner {
  private readonly scripts = new Map<string, vm.Script>();

  constructor(
    private readonly logger: ActionLogger,
    /** The most a synchronous run may take before it is stopped. */
    private readonly timeoutMs = 1000,
  ) {}

  /**
   * Runs an action synchronously and returns what `backandCallback` returned (a promise is
   * returned as is). `args.userInput` may be changed by the action (before* actions use that).
   * @throws HttpError 417 with the action's message when it throws or times out.
   */
  run(name: string, code: string, args: ActionArgs, emits: PendingEmits): unknown {
    const log =
      (level: 'info' | 'warn' | 'error') =>
      (...parts: unknown[]) =>
        this.logger[level]({ action: name }, parts.map(format).join(' '));
    const context = vm.createContext({
      socket: emits.socketApi,
      console: { log: log('info'), info: log('info'), warn: log('warn'), error: log('error') },
      __args: args,
    });
    try {
      this.script(name, code).runInContext(context, { timeout: this.timeoutMs });
      if (typeof (context as { backandCallback?: unknown }).backandCallback !== 'function') {
        throw new Error(`action "${name}" does not define function backandCallback`);
      }
      return CALL.runInContext(context, { timeout: this.timeoutMs });
    } catch (err) {
      throw actionError(name, err);
    }
  }

  /** Like {@link run}, but awaits a returned promise (for on-demand actions and functions). */
  async runAsync(
    name: string,
    code: string,
    args: ActionArgs,
    emits: PendingEmits,
  ): Promise<unknown> {
    const result = this.run(name, code, args, emits);
    if (!isThenable(result)) return result;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`action "${name}" did not settle within ${this.timeoutMs * 10} ms`)),
        this.timeoutMs * 10,
      );
    });
    try {
      return await Promise.race([result, timeout]);
    } catch (err) {
      throw actionError(name, err);
    } finally {
      clearTimeout(timer);
    }
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
